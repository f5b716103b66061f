/**
 * STS's actions: the caller's identity (the local user, or the session whose credentials signed the
 * call), and temporary credentials that every service here accepts (no signature is ever verified),
 * drawn from the seed. AssumeRole records the session it issues (model.ts) and refuses a role that
 * requires an ExternalId the call does not pass.
 */
import type { OperationTable } from '../../protocol/operations';
import type { ServiceContext } from '../../protocol/service';
import { stsErrors } from './errors';
import { ROLE_ARN_PATTERN, type StsInputs } from './inputs';
import { type StsModel, sessionTags } from './model';
import type { Credentials, StsOutputs } from './outputs';

export type StsOperationTable = OperationTable<typeof StsInputs, StsOutputs>;

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The handler of every STS action over `model`; `random` (from the seed) draws keys and ids. */
export function stsOperations(model: StsModel, random: () => number): StsOperationTable {
  const token = (length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += TOKEN_ALPHABET[Math.floor(random() * TOKEN_ALPHABET.length)];
    return out;
  };
  const credentials = (ctx: ServiceContext, seconds: number): Credentials => ({
    AccessKeyId: `ASIA${token(16)}`,
    SecretAccessKey: token(40),
    SessionToken: `local/${token(64)}`,
    Expiration: new Date(ctx.clock.now() + seconds * 1000).toISOString(),
  });
  return {
    GetCallerIdentity: (_input, ctx) => {
      const session = model.sessionOf(ctx.callerAccessKeyId);
      if (session === undefined) {
        return { Arn: localUserArn(ctx), UserId: 'AIDALOCALUSER0000000', Account: ctx.accountId };
      }
      return {
        Arn: session.arn,
        UserId: session.assumedRoleId,
        Account: ROLE_ARN_PATTERN.exec(session.roleArn)?.[1] ?? ctx.accountId,
      };
    },
    AssumeRole: (input, ctx) => {
      const roleArn = required(input.RoleArn, 'roleArn');
      const sessionName = required(input.RoleSessionName, 'roleSessionName');
      const match = ROLE_ARN_PATTERN.exec(roleArn);
      if (match === null) throw stsErrors.invalidRoleArn(roleArn);
      if (!SESSION_NAME.test(sessionName)) throw stsErrors.invalidSessionName(sessionName);
      const seconds = durationSeconds(input.DurationSeconds, 900, 43_200, 3_600);
      const caller = model.sessionOf(ctx.callerAccessKeyId);
      const tags = sessionTags(input.Tags ?? [], input.TransitiveTagKeys ?? [], caller);
      const externalId = model.externalIdOf(roleArn);
      if (externalId !== undefined && input.ExternalId !== externalId) {
        throw stsErrors.assumeRoleDenied(caller?.arn ?? localUserArn(ctx), roleArn);
      }
      const [, account, roleName] = match;
      const assumedRoleId = `AROA${token(17)}:${sessionName}`;
      const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
      const issued = credentials(ctx, seconds);
      model.record({
        accessKeyId: issued.AccessKeyId,
        arn,
        assumedRoleId,
        roleArn,
        roleSessionName: sessionName,
        ...(input.ExternalId === undefined ? {} : { externalId: input.ExternalId }),
        ...(input.SourceIdentity === undefined ? {} : { sourceIdentity: input.SourceIdentity }),
        ...tags,
        issuedAt: Math.floor(ctx.clock.now()),
        expiresAt: Date.parse(issued.Expiration),
      });
      return {
        Credentials: issued,
        AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: arn },
        ...(input.Policy === undefined ? {} : { PackedPolicySize: 6 }),
        ...(input.SourceIdentity === undefined ? {} : { SourceIdentity: input.SourceIdentity }),
      };
    },
    GetSessionToken: (input, ctx) => ({
      Credentials: credentials(ctx, durationSeconds(input.DurationSeconds, 900, 129_600, 43_200)),
    }),
  };
}

/** The identity of a caller with credentials STS did not issue: every key is the local user's. */
function localUserArn(ctx: ServiceContext): string {
  return `arn:aws:iam::${ctx.accountId}:user/local`;
}

function required(value: string | undefined, member: string): string {
  if (value === undefined || value === '') throw stsErrors.missing(member);
  return value;
}

function durationSeconds(raw: string | undefined, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < min || seconds > max)
    throw stsErrors.invalidDuration(raw, min, max);
  return seconds;
}
