/**
 * Fair queues: a tenant (MessageGroupId) that holds a disproportionate share of a standard queue's
 * in-flight messages is a noisy neighbour, and quiet tenants' messages are received before its backlog.
 * The real SDK v3 client against the local AWS; noisiness is read from `local.services.sqs`.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalAws } from '@flink-snapshots/local';
import { clientConfig, eventually, startLocal } from '@flink-snapshots/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Long enough that nothing received here becomes visible again during a test, on either clock. */
const HOLD_SECONDS = 43_200;

interface Server {
  readonly local: LocalAws;
  readonly sqs: SQSClient;
}

let realTime: Server;
/** One simulated minute in 600 real milliseconds: for the 5-minute rule and processing time. */
let fast: Server;
let queueCount = 0;

async function server(timeScale: number): Promise<Server> {
  const local = await startLocal({ timeScale });
  return { local, sqs: new SQSClient(clientConfig(local)) };
}

beforeAll(async () => {
  realTime = await server(1);
  fast = await server(0.01);
});
afterAll(async () => {
  for (const { local, sqs } of [realTime, fast]) {
    sqs.destroy();
    await local.stop();
  }
});

async function newQueue({ sqs }: Server): Promise<{ url: string; name: string }> {
  const name = `fair-${++queueCount}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { url: QueueUrl ?? '', name };
}

/** Sends `count` messages of `tenant` (undefined: no MessageGroupId), bodies `<tenant>-<n>` from `from`. */
async function send({ sqs }: Server, url: string, tenant: string | undefined, count: number, from = 1) {
  for (let first = 0; first < count; first += 10) {
    const entries = Array.from({ length: Math.min(10, count - first) }, (_, i) => ({
      Id: `m${i}`,
      MessageBody: `${tenant ?? 'none'}-${from + first + i}`,
      ...(tenant === undefined ? {} : { MessageGroupId: tenant }),
    }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(out.Failed ?? []).toEqual([]);
  }
}

/** Receives `count` messages, up to 10 a call, in the order they come; each stays in flight. */
async function receive({ sqs }: Server, url: string, count: number): Promise<Message[]> {
  const out: Message[] = [];
  while (out.length < count) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, count - out.length),
        VisibilityTimeout: HOLD_SECONDS,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (Messages.length === 0) throw new Error(`the queue ran dry after ${out.length} of ${count} messages`);
    out.push(...Messages);
  }
  return out;
}

async function deleteMessages({ sqs }: Server, url: string, messages: readonly Message[]): Promise<void> {
  for (let first = 0; first < messages.length; first += 10) {
    const entries = messages.slice(first, first + 10).map((m, i) => ({
      Id: `d${i}`,
      ReceiptHandle: m.ReceiptHandle ?? '',
    }));
    const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(out.Failed ?? []).toEqual([]);
  }
}

const bodies = (messages: readonly Message[]) => messages.map((m) => m.Body);
const tenants = (messages: readonly Message[]) => messages.map((m) => m.Body?.split('-')[0]);
const range = (tenant: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${tenant}-${from + i}`);

