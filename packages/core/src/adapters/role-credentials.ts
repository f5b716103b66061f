/**
 * Credentials of cross-account roles, from STS AssumeRole, cached per role: one AssumeRole per role per
 * hour per warm Lambda, not one per application or per call.
 */
import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';
import { AccessDeniedError, FlinkSnapshotsError, isRetryable } from '../domain/errors';
import type { Clock } from '../ports';
import { toDomainError } from './aws-errors';

/** What SDK v3 clients accept as `credentials` (AwsCredentialIdentity). */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export interface RoleCredentialsCacheOptions {
  readonly sts: STSClient;
  /** RoleSessionName of every AssumeRole: shows in the target account's CloudTrail. */
  readonly roleSessionName?: string;
  /** Lifetime asked for; default one hour. */
  readonly durationSeconds?: number;
  /** Credentials this close to expiry are replaced; default five minutes. */
  readonly refreshBeforeMs?: number;
  /** Time against which expiry is judged; default the system clock. */
  readonly clock?: Clock;
}

interface Entry {
  readonly pending: Promise<RoleCredentials>;
  credentials?: RoleCredentials;
}

const systemClock: Clock = { now: () => Date.now() };

/** Assumes roles and keeps their credentials until they are near expiry; concurrent callers share one call. */
export class RoleCredentialsCache {
  readonly #sts: STSClient;
  readonly #roleSessionName: string;
  readonly #durationSeconds: number;
  readonly #refreshBeforeMs: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(options: RoleCredentialsCacheOptions) {
    this.#sts = options.sts;
    this.#roleSessionName = options.roleSessionName ?? 'flink-snapshots';
    this.#durationSeconds = options.durationSeconds ?? 3_600;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** Credentials for the role: cached ones unless within the refresh window of expiry, else fresh ones. */
  get(roleArn: string): Promise<RoleCredentials> {
    const entry = this.#entries.get(roleArn);
    if (entry !== undefined && (entry.credentials === undefined || this.#fresh(entry.credentials))) {
      return entry.pending;
    }
    const pending = this.#assume(roleArn);
    const next: Entry = { pending };
    this.#entries.set(roleArn, next);
    pending.then(
      (credentials) => {
        next.credentials = credentials;
      },
      () => {
        // A failed AssumeRole is not cached: the next call tries again.
        if (this.#entries.get(roleArn) === next) this.#entries.delete(roleArn);
      },
    );
    return pending;
  }

  #fresh(credentials: RoleCredentials): boolean {
    const expiration = credentials.expiration?.getTime();
    return expiration === undefined || expiration - this.#clock.now() > this.#refreshBeforeMs;
  }

  async #assume(roleArn: string): Promise<RoleCredentials> {
    const operation = 'AssumeRole';
    let output: AssumeRoleCommandOutput;
    try {
      output = await this.#sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.#roleSessionName,
          DurationSeconds: this.#durationSeconds,
        }),
      );
    } catch (error) {
      const translated = toDomainError(error, { operation, roleArn });
      // Throttling and outages pass as they are (retryable); any other refusal means the role is unusable.
      if (isRetryable(translated) || translated instanceof AccessDeniedError) throw translated;
      if (translated instanceof FlinkSnapshotsError || (error instanceof Error && '$metadata' in error)) {
        throw new AccessDeniedError(
          { operation, roleArn, code: error instanceof Error ? error.name : undefined },
          { cause: error },
        );
      }
      throw translated;
    }
    const credentials = output.Credentials;
    if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
      throw new AccessDeniedError({ operation, roleArn, code: 'NoCredentials' });
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken === undefined ? {} : { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration === undefined ? {} : { expiration: credentials.Expiration }),
    };
  }
}
