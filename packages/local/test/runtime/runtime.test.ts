import { setTimeout as pause } from 'node:timers/promises';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PIPELINE, RUNS_TABLE } from '@flink-snapshots/settings';
import type { Context, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local-aws';
import {
  ensureResources,
  type LocalResources,
  LocalSchedule,
  resourceNames,
  type SqsBatchHandler,
  SqsEventSource,
  type SqsEventSourceOptions,
} from '../../src/runtime';

/** 1 simulated second = 10 real ms: a 10 s visibility timeout is 100 ms. */
const TIME_SCALE = 0.01;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let local: LocalAws;
let sqs: SQSClient;
let stageCounter = 0;
const sources: SqsEventSource[] = [];

beforeAll(async () => {
  local = await startLocalAws({ port: 0, timeScale: TIME_SCALE, seed: 7 });
  sqs = new SQSClient({ endpoint: local.url, region: local.region, credentials });
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop({ abandonPolls: true })));
});

afterAll(async () => {
  sqs.destroy();
  await local.stop();
});

/** Polls `probe` until it returns a value other than undefined/false, for at most `timeoutMs` real ms. */
async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(5);
  }
}

/** A gate handlers wait at until the test opens it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

async function resources(
  settings: Parameters<typeof ensureResources>[0]['settings'] = {},
): Promise<LocalResources> {
  stageCounter += 1;
  return ensureResources({ endpoint: local.url, stage: `rt${stageCounter}`, settings, credentials });
}

function source(
  queue: LocalResources,
  handler: SqsBatchHandler,
  options: Partial<SqsEventSourceOptions> = {},
): SqsEventSource {
  const created = new SqsEventSource({
    endpoint: local.url,
    credentials,
    queueUrl: queue.workQueueUrl,
    clock: local.clock,
    // A closure without module state: sharing it between environments changes nothing.
    createHandler: () => handler,
    ...options,
  });
  sources.push(created);
  return created;
}

async function send(queueUrl: string, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({
          Id: `e${i + j}`,
          MessageBody: body,
          MessageGroupId: 'tenant-a',
          MessageAttributes: {
            step: { DataType: 'String', StringValue: 'snapshot' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
          },
        })),
      }),
    );
    expect(out.Failed ?? []).toEqual([]);
  }
}

async function queueCounts(queueUrl: string): Promise<Record<string, string | undefined>> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  return out.Attributes ?? {};
}

/** Every delivery the handler saw, by message body. */
function recorder() {
  const deliveries = new Map<string, SQSRecord[]>();
  const contexts: Context[] = [];
  const record = (event: SQSEvent, context: Context) => {
    contexts.push(context);
    for (const r of event.Records) deliveries.set(r.body, [...(deliveries.get(r.body) ?? []), r]);
  };
  const seen = (body: string) => deliveries.get(body)?.length ?? 0;
  return { deliveries, contexts, record, seen };
}

describe('resourceNames', () => {
  it('names every local resource flink-snapshots-<stage>-<part>', () => {
    expect(resourceNames('local')).toEqual({
      workQueue: 'flink-snapshots-local-work',
      deadLetterQueue: 'flink-snapshots-local-dlq',
      runsTable: 'flink-snapshots-local-runs',
      failuresTopic: 'flink-snapshots-local-failures',
      inboxQueue: 'flink-snapshots-local-inbox',
      dispatcherFunction: 'flink-snapshots-local-dispatcher',
      workerFunction: 'flink-snapshots-local-worker',
      tickRule: 'flink-snapshots-local-tick',
    });
  });

  it('fails on a stage that cannot be part of a queue name, naming the stage', () => {
    expect(() => resourceNames('my stage')).toThrow(/Stage is "my stage"; expected a letter/);
  });
});

