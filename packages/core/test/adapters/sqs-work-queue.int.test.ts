import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  clientConfig,
  countCalls,
  describeOnTarget,
  expectFailure,
  type FlakyBatchProxy,
  localAws,
  localOnly,
  notOnMoto,
  startFlakyBatchProxy,
  useTarget,
} from '@flink-snapshots/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../src/adapters/sqs-work-queue';
import { InvalidRequestError, ServiceUnavailableError, ThrottledError } from '../../src/domain/errors';
import type { SendEntry } from '../../src/domain/work-message';

const target = useTarget();
let sqs: SQSClient;
let queueUrl: string;
let queueNumber = 0;
const proxies: FlakyBatchProxy[] = [];
const clients: SQSClient[] = [];

beforeAll(async () => {
  sqs = new SQSClient(clientConfig(target));
});

beforeEach(async () => {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `work-${++queueNumber}` }));
  queueUrl = created.QueueUrl ?? '';
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const proxy of proxies.splice(0)) await proxy.stop();
});

afterAll(async () => {
  sqs.destroy();
});

/** A client through a proxy failing the entries `fails` picks, on SQS's side. */
async function flakyClient(
  fails: (id: string, call: number) => boolean,
  code?: string,
): Promise<{
  client: SQSClient;
  proxy: FlakyBatchProxy;
}> {
  const proxy = await startFlakyBatchProxy(target.url, fails, code);
  proxies.push(proxy);
  const client = new SQSClient(clientConfig(proxy.url));
  clients.push(client);
  return { client, proxy };
}

/** Records the backoffs asked for instead of waiting. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

async function queued(): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

const entries = (ids: string[]): SendEntry[] =>
  ids.map((id) => ({ id, body: JSON.stringify({ id }), groupId: 'tenant-a' }));

describeOnTarget('SqsWorkQueue', () => {
  it('sends each entry with its body, delay, message group and string attributes', async () => {
    await new SqsWorkQueue(sqs, queueUrl).sendBatch([
      {
        id: 'now',
        body: '{"step":"snapshot"}',
        groupId: 'tenant-a',
        attributes: { step: 'snapshot', app: 'a/b' },
      },
      { id: 'later', body: '{"step":"poll"}', groupId: 'tenant-b', delaySeconds: 900 },
    ]);

    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    expect(out.Messages).toHaveLength(1);
    const [message] = out.Messages ?? [];
    expect(message?.Body).toBe('{"step":"snapshot"}');
    expect(message?.Attributes?.MessageGroupId).toBe('tenant-a');
    expect(message?.MessageAttributes).toEqual({
      step: { DataType: 'String', StringValue: 'snapshot' },
      app: { DataType: 'String', StringValue: 'a/b' },
    });
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
      }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
  });

  it('makes no call for an empty batch', async () => {
    const calls = countCalls(sqs);
    await new SqsWorkQueue(sqs, queueUrl).sendBatch([]);
    expect(calls.count('SendMessageBatch')).toBe(0);
  });

  it('retries only the entries that failed on the service side, after a backoff', async () => {
    const { client, proxy } = await flakyClient((id, call) => id === 'b' && call === 1);
    const { sleep, waits } = recordingSleep();

    await new SqsWorkQueue(client, queueUrl, { sleep, random: () => 0.5, baseDelayMs: 100 }).sendBatch(
      entries(['a', 'b', 'c']),
    );

    expect(proxy.batches).toEqual([['a', 'b', 'c'], ['b']]);
    expect(waits).toEqual([75]);
    expect(await queued()).toBe(3);
  });

  it('backs off exponentially up to the cap and fails with ServiceUnavailableError naming the entries still failing', async () => {
    const { client, proxy } = await flakyClient((id) => id === 'b' || id === 'c');
    const { sleep, waits } = recordingSleep();
    const queue = new SqsWorkQueue(client, queueUrl, {
      sleep,
      random: () => 1,
      baseDelayMs: 100,
      maxDelayMs: 300,
      maxAttempts: 5,
    });

    const error = await expectFailure(queue.sendBatch(entries(['a', 'b', 'c'])), ServiceUnavailableError);

    expect((error as Error).message).toContain('InternalError for entries b, c after 5 attempts');
    expect(proxy.batches).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
      ['b', 'c'],
      ['b', 'c'],
      ['b', 'c'],
    ]);
    expect(waits).toEqual([100, 200, 300, 300]);
    expect(await queued()).toBe(1);
  });

  it('fails with ThrottledError when the entries still failing were throttled', async () => {
    const { client } = await flakyClient((id) => id === 'b', 'RequestThrottled');
    const { sleep } = recordingSleep();

    const error = await expectFailure(
      new SqsWorkQueue(client, queueUrl, { sleep, maxAttempts: 2 }).sendBatch(entries(['a', 'b'])),
      ThrottledError,
    );

    expect((error as Error).message).toContain('RequestThrottled for entries b after 2 attempts');
  });

  notOnMoto(
    'moto accepts U+0000 in a body; SQS rejects characters outside its allowed set',
    'fails with InvalidRequestError naming the entries SQS rejected as the sender fault, without retrying them',
    async () => {
      const calls = countCalls(sqs);
      const { sleep, waits } = recordingSleep();

      const error = await expectFailure(
        new SqsWorkQueue(sqs, queueUrl, { sleep }).sendBatch([
          ...entries(['good']),
          { id: 'bad', body: 'nul \u0000 inside' },
        ]),
        InvalidRequestError,
      );

      expect(error).toMatchObject({ operation: 'SendMessageBatch', code: 'InvalidMessageContents' });
      expect((error as InvalidRequestError).detail).toContain('bad (InvalidMessageContents:');
      expect(calls.count('SendMessageBatch')).toBe(1);
      expect(waits).toEqual([]);
      expect(await queued()).toBe(1);
    },
  );

  localOnly(
    'fault injection',
    'fails with ThrottledError when the whole call is throttled beyond the client retry',
    async () => {
      localAws(target).faults.add({ kind: 'throttle', service: 'sqs', operation: 'SendMessageBatch' });
      const once = new SQSClient(clientConfig(target, 1));
      clients.push(once);

      const error = await expectFailure(
        new SqsWorkQueue(once, queueUrl).sendBatch(entries(['a'])),
        ThrottledError,
      );

      expect(error).toMatchObject({ operation: 'SendMessageBatch', code: 'RequestThrottled' });
    },
  );
});
