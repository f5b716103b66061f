/**
 * Credentials of the roles the worker acts through, from STS AssumeRole, cached per (role, tenant): one
 * AssumeRole per role and tenant per hour per warm Lambda, not one per application or per call. Every
 * session says which tenant it is for: the session tag `flink-snapshots:tenant` (what IAM compares with
 * the application's tag), the session name (what CloudTrail shows) and, for a role of another account,
 * the ExternalId `<stage>/<tenant>` its trust policy requires.
 */
import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';
import { AccessDeniedError, FlinkSnapshotsError, isRetryable } from '../domain/errors';
import { TENANT_TAG_KEY } from '../domain/tenant';
import type { Clock } from '../ports';
import { toDomainError } from './aws-errors';

/** What SDK v3 clients accept as `credentials` (AwsCredentialIdentity). */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** One session: the role, the tenant it acts for and, for another account's role, the ExternalId. */
export interface RoleSession {
  readonly roleArn: string;
  readonly tenant: string;
  readonly externalId?: string | undefined;
}

export interface RoleCredentialsCacheOptions {
  readonly sts: STSClient;
  /** Prefix of every RoleSessionName (`<prefix>-<tenant>`): shows in the target account's CloudTrail. */
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

  /** Credentials of a session: cached ones unless within the refresh window of expiry, else fresh ones. */
  get(session: RoleSession): Promise<RoleCredentials> {
    const key = `${session.roleArn}|${session.tenant}|${session.externalId ?? ''}`;
    const entry = this.#entries.get(key);
    if (entry !== undefined && (entry.credentials === undefined || this.#fresh(entry.credentials))) {
      return entry.pending;
    }
    const pending = this.#assume(session);
    const next: Entry = { pending };
    this.#entries.set(key, next);
    pending.then(
      (credentials) => {
        next.credentials = credentials;
      },
      () => {
        // A failed AssumeRole is not cached: the next call tries again.
        if (this.#entries.get(key) === next) this.#entries.delete(key);
      },
    );
    return pending;
  }

  #fresh(credentials: RoleCredentials): boolean {
    const expiration = credentials.expiration?.getTime();
    return expiration === undefined || expiration - this.#clock.now() > this.#refreshBeforeMs;
  }

  async #assume(session: RoleSession): Promise<RoleCredentials> {
    const operation = 'AssumeRole';
    const { roleArn, tenant, externalId } = session;
    let output: AssumeRoleCommandOutput;
    try {
      output = await this.#sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          // 2 to 64 of [\w+=,.@-]: a tenant is 1 to 64 of [a-zA-Z0-9_.-].
          RoleSessionName: `${this.#roleSessionName}-${tenant}`.slice(0, 64),
          DurationSeconds: this.#durationSeconds,
          Tags: [{ Key: TENANT_TAG_KEY, Value: tenant }],
          ...(externalId === undefined ? {} : { ExternalId: externalId }),
        }),
      );
    } catch (error) {
      const translated = toDomainError(error, { operation, roleArn, tenant, externalId });
      // Throttling and outages pass as they are (retryable); any other refusal means the role is unusable.
      if (isRetryable(translated) || translated instanceof AccessDeniedError) throw translated;
      if (translated instanceof FlinkSnapshotsError || (error instanceof Error && '$metadata' in error)) {
        throw new AccessDeniedError(
          { operation, roleArn, tenant, externalId, code: error instanceof Error ? error.name : undefined },
          { cause: error },
        );
      }
      throw translated;
    }
    const credentials = output.Credentials;
    if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
      throw new AccessDeniedError({ operation, roleArn, tenant, externalId, code: 'NoCredentials' });
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken === undefined ? {} : { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration === undefined ? {} : { expiration: credentials.Expiration }),
    };
  }
}
