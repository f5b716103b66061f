/**
 * What each SQS operation returns, in its JSON 1.0 shape, and the same result as the query protocol's
 * XML (`<ReceiveMessageResult><Message>…`, `<Attribute><Name/><Value/></Attribute>`, batch
 * `<SendMessageBatchResultEntry>`/`<BatchResultErrorEntry>`), as SQS renders it for the AWS CLI and boto3.
 */

import { toXml, type XmlNode } from '../../protocol/xml';
import type { SqsOperation } from './inputs';
import type { MessageAttributeValue } from './md5';

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
 * The inner XML of `<{Action}Result>` for an operation's output; undefined for operations SQS answers
 * without a result element. An empty result is still an element: SQS answers a ReceiveMessage that got
 * nothing with `<ReceiveMessageResult/>`, and botocore (the AWS CLI) fails without it.
 */
export function renderXml<O extends SqsOperation>(operation: O, output: SqsOutputs[O]): string | undefined {
  // Each case reads the output of its own operation; the map above ties them together.
  const o = output as SqsOutputs[SqsOperation] & Record<string, unknown>;
  switch (operation) {
    case 'CreateQueue':
    case 'GetQueueUrl':
      return toXml({ QueueUrl: (o as SqsOutputs['CreateQueue']).QueueUrl });
    case 'GetQueueAttributes':
      return toXml({ Attribute: nameValues((o as SqsOutputs['GetQueueAttributes']).Attributes) });
    case 'ListQueues': {
      const out = o as SqsOutputs['ListQueues'];
      return toXml({ QueueUrl: out.QueueUrls, NextToken: out.NextToken });
    }
    case 'ListDeadLetterSourceQueues': {
      const out = o as SqsOutputs['ListDeadLetterSourceQueues'];
      return toXml({ QueueUrl: out.queueUrls, NextToken: out.NextToken });
    }
    case 'SendMessage':
      return toXml(sendResult(o as SqsOutputs['SendMessage']));
    case 'SendMessageBatch': {
      const out = o as SqsOutputs['SendMessageBatch'];
      return toXml({
        SendMessageBatchResultEntry: out.Successful.map((e) => ({ Id: e.Id, ...sendResult(e) })),
        BatchResultErrorEntry: out.Failed.map(errorEntry),
      });
    }
    case 'ReceiveMessage': {
      const out = o as SqsOutputs['ReceiveMessage'];
      // XML parsers turn a raw CR into LF; the character reference keeps the body (and its MD5) intact.
      return toXml({ Message: out.Messages?.map(messageXml) }).replace(/\r/g, '&#xD;');
    }
    case 'DeleteMessageBatch':
    case 'ChangeMessageVisibilityBatch': {
      const out = o as SqsOutputs['DeleteMessageBatch'];
      return toXml({
        [`${operation}ResultEntry`]: out.Successful.map((e) => ({ Id: e.Id })),
        BatchResultErrorEntry: out.Failed.map(errorEntry),
      });
    }
    case 'StartMessageMoveTask':
      return toXml({ TaskHandle: (o as SqsOutputs['StartMessageMoveTask']).TaskHandle });
    case 'ListMessageMoveTasks':
      return toXml({
        ListMessageMoveTasksResultEntry: (o as SqsOutputs['ListMessageMoveTasks']).Results.map((e) => ({
          ...e,
        })),
      });
    case 'CancelMessageMoveTask':
      return toXml({
        ApproximateNumberOfMessagesMoved: (o as SqsOutputs['CancelMessageMoveTask'])
          .ApproximateNumberOfMessagesMoved,
      });
    case 'ListQueueTags':
      return toXml({
        Tag: Object.entries((o as SqsOutputs['ListQueueTags']).Tags ?? {}).map(([Key, Value]) => ({
          Key,
          Value,
        })),
      });
    default:
      return undefined;
  }
}

function nameValues(map: Record<string, string> | undefined): XmlNode[] {
  return Object.entries(map ?? {}).map(([Name, Value]) => ({ Name, Value }));
}

function sendResult(r: SendMessageResult): XmlNode {
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
