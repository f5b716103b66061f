/**
 * The settings shared by the stacks, the Lambda handlers and the local runtime: what is deployed and
 * what `npm start` plays are the same numbers, validated by one zod schema. Pure data and functions:
 * no sst, no aws-cdk-lib, no AWS SDK, no environment reads (callers pass `process.env` where needed).
 */
import { z } from 'zod';

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
  /** `required` (every tenant needs a registry entry) or `open` (see stageSettings). */
  tenantMode: 'TENANT_MODE',
  /** The deployment's account: where an application without a roleArn lives. */
  accountId: 'ACCOUNT_ID',
  /** The role (in the deployment's account) the worker assumes, tagged with a tenant, to reach MSF. */
  msfAccessRoleArn: 'MSF_ACCESS_ROLE_ARN',
  /** The IAM pattern of the cross-account roles the worker may assume, partition resolved. */
  roleArnPattern: 'ROLE_ARN_PATTERN',
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

/** The SSM path of the tenant registry, written by administrators only (outside every tenant's subtree). */
export function tenantRegistryPrefix(stage: string): string {
  return `/${APP_NAME}/${stage}/tenants/`;
}

/** The SSM parameter of a stage's defaults and caps, written by administrators only. */
export function stageDefaultsParameterName(stage: string): string {
  return `/${APP_NAME}/${stage}/defaults`;
}

/**
 * The tag that names a tenant: on a person or role (the subtree of configurations it may write), on an
 * MSF application (the tenant it belongs to), and on the worker's session (the tenant it acts for). IAM
 * lets a session tagged with a tenant reach only applications tagged with the same tenant.
 */
export const TENANT_TAG_KEY = 'flink-snapshots:tenant';

/**
 * Fixed names of the roles trust policies name, so they survive a replacement of the stack: IAM is
 * global, so the names carry the stage and the region. At most 64 characters (IAM's limit).
 */
export function roleNames(
  stage: string,
  region: string,
): { readonly worker: string; readonly msfAccess: string; readonly operator: string } {
  const names = {
    worker: `${APP_NAME}-${stage}-${region}-worker`,
    msfAccess: `${APP_NAME}-${stage}-${region}-msf`,
    operator: `${APP_NAME}-${stage}-${region}-operator`,
  };
  // The longest first, so the limit said is the one every name meets.
  for (const name of Object.values(names).sort((a, b) => b.length - a.length)) {
    if (name.length > 64) {
      throw new RangeError(
        `Role name ${name} has ${name.length} characters; expected at most 64 (IAM's limit): use a stage name of at most ${64 - (name.length - stage.length)} characters`,
      );
    }
  }
  return names;
}

const whole = (min: number, max: number) =>
  z
    .int({ error: `a whole number from ${min} to ${max}` })
    .min(min)
    .max(max);

/**
 * The pipeline's numbers, each within AWS's own limits (SQS queue attributes, Lambda function and SQS
 * event source settings). The local runtime validates its overrides (tests shrink the visibility
 * timeout) with the same schema.
 */
export const PipelineSettingsSchema = z.strictObject({
  /** How often the dispatcher runs; an application's interval can be no shorter. */
  tickMinutes: whole(1, 1440),
  dispatcher: z.strictObject({
    timeoutSeconds: whole(1, 900),
    memoryMb: whole(128, 10_240),
    /** GetParametersByPath pages per second at most: SSM's default quota (raise it with the quota). */
    ssmRequestsPerSecond: z.number({ error: 'a number of requests per second > 0' }).positive(),
  }),
  worker: z.strictObject({
    timeoutSeconds: whole(1, 900),
    memoryMb: whole(128, 10_240),
    /** SQS event source: records per invocation (what one ReceiveMessage returns at most). */
    batchSize: whole(1, 10),
    /** SQS event source: concurrent worker invocations; protects the MSF control plane. */
    maximumConcurrency: whole(2, 1000),
  }),
  workQueue: z.strictObject({
    visibilityTimeoutSeconds: whole(0, 43_200),
    maxReceiveCount: whole(1, 1000),
    retentionSeconds: whole(60, 1_209_600),
  }),
  deadLetterQueue: z.strictObject({
    retentionSeconds: whole(60, 1_209_600),
  }),
  /** Days a run item is kept before DynamoDB's TTL removes it. */
  runTtlDays: whole(1, 3650),
});

