/**
 * ConfigSource over SSM Parameter Store: every parameter under a path, all pages, recursive.
 */
import {
  GetParametersByPathCommand,
  type GetParametersByPathCommandOutput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { ConfigParameter, ConfigSource } from '../ports';
import { toDomainError } from './aws-errors';

/** GetParametersByPath's largest page. */
const PAGE_SIZE = 10;

/**
 * Reads the applications' configuration parameters. SSM serves GetParametersByPath at 40 TPS by default
 * and throttles beyond: the throttling is absorbed by the client's own retry, so build the SSMClient with
 * `retryMode: 'adaptive'` (client-side rate limiting that learns the service's rate) and `maxAttempts`
 * around 10, as the composition root does. What is still failing after that is translated here
 * (ThrottledError, ServiceUnavailableError, AccessDeniedError, …).
 */
export class SsmConfigSource implements ConfigSource {
  constructor(private readonly ssm: SSMClient) {}

  /** Every parameter under `prefix`, recursive, one GetParametersByPath page at a time, in SSM's order. */
  async *pages(prefix: string): AsyncGenerator<ConfigParameter[]> {
    let nextToken: string | undefined;
    do {
      const page = await this.#page(prefix, nextToken);
      const parameters: ConfigParameter[] = [];
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name === undefined || parameter.Value === undefined) continue;
        parameters.push({ name: parameter.Name, value: parameter.Value, version: parameter.Version ?? 0 });
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
    try {
      return await this.ssm.send(
        new GetParametersByPathCommand({
          Path: path,
          Recursive: true,
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
