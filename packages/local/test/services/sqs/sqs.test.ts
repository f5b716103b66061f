import { createHash } from 'node:crypto';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidBatchEntryId,
  InvalidMessageContents,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UnsupportedOperation,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local-aws';
import { md5OfAttributes } from '../../../src/services/sqs/md5';

// One simulated second is 10 real milliseconds: visibility timeouts, delays and long polls run fast.
const TIME_SCALE = 0.01;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let local: LocalAws;
let sqs: SQSClient;
let queueCount = 0;

beforeAll(async () => {
  local = await startLocalAws({ port: 0, seed: 11, timeScale: TIME_SCALE });
  sqs = new SQSClient({ endpoint: local.url, region: 'us-east-1', credentials });
});
afterAll(async () => {
  sqs.destroy();
  await local.stop();
});

/** A fresh queue per test, so tests never see each other's messages. */
async function newQueue(
  attributes: Record<string, string> = {},
  prefix = 'q',
): Promise<{ url: string; arn: string; name: string }> {
  const name = `${prefix}-${++queueCount}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = QueueUrl ?? '';
  return { url, arn: `arn:aws:sqs:us-east-1:000000000000:${name}`, name };
}

async function attributes(url: string, ...names: string[]): Promise<Record<string, string>> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: names.length ? (names as never) : ['All'],
    }),
  );
  return out.Attributes ?? {};
}

async function receive(url: string, input: Partial<ReceiveMessageCommandInput> = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0, ...input }));
  return out.Messages ?? [];
}

/** Polls `probe` until it returns a value, for at most `timeoutMs` real milliseconds. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { Code?: string; $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: Error) => error,
  );
}

describe('SQS queues', () => {
  it('creates a queue whose QueueUrl is on this server and whose ARN names the account', async () => {
    const { url, name } = await newQueue({ VisibilityTimeout: '45', DelaySeconds: '3' });
    expect(url).toBe(`${local.url}/000000000000/${name}`);
    const attrs = await attributes(url);
    expect(attrs).toMatchObject({
      QueueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      VisibilityTimeout: '45',
      DelaySeconds: '3',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
    expect(Number(attrs.CreatedTimestamp)).toBeCloseTo(local.clock.now() / 1000, -2);
    expect(attrs.LastModifiedTimestamp).toBe(attrs.CreatedTimestamp);
  });

  it('returns the existing QueueUrl when CreateQueue repeats with equal attributes', async () => {
    const { url, name } = await newQueue({ VisibilityTimeout: '60' });
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '60' } }),
    );
    expect(again.QueueUrl).toBe(url);
  });

  it('fails with QueueNameExists (query code QueueAlreadyExists) when CreateQueue repeats with other attributes', async () => {
    const { name } = await newQueue({ VisibilityTimeout: '60' });
    const error = await rejection(
      sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '61' } })),
    );
    expect(error).toBeInstanceOf(QueueNameExists);
    expect(error.Code).toBe('QueueAlreadyExists');
    expect(error.message).toContain('VisibilityTimeout');
  });

  it('refuses FIFO queues and invalid names with InvalidParameterValue naming the problem', async () => {
    const fifo = await rejection(sqs.send(new CreateQueueCommand({ QueueName: 'work.fifo' })));
    expect(fifo.name).toBe('InvalidParameterValue');
    expect(fifo.message).toContain('FIFO');
    const bad = await rejection(sqs.send(new CreateQueueCommand({ QueueName: 'has space' })));
    expect(bad.name).toBe('InvalidParameterValue');
  });

  it('resolves GetQueueUrl by name and owner, and fails with QueueDoesNotExist otherwise', async () => {
    const { url, name } = await newQueue();
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url);
    expect(
      (await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: '000000000000' })))
        .QueueUrl,
    ).toBe(url);
    const missing = await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })));
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    const otherOwner = sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: '111122223333' }),
    );
    await expect(otherOwner).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('resolves a QueueUrl by the name in its path, whatever its host', async () => {
    const { name } = await newQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`,
        MessageBody: 'x',
      }),
    );
    const other = new SQSClient({
      endpoint: local.url,
      region: 'us-east-1',
      credentials,
      useQueueUrlAsEndpoint: false,
    });
    const attrs = await other.send(
      new GetQueueAttributesCommand({
        QueueUrl: `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    other.destroy();
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('1');
  });

  it('returns only the named attributes, and none when no names are given', async () => {
    const { url } = await newQueue();
    expect(await attributes(url, 'VisibilityTimeout', 'QueueArn')).toEqual({
      VisibilityTimeout: '30',
      QueueArn: expect.stringMatching(/^arn:aws:sqs:/),
    });
    const none = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url }));
    expect(none.Attributes).toBeUndefined();
  });

  it('fails with InvalidAttributeName for an unknown attribute name', async () => {
    const { url } = await newQueue();
    await expect(
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Colour' as never] })),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
    await expect(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Colour: 'blue' } as never })),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
  });

  it('changes attributes with SetQueueAttributes and refuses values out of range', async () => {
    const { url } = await newQueue();
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: { VisibilityTimeout: '120', DelaySeconds: '900' },
      }),
    );
    expect(await attributes(url, 'VisibilityTimeout', 'DelaySeconds')).toEqual({
      VisibilityTimeout: '120',
      DelaySeconds: '900',
    });
    const error = await rejection(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } })),
    );
    expect(error.name).toBe('InvalidAttributeValue');
    expect(error.message).toContain('43200');
  });

  it('refuses a RedrivePolicy whose dead-letter queue does not exist', async () => {
    const { url } = await newQueue();
    const policy = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing-dlq',
      maxReceiveCount: 3,
    });
    const error = await rejection(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: policy } })),
    );
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain('missing-dlq');
  });

  it('refuses a source queue that the dead-letter queue RedriveAllowPolicy denies', async () => {
    const dlq = await newQueue({ RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
    const error = await rejection(
      sqs.send(
        new CreateQueueCommand({
          QueueName: `src-${++queueCount}`,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) },
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain('RedriveAllowPolicy');
  });

  it('lists queues by prefix, page by page with MaxResults and NextToken', async () => {
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push((await newQueue({}, 'listed')).url);
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'listed-' }));
    expect(all.QueueUrls).toEqual(names.sort());
    expect(all.NextToken).toBeUndefined();
    const pages: string[] = [];
    let token: string | undefined;
    do {
      const page = await sqs.send(
        new ListQueuesCommand({ QueueNamePrefix: 'listed-', MaxResults: 2, NextToken: token }),
      );
      expect((page.QueueUrls ?? []).length).toBeLessThanOrEqual(2);
      pages.push(...(page.QueueUrls ?? []));
      token = page.NextToken;
    } while (token !== undefined);
    expect(pages).toEqual(names);
    expect(
      (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'nothing-here' }))).QueueUrls,
    ).toBeUndefined();
  });

  it('deletes a queue, after which it does not exist', async () => {
    const { url } = await newQueue();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('purges every message, and refuses a second purge within 60 seconds', async () => {
    const { url } = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b', DelaySeconds: 900 }));
    await receive(url, { VisibilityTimeout: 3600 });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'c' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(
      await attributes(
        url,
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ),
    ).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: url }))).rejects.toBeInstanceOf(
      PurgeQueueInProgress,
    );
  });

  it('tags queues at creation and with TagQueue, and untags them', async () => {
    const name = `tagged-${++queueCount}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, tags: { team: 'flink' } }));
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { stage: 'dev', cost: 'x' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['cost'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({
      team: 'flink',
      stage: 'dev',
    });
  });

  it('lists the queues that use a queue as their dead-letter queue', async () => {
    const dlq = await newQueue();
    const policy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 });
    const source = await newQueue({ RedrivePolicy: policy });
    const out = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
    expect(out.queueUrls).toEqual([source.url]);
    expect((await attributes(source.url, 'RedrivePolicy')).RedrivePolicy).toBe(policy);
  });
});

