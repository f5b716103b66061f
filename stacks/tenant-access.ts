/**
 * The managed policy a tenant's people (users, roles, IAM Identity Center permission sets) attach to
 * write their own applications' configuration, and nothing else: attribute-based, so one policy serves
 * every tenant. The principal carries the tag `flink-snapshots-tenant = <tenant>`; the policy variable
 * `${aws:PrincipalTag/flink-snapshots-tenant}` puts that value in the resource ARN. Without the tag the
 * variable does not resolve and the statements match nothing. Whoever may tag principals decides who is
 * which tenant, so tenants must not hold iam:TagUser / iam:TagRole on themselves.
 */

import { APP_NAME, configPathPrefix, TENANT_TAG_KEY } from '@flink-snapshots/settings';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ssmParameterArn } from './iam';

export interface TenantAccessProps {
  readonly stage: string;
}

export class TenantAccess extends Construct {
  readonly policy: iam.ManagedPolicy;
  /** The IAM policy variable that stands for the caller's tenant. */
  static readonly TENANT_VARIABLE = `\${aws:PrincipalTag/${TENANT_TAG_KEY}}`;

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tenantPath = `${configPathPrefix(props.stage)}${TenantAccess.TENANT_VARIABLE}`;
    const tenantTag = `aws:PrincipalTag/${TENANT_TAG_KEY}`;
    // A tag value with a slash would reach into another tenant's subtree (`a/b` lies under `a`);
    // an empty one would name the parent path.
    const conditions = {
      StringLike: { [tenantTag]: '?*' },
      StringNotLike: { [tenantTag]: '*/*' },
    };
    this.policy = new iam.ManagedPolicy(this, 'TenantConfigWriter', {
      // A fixed name: IAM Identity Center permission sets attach customer managed policies by name.
      // IAM is global, so the name carries the region as well as the stage.
      managedPolicyName: `${APP_NAME}-${props.stage}-${stack.region}-tenant-config-writer`,
      description: `Write ${configPathPrefix(props.stage)}<tenant>/* where <tenant> is the caller's ${TENANT_TAG_KEY} tag`,
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnApplications',
          effect: iam.Effect.ALLOW,
          actions: [
            'ssm:PutParameter',
            'ssm:DeleteParameter',
            'ssm:DeleteParameters',
            'ssm:GetParameter',
            'ssm:GetParameters',
            'ssm:GetParameterHistory',
          ],
          resources: [ssmParameterArn(stack, `${tenantPath}/*`)],
          conditions,
        }),
        new iam.PolicyStatement({
          sid: 'ListOwnApplications',
          effect: iam.Effect.ALLOW,
          // Authorized against the requested path: the tenant's own path and paths below it only.
          actions: ['ssm:GetParametersByPath'],
          resources: [ssmParameterArn(stack, tenantPath), ssmParameterArn(stack, `${tenantPath}/*`)],
          conditions,
        }),
      ],
    });
  }
}