export type PipelineSettings = z.infer<typeof PipelineSettingsSchema>;

/** Any subset of the pipeline settings, one level deep. */
export type PipelineSettingsOverrides = {
  readonly [K in keyof PipelineSettings]?: PipelineSettings[K] extends object
    ? Partial<PipelineSettings[K]>
    : PipelineSettings[K];
};

/** What the stacks deploy. */
export const PIPELINE: PipelineSettings = PipelineSettingsSchema.parse({
  tickMinutes: 5,
  dispatcher: { timeoutSeconds: 300, memoryMb: 512, ssmRequestsPerSecond: 40 },
  worker: { timeoutSeconds: 60, memoryMb: 512, batchSize: 10, maximumConcurrency: 5 },
  // Visibility at least 6 × the worker's timeout, as AWS advises for an SQS event source.
  workQueue: { visibilityTimeoutSeconds: 6 * 60, maxReceiveCount: 5, retentionSeconds: 4 * 24 * 3600 },
  deadLetterQueue: { retentionSeconds: 14 * 24 * 3600 },
  runTtlDays: 90,
});

/** PIPELINE with `overrides` applied, validated; throws a RangeError naming each setting out of bounds. */
export function resolvePipelineSettings(overrides: PipelineSettingsOverrides = {}): PipelineSettings {
  const merged: Record<string, unknown> = { ...PIPELINE };
  for (const [key, value] of Object.entries(overrides)) {
    const base = PIPELINE[key as keyof PipelineSettings];
    merged[key] = typeof base === 'object' ? { ...base, ...(value as object) } : value;
  }
  const result = PipelineSettingsSchema.safeParse(merged);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    const value = issue.path.reduce<unknown>(
      (node, step) => (node as Record<PropertyKey, unknown>)?.[step],
      merged,
    );
    return `${path} is ${JSON.stringify(value) ?? 'missing'}; expected ${issue.message}`;
  });
  throw new RangeError(`Pipeline settings: ${problems.join('; ')}`);
}

/** The EventBridge schedule expression of the dispatcher's tick (`rate(5 minutes)`). */
export function scheduleExpression(tickMinutes: number = PIPELINE.tickMinutes): string {
  if (!Number.isInteger(tickMinutes) || tickMinutes < 1) {
    throw new RangeError(`tickMinutes must be a whole number of minutes >= 1, got ${tickMinutes}`);
  }
  return tickMinutes === 1 ? 'rate(1 minute)' : `rate(${tickMinutes} minutes)`;
}

/**
 * The metrics the handlers publish (Powertools Metrics, EMF) and the alarms and dashboard read. One
 * dimension, `service` (= POWERTOOLS_SERVICE_NAME = `serviceName(stage)`), so stages sharing an account
 * stay apart and the metric count stays fixed whatever the fleet size.
 */
