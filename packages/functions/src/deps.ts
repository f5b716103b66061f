/**
 * The composition root: the only place that constructs SDK clients. Handlers build their dependencies
 * once per execution environment; the local runtime builds the same ones against the local AWS.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type Clock,
  type Deps,
  DynamoRunStore,
  KdaFlinkFleet,
  type Log,
  type Metrics,
  SnsAlerts,
  SqsWorkQueue,
  SsmConfigSource,
} from '@flink-snapshots/core';
import { PIPELINE } from '@flink-snapshots/settings';
import { timeCalls } from './call-timing';
import type { Env } from './env';

/** What differs between Lambda and the local runtime: where AWS is, whose credentials, whose clock. */
export interface AwsOverrides {
  readonly endpoint?: string;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly clock?: Clock;
  readonly random?: () => number;
}

/** Everything but the per-invocation logger and metrics. */
export type Adapters = Omit<Deps, 'log' | 'metrics'>;

/** Builds the adapters once: SDK clients with the retry settings each service needs. */
export function createAdapters(env: Env, overrides: AwsOverrides = {}): Adapters {
  const common = {
    region: env.region,
    ...(overrides.endpoint === undefined ? {} : { endpoint: overrides.endpoint }),
    ...(overrides.credentials === undefined ? {} : { credentials: overrides.credentials }),
  };
  const clock = overrides.clock ?? { now: () => Date.now() };
  return {
    // SSM allows 40 GetParametersByPath per second by default: pages are paced to that, and retried
    // (up to 10 attempts) when the account's other users of the quota get in the way.
    configs: new SsmConfigSource(timeCalls(new SSMClient({ ...common, maxAttempts: 10 })), {
      maxRequestsPerSecond: PIPELINE.dispatcher.ssmRequestsPerSecond,
    }),
    queue: new SqsWorkQueue(timeCalls(new SQSClient({ ...common, maxAttempts: 5 })), env.workQueueUrl),
    flink: new KdaFlinkFleet({
      defaultRegion: env.region,
      sts: timeCalls(new STSClient({ ...common, maxAttempts: 5 })),
      // MSF publishes no control-plane rate limit: retry throttling a few more times than the default.
      clientConfig: {
        ...(common.endpoint === undefined ? {} : { endpoint: common.endpoint }),
        ...(common.credentials === undefined ? {} : { credentials: common.credentials }),
        maxAttempts: 6,
      },
      onClient: timeCalls,
      clock,
    }),
    runs: new DynamoRunStore(
      DynamoDBDocumentClient.from(timeCalls(new DynamoDBClient({ ...common, maxAttempts: 8 })), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      { tableName: env.runsTableName, ttlDays: env.runTtlDays },
    ),
    alerts: new SnsAlerts(timeCalls(new SNSClient({ ...common, maxAttempts: 5 })), env.alertsTopicArn),
    clock,
    random: overrides.random ?? Math.random,
  };
}

/** Our Log port over a Powertools Logger. */
export function logOf(logger: Logger): Log {
  return {
    debug: (message, extra) => logger.debug(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

/** Our Metrics port over Powertools Metrics (EMF). */
export function metricsOf(metrics: PowertoolsMetrics): Metrics {
  return {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    seconds: (name, value) => metrics.addMetric(name, MetricUnit.Seconds, value),
  };
}
