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
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
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
  /**
   * Real milliseconds per simulated millisecond, when the clock runs faster than real time (the local
   * runtime's time scale): the SDK's retry backoff then passes in simulated time too, as every other
   * duration the local AWS simulates. Lambda leaves it unset: the SDK's own backoff.
   */
  readonly retryBackoffScale?: number;
}

/** The SDK's exponential backoff with full jitter (100 ms base, 20 s cap), scaled to simulated time. */
function scaledRetryStrategy(
  maxAttempts: number,
  scale: number,
  random: () => number,
): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(maxAttempts, (attempt) =>
    Math.round(scale * random() * Math.min(20_000, 100 * 2 ** attempt)),
  );
}

/** Everything but the per-invocation logger and metrics. */
export type Adapters = Omit<Deps, 'log' | 'metrics'>;

/** Builds the adapters once: SDK clients with the retry settings each service needs. */
export function createAdapters(env: Env, overrides: AwsOverrides = {}): Adapters {
  const clock = overrides.clock ?? { now: () => Date.now() };
  const random = overrides.random ?? Math.random;
  const scale = overrides.retryBackoffScale;
  /** Settings of a client that tries a call up to `maxAttempts` times. */
  const retries = (maxAttempts: number) =>
    scale === undefined
      ? { maxAttempts }
      : { retryStrategy: scaledRetryStrategy(maxAttempts, scale, random) };
  const common = {
    region: env.region,
    ...(overrides.endpoint === undefined ? {} : { endpoint: overrides.endpoint }),
    ...(overrides.credentials === undefined ? {} : { credentials: overrides.credentials }),
  };
  return {
    // SSM allows 40 GetParametersByPath per second by default: pages are paced to that, and retried
    // (up to 10 attempts) when the account's other users of the quota get in the way.
    configs: new SsmConfigSource(timeCalls(new SSMClient({ ...common, ...retries(10) })), {
      maxRequestsPerSecond: PIPELINE.dispatcher.ssmRequestsPerSecond,
    }),
    queue: new SqsWorkQueue(timeCalls(new SQSClient({ ...common, ...retries(5) })), env.workQueueUrl),
    flink: new KdaFlinkFleet({
      defaultRegion: env.region,
      stage: env.stage,
      msfAccessRoleArn: env.msfAccessRoleArn,
      sts: timeCalls(new STSClient({ ...common, ...retries(5) })),
      // MSF publishes no control-plane rate limit: retry throttling a few more times than the default.
      clientConfig: {
        ...(common.endpoint === undefined ? {} : { endpoint: common.endpoint }),
        ...(common.credentials === undefined ? {} : { credentials: common.credentials }),
        ...retries(6),
      },
      onClient: timeCalls,
      clock,
    }),
    runs: new DynamoRunStore(
      DynamoDBDocumentClient.from(timeCalls(new DynamoDBClient({ ...common, ...retries(8) })), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      { tableName: env.runsTableName, ttlDays: env.runTtlDays },
    ),
    alerts: new SnsAlerts(timeCalls(new SNSClient({ ...common, ...retries(5) })), env.alertsTopicArn),
    clock,
    random,
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
    gauge: (name, value, unit) =>
      metrics.addMetric(name, unit === 'Percent' ? MetricUnit.Percent : MetricUnit.NoUnit, value),
  };
}
