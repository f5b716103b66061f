/**
 * What each SQS operation returns, in its JSON 1.0 shape, and the same result as the query protocol's
 * XML (`<ReceiveMessageResult><Message>…`, `<Attribute><Name/><Value/></Attribute>`, batch
 * `<SendMessageBatchResultEntry>`/`<BatchResultErrorEntry>`), as SQS renders it for the AWS CLI and boto3.
 */
import type { QueryRenderers } from '../../protocol/operations';
import { toXml, type XmlNode } from '../../protocol/xml';
import { type MessageAttributeValue, md5OfAttributes } from './md5';
import { encodeReceiptHandle, type MessageContent, type SqsMessage, type SqsQueue } from './queue';

export interface BatchResultErrorEntry {
  readonly Id: string;
  readonly SenderFault: boolean;
  readonly Code: string;
  readonly Message: string;
}

export interface SendMessageResult {
  readonly MessageId: string;
  readonly MD5OfMessageBody: string;
  readonly MD5OfMessageAttributes?: string;
  readonly MD5OfMessageSystemAttributes?: string;
}

export interface ReceivedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly MD5OfBody: string;
  readonly Body: string;
  readonly Attributes?: Record<string, string>;
  readonly MD5OfMessageAttributes?: string;
  readonly MessageAttributes?: Record<string, MessageAttributeValue>;
}

export interface MoveTaskEntry {
  readonly TaskHandle?: string;
  readonly Status: string;
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly MaxNumberOfMessagesPerSecond?: number;
  readonly ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly FailureReason?: string;
  readonly StartedTimestamp: number;
}

/** The JSON output of each operation (what `handle` returns). */
export interface SqsOutputs {
  CreateQueue: { QueueUrl: string };
  GetQueueUrl: { QueueUrl: string };
  GetQueueAttributes: { Attributes?: Record<string, string> };
  SetQueueAttributes: Record<string, never>;
  ListQueues: { QueueUrls?: string[]; NextToken?: string };
  DeleteQueue: Record<string, never>;
  PurgeQueue: Record<string, never>;
  SendMessage: SendMessageResult;
  SendMessageBatch: { Successful: (SendMessageResult & { Id: string })[]; Failed: BatchResultErrorEntry[] };
  ReceiveMessage: { Messages?: ReceivedMessage[] };
  DeleteMessage: Record<string, never>;
  DeleteMessageBatch: { Successful: { Id: string }[]; Failed: BatchResultErrorEntry[] };
  ChangeMessageVisibility: Record<string, never>;
  ChangeMessageVisibilityBatch: { Successful: { Id: string }[]; Failed: BatchResultErrorEntry[] };
  StartMessageMoveTask: { TaskHandle: string };
  ListMessageMoveTasks: { Results: MoveTaskEntry[] };
  CancelMessageMoveTask: { ApproximateNumberOfMessagesMoved: number };
  TagQueue: Record<string, never>;
  UntagQueue: Record<string, never>;
  ListQueueTags: { Tags?: Record<string, string> };
  ListDeadLetterSourceQueues: { queueUrls: string[]; NextToken?: string };
}

/**
 * The inner XML of `<{Action}Result>` for each operation's output; undefined for operations SQS answers
 * without a result element. An empty result is still an element: SQS answers a ReceiveMessage that got
 * nothing with `<ReceiveMessageResult/>`, and botocore (the AWS CLI) fails without it.
 */
export const renderSqsXml: QueryRenderers<SqsOutputs> = {
  CreateQueue: (o) => toXml({ QueueUrl: o.QueueUrl }),
  GetQueueUrl: (o) => toXml({ QueueUrl: o.QueueUrl }),
  GetQueueAttributes: (o) => toXml({ Attribute: nameValues(o.Attributes) }),
  SetQueueAttributes: () => undefined,
  ListQueues: (o) => toXml({ QueueUrl: o.QueueUrls, NextToken: o.NextToken }),
  DeleteQueue: () => undefined,
  PurgeQueue: () => undefined,
  SendMessage: (o) => toXml(sendResultXml(o)),
  SendMessageBatch: (o) =>
    toXml({
      SendMessageBatchResultEntry: o.Successful.map((e) => ({ Id: e.Id, ...sendResultXml(e) })),
      BatchResultErrorEntry: o.Failed.map(errorEntry),
    }),
  // XML parsers turn a raw CR into LF; the character reference keeps the body (and its MD5) intact.
  ReceiveMessage: (o) => toXml({ Message: o.Messages?.map(messageXml) }).replace(/\r/g, '&#xD;'),
  DeleteMessage: () => undefined,
  DeleteMessageBatch: (o) =>
    toXml({
      DeleteMessageBatchResultEntry: o.Successful.map((e) => ({ Id: e.Id })),
      BatchResultErrorEntry: o.Failed.map(errorEntry),
    }),
  ChangeMessageVisibility: () => undefined,
  ChangeMessageVisibilityBatch: (o) =>
    toXml({
      ChangeMessageVisibilityBatchResultEntry: o.Successful.map((e) => ({ Id: e.Id })),
      BatchResultErrorEntry: o.Failed.map(errorEntry),
    }),
  StartMessageMoveTask: (o) => toXml({ TaskHandle: o.TaskHandle }),
  ListMessageMoveTasks: (o) => toXml({ ListMessageMoveTasksResultEntry: o.Results.map((e) => ({ ...e })) }),
  CancelMessageMoveTask: (o) =>
    toXml({ ApproximateNumberOfMessagesMoved: o.ApproximateNumberOfMessagesMoved }),
  TagQueue: () => undefined,
  UntagQueue: () => undefined,
  ListQueueTags: (o) => toXml({ Tag: Object.entries(o.Tags ?? {}).map(([Key, Value]) => ({ Key, Value })) }),
  ListDeadLetterSourceQueues: (o) => toXml({ QueueUrl: o.queueUrls, NextToken: o.NextToken }),
};