export const MetricName = {
  DISPATCHED: 'Dispatched',
  CONFIG_INVALID: 'ConfigInvalid',
  SNAPSHOT_CREATED: 'SnapshotCreated',
  SNAPSHOT_READY: 'SnapshotReady',
  RUN_COMPLETED: 'RunCompleted',
  RUN_FAILED: 'RunFailed',
  RUN_TIMED_OUT: 'RunTimedOut',
  RUN_SKIPPED: 'RunSkipped',
  SNAPSHOTS_PRUNED: 'SnapshotsPruned',
  SNAPSHOT_DURATION: 'SnapshotDurationSeconds',
  /** Dispatcher, every tick, zeros included: enabled applications without a READY snapshot within their objective. */
  STALE_APPLICATIONS: 'StaleApplications',
  /** Dispatcher, every tick: the age of the oldest newest-READY snapshot among enabled applications. */
  SNAPSHOT_AGE_MAX: 'SnapshotAgeMaxMinutes',
  /** Worker, per pruned run: the share of MSF's 1,000-snapshot quota the application holds (percent). */
  QUOTA_USED: 'SnapshotQuotaUsedPercent',
  /** Worker, per record that failed retryably (SQS will redeliver it): a failing fleet shows in minutes. */
  STEP_RETRIED: 'StepRetried',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** CloudWatch namespace of every metric the handlers publish. */
export const METRICS_NAMESPACE = 'FlinkSnapshots';

/** POWERTOOLS_SERVICE_NAME of both handlers of a stage: the `service` dimension of every metric. */
export function serviceName(stage: string): string {
  return `${APP_NAME}-${stage}`;
}

export interface StageSettings {
  /** Production stages retain stateful resources and turn on deletion protection. */
  readonly production: boolean;
  /** Region the stage is pinned to (STAGES); absent: `--region`, AWS_REGION or AWS_DEFAULT_REGION decide. */
  readonly region?: string;
  /** Optional e-mail address subscribed to the failures topic. */
  readonly alertEmail?: string;
  /**
   * IAM role ARN pattern the worker may assume for cross-account applications; `<partition>` stands for
   * the stack's partition (the stack substitutes it).
   */
  readonly assumeRoleArnPattern: string;
  readonly logRetentionDays: number;
  /**
   * `required`: a tenant without a registry entry gets FAILED runs naming the entry to create. `open`:
   * no registry (no account, region or application cap per tenant); the default for the `local` stage
   * only, allowed for other non-production stages, refused for production ones.
   */
  readonly tenantMode: 'required' | 'open';
}

/** Per-stage choices committed with the code; a stage not listed gets the defaults. */
export interface StageChoices {
  readonly region?: string;
  readonly alertEmail?: string;
  readonly assumeRoleArnPattern?: string;
  readonly tenantMode?: string;
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
  tenantMode: 'FLINK_SNAPSHOTS_TENANT_MODE',
} as const;

const PRODUCTION_STAGES = new Set(['prod', 'production']);
/** The partition of a region, as ARNs spell it. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `<partition>` is the stack's partition: aws, aws-cn or aws-us-gov. */
export const PARTITION_PLACEHOLDER = '<partition>';

/**
 * The stage's role pattern with `<partition>` replaced by `partition` (a CloudFormation token in the
 * stacks, the region's partition locally); a pattern spelling out another partition than the region's
 * is refused: no role can be assumed across partitions.
 */
export function resolveRolePattern(
  pattern: string,
  region: string,
  partition: string = partitionOf(region),
): string {
  const literal = /^arn:([a-z-]+):/.exec(pattern)?.[1];
  if (literal !== undefined && literal !== partitionOf(region)) {
    throw new Error(
      `The role pattern ${pattern} is in partition ${literal}; expected partition ${partitionOf(region)} (of region ${region}) or ${PARTITION_PLACEHOLDER}`,
    );
  }
  return pattern.replaceAll(PARTITION_PLACEHOLDER, partition);
}
const DEFAULT_ASSUME_ROLE_ARN_PATTERN = `arn:${PARTITION_PLACEHOLDER}:iam::*:role/flink-snapshots-*`;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ROLE_ARN_PATTERN = /^arn:(aws(-[a-z]+)*|<partition>):iam::(\d{12}|\*):role\/[\w+=,.@*/-]+$/;
const TENANT_MODE = /^(required|open)$/;
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
      'an IAM role ARN pattern such as arn:<partition>:iam::*:role/flink-snapshots-* (<partition>: the stack’s)',
    ) ?? DEFAULT_ASSUME_ROLE_ARN_PATTERN;
  const tenantMode =
    (check('tenantMode', TENANT_MODE, 'required or open') as StageSettings['tenantMode'] | undefined) ??
    (stage === 'local' ? 'open' : 'required');
  if (production && tenantMode === 'open') {
    throw new Error(
      `Stage "${stage}" is a production stage and its tenant mode is open; expected required: production stages check every tenant against its registry entry`,
    );
  }
  return {
    production,
    ...(region === undefined ? {} : { region }),
    ...(alertEmail === undefined ? {} : { alertEmail }),
    assumeRoleArnPattern,
    logRetentionDays: production ? 90 : 14,
    tenantMode,
  };
}

