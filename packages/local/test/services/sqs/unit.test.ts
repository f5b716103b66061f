/** The SQS service's parts on their own: digests, the timing heap, and behaviour that needs its own clock. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../src/common/clock';
import { Faults } from '../../../src/control/faults';
import { AwsError, type ServiceContext } from '../../../src/protocol/service';
import { queueArnFromUrl, queueUrlFromArn, SqsService } from '../../../src/services/sqs';
import { MinHeap } from '../../../src/services/sqs/heap';
import { md5OfAttributes } from '../../../src/services/sqs/md5';
import { type MessageContent, type SqsMessage, SqsQueue } from '../../../src/services/sqs/queue';

describe('MD5 of message attributes', () => {
  // Reference digests of the SQS developer guide's examples and of other SQS implementations' tests.
  it.each([
    [
      'one String attribute',
      { SellerName: { DataType: 'String', StringValue: 'Example Store' } },
      'cd28f3b68aeee4b2eac9c66f2f694b58',
    ],
    [
      'several String attributes, sorted by name',
      {
        Region: { DataType: 'String', StringValue: 'WA' },
        City: { DataType: 'String', StringValue: 'Any City' },
        SellerName: { DataType: 'String', StringValue: 'Example Store' },
        PostalCode: { DataType: 'String', StringValue: '99065' },
      },
      '66d793da93becb551e41562575418975',
    ],
    [
      'String and Number attributes',
      {
        City: { DataType: 'String', StringValue: 'Any City' },
        PostalCode: { DataType: 'String', StringValue: '99065' },
        PricePerGallon: { DataType: 'Number', StringValue: '1.99' },
        Region: { DataType: 'String', StringValue: 'WA' },
        SellerName: { DataType: 'String', StringValue: 'Example Store' },
      },
      '10809b55e3d9b22c17220b7dbaf283ef',
    ],
    [
      'a Binary attribute',
      {
        test_attribute_name: {
          DataType: 'Binary',
          BinaryValue: Buffer.from('test_attribute_value').toString('base64'),
        },
      },
      '23f6bd27ea87aab7dfeadcc9aebee495',
    ],
  ])('matches the reference digest for %s', (_what, attributes, digest) => {
    expect(md5OfAttributes(attributes)).toBe(digest);
  });

  it('is undefined when there are no attributes', () => {
    expect(md5OfAttributes({})).toBeUndefined();
  });
});

describe('MinHeap', () => {
  it('pops items in order of their time, whatever order they were pushed in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000 })), (times) => {
        const heap = new MinHeap<{ at: number }>();
        for (const at of times) heap.push({ at });
        const popped: number[] = [];
        for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item.at);
        expect(popped).toEqual([...times].sort((a, b) => a - b));
        expect(heap.size).toBe(0);
      }),
    );
  });
});

/** A fair-queue reference: every rule applied by scanning every message, at one instant (no time passes). */
class ReferenceFairQueue {
  readonly #messages = new Map<number, { tenant?: string; state: 'visible' | 'inflight'; order: number }>();
  readonly #noisy = new Set<string>();
  #order = 0;

