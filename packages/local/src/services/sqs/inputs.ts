/**
 * The input of every SQS operation in its JSON 1.0 shape (the query protocol is translated into the same
 * shape by query-input.ts). Only structure and types are checked here; ranges and semantics are checked
 * by the operations, which word their errors as SQS does.
 */
import { z } from 'zod';

/** The wire protocol a request came in: SQS words a few errors differently in each. */
export type Protocol = 'json' | 'query';

const int = z.number().int();
const StringMap = z.record(z.string(), z.string());

const MessageAttributeValueSchema = z.object({
  DataType: z.string().optional(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
  StringListValues: z.array(z.string()).optional(),
  BinaryListValues: z.array(z.string()).optional(),
});
const MessageAttributeMap = z.record(z.string(), MessageAttributeValueSchema);
export type MessageAttributeInput = z.infer<typeof MessageAttributeValueSchema>;

const QueueUrl = z.string();

const SendFields = {
  MessageBody: z.string(),
  DelaySeconds: int.optional(),
  MessageAttributes: MessageAttributeMap.optional(),
  MessageSystemAttributes: MessageAttributeMap.optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
};

const SendMessageBatchEntry = z.object({ ...SendFields, Id: z.string(), MessageBody: z.string().optional() });
export type SendMessageBatchEntry = z.infer<typeof SendMessageBatchEntry>;

export const SqsInputs = {
  CreateQueue: z.object({
    QueueName: z.string(),
    Attributes: StringMap.optional(),
    tags: StringMap.optional(),
  }),
  GetQueueUrl: z.object({ QueueName: z.string(), QueueOwnerAWSAccountId: z.string().optional() }),
  GetQueueAttributes: z.object({ QueueUrl, AttributeNames: z.array(z.string()).optional() }),
  SetQueueAttributes: z.object({ QueueUrl, Attributes: StringMap }),
  ListQueues: z.object({
    QueueNamePrefix: z.string().optional(),
    NextToken: z.string().optional(),
    MaxResults: int.optional(),
  }),
  DeleteQueue: z.object({ QueueUrl }),
  PurgeQueue: z.object({ QueueUrl }),
  SendMessage: z.object({ QueueUrl, ...SendFields }),
  SendMessageBatch: z.object({ QueueUrl, Entries: z.array(SendMessageBatchEntry) }),
  ReceiveMessage: z.object({
    QueueUrl,
    AttributeNames: z.array(z.string()).optional(),
    MessageSystemAttributeNames: z.array(z.string()).optional(),
    MessageAttributeNames: z.array(z.string()).optional(),
    MaxNumberOfMessages: int.optional(),
    VisibilityTimeout: int.optional(),
    WaitTimeSeconds: int.optional(),
    ReceiveRequestAttemptId: z.string().optional(),
  }),
  DeleteMessage: z.object({ QueueUrl, ReceiptHandle: z.string() }),
  DeleteMessageBatch: z.object({
    QueueUrl,
    Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })),
  }),
  ChangeMessageVisibility: z.object({ QueueUrl, ReceiptHandle: z.string(), VisibilityTimeout: int }),
  ChangeMessageVisibilityBatch: z.object({
    QueueUrl,
    Entries: z.array(
      z.object({ Id: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: int.optional() }),
    ),
  }),
  StartMessageMoveTask: z.object({
    SourceArn: z.string(),
    DestinationArn: z.string().optional(),
    MaxNumberOfMessagesPerSecond: int.optional(),
  }),
  ListMessageMoveTasks: z.object({ SourceArn: z.string(), MaxResults: int.optional() }),
  CancelMessageMoveTask: z.object({ TaskHandle: z.string() }),
  TagQueue: z.object({ QueueUrl, Tags: StringMap }),
  UntagQueue: z.object({ QueueUrl, TagKeys: z.array(z.string()) }),
  ListQueueTags: z.object({ QueueUrl }),
  ListDeadLetterSourceQueues: z.object({
    QueueUrl,
    NextToken: z.string().optional(),
    MaxResults: int.optional(),
  }),
} as const;

export type SqsOperation = keyof typeof SqsInputs;
export type SqsInput<O extends SqsOperation> = z.infer<(typeof SqsInputs)[O]>;

export const SQS_OPERATIONS = new Set<string>(Object.keys(SqsInputs));

/** Integer members of any SQS input: the query protocol carries them as text. */
export const INTEGER_MEMBERS = new Set([
  'DelaySeconds',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
  'MaxResults',
  'MaxNumberOfMessagesPerSecond',
]);