// ---------------------------------------------------------------------------------------------------
// Monitoring: the MSF metrics every application of the fleet is alarmed on, and per-stage choices of
// what the stacks monitor. Read by the stacks only; kept apart from STAGES so the two evolve separately.

/** Where MSF publishes each application's metrics, and the dimension that names the application. */
export const MSF_METRICS = {
  namespace: 'AWS/KinesisAnalytics',
  applicationDimension: 'Application',
} as const;

/** CloudWatch evaluates an alarm on a Metrics Insights query over the latest 3 hours of data at most. */
export const METRICS_INSIGHTS_ALARM_WINDOW_MINUTES = 180;

const MsfHealthMetricSchema = z.strictObject({
  /** false: no alarm and no dashboard widget (a metric the fleet's Flink version does not publish). */
  enabled: z.boolean(),
  /** As MSF publishes it; letters, digits and underscores, so it can stand unquoted in a query. */
  metricName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,254}$/, { error: 'a CloudWatch metric name of letters, digits and _' }),
  /** gauge: the current value. counter: a total since the job last started, which a restart resets. */
  kind: z.enum(['gauge', 'counter']),
  /** The Metrics Insights aggregate of each application's samples in a period. */
  statistic: z.enum(['MAX', 'MIN', 'AVG', 'SUM']),
  /** An application alarms when its aggregate is above this (in the metric's unit) ... */
  threshold: z.number({ error: 'a number' }).min(0),
  periodMinutes: whole(1, 60),
  /** ... for this many periods in a row. */
  periods: whole(1, 36),
  /** For labels: what the values are counted in. */
  unit: z.string().min(1),
});

export type MsfHealthMetric = z.infer<typeof MsfHealthMetricSchema>;

/** The health signals of an application, by a stable key: alarm names and construct IDs derive from it. */
export type MsfHealthKey = 'downtime' | 'checkpointDuration' | 'failedCheckpoints' | 'restarts';

/**
 * The MSF metrics alarmed for every application of the fleet. The one place to switch names: Flink 2.2
 * on MSF removes `fullRestarts` (`numRestarts` replaces it) and deprecates `uptime` and `downtime`;
 * a stage overrides any field through MONITORING_STAGES.
 */
export const MSF_HEALTH_METRICS: Readonly<Record<MsfHealthKey, MsfHealthMetric>> = {
  // Above 0 while the job is failing or recovering (MSF's recommended alarm). Two periods in a row: a
  // restart loop keeps it up, a single restart that recovers does not page.
  downtime: {
    enabled: true,
    metricName: 'downtime',
    kind: 'gauge',
    statistic: 'MAX',
    threshold: 0,
    periodMinutes: 5,
    periods: 2,
    unit: 'ms',
  },
  // The last completed checkpoint took over 5 minutes, half of Flink's default 10-minute checkpoint
  // timeout: checkpoints (and the snapshots taken from the same state) are about to fail.
  checkpointDuration: {
    enabled: true,
    metricName: 'lastCheckpointDuration',
    kind: 'gauge',
    statistic: 'MAX',
    threshold: 300_000,
    periodMinutes: 5,
    periods: 2,
    unit: 'ms',
  },
  // Counters hold a total since the job last started; Metrics Insights has no RATE, so the alarm says
  // "more than N since the job started" and returns to OK when a restart resets the counter.
  failedCheckpoints: {
    enabled: true,
    metricName: 'numberOfFailedCheckpoints',
    kind: 'counter',
    statistic: 'MAX',
    threshold: 10,
    periodMinutes: 5,
    periods: 1,
    unit: 'count',
  },
  restarts: {
    enabled: true,
    metricName: 'fullRestarts',
    kind: 'counter',
    statistic: 'MAX',
    threshold: 2,
    periodMinutes: 5,
    periods: 1,
    unit: 'count',
  },
};

