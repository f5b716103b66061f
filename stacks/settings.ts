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
  dispatcher: {
    timeoutSeconds: 300,
    memoryMb: 512,
    /** GetParametersByPath pages per second at most: SSM's default quota (raise it with the quota). */
    ssmRequestsPerSecond: 40,
  },
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

/** The EventBridge schedule expression of the dispatcher's tick (`rate(5 minutes)`). */
export function scheduleExpression(tickMinutes: number = PIPELINE.tickMinutes): string {
  if (!Number.isInteger(tickMinutes) || tickMinutes < 1) {
    throw new RangeError(`tickMinutes must be a whole number of minutes >= 1, got ${tickMinutes}`);
  }
  return tickMinutes === 1 ? 'rate(1 minute)' : `rate(${tickMinutes} minutes)`;
}

/**
 * What the handlers publish (Powertools Metrics, EMF) and the alarms and dashboard read. One dimension,
 * `service` (= POWERTOOLS_SERVICE_NAME = `serviceName(stage)`), so stages sharing an account stay apart
 * and the metric count stays fixed whatever the fleet size.
 */
export const METRICS = {
  namespace: 'FlinkSnapshots',
  names: {
    dispatched: 'Dispatched',
    snapshotCreated: 'SnapshotCreated',
    snapshotReady: 'SnapshotReady',
    runFailed: 'RunFailed',
    runTimedOut: 'RunTimedOut',
    runSkipped: 'RunSkipped',
    snapshotsPruned: 'SnapshotsPruned',
    snapshotDurationSeconds: 'SnapshotDurationSeconds',
    runCompleted: 'RunCompleted',
    configInvalid: 'ConfigInvalid',
  },
} as const;

/** POWERTOOLS_SERVICE_NAME of both handlers of a stage: the `service` dimension of every metric. */
export function serviceName(stage: string): string {
  return `${APP_NAME}-${stage}`;
}

/**
 * Principal tag that names the tenant a person or role may configure: the tenant policy grants write
 * access to `/flink-snapshots/<stage>/apps/${aws:PrincipalTag/flink-snapshots-tenant}/*` only.
 */
export const TENANT_TAG_KEY = 'flink-snapshots-tenant';

export interface StageSettings {
  /** Production stages retain stateful resources and turn on deletion protection. */
  readonly production: boolean;
  /** Region the stage is pinned to (STAGES); absent: `--region`, AWS_REGION or AWS_DEFAULT_REGION decide. */
  readonly region?: string;
  /** Optional e-mail address subscribed to the failures topic. */
  readonly alertEmail?: string;
  /** IAM role ARN pattern the worker may assume for cross-account applications. */
  readonly assumeRoleArnPattern: string;
  readonly logRetentionDays: number;
}

/** Per-stage choices committed with the code; a stage not listed gets the defaults. */
export interface StageChoices {
  readonly region?: string;
  readonly alertEmail?: string;
  readonly assumeRoleArnPattern?: string;
}

/** Edit to pin a stage's region, alert address or role pattern (the last two also via STAGE_ENV). */
export const STAGES: Readonly<Record<string, StageChoices>> = {};

/**
 * Variables that override STAGES at deploy time. SST loads `.env`, `.env.<stage>` and `.env.<stage>.local`
 * before it builds the stacks, so `.env.prod` holding `FLINK_SNAPSHOTS_ALERT_EMAIL=…` is the usual place.
 */
export const STAGE_ENV = {
  alertEmail: 'FLINK_SNAPSHOTS_ALERT_EMAIL',
  assumeRoleArnPattern: 'FLINK_SNAPSHOTS_ASSUME_ROLE_ARN_PATTERN',
} as const;

const PRODUCTION_STAGES = new Set(['prod', 'production']);
const DEFAULT_ASSUME_ROLE_ARN_PATTERN = 'arn:aws:iam::*:role/flink-snapshots-*';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::(\d{12}|\*):role\/[\w+=,.@*/-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * Settings of one stage; production stages are `prod` and `production`. `env` (pass `process.env` from
 * deploy-time code) overrides STAGES through the STAGE_ENV variables; nothing here reads the environment.
 */
export function stageSettings(
  stage: string,
  env: Readonly<Record<string, string | undefined>> = {},
): StageSettings {
  const production = PRODUCTION_STAGES.has(stage);
  const choices = STAGES[stage] ?? {};
  const check = (key: keyof StageChoices, pattern: RegExp, expected: string): string | undefined => {
    const variable = key in STAGE_ENV ? STAGE_ENV[key as keyof typeof STAGE_ENV] : undefined;
    const value = (variable === undefined ? undefined : env[variable]?.trim()) || choices[key];
    if (value === undefined || pattern.test(value)) return value;
    const source =
      variable === undefined ? `STAGES.${stage}.${key}` : `STAGES.${stage}.${key} or ${variable}`;
    throw new Error(`Stage "${stage}": ${source} is ${JSON.stringify(value)}; expected ${expected}`);
  };
  const region = check('region', REGION, 'a region name such as eu-west-1');
  const alertEmail = check('alertEmail', EMAIL, 'an e-mail address');
  const assumeRoleArnPattern =
    check(
      'assumeRoleArnPattern',
      ROLE_ARN_PATTERN,
      'an IAM role ARN pattern such as arn:aws:iam::*:role/flink-snapshots-*',
    ) ?? DEFAULT_ASSUME_ROLE_ARN_PATTERN;
  return {
    production,
    ...(region === undefined ? {} : { region }),
    ...(alertEmail === undefined ? {} : { alertEmail }),
    assumeRoleArnPattern,
    logRetentionDays: production ? 90 : 14,
  };
}