/** What SendMessage (and each SendMessageBatch entry) answers for a message sent. */
export function sendResult(content: MessageContent): SendMessageResult {
  const result: { -readonly [K in keyof SendMessageResult]: SendMessageResult[K] } = {
    MessageId: content.id,
    MD5OfMessageBody: content.md5OfBody,
  };
  if (content.md5OfAttributes !== undefined) result.MD5OfMessageAttributes = content.md5OfAttributes;
  if (content.md5OfSystemAttributes !== undefined) {
    result.MD5OfMessageSystemAttributes = content.md5OfSystemAttributes;
  }
  return result;
}

/**
 * A received message as ReceiveMessage answers it: the system attributes asked for, the message
 * attributes selected (with the digest of those alone) and a receipt handle for this receive.
 */
export function receivedMessage(
  queue: SqsQueue,
  msg: SqsMessage,
  systemNames: ReadonlySet<string>,
  selectAttribute: (name: string) => boolean,
): ReceivedMessage {
  const all = systemNames.has('All');
  const attributes: Record<string, string> = {};
  const want = (name: string) => all || systemNames.has(name);
  if (want('SenderId')) attributes.SenderId = msg.senderId;
  if (want('SentTimestamp')) attributes.SentTimestamp = String(msg.sentAt);
  if (want('ApproximateReceiveCount')) attributes.ApproximateReceiveCount = String(msg.receiveCount);
  if (want('ApproximateFirstReceiveTimestamp') && msg.firstReceiveAt !== undefined) {
    attributes.ApproximateFirstReceiveTimestamp = String(msg.firstReceiveAt);
  }
  if (want('MessageGroupId') && msg.groupId !== undefined) attributes.MessageGroupId = msg.groupId;
  const trace = msg.systemAttributes.AWSTraceHeader?.StringValue;
  if (want('AWSTraceHeader') && trace !== undefined) attributes.AWSTraceHeader = trace;
  if (want('DeadLetterQueueSourceArn') && msg.deadLetterSourceArn !== undefined) {
    attributes.DeadLetterQueueSourceArn = msg.deadLetterSourceArn;
  }
  const names = Object.keys(msg.attributes);
  const selected = names.filter(selectAttribute);
  let messageAttributes = msg.attributes;
  let md5 = msg.md5OfAttributes;
  if (selected.length !== names.length) {
    messageAttributes = Object.fromEntries(
      selected.map((n) => [n, msg.attributes[n] as MessageAttributeValue]),
    );
    md5 = md5OfAttributes(messageAttributes);
  }
  const out: { -readonly [K in keyof ReceivedMessage]: ReceivedMessage[K] } = {
    MessageId: msg.id,
    ReceiptHandle: encodeReceiptHandle(queue.name, msg.seq, msg.token),
    MD5OfBody: msg.md5OfBody,
    Body: msg.body,
  };
  if (systemNames.size > 0 && Object.keys(attributes).length > 0) out.Attributes = attributes;
  if (md5 !== undefined) {
    out.MD5OfMessageAttributes = md5;
    out.MessageAttributes = messageAttributes;
  }
  return out;
}

function nameValues(map: Record<string, string> | undefined): XmlNode[] {
  return Object.entries(map ?? {}).map(([Name, Value]) => ({ Name, Value }));
}

function sendResultXml(r: SendMessageResult): XmlNode {
  return {
    MessageId: r.MessageId,
    MD5OfMessageBody: r.MD5OfMessageBody,
    MD5OfMessageAttributes: r.MD5OfMessageAttributes,
    MD5OfMessageSystemAttributes: r.MD5OfMessageSystemAttributes,
  };
}

function errorEntry(e: BatchResultErrorEntry): XmlNode {
  return { Id: e.Id, SenderFault: e.SenderFault, Code: e.Code, Message: e.Message };
}

function messageXml(m: ReceivedMessage): XmlNode {
  return {
    MessageId: m.MessageId,
    ReceiptHandle: m.ReceiptHandle,
    MD5OfBody: m.MD5OfBody,
    Body: m.Body,
    Attribute: nameValues(m.Attributes),
    MD5OfMessageAttributes: m.MD5OfMessageAttributes,
    MessageAttribute: Object.entries(m.MessageAttributes ?? {}).map(([Name, v]) => ({
      Name,
      Value: { StringValue: v.StringValue, BinaryValue: v.BinaryValue, DataType: v.DataType },
    })),
  };
}