/** Per-stage monitoring choices committed with the code; a stage not listed gets the defaults. */
export interface MonitoringChoices {
  /** Other regions (of this account and partition) whose MSF applications the stage alarms on and graphs. */
  readonly monitoredRegions?: readonly string[];
  /** This account is a CloudWatch cross-account observability monitoring account for the fleet's accounts. */
  readonly crossAccountObservability?: boolean;
  /** The worker's reserved concurrency, at least the event source's maximum concurrency; 'off' for none. */
  readonly workerReservedConcurrency?: number | 'off';
  /** Fields of MSF_HEALTH_METRICS to change for this stage (e.g. `restarts: { metricName: 'numRestarts' }`). */
  readonly msfHealth?: { readonly [K in MsfHealthKey]?: Partial<MsfHealthMetric> };
}

/** Edit to give a stage other monitoring choices (the first three also through MONITORING_ENV). */
export const MONITORING_STAGES: Readonly<Record<string, MonitoringChoices>> = {};

/** Variables that override MONITORING_STAGES at deploy time (SST loads `.env.<stage>` before it builds). */
export const MONITORING_ENV = {
  /** Comma-separated regions, e.g. `us-east-1,ap-southeast-2`. */
  monitoredRegions: 'FLINK_SNAPSHOTS_MONITORED_REGIONS',
  /** `true` or `false`. */
  crossAccountObservability: 'FLINK_SNAPSHOTS_CROSS_ACCOUNT_OBSERVABILITY',
  /** A whole number, or `off`. */
  workerReservedConcurrency: 'FLINK_SNAPSHOTS_WORKER_RESERVED_CONCURRENCY',
} as const;

export interface MonitoringSettings {
  readonly monitoredRegions: readonly string[];
  readonly crossAccountObservability: boolean;
  /** Undefined: no reservation (the worker draws on the account's unreserved pool). */
  readonly workerReservedConcurrency: number | undefined;
  readonly msfHealth: Readonly<Record<MsfHealthKey, MsfHealthMetric>>;
}

/**
 * The worker's default reservation: the event source's maximum concurrency, so the pollers always find
 * room (other functions cannot starve the worker, a failing fleet cannot take the account's pool), plus
 * one for an invocation from outside the queue (a console test) that would otherwise throttle a poller.
 */
export const DEFAULT_WORKER_RESERVED_CONCURRENCY = PIPELINE.worker.maximumConcurrency + 1;

/**
 * Monitoring settings of one stage: MONITORING_ENV variables in `env` first, then `choices` (the stage's
 * MONITORING_STAGES entry), then the defaults. Throws naming the setting, the value and what was expected.
 */
