/** What each SSM operation returns, in its JSON 1.1 shape (timestamps in epoch seconds). */
import type { ServiceContext } from '../../protocol/service';
import type { ParameterType } from './inputs';
import type { StoredParameter, StoredTier } from './model';
import { isPublicName, parameterKey } from './names';

export interface ParameterOutput {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly Value: string;
  readonly Version: number;
  readonly LastModifiedDate: number;
  readonly ARN: string;
  readonly DataType: string;
  readonly Selector?: string;
}

export interface ParameterMetadata {
  readonly Name: string;
  readonly ARN: string;
  readonly Type: ParameterType;
  readonly KeyId?: string;
  readonly LastModifiedDate: number;
  readonly LastModifiedUser: string;
  readonly Description?: string;
  readonly AllowedPattern?: string;
  readonly Version: number;
  readonly Tier: StoredTier;
  readonly Policies: readonly never[];
  readonly DataType: string;
}

/** The JSON output of each operation. */
export interface SsmOutputs {
  PutParameter: { Version: number; Tier: StoredTier };
  GetParameter: { Parameter: ParameterOutput };
  GetParameters: { Parameters: ParameterOutput[]; InvalidParameters: string[] };
  GetParametersByPath: { Parameters: ParameterOutput[]; NextToken?: string };
  DeleteParameter: Record<string, never>;
  DeleteParameters: { DeletedParameters: string[]; InvalidParameters: string[] };
  DescribeParameters: { Parameters: ParameterMetadata[]; NextToken?: string };
}

/** A parameter with its value, as GetParameter(s) and GetParametersByPath return it. */
export function toParameter(parameter: StoredParameter, ctx: ServiceContext): ParameterOutput {
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: parameter.value,
    Version: parameter.version,
    LastModifiedDate: parameter.lastModified / 1000,
    ARN: parameterArn(parameter.name, ctx),
    DataType: parameter.dataType,
  };
}

/** A parameter without its value, as DescribeParameters returns it. */
export function toMetadata(parameter: StoredParameter, ctx: ServiceContext): ParameterMetadata {
  return {
    Name: parameter.name,
    ARN: parameterArn(parameter.name, ctx),
    Type: parameter.type,
    ...(parameter.keyId === undefined ? {} : { KeyId: parameter.keyId }),
    LastModifiedDate: parameter.lastModified / 1000,
    LastModifiedUser: `arn:aws:iam::${ctx.accountId}:root`,
    ...(parameter.description === undefined ? {} : { Description: parameter.description }),
    ...(parameter.allowedPattern === undefined ? {} : { AllowedPattern: parameter.allowedPattern }),
    Version: parameter.version,
    Tier: parameter.tier,
    Policies: [],
    DataType: parameter.dataType,
  };
}

function parameterArn(name: string, ctx: ServiceContext): string {
  // Public parameters belong to no account: their ARNs leave the account empty.
  const account = isPublicName(parameterKey(name)) ? '' : ctx.accountId;
  return `arn:aws:ssm:${ctx.region}:${account}:parameter${parameterKey(name)}`;
}
