/**
 * Settings shared by the stacks and the local runtime: what is deployed and what `npm start` plays are
 * the same numbers. Pure data and functions only: no sst, no aws-cdk-lib, no environment reads, so the
 * local runtime and the Lambda handlers may import it too.
 */

export const APP_NAME = 'flink-snapshots';

/** Handler entry points, relative to the repository root (SST references them by path). */
export const HANDLERS = {
  dispatcher: 'packages/functions/src/dispatcher.handler',
  worker: 'packages/functions/src/worker.handler',
} as const;

/** Names of the environment variables each handler validates at cold start. */
export const ENV = {
  stage: 'STAGE',
  runsTableName: 'RUNS_TABLE_NAME',
  workQueueUrl: 'WORK_QUEUE_URL',
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
  tickMinutes: 'TICK_MINUTES',
  runTtlDays: 'RUN_TTL_DAYS',
} as const;

/** Key design of the runs table: one item per (application, runId), a GSI for the whole fleet of one run. */
export const RUNS_TABLE = {
  partitionKey: 'appKey',
  sortKey: 'runId',
  byRunIndex: { name: 'byRun', partitionKey: 'runId', sortKey: 'appKey' },
  ttlAttribute: 'expiresAt',
} as const;

/** The SSM path under which each application's configuration lives, for a stage. */
export function configPathPrefix(stage: string): string {
  return `/${APP_NAME}/${stage}/apps/`;
}

export const PIPELINE = {
  /** How often the dispatcher runs; an application's interval can be no shorter. */
  tickMinutes: 5,
  dispatcher: { timeoutSeconds: 300, memoryMb: 512 },
  worker: {
    timeoutSeconds: 60,
    memoryMb: 512,
    /** SQS event source: records per invocation. */
    batchSize: 10,
    /** SQS event source: concurrent worker invocations; protects the MSF control plane. */
    maximumConcurrency: 5,
  },
  workQueue: {
    /** At least 6 × the worker's timeout, as AWS advises for an SQS event source. */
    visibilityTimeoutSeconds: 6 * 60,
    maxReceiveCount: 5,
    retentionSeconds: 4 * 24 * 3600,
  },
  deadLetterQueue: { retentionSeconds: 14 * 24 * 3600 },
  runTtlDays: 90,
} as const;

export interface StageSettings {
  /** Production stages retain stateful resources and turn on deletion protection. */
  readonly production: boolean;
  /** Optional e-mail address subscribed to the failures topic. */
  readonly alertEmail?: string;
  /** IAM role ARN pattern the worker may assume for cross-account applications. */
  readonly assumeRoleArnPattern: string;
  readonly logRetentionDays: number;
}

const PRODUCTION_STAGES = new Set(['prod', 'production']);

/** Settings of one stage; production stages are `prod` and `production`. */
export function stageSettings(stage: string): StageSettings {
  const production = PRODUCTION_STAGES.has(stage);
  return {
    production,
    assumeRoleArnPattern: 'arn:aws:iam::*:role/flink-snapshots-*',
    logRetentionDays: production ? 90 : 14,
  };
}
