/**
 * SQS in the query protocol (form-encoded requests, XML answers), as the AWS CLI 2.9 and older SDKs
 * speak it. No query-protocol SQS client is installed, so requests are built by hand as those clients
 * serialize them.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local-aws';
import { md5OfAttributes } from '../../../src/services/sqs/md5';

let local: LocalAws;
let queueCount = 0;

beforeAll(async () => {
  local = await startLocalAws({ port: 0, seed: 5, timeScale: 0.01 });
});
afterAll(async () => {
  await local.stop();
});

interface Answer {
  readonly status: number;
  readonly xml: string;
}

async function query(action: string, params: Record<string, string> = {}, path = '/'): Promise<Answer> {
  const response = await fetch(`${local.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: action, Version: '2012-11-05', ...params }),
  });
  return { status: response.status, xml: await response.text() };
}

/** Inner XML of every `<tag>` element (not nested in itself). */
function elements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

function text(xml: string, tag: string): string | undefined {
  const inner = elements(xml, tag)[0];
  return inner === undefined ? undefined : unescapeXml(inner);
}

function unescapeXml(xml: string): string {
  return xml
    .replace(/&#xD;/g, '\r')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** `<Attribute><Name>n</Name><Value>v</Value></Attribute>`… as a record. */
function nameValues(xml: string, tag = 'Attribute'): Record<string, string> {
  return Object.fromEntries(elements(xml, tag).map((e) => [text(e, 'Name') ?? '', text(e, 'Value') ?? '']));
}

async function newQueue(params: Record<string, string> = {}): Promise<string> {
  const answer = await query('CreateQueue', { QueueName: `query-${++queueCount}`, ...params });
  expect(answer.status).toBe(200);
  return text(answer.xml, 'QueueUrl') ?? '';
}

describe('SQS in the query protocol', () => {
  it('creates a queue from Attribute.N.Name/Value and answers with its QueueUrl', async () => {
    const answer = await query('CreateQueue', {
      QueueName: 'query-created',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '90',
      'Attribute.2.Name': 'DelaySeconds',
      'Attribute.2.Value': '2',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'flink',
    });
    expect(answer.status).toBe(200);
    expect(answer.xml).toContain('<CreateQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">');
    const url = text(answer.xml, 'CreateQueueResult');
    expect(url).toBe(`<QueueUrl>${local.url}/000000000000/query-created</QueueUrl>`);
    const attrs = await query('GetQueueAttributes', {
      QueueUrl: `${local.url}/000000000000/query-created`,
      'AttributeName.1': 'VisibilityTimeout',
      'AttributeName.2': 'DelaySeconds',
      'AttributeName.3': 'QueueArn',
    });
    expect(nameValues(attrs.xml)).toEqual({
      VisibilityTimeout: '90',
      DelaySeconds: '2',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:query-created',
    });
    const tags = await query('ListQueueTags', { QueueUrl: `${local.url}/000000000000/query-created` });
    expect(elements(tags.xml, 'Tag').map((t) => [text(t, 'Key'), text(t, 'Value')])).toEqual([
      ['team', 'flink'],
    ]);
  });

  it('sends with MessageAttribute.N and answers with the digests of body and attributes', async () => {
    const url = await newQueue();
    const answer = await query('SendMessage', {
      QueueUrl: url,
      MessageBody: 'a & b < c',
      'MessageAttribute.1.Name': 'tenant',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'acme',
      'MessageAttribute.2.Name': 'raw',
      'MessageAttribute.2.Value.DataType': 'Binary',
      'MessageAttribute.2.Value.BinaryValue': Buffer.from([9, 8, 7]).toString('base64'),
    });
    expect(answer.status).toBe(200);
    expect(text(answer.xml, 'MD5OfMessageBody')).toBe(createHash('md5').update('a & b < c').digest('hex'));
    expect(text(answer.xml, 'MD5OfMessageAttributes')).toBe(
      md5OfAttributes({
        tenant: { DataType: 'String', StringValue: 'acme' },
        raw: { DataType: 'Binary', BinaryValue: Buffer.from([9, 8, 7]).toString('base64') },
      }),
    );
    expect(text(answer.xml, 'MessageId')).toMatch(/^[0-9a-f]{8}-/);
  });

  it('answers ReceiveMessage with <Message> elements holding <Attribute> and <MessageAttribute> entries', async () => {
    const url = await newQueue();
    await query('SendMessage', {
      QueueUrl: url,
      MessageBody: 'line one\r\nline "two"',
      MessageGroupId: 'tenant-b',
      'MessageAttribute.1.Name': 'count',
      'MessageAttribute.1.Value.DataType': 'Number',
      'MessageAttribute.1.Value.StringValue': '42',
    });
    const answer = await query('ReceiveMessage', {
      QueueUrl: url,
      'AttributeName.1': 'All',
      'MessageAttributeName.1': 'All',
      MaxNumberOfMessages: '10',
    });
    const [message] = elements(answer.xml, 'Message');
    expect(message).toBeDefined();
    const m = message ?? '';
    expect(text(m, 'Body')).toBe('line one\r\nline "two"');
    expect(m).toContain('&#xD;');
    expect(text(m, 'MD5OfBody')).toBe(createHash('md5').update('line one\r\nline "two"').digest('hex'));
    expect(text(m, 'ReceiptHandle')).toBeTruthy();
    const attrs = nameValues(m);
    expect(attrs).toMatchObject({
      ApproximateReceiveCount: '1',
      MessageGroupId: 'tenant-b',
      SenderId: '000000000000',
    });
    expect(Number(attrs.SentTimestamp)).toBeGreaterThan(0);
    const [attribute] = elements(m, 'MessageAttribute');
    expect(text(attribute ?? '', 'Name')).toBe('count');
    expect(text(attribute ?? '', 'DataType')).toBe('Number');
    expect(text(attribute ?? '', 'StringValue')).toBe('42');
    expect(text(m, 'MD5OfMessageAttributes')).toBe(
      md5OfAttributes({ count: { DataType: 'Number', StringValue: '42' } }),
    );
  });

  it('answers an empty ReceiveMessage without <Message> elements', async () => {
    const url = await newQueue();
    const answer = await query('ReceiveMessage', { QueueUrl: url });
    expect(answer.status).toBe(200);
    expect(answer.xml).toContain('<ReceiveMessageResponse');
    expect(elements(answer.xml, 'Message')).toEqual([]);
  });

  it('renders SendMessageBatch successes and per-entry failures', async () => {
    const url = await newQueue();
    const answer = await query('SendMessageBatch', {
      QueueUrl: url,
      'SendMessageBatchRequestEntry.1.Id': 'ok',
      'SendMessageBatchRequestEntry.1.MessageBody': 'fine',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'k',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'v',
      'SendMessageBatchRequestEntry.2.Id': 'late',
      'SendMessageBatchRequestEntry.2.MessageBody': 'too late',
      'SendMessageBatchRequestEntry.2.DelaySeconds': '901',
    });
    expect(answer.status).toBe(200);
    const [ok] = elements(answer.xml, 'SendMessageBatchResultEntry');
    expect(text(ok ?? '', 'Id')).toBe('ok');
    expect(text(ok ?? '', 'MD5OfMessageBody')).toBe(createHash('md5').update('fine').digest('hex'));
    expect(text(ok ?? '', 'MD5OfMessageAttributes')).toBe(
      md5OfAttributes({ k: { DataType: 'String', StringValue: 'v' } }),
    );
    const [failed] = elements(answer.xml, 'BatchResultErrorEntry');
    expect(text(failed ?? '', 'Id')).toBe('late');
    expect(text(failed ?? '', 'SenderFault')).toBe('true');
    expect(text(failed ?? '', 'Code')).toBe('InvalidParameterValue');
  });

  it('renders DeleteMessageBatch and ChangeMessageVisibilityBatch results per entry', async () => {
    const url = await newQueue();
    await query('SendMessageBatch', {
      QueueUrl: url,
      'SendMessageBatchRequestEntry.1.Id': 'a',
      'SendMessageBatchRequestEntry.1.MessageBody': 'a',
      'SendMessageBatchRequestEntry.2.Id': 'b',
      'SendMessageBatchRequestEntry.2.MessageBody': 'b',
    });
    const received = await query('ReceiveMessage', {
      QueueUrl: url,
      MaxNumberOfMessages: '2',
      VisibilityTimeout: '3600',
    });
    const [first, second] = elements(received.xml, 'ReceiptHandle');
    const changed = await query('ChangeMessageVisibilityBatch', {
      QueueUrl: url,
      'ChangeMessageVisibilityBatchRequestEntry.1.Id': 'c1',
      'ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle': first ?? '',
      'ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout': '7200',
    });
    expect(
      elements(changed.xml, 'ChangeMessageVisibilityBatchResultEntry').map((e) => text(e, 'Id')),
    ).toEqual(['c1']);
    const deleted = await query('DeleteMessageBatch', {
      QueueUrl: url,
      'DeleteMessageBatchRequestEntry.1.Id': 'd1',
      'DeleteMessageBatchRequestEntry.1.ReceiptHandle': first ?? '',
      'DeleteMessageBatchRequestEntry.2.Id': 'd2',
      'DeleteMessageBatchRequestEntry.2.ReceiptHandle': second ?? '',
      'DeleteMessageBatchRequestEntry.3.Id': 'bad',
      'DeleteMessageBatchRequestEntry.3.ReceiptHandle': 'nonsense!',
    });
    expect(elements(deleted.xml, 'DeleteMessageBatchResultEntry').map((e) => text(e, 'Id'))).toEqual([
      'd1',
      'd2',
    ]);
    expect(elements(deleted.xml, 'BatchResultErrorEntry').map((e) => text(e, 'Code'))).toEqual([
      'ReceiptHandleIsInvalid',
    ]);
  });

  it('lists queues as <QueueUrl> elements, with NextToken when paginated', async () => {
    for (let i = 0; i < 3; i++) await query('CreateQueue', { QueueName: `paged-${i}` });
    const answer = await query('ListQueues', { QueueNamePrefix: 'paged-', MaxResults: '2' });
    expect(elements(answer.xml, 'QueueUrl')).toEqual([
      `${local.url}/000000000000/paged-0`,
      `${local.url}/000000000000/paged-1`,
    ]);
    const next = await query('ListQueues', {
      QueueNamePrefix: 'paged-',
      MaxResults: '2',
      NextToken: text(answer.xml, 'NextToken') ?? '',
    });
    expect(elements(next.xml, 'QueueUrl')).toEqual([`${local.url}/000000000000/paged-2`]);
    expect(text(next.xml, 'NextToken')).toBeUndefined();
  });

  it('accepts actions POSTed to the queue URL without a QueueUrl parameter', async () => {
    const url = await newQueue();
    const path = new URL(url).pathname;
    expect((await query('SendMessage', { MessageBody: 'by path' }, path)).status).toBe(200);
    const answer = await query('ReceiveMessage', {}, path);
    expect(text(answer.xml, 'Body')).toBe('by path');
  });

  it('answers a long poll as soon as a message is sent', async () => {
    const url = await newQueue();
    const name = url.slice(url.lastIndexOf('/') + 1);
    const polling = query('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: '20' });
    for (let i = 0; i < 10_000 && local.services.sqs.waitingReceives(name) === 0; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(local.services.sqs.waitingReceives(name)).toBe(1);
    await query('SendMessage', { QueueUrl: url, MessageBody: 'now' });
    expect(text((await polling).xml, 'Body')).toBe('now');
  });

  it.each([
    [
      'a queue that does not exist',
      'SendMessage',
      { QueueUrl: 'http://x/000000000000/missing', MessageBody: 'x' },
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
    ],
    ['an unknown action', 'Frobnicate', {}, 400, 'InvalidAction'],
    ['a missing parameter', 'GetQueueUrl', {}, 400, 'MissingParameter'],
    [
      'a DelaySeconds that is not an integer',
      'SendMessage',
      { MessageBody: 'x', DelaySeconds: 'soon' },
      400,
      'InvalidParameterValue',
    ],
    [
      'an unparsable receipt handle',
      'DeleteMessage',
      { ReceiptHandle: '???' },
      404,
      'ReceiptHandleIsInvalid',
    ],
    [
      'an unknown attribute name',
      'GetQueueAttributes',
      { 'AttributeName.1': 'Colour' },
      400,
      'InvalidAttributeName',
    ],
    ['a batch with no entries', 'DeleteMessageBatch', {}, 400, 'AWS.SimpleQueueService.EmptyBatchRequest'],
    [
      'a batch of 11 entries',
      'DeleteMessageBatch',
      Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [
          [`DeleteMessageBatchRequestEntry.${i + 1}.Id`, `e${i}`],
          [`DeleteMessageBatchRequestEntry.${i + 1}.ReceiptHandle`, 'x'],
        ]).flat(),
      ),
      400,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    ],
    [
      'repeated batch entry ids',
      'ChangeMessageVisibilityBatch',
      {
        'ChangeMessageVisibilityBatchRequestEntry.1.Id': 'same',
        'ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle': 'x',
        'ChangeMessageVisibilityBatchRequestEntry.2.Id': 'same',
        'ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle': 'y',
      },
      400,
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    ],
  ])('fails with the query error code for %s', async (_what, action, params, status, code) => {
    const url = await newQueue();
    const answer = await query(action, { QueueUrl: url, ...params } as Record<string, string>);
    expect(answer.status).toBe(status);
    expect(answer.xml).toContain('<ErrorResponse');
    expect(text(answer.xml, 'Code')).toBe(code);
    expect(text(answer.xml, 'Type')).toBe('Sender');
    expect(text(answer.xml, 'Message')).toBeTruthy();
  });
});
