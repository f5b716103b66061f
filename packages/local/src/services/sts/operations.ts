/**
 * STS's actions: the caller's identity (always the local user), and temporary credentials that every
 * service here accepts (no signature is ever verified), drawn from the seed.
 */
import type { OperationTable } from '../../protocol/operations';
import type { ServiceContext } from '../../protocol/service';
import { stsErrors } from './errors';
import type { StsInputs } from './inputs';
import type { Credentials, StsOutputs } from './outputs';

export type StsOperationTable = OperationTable<typeof StsInputs, StsOutputs>;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The handler of every STS action; `random` (from the seed) draws keys and ids. */
export function stsOperations(random: () => number): StsOperationTable {
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
    GetCallerIdentity: (_input, ctx) => ({
      Arn: `arn:aws:iam::${ctx.accountId}:user/local`,
      UserId: 'AIDALOCALUSER0000000',
      Account: ctx.accountId,
    }),
    AssumeRole: (input, ctx) => {
      const roleArn = required(input.RoleArn, 'roleArn');
      const sessionName = required(input.RoleSessionName, 'roleSessionName');
      const match = ROLE_ARN.exec(roleArn);
      if (match === null) throw stsErrors.invalidRoleArn(roleArn);
      if (!SESSION_NAME.test(sessionName)) throw stsErrors.invalidSessionName(sessionName);
      const seconds = durationSeconds(input.DurationSeconds, 900, 43_200, 3_600);
      const [, account, roleName] = match;
      const roleId = `AROA${token(17)}`;
      return {
        Credentials: credentials(ctx, seconds),
        AssumedRoleUser: {
          AssumedRoleId: `${roleId}:${sessionName}`,
          Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
        },
        ...(input.Policy === undefined ? {} : { PackedPolicySize: 6 }),
        ...(input.SourceIdentity === undefined ? {} : { SourceIdentity: input.SourceIdentity }),
      };
    },
    GetSessionToken: (input, ctx) => ({
      Credentials: credentials(ctx, durationSeconds(input.DurationSeconds, 900, 129_600, 43_200)),
    }),
  };
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