describe('ensureResources', () => {
  it('creates the queues, the runs table and the failures topic with the stack settings, idempotently', async () => {
    const first = await ensureResources({ endpoint: local.url, stage: 'boot', credentials });
    const second = await ensureResources({ endpoint: local.url, stage: 'boot', credentials });
    expect(second).toEqual(first);
    expect(first.workQueueUrl).toMatch(/\/flink-snapshots-boot-work$/);
    expect(first.tableName).toBe('flink-snapshots-boot-runs');
    expect(first.topicArn).toMatch(/:flink-snapshots-boot-failures$/);

    const work = await queueCounts(first.workQueueUrl);
    expect(work.VisibilityTimeout).toBe(String(PIPELINE.workQueue.visibilityTimeoutSeconds));
    expect(work.MessageRetentionPeriod).toBe(String(PIPELINE.workQueue.retentionSeconds));
    expect(JSON.parse(work.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: first.dlqArn,
      maxReceiveCount: PIPELINE.workQueue.maxReceiveCount,
    });
    const dlq = await queueCounts(first.dlqUrl);
    expect(dlq.MessageRetentionPeriod).toBe(String(PIPELINE.deadLetterQueue.retentionSeconds));

    const dynamodb = new DynamoDBClient({ endpoint: local.url, region: local.region, credentials });
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: first.tableName }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: RUNS_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: RUNS_TABLE.sortKey, KeyType: 'RANGE' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual([
        [
          RUNS_TABLE.byRunIndex.name,
          [
            { AttributeName: RUNS_TABLE.byRunIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: RUNS_TABLE.byRunIndex.sortKey, KeyType: 'RANGE' },
          ],
        ],
      ]);
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: first.tableName }));
      expect(ttl.TimeToLiveDescription).toEqual({
        TimeToLiveStatus: 'ENABLED',
        AttributeName: RUNS_TABLE.ttlAttribute,
      });
    } finally {
      dynamodb.destroy();
    }
  });

  it('delivers what is published to the failures topic to the inbox queue as an SNS envelope', async () => {
    const created = await ensureResources({ endpoint: local.url, stage: 'inbox', credentials });
    const sns = new SNSClient({ endpoint: local.url, region: local.region, credentials });
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: created.topicArn,
          Subject: 'run FAILED',
          Message: '{"state":"FAILED"}',
        }),
      );
    } finally {
      sns.destroy();
    }
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: created.inboxQueueUrl, WaitTimeSeconds: 20 }),
    );
    const envelope = JSON.parse(Messages?.[0]?.Body ?? '{}') as Record<string, unknown>;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: created.topicArn,
      Subject: 'run FAILED',
      Message: '{"state":"FAILED"}',
    });
  });

  it('brings an existing work queue to other settings when asked again', async () => {
    await ensureResources({ endpoint: local.url, stage: 'resettle', credentials });
    const changed = await ensureResources({
      endpoint: local.url,
      stage: 'resettle',
      credentials,
      settings: { workQueue: { visibilityTimeoutSeconds: 10, maxReceiveCount: 2 } },
    });
    const work = await queueCounts(changed.workQueueUrl);
    expect(work.VisibilityTimeout).toBe('10');
    expect(JSON.parse(work.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 2 });
  });
});

