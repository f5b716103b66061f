/**
 * What STS remembers: the sessions it issued, by the access key id of their credentials (role, session
 * name, ExternalId, session tags, transitive keys, when), so other services can tell who a caller is and
 * authorize by its session tags; and the roles whose trust policy requires an ExternalId.
 */
import type { CallerSession, SessionDirectory } from '../../protocol/service';
import { stsErrors } from './errors';
import { ExternalIdSchema, ROLE_ARN_PATTERN, type SessionTag } from './inputs';

/** A session AssumeRole issued. */
export interface StsSession extends CallerSession {
  /** The access key id of its credentials (`ASIA…`): requests signed with it are this session's. */
  readonly accessKeyId: string;
  /** `AROA…:<session name>`, GetCallerIdentity's UserId. */
  readonly assumedRoleId: string;
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly externalId?: string;
  readonly sourceIdentity?: string;
  /** Session tags, the calling session's transitive ones included; keys as given. */
  readonly tags: Readonly<Record<string, string>>;
  /** Keys of the tags later sessions assumed with these credentials inherit (lower case). */
  readonly transitiveTagKeys: readonly string[];
  /** Simulated epoch ms. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** A role whose trust policy requires an ExternalId (`sts:ExternalId` in a StringEquals condition). */
export interface RoleRequirement {
  readonly roleArn: string;
  readonly externalId: string;
}

/** The newest sessions kept (the oldest are forgotten beyond this; their callers become unknown). */
export const SESSIONS_KEPT = 100_000;

export class StsModel implements SessionDirectory {
  readonly #sessions = new Map<string, StsSession>();
  readonly #externalIds = new Map<string, string>();

  /** Remembers a session issued. */
  record(session: StsSession): void {
    this.#sessions.set(session.accessKeyId, session);
    if (this.#sessions.size > SESSIONS_KEPT) {
      const [oldest] = this.#sessions.keys();
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }

  /** The session whose credentials carry that access key id, if STS issued it. */
  sessionOf(accessKeyId: string | undefined): StsSession | undefined {
    return accessKeyId === undefined ? undefined : this.#sessions.get(accessKeyId);
  }

  /** Every session remembered, oldest first. */
  sessions(): StsSession[] {
    return [...this.#sessions.values()];
  }

  /**
   * Makes AssumeRole of `roleArn` require exactly `externalId` (replacing any earlier requirement);
   * throws naming the bad argument if the ARN is not a role's or the ExternalId is not one STS accepts.
   */
  requireExternalId(roleArn: string, externalId: string): RoleRequirement {
    if (!ROLE_ARN_PATTERN.test(roleArn)) {
      throw new TypeError(
        `roleArn '${roleArn}' is not an IAM role ARN; expected arn:aws:iam::<12-digit account>:role/<name>`,
      );
    }
    if (!ExternalIdSchema.safeParse(externalId).success) {
      throw new TypeError(`externalId '${externalId}' is not valid; expected 2 to 1224 of [\\w+=,.@:/-]`);
    }
    this.#externalIds.set(roleArn, externalId);
    return { roleArn, externalId };
  }

  /** The ExternalId AssumeRole of `roleArn` requires, if any. */
  externalIdOf(roleArn: string): string | undefined {
    return this.#externalIds.get(roleArn);
  }

  /** Every role that requires an ExternalId. */
  roles(): RoleRequirement[] {
    return [...this.#externalIds].map(([roleArn, externalId]) => ({ roleArn, externalId }));
  }
}

/**
 * The tags and transitive keys of a new session: those requested, plus the transitive tags of the
 * calling session (role chaining). Refused as STS refuses them: two keys differing only in case, a
 * transitive key that is not a requested tag, a requested tag that would override an inherited one.
 */
export function sessionTags(
  requested: readonly SessionTag[],
  transitiveKeys: readonly string[],
  caller: StsSession | undefined,
): Pick<StsSession, 'tags' | 'transitiveTagKeys'> {
  const keys = new Set<string>();
  for (const { Key } of requested) {
    const key = Key.toLowerCase();
    if (keys.has(key)) throw stsErrors.duplicateTagKeys();
    keys.add(key);
  }
  const transitive = new Set(transitiveKeys.map((key) => key.toLowerCase()));
  for (const key of transitive) if (!keys.has(key)) throw stsErrors.transitiveKeyNotTagged();
  const tags: Record<string, string> = {};
  for (const key of caller?.transitiveTagKeys ?? []) {
    if (keys.has(key)) throw stsErrors.transitiveKeyConflict();
    const inherited = Object.entries(caller?.tags ?? {}).find(([k]) => k.toLowerCase() === key);
    if (inherited !== undefined) tags[inherited[0]] = inherited[1];
    transitive.add(key);
  }
  for (const { Key, Value } of requested) tags[Key] = Value;
  return { tags, transitiveTagKeys: [...transitive] };
}