describe('SQS fair queues', () => {
  it('receives a small tenant’s messages before a busy tenant’s backlog once the busy one is noisy', async () => {
    const queue = await newQueue(realTime);
    await send(realTime, queue.url, 'big', 200);
    await send(realTime, queue.url, 'small', 2);

    // Consumers take messages in the order they were sent until `big` holds 30 in flight (100 %).
    const first = await receive(realTime, queue.url, 30);
    expect(bodies(first)).toEqual(range('big', 1, 30));
    expect(realTime.local.services.sqs.noisyTenants(queue.name)).toEqual(['big']);

    // Holding 50 in flight: `small`'s two messages come next, ahead of big's 170 older ones.
    const next = await receive(realTime, queue.url, 20);
    expect(bodies(next)).toEqual([...range('small', 1, 2), ...range('big', 31, 48)]);
    expect(next[0]?.Attributes?.MessageGroupId).toBe('small');

    // Nothing is dropped: with no quiet message waiting, big's backlog is delivered as usual.
    await deleteMessages(realTime, queue.url, [...first, ...next]);
    const rest = await receive(realTime, queue.url, 152);
    expect(bodies(rest)).toEqual(range('big', 49, 200));
  });

  it('does not prioritise below the thresholds: 29 in flight, or 30 that are only 10 % of the queue’s', async () => {
    const queue = await newQueue(realTime);
    await send(realTime, queue.url, 'big', 60);
    await send(realTime, queue.url, 'small', 1);
    expect(bodies(await receive(realTime, queue.url, 20))).toEqual(range('big', 1, 20));
    expect(realTime.local.services.sqs.noisyTenants(queue.name)).toEqual([]);
    expect(bodies(await receive(realTime, queue.url, 9))).toEqual(range('big', 21, 29));
    expect(realTime.local.services.sqs.noisyTenants(queue.name)).toEqual([]);
    // The 30th in flight makes `big` noisy: the next receive serves `small`.
    expect(bodies(await receive(realTime, queue.url, 1))).toEqual(['big-30']);
    expect(realTime.local.services.sqs.noisyTenants(queue.name)).toEqual(['big']);
    expect(bodies(await receive(realTime, queue.url, 2))).toEqual(['small-1', 'big-31']);

    // 30 of 300 in flight is not over 10 %; the 31st of 301 is.
    const shared = await newQueue(realTime);
    await send(realTime, shared.url, undefined, 270);
    await receive(realTime, shared.url, 270);
    await send(realTime, shared.url, 'big', 40);
    await send(realTime, shared.url, 'small', 1);
    expect(bodies(await receive(realTime, shared.url, 30))).toEqual(range('big', 1, 30));
    expect(realTime.local.services.sqs.noisyTenants(shared.name)).toEqual([]);
    expect(bodies(await receive(realTime, shared.url, 1))).toEqual(['big-31']);
    expect(realTime.local.services.sqs.noisyTenants(shared.name)).toEqual(['big']);
    expect(bodies(await receive(realTime, shared.url, 2))).toEqual(['small-1', 'big-32']);
  });

  it('serves the noisy tenant with the fewest messages in flight first when several are noisy', async () => {
    const queue = await newQueue(realTime);
    await send(realTime, queue.url, 'a', 80);
    await send(realTime, queue.url, 'b', 80);
    const a = await receive(realTime, queue.url, 30);
    // `a` is noisy: quiet `b` is served until it holds 30 in flight too.
    const b = await receive(realTime, queue.url, 30);
    expect(tenants(a)).toEqual(Array(30).fill('a'));
    expect(tenants(b)).toEqual(Array(30).fill('b'));
    expect(realTime.local.services.sqs.noisyTenants(queue.name)).toEqual(['a', 'b']);

    // 30 each: the one whose oldest waiting message is older goes first, then they take turns.
    const even = await receive(realTime, queue.url, 4);
    expect(bodies(even)).toEqual(['a-31', 'b-31', 'a-32', 'b-32']);

    // `a` finishes 5 (27 in flight against b's 32): its messages come until it holds as many again.
    await deleteMessages(realTime, queue.url, a.slice(0, 5));
    expect(bodies(await receive(realTime, queue.url, 5))).toEqual(range('a', 33, 37));
    expect(bodies(await receive(realTime, queue.url, 2))).toEqual(['a-38', 'b-33']);

    // `b` finishes 10: now b has fewer.
    await deleteMessages(realTime, queue.url, b.slice(0, 10));
    expect(tenants(await receive(realTime, queue.url, 10))).toEqual(Array(10).fill('b'));
  });

  it('makes a noisy tenant quiet when its backlog drains', async () => {
    const queue = await newQueue(realTime);
    await send(realTime, queue.url, 'big', 40);
    const held = await receive(realTime, queue.url, 30);
    expect(realTime.local.services.sqs.noisyTenants(queue.name)).toEqual(['big']);
    held.push(...(await receive(realTime, queue.url, 10)));
    expect(realTime.local.services.sqs.fairQueueTenants(queue.name)).toEqual([
      { tenant: 'big', inFlight: 40, waiting: 0, noisy: false },
    ]);

    // Down to 10 in flight, `big` sends again: its message is older than small's, and comes first.
    await deleteMessages(realTime, queue.url, held.slice(0, 30));
    await send(realTime, queue.url, 'big', 1, 41);
    await send(realTime, queue.url, 'small', 1);
    expect(bodies(await receive(realTime, queue.url, 2))).toEqual(['big-41', 'small-1']);
  });

  it('makes a noisy tenant quiet after 5 simulated minutes without sending, and noisy again when it sends', async () => {
    const queue = await newQueue(fast);
    await send(fast, queue.url, 'big', 40);
    await receive(fast, queue.url, 30);
    expect(fast.local.services.sqs.noisyTenants(queue.name)).toEqual(['big']);

    await eventually(
      () => fast.local.services.sqs.noisyTenants(queue.name),
      (noisy) => noisy.length === 0,
      { what: 'big quiet after 5 simulated minutes without sending' },
    );
    // Quiet again, `big`'s older messages come before a message `small` sends now.
    await send(fast, queue.url, 'small', 1);
    expect(bodies(await receive(fast, queue.url, 2))).toEqual(['big-31', 'big-32']);

    // Sending again, with 32 of 32 in flight, `big` is noisy again.
    await send(fast, queue.url, 'big', 1, 41);
    expect(fast.local.services.sqs.noisyTenants(queue.name)).toEqual(['big']);
    expect(bodies(await receive(fast, queue.url, 1))).toEqual(['small-1']);
  });

  it('treats each message without a MessageGroupId as a tenant of its own', async () => {
    const queue = await newQueue(realTime);
    await send(realTime, queue.url, undefined, 60);
    await send(realTime, queue.url, 'group', 1);
    // 50 in flight without a MessageGroupId are 50 tenants of one message each: none is noisy.
    expect(bodies(await receive(realTime, queue.url, 50))).toEqual(range('none', 1, 50));
    expect(realTime.local.services.sqs.noisyTenants(queue.name)).toEqual([]);
    expect(realTime.local.services.sqs.fairQueueTenants(queue.name)).toEqual([
      { tenant: 'group', inFlight: 0, waiting: 1, noisy: false },
    ]);
    expect(bodies(await receive(realTime, queue.url, 11))).toEqual([...range('none', 51, 60), 'group-1']);
  });

  it('marks a tenant noisy by its share of recent processing time, with few messages in flight', async () => {
    const queue = await newQueue(fast);
    // 10 of `slow` stay in flight beside 40 messages without a MessageGroupId: 20 % of the processing
    // time, with fewer than 30 in flight; then `slow` sends 5 more.
    await send(fast, queue.url, 'slow', 10);
    expect(tenants(await receive(fast, queue.url, 10))).toEqual(Array(10).fill('slow'));
    await send(fast, queue.url, undefined, 40);
    expect(tenants(await receive(fast, queue.url, 40))).toEqual(Array(40).fill('none'));
    await send(fast, queue.url, 'slow', 5, 11);

    // Once the queue has averaged 30 in flight over the last simulated minute, `slow` is noisy: its
    // waiting messages come after one sent later by another tenant.
    await eventually(
      () => fast.local.services.sqs.noisyTenants(queue.name),
      (noisy) => noisy.includes('slow'),
      { what: 'slow noisy by its processing-time share' },
    );
    await send(fast, queue.url, undefined, 1, 41);
    expect(bodies(await receive(fast, queue.url, 2))).toEqual(['none-41', 'slow-11']);
  });

  it('keeps the order of a queue without MessageGroupIds when messages return from flight', async () => {
    const queue = await newQueue(realTime);
    await send(realTime, queue.url, undefined, 5);
    const [first] = await receive(realTime, queue.url, 1);
    await realTime.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.url,
        ReceiptHandle: first?.ReceiptHandle ?? '',
        VisibilityTimeout: 0,
      }),
    );
    expect(bodies(await receive(realTime, queue.url, 5))).toEqual([
      'none-2',
      'none-3',
      'none-4',
      'none-5',
      'none-1',
    ]);
  });
});
