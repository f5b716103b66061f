/**
 * The input of every SQS operation in its JSON 1.0 shape (the query protocol is translated into the same
 * shape by sqs-query.ts). Only structure and types are checked here; ranges and semantics are checked by
 * the operations, which word their errors as SQS does.
 */
import { z } from 'zod';
import { sqsErrors } from './errors';

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

/**
 * Checks the structure of an operation's input. A missing member is AWS's MissingParameter; a member of
 * the wrong type is a SerializationException in JSON (the SDK never sends one) and an
 * InvalidParameterValue in the query protocol.
 */
export function parseInput<O extends SqsOperation>(
  operation: O,
  input: unknown,
  protocol: Protocol,
): SqsInput<O> {
  const result = SqsInputs[operation].safeParse(input);
  if (result.success) return result.data as SqsInput<O>;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const name = path.map((part) => (typeof part === 'number' ? String(part + 1) : String(part))).join('.');
  const value = valueAt(input, path);
  if (value === undefined && path.length > 0) throw sqsErrors.missingParameter(name);
  const expected = issue?.code === 'invalid_type' ? issue.expected : (issue?.message ?? 'a valid value');
  const received = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (path.length === 0) {
    throw sqsErrors.serialization(`${operation}: the request body must be a JSON object, got ${received}`);
  }
  const message = `${operation}: parameter ${name} must be ${expected}, got ${received} ${truncate(JSON.stringify(value))}`;
  throw protocol === 'json' ? sqsErrors.serialization(message) : sqsErrors.invalidParameterValue(message);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function truncate(text: string | undefined): string {
  if (text === undefined) return '';
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