  send(seq: number, tenant: string | undefined): void {
    this.#messages.set(seq, {
      ...(tenant === undefined ? {} : { tenant }),
      state: 'visible',
      order: ++this.#order,
    });
  }

  /** The seq of each message a receive of `max` takes, in order. */
  receive(max: number): number[] {
    const out: number[] = [];
    // Detection runs when a receive starts and whenever a message goes in flight.
    this.#detect();
    while (out.length < max) {
      const visible = [...this.#messages].filter(([, m]) => m.state === 'visible');
      const quiet = visible.filter(([, m]) => m.tenant === undefined || !this.#noisy.has(m.tenant));
      const byOrder = (a: [number, { order: number }], b: [number, { order: number }]) =>
        a[1].order - b[1].order;
      let pick = quiet.sort(byOrder)[0];
      if (pick === undefined) {
        const inFlight = (tenant: string | undefined) =>
          [...this.#messages.values()].filter((m) => m.tenant === tenant && m.state === 'inflight').length;
        pick = visible.sort((a, b) => inFlight(a[1].tenant) - inFlight(b[1].tenant) || byOrder(a, b))[0];
      }
      if (pick === undefined) break;
      pick[1].state = 'inflight';
      out.push(pick[0]);
      this.#detect();
    }
    return out;
  }

  delete(seq: number): void {
    this.#messages.delete(seq);
    this.#drained();
  }

  /** Visibility timeout 0: visible again, after every message visible now. */
  release(seq: number): void {
    const m = this.#messages.get(seq);
    if (m !== undefined) Object.assign(m, { state: 'visible', order: ++this.#order });
  }

  inFlight(): number[] {
    return [...this.#messages].filter(([, m]) => m.state === 'inflight').map(([seq]) => seq);
  }

  #detect(): void {
    this.#drained();
    const all = [...this.#messages.values()];
    const total = all.filter((m) => m.state === 'inflight').length;
    for (const tenant of new Set(all.map((m) => m.tenant))) {
      if (tenant === undefined) continue;
      const mine = all.filter((m) => m.tenant === tenant);
      const inFlight = mine.filter((m) => m.state === 'inflight').length;
      const waiting = mine.length - inFlight;
      if (waiting > 0 && inFlight >= 30 && inFlight > 0.1 * total) this.#noisy.add(tenant);
    }
  }

  #drained(): void {
    for (const tenant of this.#noisy) {
      const waiting = [...this.#messages.values()].some((m) => m.tenant === tenant && m.state === 'visible');
      if (!waiting) this.#noisy.delete(tenant);
    }
  }
}

describe('fair-queue order', () => {
  const NOW = 1_800_000_000_000;
  const content = (seq: number, tenant: string | undefined): MessageContent => ({
    id: `m${seq}`,
    body: String(seq),
    md5OfBody: '',
    attributes: {},
    md5OfAttributes: undefined,
    systemAttributes: {},
    md5OfSystemAttributes: undefined,
    groupId: tenant,
    senderId: 'test',
    sentAt: NOW,
    receiveCount: 0,
    firstReceiveAt: undefined,
  });
  const tenant = fc.constantFrom('a', 'b', 'c', undefined);
  // Mostly receives, so that tenants reach 30 in flight and turn noisy in most runs.
  const operation = fc.oneof(
    {
      arbitrary: fc.record({
        op: fc.constant('send' as const),
        tenant,
        count: fc.integer({ min: 1, max: 40 }),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({ op: fc.constant('receive' as const), count: fc.integer({ min: 1, max: 10 }) }),
      weight: 6,
    },
    {
      arbitrary: fc.record({
        op: fc.constant('delete' as const),
        pick: fc.nat(),
        count: fc.integer({ min: 1, max: 20 }),
      }),
      weight: 1,
    },
    { arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }), weight: 1 },
  );

  it('matches a reference that applies the concurrency rule by scanning every message', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 20, maxLength: 120 }), (operations) => {
        const queue = new SqsQueue('fair', 'arn:aws:sqs:us-east-1:000000000000:fair', NOW, new SimClock());
        const reference = new ReferenceFairQueue();
        const received = new Map<number, SqsMessage>();
        let token = 0;
        const hooks = { deadLetter: () => false, duplicate: () => false, nextToken: () => ++token };
        let seq = 0;
        for (const step of operations) {
          if (step.op === 'send') {
            for (let i = 0; i < step.count; i++) {
              queue.enqueue(content(++seq, step.tenant), seq, 0, NOW);
              reference.send(seq, step.tenant);
            }
          } else if (step.op === 'receive') {
            const got = queue.receive(step.count, 3_600_000, NOW, hooks);
            for (const msg of got) received.set(msg.seq, msg);
            expect(got.map((m) => m.seq)).toEqual(reference.receive(step.count));
          } else {
            const inFlight = reference.inFlight();
            const count = step.op === 'delete' ? step.count : 1;
            for (const seqOf of inFlight.slice(step.pick % Math.max(1, inFlight.length)).slice(0, count)) {
              const msg = received.get(seqOf);
              if (msg === undefined) throw new Error(`message ${seqOf} was never received`);
              if (step.op === 'delete') {
                queue.delete(seqOf, msg.token, NOW);
                reference.delete(seqOf);
              } else {
                queue.changeVisibility(seqOf, msg.token, 0, NOW, 'handle');
                reference.release(seqOf);
              }
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('queue URLs and ARNs', () => {
  it('converts between a queue URL and its ARN', () => {
    expect(queueArnFromUrl('http://127.0.0.1:4566/000000000000/work', 'us-east-1')).toBe(
      'arn:aws:sqs:us-east-1:000000000000:work',
    );
    expect(queueUrlFromArn('arn:aws:sqs:us-east-1:000000000000:work', 'http://127.0.0.1:4566')).toBe(
      'http://127.0.0.1:4566/000000000000/work',
    );
  });
});

/** A service on a real-time clock (timeScale 1), driven through handle() as the front door drives it. */
function service(): {
  sqs: SqsService;
  call: (
    operation: string,
    input: Record<string, unknown>,
    context?: ServiceContext,
  ) => Promise<Record<string, unknown>>;
  ctx: ServiceContext;
} {
  const clock = new SimClock(1);
  const faults = new Faults(() => 0.5);
  const sqs = new SqsService({ clock, faults, random: () => 0.25 });
  const ctx: ServiceContext = {
    clock,
    faults,
    random: () => 0.25,
    region: 'us-east-1',
    accountId: '000000000000',
    baseUrl: 'http://127.0.0.1:4566',
  };
  const call = async (operation: string, input: Record<string, unknown>, context = ctx) =>
    (await sqs.handle(operation, input, context)) as Record<string, unknown>;
  return { sqs, call, ctx };
}

describe('SqsService', () => {
  it('ends a parked long poll with an empty answer when closed', async () => {
    const { sqs, call } = service();
    const { QueueUrl } = await call('CreateQueue', { QueueName: 'idle' });
    const polling = call('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 20 });
    expect(sqs.waitingReceives('idle')).toBe(1);
    sqs.close();
    expect(await polling).toEqual({});
    expect(sqs.waitingReceives()).toBe(0);
  });

  it('makes the messages of a receive whose answer was lost visible again at once', async () => {
    const { call, ctx } = service();
    const { QueueUrl } = await call('CreateQueue', { QueueName: 'lost' });
    await call('SendMessage', { QueueUrl, MessageBody: 'never seen' });
    const undos: (() => void)[] = [];
    const lost = await call(
      'ReceiveMessage',
      { QueueUrl, WaitTimeSeconds: 20 },
      {
        ...ctx,
        onUndelivered: (undo) => undos.push(undo),
      },
    );
    expect(lost.Messages).toHaveLength(1);
    expect(await call('ReceiveMessage', { QueueUrl })).toEqual({});
    for (const undo of undos) undo();
    const again = await call('ReceiveMessage', { QueueUrl, AttributeNames: ['ApproximateReceiveCount'] });
    expect(again.Messages).toEqual([
      expect.objectContaining({ Body: 'never seen', Attributes: { ApproximateReceiveCount: '2' } }),
    ]);
  });

  it('withdraws a parked long poll when its client goes away, and answers it empty', async () => {
    const { sqs, call, ctx } = service();
    const { QueueUrl } = await call('CreateQueue', { QueueName: 'left' });
    const controller = new AbortController();
    const polling = call(
      'ReceiveMessage',
      { QueueUrl, WaitTimeSeconds: 20 },
      { ...ctx, signal: controller.signal },
    );
    expect(sqs.waitingReceives('left')).toBe(1);
    controller.abort();
    expect(await polling).toEqual({});
    expect(sqs.waitingReceives('left')).toBe(0);
    await call('SendMessage', { QueueUrl, MessageBody: 'for the next one' });
    expect((await call('ReceiveMessage', { QueueUrl })).Messages).toEqual([
      expect.objectContaining({ Body: 'for the next one' }),
    ]);
  });

  it('answers a receive at once after close, without parking it', async () => {
    const { sqs, call } = service();
    const { QueueUrl } = await call('CreateQueue', { QueueName: 'closed' });
    sqs.close();
    expect(await call('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 20 })).toEqual({});
  });

  it('cancels a rate-limited message move task, reporting how many messages it moved', async () => {
    const { sqs, call } = service();
    const dlq = await call('CreateQueue', { QueueName: 'dlq' });
    const target = await call('CreateQueue', { QueueName: 'target' });
    const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:dlq';
    await call('CreateQueue', {
      QueueName: 'source',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
    });
    for (let i = 0; i < 3; i++) await call('SendMessage', { QueueUrl: dlq.QueueUrl, MessageBody: `m${i}` });
    // One message per real second: the task is still running when it is cancelled.
    const { TaskHandle } = await call('StartMessageMoveTask', {
      SourceArn: dlqArn,
      DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:target',
      MaxNumberOfMessagesPerSecond: 1,
    });
    const running = await call('ListMessageMoveTasks', { SourceArn: dlqArn });
    expect(running.Results).toEqual([
      expect.objectContaining({ Status: 'RUNNING', TaskHandle, ApproximateNumberOfMessagesToMove: 3 }),
    ]);
    await expect(call('StartMessageMoveTask', { SourceArn: dlqArn })).rejects.toMatchObject({
      code: 'UnsupportedOperation',
    });
    const cancelled = await call('CancelMessageMoveTask', { TaskHandle });
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeLessThan(3);
    const after = await call('ListMessageMoveTasks', { SourceArn: dlqArn, MaxResults: 10 });
    expect(after.Results).toEqual([expect.objectContaining({ Status: 'CANCELLED' })]);
    const moved = Number(cancelled.ApproximateNumberOfMessagesMoved);
    const counts = await call('GetQueueAttributes', {
      QueueUrl: target.QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    });
    expect(counts.Attributes).toEqual({ ApproximateNumberOfMessages: String(moved) });
    await expect(call('CancelMessageMoveTask', { TaskHandle })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    sqs.close();
  });

  it('refuses a JSON member of the wrong type with a SerializationException naming it', async () => {
    const { call } = service();
    const { QueueUrl } = await call('CreateQueue', { QueueName: 'typed' });
    const error = await call('SendMessage', { QueueUrl, MessageBody: 'x', DelaySeconds: 'soon' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({
      code: 'SerializationException',
      message: expect.stringContaining('DelaySeconds'),
    });
  });

  it('refuses a queue that names itself as its dead-letter queue', async () => {
    const { call } = service();
    const { QueueUrl } = await call('CreateQueue', { QueueName: 'self' });
    const policy = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:self',
      maxReceiveCount: 1,
    });
    await expect(
      call('SetQueueAttributes', { QueueUrl, Attributes: { RedrivePolicy: policy } }),
    ).rejects.toMatchObject({
      code: 'InvalidParameterValue',
    });
  });
});
