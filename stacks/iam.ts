/** Small IAM helpers shared by the stacks: explicit statements, never wildcard actions. */

import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** An Allow statement on exactly these actions and resources. */
export function allow(actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources });
}

/** ARN of an SSM parameter (or path) in the stack's account and region; `name` starts with `/`. */
export function ssmParameterArn(stack: Stack, name: string): string {
  return `arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter${name}`;
}