describe('SqsEventSource', () => {
  it('hands batches of at most batchSize real-shaped records to the handler and deletes them', async () => {
    const queue = await resources();
    const { deliveries, contexts, record } = recorder();
    const events = source(queue, (event, context) => {
      record(event, context);
      return { batchItemFailures: [] };
    });
    await events.start();
    const bodies = Array.from({ length: 25 }, (_, i) => `{"n":${i}}`);
    const sentAfter = local.clock.now();
    await send(queue.workQueueUrl, bodies);
    await eventually('all 25 messages handled', () => deliveries.size === 25);
    await events.idle({ timeoutMs: 10_000 });

    const counts = await queueCounts(queue.workQueueUrl);
    expect([counts.ApproximateNumberOfMessages, counts.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '0',
      '0',
    ]);
    expect(events.stats()).toMatchObject({ messagesReceived: 25, messagesDeleted: 25, deleteFailures: 0 });
    expect(events.invocations().every((i) => i.records >= 1 && i.records <= PIPELINE.worker.batchSize)).toBe(
      true,
    );
    expect(events.invocations().reduce((sum, i) => sum + i.records, 0)).toBe(25);

    const one = deliveries.get('{"n":3}')?.[0];
    expect(one).toMatchObject({
      body: '{"n":3}',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.workQueueArn,
      awsRegion: local.region,
      attributes: { ApproximateReceiveCount: '1', SenderId: expect.any(String), MessageGroupId: 'tenant-a' },
      messageAttributes: {
        step: { stringValue: 'snapshot', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: Buffer.from('hi').toString('base64'), dataType: 'Binary' },
      },
    });
    expect(one?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(one?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(one?.attributes.SentTimestamp)).toBeGreaterThanOrEqual(Math.floor(sentAfter));
    expect(Number(one?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(one?.attributes.SentTimestamp),
    );

    const context = contexts[0];
    expect(context).toMatchObject({
      functionName: 'flink-snapshots-worker',
      memoryLimitInMB: String(PIPELINE.worker.memoryMb),
      invokedFunctionArn: `arn:aws:lambda:${local.region}:${local.accountId}:function:flink-snapshots-worker`,
    });
    expect(context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context?.getRemainingTimeInMillis()).toBeLessThanOrEqual(PIPELINE.worker.timeoutSeconds * 1000);
  });

  it('keeps polling through throttled receives and counts every SQS attempt as the server does', async () => {
    const queue = await resources();
    const { record, seen } = recorder();
    const events = source(queue, (event, context) => record(event, context));
    const throttle = local.faults.add({
      kind: 'throttle',
      service: 'sqs',
      operation: 'ReceiveMessage',
      limit: 3,
    });
    try {
      local.counters.reset();
      await events.start();
      await send(queue.workQueueUrl, ['t1', 't2', 't3']);
      await eventually('the three messages handled', () => ['t1', 't2', 't3'].every((b) => seen(b) === 1));
      await events.idle();
      await events.stop();
    } finally {
      local.faults.remove(throttle.id);
    }
    expect(throttle.hits).toBe(3);
    const stats = events.stats();
    expect(stats.receiveCalls).toBe(local.counters.count('sqs', 'ReceiveMessage'));
    expect(stats.deleteCalls).toBe(local.counters.count('sqs', 'DeleteMessageBatch'));
    expect(stats.messagesDeleted).toBe(3);
  });

  it('deletes the rest of a partial batch failure, redelivers the failed message and dead-letters it after maxReceiveCount', async () => {
    const queue = await resources({ workQueue: { visibilityTimeoutSeconds: 10, maxReceiveCount: 3 } });
    const { record, seen, deliveries } = recorder();
    const events = source(queue, (event, context) => {
      record(event, context);
      if (event.Records.some((r) => r.body === 'poison')) receivedAt.push(local.clock.now());
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    await events.start();
    await send(queue.workQueueUrl, ['good-1', 'poison', 'good-2', 'good-3']);

    const receivedAt: number[] = [];
    const dead = await eventually('the poison message in the DLQ', async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.dlqUrl,
          WaitTimeSeconds: 5,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return out.Messages?.[0];
    });
    expect(dead.Body).toBe('poison');
    expect(deliveries.get('poison')?.map((r) => r.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(['good-1', 'good-2', 'good-3'].map(seen)).toEqual([1, 1, 1]);
    // Given back when the queue's own 10 s, counted from the first receive, had passed: not sooner.
    const firstReceive = Number(deliveries.get('poison')?.[0]?.attributes.ApproximateFirstReceiveTimestamp);
    expect((receivedAt[1] ?? 0) - firstReceive).toBeGreaterThanOrEqual(10_000);
    await events.idle();
    expect(events.invocations().some((i) => i.failures === 1 && i.error === undefined)).toBe(true);
  });

  it('retries the whole batch when the handler throws, deleting nothing of it', async () => {
    const queue = await resources({ workQueue: { visibilityTimeoutSeconds: 10 } });
    const { record, seen, deliveries } = recorder();
    const events = source(queue, (event, context) => {
      record(event, context);
      if (event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1')) {
        throw new TypeError('first delivery fails');
      }
    });
    await events.start();
    await send(queue.workQueueUrl, ['a', 'b', 'c']);
    await eventually('every message handled on its second delivery', () =>
      ['a', 'b', 'c'].every((body) => seen(body) === 2),
    );
    await events.idle();
    for (const body of ['a', 'b', 'c']) {
      expect(deliveries.get(body)?.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    }
    const failed = events.invocations().filter((i) => i.error !== undefined);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(
      failed.every((i) => i.failures === i.records && i.error === 'TypeError: first delivery fails'),
    ).toBe(true);
    expect(events.stats().messagesDeleted).toBe(3);
  });

  it('treats a handler running past timeoutSeconds as a failure of the whole batch', async () => {
    // The timeout is real time (1 s); the visibility timeout (150 simulated s = 1.5 s) outlasts it.
    const queue = await resources({ workQueue: { visibilityTimeoutSeconds: 150 } });
    const { record, seen } = recorder();
    const hung = gate();
    const events = source(
      queue,
      async (event, context) => {
        record(event, context);
        if (event.Records[0]?.attributes.ApproximateReceiveCount === '1') await hung.wait;
      },
      { settings: { worker: { timeoutSeconds: 1, batchSize: 1 } } },
    );
    await events.start();
    await send(queue.workQueueUrl, ['slow']);
    await eventually('the message handled again after the timeout', () => seen('slow') === 2);
    await events.idle();
    const [first, second] = events.invocations();
    expect(first).toMatchObject({ records: 1, failures: 1, timedOut: true });
    expect(first?.error).toMatch(/Task timed out after 1\.00 seconds/);
    expect(second).toMatchObject({ records: 1, failures: 0 });
    expect(events.stats()).toMatchObject({ timedOut: 1, runningAfterTimeout: 1, messagesDeleted: 1 });
    hung.open();
    await eventually('the timed-out handler to return', () => events.stats().runningAfterTimeout === 0);
  });

  it('fails the whole batch when batchItemFailures names a message that is not in it', async () => {
    const queue = await resources({ workQueue: { visibilityTimeoutSeconds: 10 } });
    const { record, seen } = recorder();
    const events = source(queue, (event, context) => {
      record(event, context);
      return event.Records[0]?.attributes.ApproximateReceiveCount === '1'
        ? { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] }
        : undefined;
    });
    await events.start();
    await send(queue.workQueueUrl, ['x']);
    await eventually('the message handled a second time', () => seen('x') === 2);
    await events.idle();
    expect(events.invocations()[0]?.error).toMatch(
      /batchItemFailures\[0\]\.itemIdentifier is "not-a-message-id"; expected the messageId/,
    );
  });

  it('never runs more than maximumConcurrency invocations at once', async () => {
    const queue = await resources();
    const held = gate();
    let inFlight = 0;
    let peak = 0;
    const handled = new Set<string>();
    const events = source(
      queue,
      async (event) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await held.wait;
        for (const r of event.Records) handled.add(r.body);
        inFlight -= 1;
      },
      { settings: { worker: { batchSize: 1, maximumConcurrency: 3, timeoutSeconds: 300 } } },
    );
    await events.start();
    await send(
      queue.workQueueUrl,
      Array.from({ length: 12 }, (_, i) => `m${i}`),
    );
    await eventually('three invocations holding', () => inFlight === 3);
    // While three hold, the pollers are all busy: nothing else is received.
    const counts = await queueCounts(queue.workQueueUrl);
    expect([counts.ApproximateNumberOfMessagesNotVisible, counts.ApproximateNumberOfMessages]).toEqual([
      '3',
      '9',
    ]);
    held.open();
    await eventually('all 12 handled', () => handled.size === 12);
    await events.idle();
    expect(peak).toBe(3);
  });

  it('gives each execution environment its own handler, so concurrent batches never share a BatchProcessor', async () => {
    const queue = await resources({ workQueue: { visibilityTimeoutSeconds: 10, maxReceiveCount: 10 } });
    const concurrency = 4;
    const allIn = gate();
    let environments = 0;
    let inFlight = 0;
    const deliveries = new Map<string, number>();
    const events = new SqsEventSource({
      endpoint: local.url,
      credentials,
      queueUrl: queue.workQueueUrl,
      clock: local.clock,
      settings: { worker: { batchSize: 2, maximumConcurrency: concurrency } },
      // The worker's shape: one Powertools BatchProcessor per module, i.e. per environment.
      createHandler: () => {
        environments += 1;
        const processor = new BatchProcessor(EventType.SQS);
        return async (event, context) => {
          inFlight += 1;
          if (inFlight === concurrency) allIn.open();
          try {
            return await processPartialResponse(
              event,
              async (record: SQSRecord) => {
                deliveries.set(record.body, (deliveries.get(record.body) ?? 0) + 1);
                // Every batch is in flight at once before any record finishes.
                await allIn.wait;
                if (record.body.startsWith('fail') && record.attributes.ApproximateReceiveCount === '1') {
                  throw new Error(`transient failure of ${record.body}`);
                }
              },
              processor,
              { context, throwOnFullBatchFailure: false },
            );
          } finally {
            inFlight -= 1;
          }
        };
      },
    });
    sources.push(events);
    await events.start();
    const bodies = Array.from({ length: 2 * concurrency }, (_, i) => (i % 2 === 0 ? `fail-${i}` : `ok-${i}`));
    await send(queue.workQueueUrl, bodies);
    await eventually('every message handled', () => bodies.every((body) => deliveries.has(body)));
    allIn.open();
    await events.idle({ timeoutMs: 20_000 });

    expect(environments).toBe(concurrency);
    // Each failed record came back once and then succeeded; no success was ever redone.
    expect(bodies.map((body) => [body, deliveries.get(body)])).toEqual(
      bodies.map((body) => [body, body.startsWith('fail') ? 2 : 1]),
    );
    expect((await queueCounts(queue.dlqUrl)).ApproximateNumberOfMessages).toBe('0');
  });

  it("holds a message for the handler's real timeout whatever the time scale, so a slow batch is delivered once", async () => {
    // 10 simulated seconds of visibility are 100 real ms here; the handler runs for 40 simulated seconds.
    const queue = await resources({ workQueue: { visibilityTimeoutSeconds: 10 } });
    const { record, seen } = recorder();
    const events = source(queue, async (event, context) => {
      record(event, context);
      const started = local.clock.now();
      await eventually(
        'four visibility timeouts of simulated time',
        () => local.clock.now() - started > 40_000,
      );
    });
    await events.start();
    await send(queue.workQueueUrl, ['slow']);
    await eventually('the slow batch handled', () => events.invocations().length === 1);
    await events.idle();
    expect(seen('slow')).toBe(1);
    expect(events.stats().messagesDeleted).toBe(1);
  });

  it('refuses a time scale at which the handler timeout exceeds SQS’s 12-hour visibility, saying what to change', async () => {
    const queue = await resources();
    const events = source(queue, () => undefined, {
      clock: { now: () => local.clock.now(), toRealMs: (ms) => ms * 0.0001 },
    });
    await expect(events.start()).rejects.toThrow(
      /beyond SQS's 43200 s visibility limit; expected a time scale of at least/,
    );
  });

  it('stop() waits for the invocation in flight and its delete, then polls no more', async () => {
    const queue = await resources();
    const held = gate();
    let entered = false;
    const events = source(queue, async () => {
      entered = true;
      await held.wait;
    });
    await events.start();
    await send(queue.workQueueUrl, ['in-flight']);
    await eventually('the handler running', () => entered);

    let stopped = false;
    const stopping = events.stop().then(() => {
      stopped = true;
    });
    const during = await queueCounts(queue.workQueueUrl);
    expect(during.ApproximateNumberOfMessagesNotVisible).toBe('1');
    expect(stopped).toBe(false);
    held.open();
    await stopping;

    expect(events.inFlight()).toBe(0);
    expect(events.invocations()).toHaveLength(1);
    const after = await queueCounts(queue.workQueueUrl);
    expect([after.ApproximateNumberOfMessages, after.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '0',
      '0',
    ]);
    // Nobody polls any more: a new message stays for us, never received before.
    await send(queue.workQueueUrl, ['after-stop']);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.workQueueUrl,
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
      ['after-stop', '1'],
    ]);
  });

  it('fails when started twice, naming the queue', async () => {
    const queue = await resources();
    const events = source(queue, () => undefined);
    await events.start();
    await expect(events.start()).rejects.toThrow(
      `SqsEventSource for ${queue.workQueueUrl} was already started`,
    );
  });
});

describe('LocalSchedule', () => {
  it('tickNow invokes the dispatcher with a Scheduled Event at the simulated time and returns its result', async () => {
    const seen: { event: ScheduledEvent; context: Context }[] = [];
    const schedule = new LocalSchedule({
      clock: local.clock,
      accountId: local.accountId,
      ruleName: 'flink-snapshots-local-tick',
      invoke: async (event: ScheduledEvent, context: Context) => {
        seen.push({ event, context });
        return { enqueued: 3 };
      },
    });
    const before = local.clock.now();
    await expect(schedule.tickNow()).resolves.toEqual({ enqueued: 3 });
    const [call] = seen;
    expect(call?.event).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: local.accountId,
      region: local.region,
      resources: [`arn:aws:events:${local.region}:${local.accountId}:rule/flink-snapshots-local-tick`],
      detail: {},
    });
    expect(call?.event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(call?.event.time ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(call?.context.functionName).toBe('flink-snapshots-dispatcher');
    expect(call?.context.getRemainingTimeInMillis()).toBeLessThanOrEqual(
      PIPELINE.dispatcher.timeoutSeconds * 1000,
    );
    expect(schedule.ticks()).toHaveLength(1);
    expect(schedule.tickMinutes).toBe(PIPELINE.tickMinutes);
  });

  it('records a failing tick and rejects tickNow with the handler error', async () => {
    const schedule = new LocalSchedule({
      clock: local.clock,
      invoke: () => {
        throw new RangeError('no configs');
      },
    });
    await expect(schedule.tickNow()).rejects.toThrow('no configs');
    expect(schedule.ticks()[0]?.error).toBe('RangeError: no configs');
  });

  it('every(seconds) ticks repeatedly until stop()', async () => {
    const times: string[] = [];
    const schedule = new LocalSchedule({
      clock: local.clock,
      invoke: (event: ScheduledEvent) => {
        times.push(event.time);
      },
    });
    schedule.every(5);
    expect(() => schedule.every(5)).toThrow(/already repeating/);
    await eventually('three ticks', () => schedule.ticks().length >= 3);
    await schedule.stop();
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(() => schedule.every(5)).not.toThrow();
    await schedule.stop();
  });
});