export function monitoringSettings(
  stage: string,
  env: Readonly<Record<string, string | undefined>> = {},
  choices: MonitoringChoices = MONITORING_STAGES[stage] ?? {},
): MonitoringSettings {
  const fail = (setting: string, value: unknown, expected: string): never => {
    throw new Error(`Stage "${stage}": ${setting} is ${JSON.stringify(value)}; expected ${expected}`);
  };
  const variable = (key: keyof typeof MONITORING_ENV): string | undefined =>
    env[MONITORING_ENV[key]]?.trim() || undefined;
  const source = (key: keyof typeof MONITORING_ENV): string =>
    variable(key) === undefined ? `MONITORING_STAGES.${stage}.${key}` : MONITORING_ENV[key];

  const regionsText = variable('monitoredRegions');
  const monitoredRegions =
    regionsText === undefined
      ? [...(choices.monitoredRegions ?? [])]
      : regionsText.split(',').map((r) => r.trim());
  for (const region of monitoredRegions) {
    if (!REGION.test(region))
      fail(source('monitoredRegions'), monitoredRegions, 'region names such as us-east-1');
  }

  const observabilityText = variable('crossAccountObservability');
  if (observabilityText !== undefined && !/^(true|false)$/.test(observabilityText)) {
    fail(MONITORING_ENV.crossAccountObservability, observabilityText, 'true or false');
  }
  const crossAccountObservability =
    observabilityText === undefined
      ? (choices.crossAccountObservability ?? false)
      : observabilityText === 'true';

  const reservedText = variable('workerReservedConcurrency');
  const reserved: number | 'off' =
    reservedText === undefined
      ? (choices.workerReservedConcurrency ?? DEFAULT_WORKER_RESERVED_CONCURRENCY)
      : reservedText === 'off'
        ? 'off'
        : Number(reservedText);
  const minimum = PIPELINE.worker.maximumConcurrency;
  if (reserved !== 'off' && !(Number.isInteger(reserved) && reserved >= minimum)) {
    fail(
      source('workerReservedConcurrency'),
      reservedText ?? reserved,
      `off, or a whole number of at least ${minimum} (the event source's maximum concurrency: fewer would throttle the pollers and push messages toward the DLQ)`,
    );
  }

  const msfHealth = Object.fromEntries(
    Object.entries(MSF_HEALTH_METRICS).map(([key, defaults]) => {
      const merged = { ...defaults, ...(choices.msfHealth?.[key as MsfHealthKey] ?? {}) };
      const parsed = MsfHealthMetricSchema.safeParse(merged);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') ?? '';
        fail(
          `MONITORING_STAGES.${stage}.msfHealth.${key}.${field}`,
          (merged as Record<string, unknown>)[field],
          issue?.message ?? 'a valid value',
        );
      }
      const metric = merged as MsfHealthMetric;
      if (metric.periodMinutes * metric.periods > METRICS_INSIGHTS_ALARM_WINDOW_MINUTES) {
        fail(
          `MONITORING_STAGES.${stage}.msfHealth.${key}`,
          { periodMinutes: metric.periodMinutes, periods: metric.periods },
          `periodMinutes × periods of at most ${METRICS_INSIGHTS_ALARM_WINDOW_MINUTES} (a Metrics Insights alarm sees the latest 3 hours only)`,
        );
      }
      return [key, metric];
    }),
  ) as Record<MsfHealthKey, MsfHealthMetric>;

  return {
    monitoredRegions: [...new Set(monitoredRegions)],
    crossAccountObservability,
    workerReservedConcurrency: reserved === 'off' ? undefined : reserved,
    msfHealth,
  };
}

/**
 * The SSM parameter that says where a stage's pipeline is (table, queues, topic, roles, tenant mode),
 * written by the Pipeline stack and by the local runtime's bootstrap; the `flink-snapshots` command reads
 * it to find the stage. It lies outside `apps/`, so no tenant's policy (`apps/<tenant>/*`) can write it.
 */
export function deploymentParameterName(stage: string): string {
  return `/${APP_NAME}/${stage}/deployment`;
}

const ARN = (service: string) => new RegExp(`^arn:aws[a-z-]*:${service}:`);

/** The JSON value of the deployment parameter: what the command line needs to act on a stage. */
export const DeploymentDescriptorSchema = z.strictObject({
  version: z.literal(1, { error: 'the descriptor version 1' }),
  stage: z.string({ error: 'the stage name' }).min(1),
  region: z.string({ error: 'a region name such as eu-west-1' }).regex(REGION),
  accountId: z.string({ error: 'the deployment account id (12 digits)' }).regex(/^[0-9]{12}$/),
  runsTableName: z.string({ error: 'the runs table name' }).min(3),
  workQueueUrl: z.url({ error: 'the work queue URL' }),
  workQueueArn: z.string({ error: 'the work queue ARN' }).regex(ARN('sqs')),
  deadLetterQueueUrl: z.url({ error: 'the dead-letter queue URL' }),
  deadLetterQueueArn: z.string({ error: 'the dead-letter queue ARN' }).regex(ARN('sqs')),
  alertsTopicArn: z.string({ error: 'the failures topic ARN' }).regex(ARN('sns')),
  tenantMode: z.enum(['required', 'open'], { error: 'required or open' }),
  msfAccessRoleArn: z.string({ error: 'the MSF access role ARN' }).regex(ARN('iam')),
  /** The role the flink-snapshots command acts on applications through, one tenant per session. */
  operatorRoleArn: z.string({ error: 'the operator role ARN' }).regex(ARN('iam')),
  roleArnPattern: z.string({ error: 'the IAM pattern of assumable roles' }).regex(ARN('iam')),
  tickMinutes: whole(1, 1440),
  runTtlDays: whole(1, 3650),
  maxReceiveCount: whole(1, 1000),
});

export type DeploymentDescriptor = z.infer<typeof DeploymentDescriptorSchema>;
