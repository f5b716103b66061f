/** The environment each handler validates once, at cold start. Names come from the shared settings. */

import { type DispatchInput, partitionOf, type TenantMode } from '@flink-snapshots/core';
import { ENV, PIPELINE } from '@flink-snapshots/settings';
import { z } from 'zod';

const positiveInt = (what: string) =>
  z.coerce
    .number({ error: `${what}: a positive integer` })
    .int({ error: `${what}: a positive integer` })
    .positive();

export const EnvSchema = z.object({
  [ENV.stage]: z.string({ error: 'the SST stage name' }).min(1, { error: 'the SST stage name' }),
  [ENV.runsTableName]: z.string({ error: 'the runs table name' }).min(3, { error: 'the runs table name' }),
  [ENV.workQueueUrl]: z.url({
    error: 'the work queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)',
  }),
  [ENV.alertsTopicArn]: z
    .string({ error: 'the failures topic ARN (arn:aws:sns:<region>:<account>:<name>)' })
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, {
      error: 'the failures topic ARN (arn:aws:sns:<region>:<account>:<name>)',
    }),
  [ENV.tickMinutes]: positiveInt('dispatcher tick in minutes').default(PIPELINE.tickMinutes),
  [ENV.runTtlDays]: positiveInt('days a run is kept').default(PIPELINE.runTtlDays),
  [ENV.tenantMode]: z.enum(['required', 'open'], { error: 'required or open' }).default('required'),
  [ENV.accountId]: z
    .string({ error: 'the deployment account id (12 digits)' })
    .regex(/^[0-9]{12}$/, { error: 'the deployment account id (12 digits)' }),
  [ENV.msfAccessRoleArn]: z
    .string({ error: 'the ARN of the MSF access role (arn:<partition>:iam::<account>:role/<name>)' })
    .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/, {
      error: 'the ARN of the MSF access role (arn:<partition>:iam::<account>:role/<name>)',
    }),
  [ENV.roleArnPattern]: z
    .string({ error: 'the IAM pattern of assumable roles (arn:<partition>:iam::*:role/flink-snapshots-*)' })
    .regex(/^arn:aws[a-z-]*:iam::([0-9]{12}|\*):role\/.+$/, {
      error: 'the IAM pattern of assumable roles (arn:<partition>:iam::*:role/flink-snapshots-*)',
    }),
  AWS_REGION: z.string({ error: 'the Lambda region (set by Lambda)' }).min(1),
});

export interface Env {
  readonly stage: string;
  readonly runsTableName: string;
  readonly workQueueUrl: string;
  readonly alertsTopicArn: string;
  readonly tickMinutes: number;
  readonly runTtlDays: number;
  readonly region: string;
  readonly tenantMode: TenantMode;
  /** The deployment's account, its partition, and the cross-account roles the worker may assume. */
  readonly accountId: string;
  readonly partition: string;
  readonly roleArnPattern: string;
  readonly msfAccessRoleArn: string;
}

/** Parses the environment, or throws one error naming every variable that is missing or wrong. */
export function loadEnv(source: Readonly<Record<string, string | undefined>>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = source[name];
      return `${name}=${value === undefined ? '(unset)' : JSON.stringify(value)}: expected ${issue.message}`;
    });
    throw new Error(`invalid handler environment: ${problems.join('; ')}`);
  }
  const env = result.data;
  return {
    stage: env[ENV.stage],
    runsTableName: env[ENV.runsTableName],
    workQueueUrl: env[ENV.workQueueUrl],
    alertsTopicArn: env[ENV.alertsTopicArn],
    tickMinutes: env[ENV.tickMinutes],
    runTtlDays: env[ENV.runTtlDays],
    region: env.AWS_REGION,
    tenantMode: env[ENV.tenantMode],
    accountId: env[ENV.accountId],
    partition: partitionOf(env.AWS_REGION),
    roleArnPattern: env[ENV.roleArnPattern],
    msfAccessRoleArn: env[ENV.msfAccessRoleArn],
  };
}

/** What the dispatcher needs of the environment for every tick. */
export function dispatchSettings(env: Env): Omit<DispatchInput, 'tick'> {
  return {
    stage: env.stage,
    tickMinutes: env.tickMinutes,
    tenantMode: env.tenantMode,
    deployment: {
      region: env.region,
      accountId: env.accountId,
      partition: env.partition,
      roleArnPattern: env.roleArnPattern,
    },
  };
}