describe('SQS long polls whose client goes away', () => {
  // Real time (timeScale 1): the abandoned 20-second poll would otherwise end on its own first.
  let realTime: LocalAws;
  let first: SQSClient;
  let second: SQSClient;

  beforeAll(async () => {
    realTime = await startLocalAws({ port: 0, seed: 12 });
    const config = { endpoint: realTime.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    first = new SQSClient(config);
    second = new SQSClient(config);
  });
  afterAll(async () => {
    first.destroy();
    second.destroy();
    await realTime.stop();
  });

  it('cancels a long poll whose client aborted, so a message sent next goes to the next receive at once', async () => {
    const { QueueUrl } = await second.send(new CreateQueueCommand({ QueueName: 'abandoned' }));
    const controller = new AbortController();
    const abandoned = first
      .send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), {
        abortSignal: controller.signal,
      })
      .catch((error: Error) => error);
    const sqsService = realTime.services.sqs;
    await eventually(
      'the long poll to be parked',
      () => sqsService.waitingReceives('abandoned') === 1 || undefined,
    );
    controller.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });
    await eventually(
      'the server to drop the abandoned poll',
      () => sqsService.waitingReceives('abandoned') === 0 || undefined,
    );

    await second.send(new SendMessageCommand({ QueueUrl, MessageBody: 'after the abort' }));
    const { Messages } = await second.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['after the abort']);
  });
});

