/** What each STS action returns and its XML. */
import type { QueryRenderers } from '../../protocol/operations';
import { toXml } from '../../protocol/xml';

export interface Credentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  /** ISO 8601, simulated time. */
  readonly Expiration: string;
}

/** The output of each action. */
export interface StsOutputs {
  GetCallerIdentity: { Arn: string; UserId: string; Account: string };
  AssumeRole: {
    Credentials: Credentials;
    AssumedRoleUser: { AssumedRoleId: string; Arn: string };
    PackedPolicySize?: number;
    SourceIdentity?: string;
  };
  GetSessionToken: { Credentials: Credentials };
}

/** The inner XML of `<{Action}Result>` for each action. */
export const renderStsXml: QueryRenderers<StsOutputs> = {
  GetCallerIdentity: (o) => toXml({ ...o }),
  AssumeRole: (o) =>
    toXml({
      Credentials: { ...o.Credentials },
      AssumedRoleUser: { ...o.AssumedRoleUser },
      PackedPolicySize: o.PackedPolicySize,
      SourceIdentity: o.SourceIdentity,
    }),
  GetSessionToken: (o) => toXml({ Credentials: { ...o.Credentials } }),
};
