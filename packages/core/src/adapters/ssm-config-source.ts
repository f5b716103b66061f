/**
 * ConfigSource over SSM Parameter Store: every parameter under a path, all pages, recursive.
 */
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  type GetParametersByPathCommandOutput,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { ConfigParameter, ConfigSource, ConfigWriter } from '../ports';
import { awsErrorCode, toDomainError } from './aws-errors';

/** GetParametersByPath's largest page. */
const PAGE_SIZE = 10;

/**
 * Reads the applications' configuration parameters. SSM serves GetParametersByPath at 40 TPS by default
 * and throttles beyond: requests are paced to `maxRequestsPerSecond`, and what is throttled anyway (the
 * quota is shared with everything else in the account) is absorbed by the client's retry (the
 * composition root gives it ~10 attempts). What is still failing after that is translated here
 * (ThrottledError, ServiceUnavailableError, AccessDeniedError, …).
 */
export interface SsmConfigSourceOptions {
  /**
   * Pages requested per second at most (SSM's default GetParametersByPath quota is 40 per second, per
   * account and region). Pages chain on NextToken, so pacing them is the whole cost of reading N
   * parameters: N / 10 / rate seconds. Default 40.
   */
  readonly maxRequestsPerSecond?: number;
  /** Waits between paced requests; injected so tests need not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SsmConfigSource implements ConfigSource, ConfigWriter {
  readonly #intervalMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  #lastRequestAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ssm: SSMClient,
    options: SsmConfigSourceOptions = {},
  ) {
    this.#intervalMs = 1000 / (options.maxRequestsPerSecond ?? 40);
    this.#sleep = options.sleep ?? sleepFor;
  }

  /** One parameter by name (GetParameter), or undefined when SSM has none of that name. */
  async get(name: string): Promise<ConfigParameter | undefined> {
    try {
      const { Parameter: parameter } = await this.ssm.send(
        new GetParameterCommand({ Name: name, WithDecryption: false }),
      );
      if (parameter?.Name === undefined || parameter.Value === undefined) return undefined;
      return {
        name: parameter.Name,
        value: parameter.Value,
        version: parameter.Version ?? 0,
        type: parameter.Type,
      };
    } catch (error) {
      if (awsErrorCode(error) === 'ParameterNotFound') return undefined;
      throw toDomainError(error, { operation: 'GetParameter' });
    }
  }

  /** Writes a String parameter, overwriting it (PutParameter); its new version. */
  async put(name: string, value: string): Promise<number> {
    try {
      const output = await this.ssm.send(
        new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }),
      );
      return output.Version ?? 0;
    } catch (error) {
      throw toDomainError(error, { operation: 'PutParameter' });
    }
  }

  /** Every parameter under `prefix`, recursive, one GetParametersByPath page at a time, in SSM's order. */
  async *pages(prefix: string): AsyncGenerator<ConfigParameter[]> {
    let nextToken: string | undefined;
    do {
      const page = await this.#page(prefix, nextToken);
      const parameters: ConfigParameter[] = [];
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name === undefined || parameter.Value === undefined) continue;
        parameters.push({
          name: parameter.Name,
          value: parameter.Value,
          version: parameter.Version ?? 0,
          type: parameter.Type,
        });
      }
      yield parameters;
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
  }

  /** Every parameter under `prefix` (all pages, recursive), in SSM's order. */
  async readAll(prefix: string): Promise<ConfigParameter[]> {
    const parameters: ConfigParameter[] = [];
    for await (const page of this.pages(prefix)) parameters.push(...page);
    return parameters;
  }

  async #page(path: string, nextToken: string | undefined): Promise<GetParametersByPathCommandOutput> {
    // Stay under the quota instead of running into it: a throttled page costs a retry's backoff.
    const wait = this.#lastRequestAt + this.#intervalMs - performance.now();
    if (wait > 0) await this.#sleep(wait);
    this.#lastRequestAt = performance.now();
    try {
      return await this.ssm.send(
        new GetParametersByPathCommand({
          Path: path,
          Recursive: true,
          // Configurations hold no secrets: a SecureString is reported as the wrong type, never decrypted.
          WithDecryption: false,
          MaxResults: PAGE_SIZE,
          NextToken: nextToken,
        }),
      );
    } catch (error) {
      throw toDomainError(error, { operation: 'GetParametersByPath' });
    }
  }
}