describe('SQS messages', () => {
  it('sends and receives a message with attributes whose digests match what the SDK computes', async () => {
    const { url } = await newQueue();
    const messageAttributes = {
      tenant: { DataType: 'String', StringValue: 'acme' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 250]) },
    };
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'héllo\r\nwörld',
        MessageAttributes: messageAttributes,
      }),
    );
    const expected = md5OfAttributes({
      tenant: { DataType: 'String', StringValue: 'acme' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 250]).toString('base64') },
    });
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('héllo\r\nwörld').digest('hex'));
    expect(sent.MD5OfMessageAttributes).toBe(expected);
    const [message] = await receive(url, { MessageAttributeNames: ['All'] });
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('héllo\r\nwörld');
    expect(message?.MD5OfMessageAttributes).toBe(expected);
    expect(message?.MessageAttributes?.tenant).toEqual({ DataType: 'String', StringValue: 'acme' });
    expect(message?.MessageAttributes?.blob?.BinaryValue).toEqual(new Uint8Array([0, 1, 2, 250]));
  });

  it('returns only the message attributes asked for, by name or prefix, with the digest of those', async () => {
    const { url } = await newQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageAttributes: {
          'app.name': { DataType: 'String', StringValue: 'orders' },
          'app.version': { DataType: 'Number', StringValue: '7' },
          severity: { DataType: 'String', StringValue: 'high' },
        },
      }),
    );
    const [message] = await receive(url, { MessageAttributeNames: ['app.*'] });
    expect(Object.keys(message?.MessageAttributes ?? {}).sort()).toEqual(['app.name', 'app.version']);
    expect(message?.MD5OfMessageAttributes).toBe(
      md5OfAttributes({
        'app.name': { DataType: 'String', StringValue: 'orders' },
        'app.version': { DataType: 'Number', StringValue: '7' },
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'y',
        MessageAttributes: { a: { DataType: 'String', StringValue: '1' } },
      }),
    );
    const [plain] = await receive(url);
    expect(plain?.MessageAttributes).toBeUndefined();
    expect(plain?.MD5OfMessageAttributes).toBeUndefined();
  });

  it('returns the system attributes asked for, including MessageGroupId on a standard queue', async () => {
    const { url } = await newQueue();
    const before = Math.floor(local.clock.now());
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'tenant-a' }));
    const [message] = await receive(url, { MessageSystemAttributeNames: ['All'] });
    const attrs = message?.Attributes ?? {};
    expect(attrs.ApproximateReceiveCount).toBe('1');
    expect(attrs.MessageGroupId).toBe('tenant-a');
    expect(attrs.SenderId).toBe('000000000000');
    expect(Number(attrs.SentTimestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(attrs.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(attrs.SentTimestamp),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'y' }));
    const [only] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(only?.Attributes).toEqual({ ApproximateReceiveCount: '1' });
  });

  it('redelivers a message when its visibility timeout expires, with a growing receive count and a new receipt handle', async () => {
    const { url } = await newQueue({ VisibilityTimeout: '2' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const [first] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    // The long poll is woken by the visibility timeout expiring, well before its 20 s end.
    const [second] = await receive(url, {
      WaitTimeSeconds: 20,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
  });

  it('counts visible, in-flight and delayed messages', async () => {
    const { url } = await newQueue();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'visible1', MessageBody: 'a' },
          { Id: 'visible2', MessageBody: 'b' },
          { Id: 'delayed', MessageBody: 'c', DelaySeconds: 900 },
        ],
      }),
    );
    await receive(url, { VisibilityTimeout: 3600 });
    expect(
      await attributes(
        url,
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ),
    ).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
  });

  it('holds a delayed message back until its delay passes, then wakes a waiting long poll', async () => {
    const { url } = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 3 }));
    expect(await receive(url)).toEqual([]);
    const [message] = await receive(url, { WaitTimeSeconds: 20 });
    expect(message?.Body).toBe('later');
  });

  it('applies the queue DelaySeconds to messages sent without their own', async () => {
    const { url } = await newQueue({ DelaySeconds: '900' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'held' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now', DelaySeconds: 0 }));
    const messages = await receive(url, { MaxNumberOfMessages: 10 });
    expect(messages.map((m) => m.Body)).toEqual(['now']);
  });

  it('answers a long poll as soon as a message is sent', async () => {
    const { url, name } = await newQueue();
    const polling = receive(url, { WaitTimeSeconds: 20 });
    await eventually('the long poll to park', () =>
      local.services.sqs.waitingReceives(name) === 1 ? true : undefined,
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const [message] = await polling;
    expect(message?.Body).toBe('wake up');
    expect(local.services.sqs.waitingReceives(name)).toBe(0);
  });

  it('answers a long poll with no messages when none arrives within WaitTimeSeconds', async () => {
    const { url, name } = await newQueue({ ReceiveMessageWaitTimeSeconds: '1' });
    expect(await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).not.toHaveProperty(
      'Messages',
      expect.anything(),
    );
    expect(local.services.sqs.waitingReceives(name)).toBe(0);
  });

  it('receives up to MaxNumberOfMessages and refuses more than 10', async () => {
    const { url } = await newQueue();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` })),
      }),
    );
    const [batch, rest] = [
      await receive(url, { MaxNumberOfMessages: 7 }),
      await receive(url, { MaxNumberOfMessages: 10 }),
    ];
    expect(batch).toHaveLength(7);
    expect(rest).toHaveLength(3);
    expect(new Set([...batch, ...rest].map((m) => m.Body)).size).toBe(10);
    const error = await rejection(receive(url, { MaxNumberOfMessages: 11 }));
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain('MaxNumberOfMessages');
  });

  it('makes a message visible at once with ChangeMessageVisibility 0, and refuses it for a message not in flight', async () => {
    const { url } = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const [message] = await receive(url, { VisibilityTimeout: 3600 });
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect((await attributes(url, 'ApproximateNumberOfMessages')).ApproximateNumberOfMessages).toBe('1');
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 10,
        }),
      ),
    ).rejects.toBeInstanceOf(MessageNotInflight);
  });

  it('extends or ends visibility per entry with ChangeMessageVisibilityBatch', async () => {
    const { url } = await newQueue();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      }),
    );
    const messages = await receive(url, { MaxNumberOfMessages: 2, VisibilityTimeout: 3600 });
    const out = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'zero', ReceiptHandle: messages[0]?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'bad', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(out.Successful).toEqual([{ Id: 'zero' }]);
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    expect((await attributes(url, 'ApproximateNumberOfMessages')).ApproximateNumberOfMessages).toBe('1');
  });

  it('deletes a message only with its latest receipt handle; a stale one succeeds without deleting, as on AWS', async () => {
    const { url } = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const [first] = await receive(url, { VisibilityTimeout: 0 });
    const [second] = await receive(url, { VisibilityTimeout: 3600 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
    expect(
      (await attributes(url, 'ApproximateNumberOfMessagesNotVisible')).ApproximateNumberOfMessagesNotVisible,
    ).toBe('1');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second?.ReceiptHandle }));
    expect(
      (await attributes(url, 'ApproximateNumberOfMessagesNotVisible')).ApproximateNumberOfMessagesNotVisible,
    ).toBe('0');
    // Deleting again (the message is gone) also succeeds.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second?.ReceiptHandle }));
  });

  it('fails with ReceiptHandleIsInvalid for an unparsable handle or one from another queue', async () => {
    const a = await newQueue();
    const b = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: a.url, MessageBody: 'x' }));
    const [message] = await receive(a.url);
    const garbage = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: a.url, ReceiptHandle: 'garbage!' })),
    );
    expect(garbage).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(garbage.message).toContain('garbage!');
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: b.url, ReceiptHandle: message?.ReceiptHandle })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('fails only the bad entry of a SendMessageBatch (invalid DelaySeconds)', async () => {
    const { url } = await newQueue();
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'fine' },
          { Id: 'late', MessageBody: 'too late', DelaySeconds: 901 },
          {
            Id: 'ok2',
            MessageBody: 'fine too',
            MessageAttributes: { n: { DataType: 'Number', StringValue: '1.5' } },
          },
        ],
      }),
    );
    expect(out.Successful?.map((e) => e.Id)).toEqual(['ok', 'ok2']);
    expect(out.Successful?.[1]?.MD5OfMessageAttributes).toBe(
      md5OfAttributes({ n: { DataType: 'Number', StringValue: '1.5' } }),
    );
    expect(out.Failed).toEqual([
      {
        Id: 'late',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message: expect.stringContaining('DelaySeconds'),
      },
    ]);
    expect((await attributes(url, 'ApproximateNumberOfMessages')).ApproximateNumberOfMessages).toBe('2');
  });

  it.each([
    ['no entries', [], EmptyBatchRequest],
    [
      '11 entries',
      Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })),
      TooManyEntriesInBatchRequest,
    ],
    [
      'a repeated Id',
      [
        { Id: 'same', MessageBody: 'x' },
        { Id: 'same', MessageBody: 'y' },
      ],
      BatchEntryIdsNotDistinct,
    ],
    ['an Id with a dot', [{ Id: 'a.b', MessageBody: 'x' }], InvalidBatchEntryId],
    [
      'over 1 MiB in total',
      Array.from({ length: 5 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x'.repeat(250_000) })),
      BatchRequestTooLong,
    ],
  ])('fails a whole SendMessageBatch with %s', async (_what, entries, errorClass) => {
    const { url } = await newQueue();
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })),
    ).rejects.toBeInstanceOf(errorClass);
  });

  it('deletes per entry with DeleteMessageBatch, failing a bad handle alone', async () => {
    const { url } = await newQueue();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      }),
    );
    const messages = await receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 3600 });
    const out = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: '%%%' },
        ],
      }),
    );
    expect(out.Successful?.map((e) => e.Id)).toEqual(['d0', 'd1']);
    expect(out.Failed?.map((e) => [e.Id, e.Code])).toEqual([['bad', 'ReceiptHandleIsInvalid']]);
    expect(
      (await attributes(url, 'ApproximateNumberOfMessagesNotVisible')).ApproximateNumberOfMessagesNotVisible,
    ).toBe('0');
  });

  it('refuses bodies that are empty, too large or hold characters SQS does not allow', async () => {
    const { url } = await newQueue({ MaximumMessageSize: '1024' });
    const empty = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })));
    expect(empty.name).toBe('MissingParameter');
    const large = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })),
    );
    expect(large.name).toBe('InvalidParameterValue');
    expect(large.message).toContain('1024');
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell \u0007' })),
    ).rejects.toBeInstanceOf(InvalidMessageContents);
  });

  it.each([
    ['an unknown data type', { a: { DataType: 'Text', StringValue: 'x' } }, 'Binary, Number, String'],
    ['a Number that is not a number', { a: { DataType: 'Number', StringValue: 'twelve' } }, 'number'],
    ['a String without a value', { a: { DataType: 'String' } }, 'non-empty'],
    ['a reserved name', { 'AWS.thing': { DataType: 'String', StringValue: 'x' } }, 'AWS.'],
  ])('refuses a message attribute with %s', async (_what, messageAttributes, hint) => {
    const { url } = await newQueue();
    const error = await rejection(
      sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: messageAttributes }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain(hint);
  });

  it('expires messages older than MessageRetentionPeriod', async () => {
    const { url } = await newQueue({ MessageRetentionPeriod: '60' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'short-lived' }));
    expect((await attributes(url, 'ApproximateNumberOfMessages')).ApproximateNumberOfMessages).toBe('1');
    await eventually('the message to expire', async () =>
      (await attributes(url, 'ApproximateNumberOfMessages')).ApproximateNumberOfMessages === '0'
        ? true
        : undefined,
    );
    expect(await receive(url)).toEqual([]);
  });

  it('moves a message to the dead-letter queue on the receive after maxReceiveCount, keeping its id and count', async () => {
    const dlq = await newQueue();
    const source = await newQueue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'poison' }));
    expect(await receive(source.url, { VisibilityTimeout: 0 })).toHaveLength(1);
    expect(await receive(source.url, { VisibilityTimeout: 0 })).toHaveLength(1);
    expect(await receive(source.url, { VisibilityTimeout: 0 })).toEqual([]);
    // AttributeNames is the older name of MessageSystemAttributeNames; both are served.
    const [dead] = await receive(dlq.url, { AttributeNames: ['All'] });
    expect(dead?.MessageId).toBe(sent.MessageId);
    expect(dead?.Body).toBe('poison');
    expect(dead?.Attributes?.ApproximateReceiveCount).toBe('3');
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(source.arn);
    expect((await attributes(source.url, 'ApproximateNumberOfMessages')).ApproximateNumberOfMessages).toBe(
      '0',
    );
  });

  it('redrives dead-lettered messages back to their source queue with StartMessageMoveTask', async () => {
    const dlq = await newQueue();
    const source = await newQueue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: source.url,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      }),
    );
    expect(await receive(source.url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).toHaveLength(2);
    expect(await receive(source.url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).toEqual([]);
    expect((await attributes(dlq.url, 'ApproximateNumberOfMessages')).ApproximateNumberOfMessages).toBe('2');

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    expect(TaskHandle).toBeTruthy();
    const task = await eventually('the move task to complete', async () => {
      const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
      return Results?.[0]?.Status === 'COMPLETED' ? Results[0] : undefined;
    });
    expect(task).toMatchObject({
      SourceArn: dlq.arn,
      ApproximateNumberOfMessagesMoved: 2,
      ApproximateNumberOfMessagesToMove: 2,
    });
    expect(task.TaskHandle).toBeUndefined();
    const back = await receive(source.url, {
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
    expect(back.map((m) => m.Body).sort()).toEqual(['a', 'b']);
    expect(back.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['1', '1']);
  });

  it('refuses StartMessageMoveTask from a queue that is no dead-letter queue', async () => {
    const plain = await newQueue();
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn }))).rejects.toBeInstanceOf(
      UnsupportedOperation,
    );
    const missing = await rejection(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' })),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('delivers a message twice under the duplicate-delivery fault, each time with its own receipt handle', async () => {
    const { url } = await newQueue();
    const rule = local.faults.add({ kind: 'duplicate-delivery', service: 'sqs', limit: 1 });
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'twice' }));
      const [first] = await receive(url, { VisibilityTimeout: 3600 });
      const [second] = await receive(url, { VisibilityTimeout: 3600 });
      expect(second?.MessageId).toBe(first?.MessageId);
      expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
      expect(await receive(url)).toEqual([]);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second?.ReceiptHandle }));
      expect(
        (await attributes(url, 'ApproximateNumberOfMessagesNotVisible'))
          .ApproximateNumberOfMessagesNotVisible,
      ).toBe('0');
    } finally {
      local.faults.remove(rule.id);
    }
  });

  it('takes messages delivered by SNS through deliver(), with their attributes', async () => {
    const { url, arn } = await newQueue();
    local.services.sqs.deliver(arn, '{"Message":"hi"}', {
      severity: { DataType: 'String', StringValue: 'high' },
      raw: { DataType: 'Binary', BinaryValue: Buffer.from('bytes').toString('base64') },
    });
    const [message] = await receive(url, { MessageAttributeNames: ['All'] });
    expect(message?.Body).toBe('{"Message":"hi"}');
    expect(message?.MessageAttributes?.severity?.StringValue).toBe('high');
    expect(Buffer.from(message?.MessageAttributes?.raw?.BinaryValue ?? []).toString()).toBe('bytes');
    expect(() => local.services.sqs.deliver('arn:aws:sqs:us-east-1:000000000000:gone', 'x')).toThrow(
      /does not exist/,
    );
  });

  it('fails with MissingParameter when a required parameter is absent', async () => {
    const error = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl: undefined, MessageBody: 'x' } as never)),
    );
    expect(error.name).toBe('MissingParameter');
    expect(error.message).toContain('QueueUrl');
  });
});
