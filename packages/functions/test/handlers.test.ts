/**
 * The Lambda handlers through createHandler(deps), over the real adapters against the local AWS, and
 * the module entry points built from the environment as Lambda builds them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { configParameterName, RunState, runIdFromTick } from '@flink-snapshots/core';
import { ensureResources, type LocalAws, type LocalResources, localEnv } from '@flink-snapshots/local';
import { ENV } from '@flink-snapshots/settings';
import { clientConfig, expectFailure, sdkClient, startLocal } from '@flink-snapshots/testkit';
import type { Context, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Adapters, createAdapters } from '../src/deps';
import * as dispatcher from '../src/dispatcher';
import { dispatchSettings, type Env } from '../src/env';
import type { RecordReport } from '../src/worker';
import * as worker from '../src/worker';

const TICK = Date.UTC(2026, 10, 22, 8, 30);

let local: LocalAws;
let ssm: SSMClient;
let stages = 0;

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  local = await startLocal({ timeScale: 0.01 });
  ssm = sdkClient(SSMClient, local);
});

afterEach(() => local.faults.clear());

afterAll(async () => {
  ssm.destroy();
  await local.stop();
});

interface Stage {
  readonly stage: string;
  readonly resources: LocalResources;
  readonly env: Env;
  readonly adapters: Adapters;
}

async function newStage(): Promise<Stage> {
  const stage = `fn${++stages}`;
  const resources = await ensureResources({ ...clientConfig(local), stage });
  const env = localEnv(stage, resources, { tenantMode: 'open' });

  return {
    stage,
    resources,
    env,
    adapters: createAdapters(env, { ...clientConfig(local), clock: local.clock }),
  };
}

function context(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${name}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function scheduledEvent(time: string): ScheduledEvent {
  return {
    version: '0',
    id: 'tick-1',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time,
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work',
    awsRegion: 'us-east-1',
  };
}

const silent = () => ({ logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics() });

async function putConfig(stage: string, app: string, value: unknown): Promise<void> {
  await ssm.send(
    new PutParameterCommand({
      Name: configParameterName(stage, 'team', app),
      Type: 'String',
      Value: JSON.stringify(value),
    }),
  );
}

describe('the dispatcher handler', () => {
  it('dispatches the due applications of the scheduled tick, keyed by the event time', async () => {
    const { stage, adapters, env } = await newStage();
    await putConfig(stage, 'orders', {});
    await putConfig(stage, 'payments', { retention: { count: 0 } });
    const handle = dispatcher.createHandler({
      adapters,
      ...silent(),
      dispatch: dispatchSettings(env),
    });

    const report = await handle(scheduledEvent(new Date(TICK).toISOString()), context('dispatcher'));

    expect(report).toMatchObject({ runId: runIdFromTick(TICK), configsRead: 2, invalid: 1, enqueued: 1 });
    expect((await adapters.runs.get({ appKey: 'team/orders', runId: report.runId }))?.state).toBe(
      RunState.DISPATCHED,
    );
  });

  it('fails naming the event and its time when the time is not a timestamp', async () => {
    const { adapters, env } = await newStage();
    const handle = dispatcher.createHandler({
      adapters,
      ...silent(),
      dispatch: dispatchSettings(env),
    });
    await expectFailure(
      handle(scheduledEvent('yesterday'), context('dispatcher')),
      Error,
      'scheduled event tick-1 has time "yesterday"; expected an ISO 8601 timestamp',
    );
  });
});

describe('the worker handler', () => {
  it('fails only the records worth retrying, consumes permanent failures and reports each record', async () => {
    const { stage, adapters, resources, env } = await newStage();
    local.services.kinesisAnalytics.putApplication({ name: 'orders', status: 'RUNNING' });
    await putConfig(stage, 'orders', {});
    await putConfig(stage, 'ghost', {});
    const tick = dispatcher.createHandler({
      adapters,
      ...silent(),
      dispatch: dispatchSettings(env),
    });
    await tick(scheduledEvent(new Date(TICK).toISOString()), context('dispatcher'));
    const messages = await receiveAll(resources.workQueueUrl);
    const body = (app: string) => {
      const found = messages.find((m) => m.includes(`"appKey":"team/${app}"`));
      if (found === undefined) throw new Error(`no message for ${app} in ${messages.join(', ')}`);
      return found;
    };
    // MSF fails on its side for `orders`, beyond the client's retries: retryable. `ghost` does not
    // exist: permanent.
    local.faults.add({ kind: 'server-error', service: 'kinesisanalytics', application: 'orders' });
    const reports: RecordReport[] = [];
    const handle = worker.createHandler({ adapters, ...silent(), onRecord: (r) => reports.push(r) });

    const response = await handle(
      {
        Records: [
          sqsRecord('unavailable', body('orders')),
          sqsRecord('missing', body('ghost')),
          sqsRecord('malformed', '{"step":"snapshot"'),
        ],
      } satisfies SQSEvent,
      context('worker'),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'unavailable' }] });
    // The batch processor handles records concurrently: compare as a set.
    expect(new Map(reports.map((r) => [r.messageId, r.outcome ?? 'threw']))).toEqual(
      new Map([
        ['unavailable', 'threw'],
        ['missing', 'failed'],
        ['malformed', 'invalid-message'],
      ]),
    );
    expect(reports[0]?.apiCalls).toBeGreaterThan(0);
    const ghostRun = await adapters.runs.get({ appKey: 'team/ghost', runId: runIdFromTick(TICK) });
    // The tenant's session may not describe what is not its tenant's, and IAM refuses a missing
    // application as it refuses a foreign one (AccessDenied before NotFound): the reason names both.
    expect(ghostRun).toMatchObject({ state: RunState.FAILED, error: { name: 'TenantBindingError' } });
    expect(ghostRun?.reason).toContain('or does not exist in this account and region');
  });
});

describe('the Lambda entry points', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('build their dependencies from the environment, finding the endpoint per service as the SDK does', async () => {
    const { stage, env, resources } = await newStage();
    await putConfig(stage, 'orders', {});
    Object.assign(process.env, {
      [ENV.stage]: stage,
      [ENV.runsTableName]: env.runsTableName,
      [ENV.workQueueUrl]: env.workQueueUrl,
      [ENV.alertsTopicArn]: env.alertsTopicArn,
      [ENV.accountId]: env.accountId,
      [ENV.msfAccessRoleArn]: env.msfAccessRoleArn,
      [ENV.roleArnPattern]: env.roleArnPattern,
      [ENV.tenantMode]: 'open',
      AWS_REGION: local.region,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      // Nothing listens on port 9: every service but the ones named below would fail.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_SSM: local.url,
      AWS_ENDPOINT_URL_DYNAMODB: local.url,
      AWS_ENDPOINT_URL_SQS: local.url,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });

    const report = await dispatcher.handler(
      scheduledEvent(new Date(TICK).toISOString()),
      context('dispatcher'),
    );

    expect(report).toMatchObject({ configsRead: 1, enqueued: 1 });
    expect(resources.workQueueUrl.startsWith(local.url)).toBe(true);
  });
});

/** Every message on the queue now (received, and left to come back after the visibility timeout). */
async function receiveAll(queueUrl: string): Promise<string[]> {
  const sqs = sdkClient(SQSClient, local);
  try {
    const bodies: string[] = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!out.Messages?.length) return bodies;
      bodies.push(...out.Messages.map((m) => m.Body ?? ''));
    }
  } finally {
    sqs.destroy();
  }
}
