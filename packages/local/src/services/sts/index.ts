/**
 * STS (query protocol): GetCallerIdentity, which `sst build` and the SDK's credential chain need offline,
 * and AssumeRole / GetSessionToken issuing temporary credentials that every other service accepts (no
 * signature is ever verified here).
 */
import {
  AwsError,
  type QueryResult,
  type QueryService,
  type ServiceContext,
  type ServiceOptions,
} from '../../protocol/service';
import { toXml } from '../../protocol/xml';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export class StsService implements QueryService {
  readonly signingName = 'sts';
  readonly version = '2011-06-15';
  readonly xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/';
  readonly #random: () => number;

  constructor(options: ServiceOptions) {
    this.#random = options.random;
  }

  handleQuery(action: string, params: Readonly<Record<string, string>>, ctx: ServiceContext): QueryResult {
    switch (action) {
      case 'GetCallerIdentity':
        return {
          resultXml: toXml({
            Arn: `arn:aws:iam::${ctx.accountId}:user/local`,
            UserId: 'AIDALOCALUSER0000000',
            Account: ctx.accountId,
          }),
        };
      case 'AssumeRole':
        return this.#assumeRole(params, ctx);
      case 'GetSessionToken': {
        const seconds = durationSeconds(params, 'DurationSeconds', 900, 129_600, 43_200);
        return { resultXml: toXml({ Credentials: this.#credentials(ctx, seconds) }) };
      }
      default:
        throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${this.version}`);
    }
  }

  #assumeRole(params: Readonly<Record<string, string>>, ctx: ServiceContext): QueryResult {
    const roleArn = required(params, 'RoleArn', 'roleArn');
    const sessionName = required(params, 'RoleSessionName', 'roleSessionName');
    const match = ROLE_ARN.exec(roleArn);
    if (match === null) {
      throw validationError(
        `Value '${roleArn}' at 'roleArn' failed to satisfy constraint: expected an IAM role ARN (arn:aws:iam::123456789012:role/name)`,
      );
    }
    if (!SESSION_NAME.test(sessionName)) {
      throw validationError(
        `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length 2..64 and match [\\w+=,.@-]*`,
      );
    }
    const seconds = durationSeconds(params, 'DurationSeconds', 900, 43_200, 3_600);
    const [, account, roleName] = match;
    const roleId = `AROA${this.#token(17)}`;
    return {
      resultXml: toXml({
        Credentials: this.#credentials(ctx, seconds),
        AssumedRoleUser: {
          AssumedRoleId: `${roleId}:${sessionName}`,
          Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
        },
        PackedPolicySize: params.Policy === undefined ? undefined : 6,
        SourceIdentity: params.SourceIdentity,
      }),
    };
  }

  #credentials(ctx: ServiceContext, seconds: number) {
    return {
      AccessKeyId: `ASIA${this.#token(16)}`,
      SecretAccessKey: this.#token(40),
      SessionToken: `local/${this.#token(64)}`,
      Expiration: new Date(ctx.clock.now() + seconds * 1000).toISOString(),
    };
  }

  #token(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.#random() * alphabet.length)];
    return out;
  }
}

function validationError(detail: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: ${detail}`);
}

function required(params: Readonly<Record<string, string>>, name: string, member: string): string {
  const value = params[name];
  if (value === undefined || value === '') {
    throw validationError(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function durationSeconds(
  params: Readonly<Record<string, string>>,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = params[name];
  if (raw === undefined) return fallback;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw validationError(
      `Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer from ${min} to ${max}`,
    );
  }
  return seconds;
}
