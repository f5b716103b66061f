/**
 * What SQS checks in a request beyond its structure (inputs.ts): queue names, batches, message bodies and
 * message attributes, with AWS's limits and wording.
 */
import { sqsErrors } from './errors';
import type { MessageAttributeInput } from './inputs';
import type { MessageAttributeValue } from './md5';

export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MESSAGE_GROUP_ID = /^[!-~]{1,128}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Characters SQS accepts in a body: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_PAYLOAD_BYTES = 1_048_576;
const MAX_MESSAGE_ATTRIBUTES = 10;

/** Refuses FIFO queue names (not served here) and names SQS does not allow. */
export function checkQueueName(name: string): void {
  if (name.endsWith('.fifo')) {
    throw sqsErrors.invalidParameterValue(
      `FIFO queues are not supported by the local AWS: queue name ${JSON.stringify(name)}; use a standard queue (a name without .fifo).`,
    );
  }
  if (!QUEUE_NAME.test(name)) {
    throw sqsErrors.invalidParameterValue(
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length; got ${JSON.stringify(name)}.`,
    );
  }
}

/** Checks a batch's size and entry ids: 1 to 10 entries, each id well formed and distinct. */
export function checkBatch(entries: readonly { Id: string }[], entryName: string): void {
  if (entries.length === 0) throw sqsErrors.emptyBatchRequest(entryName);
  if (entries.length > MAX_BATCH_ENTRIES) throw sqsErrors.tooManyEntries(entries.length);
  const ids = new Set<string>();
  for (const entry of entries) {
    if (!BATCH_ENTRY_ID.test(entry.Id)) throw sqsErrors.invalidBatchEntryId(entry.Id);
    if (ids.has(entry.Id)) throw sqsErrors.batchEntryIdsNotDistinct(entry.Id);
    ids.add(entry.Id);
  }
}

/** Refuses a SendMessageBatch whose bodies and attributes together exceed 1 MiB. */
export function checkBatchPayload(
  entries: readonly {
    MessageBody?: string | undefined;
    MessageAttributes?: Record<string, MessageAttributeInput> | undefined;
  }[],
): void {
  let total = 0;
  for (const entry of entries) {
    total += Buffer.byteLength(entry.MessageBody ?? '', 'utf8');
    for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
      total += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
      total +=
        Buffer.byteLength(value.StringValue ?? '') + Math.floor(((value.BinaryValue ?? '').length * 3) / 4);
    }
  }
  if (total > MAX_BATCH_PAYLOAD_BYTES) throw sqsErrors.batchRequestTooLong(total, MAX_BATCH_PAYLOAD_BYTES);
}

/** Checks a message body: present, and only of characters SQS allows. */
export function checkBody(body: string | undefined): string {
  if (body === undefined || body === '') throw sqsErrors.missingParameter('MessageBody');
  const invalid = INVALID_CHARACTER.exec(body);
  if (invalid !== null) {
    throw sqsErrors.invalidMessageContents(
      `Invalid binary character '#x${(invalid[0].codePointAt(0) ?? 0).toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  return body;
}

/** Checks what a standard queue takes of a message's delay, deduplication id and group id. */
export function checkSendOptions(
  queueName: string,
  delay: number,
  deduplicationId: string | undefined,
  groupId: string | undefined,
): void {
  if (!(delay >= 0 && delay <= 900)) {
    throw sqsErrors.invalidValue('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
  }
  if (deduplicationId !== undefined) {
    throw sqsErrors.invalidParameterValue(
      `The request include parameter MessageDeduplicationId that is not valid for this queue type: ${queueName} is a standard queue.`,
    );
  }
  if (groupId !== undefined && !MESSAGE_GROUP_ID.test(groupId)) {
    throw sqsErrors.invalidValue(
      'MessageGroupId',
      groupId,
      'MessageGroupId can contain up to 128 alphanumeric and punctuation characters.',
    );
  }
}

/** Refuses a message whose body and attributes together exceed the queue's MaximumMessageSize. */
export function checkMessageSize(
  body: string,
  attributes: Record<string, MessageAttributeValue>,
  limit: number,
): void {
  const size = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
  if (size > limit) {
    throw sqsErrors.invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes; this one has ${size} bytes (body and message attributes).`,
    );
  }
}

/** Checks message (user) attributes: at most 10, valid names, types and values. */
export function checkMessageAttributes(
  input: Record<string, MessageAttributeInput>,
): Record<string, MessageAttributeValue> {
  const entries = Object.entries(input);
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw sqsErrors.invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    if (
      !ATTRIBUTE_NAME.test(name) ||
      /^(aws\.|amazon\.)/i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw sqsErrors.invalidParameterValue(
        `Message (user) attribute name '${name}' is invalid: use up to 256 of A-Z a-z 0-9 _ - . , not starting with AWS. or Amazon., without a leading, trailing or doubled period.`,
      );
    }
    out[name] = checkAttributeValue(name, value);
  }
  return out;
}

function checkAttributeValue(name: string, value: MessageAttributeInput): MessageAttributeValue {
  const type = value.DataType;
  if (type === undefined || type === '') {
    throw sqsErrors.invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute type.`,
    );
  }
  const base = type.split('.', 1)[0];
  if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
    throw sqsErrors.invalidParameterValue(
      `The type of message (user) attribute '${name}' is invalid: ${JSON.stringify(type)}. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  if (base === 'Binary') {
    const binary = value.BinaryValue;
    if (binary === undefined || binary === '') {
      throw sqsErrors.invalidParameterValue(
        `The message attribute '${name}' with type 'Binary' must use field 'Binary' and contain a non-empty value.`,
      );
    }
    if (!BASE64.test(binary)) {
      throw sqsErrors.invalidParameterValue(
        `The message attribute '${name}' has a BinaryValue that is not base64.`,
      );
    }
    return { DataType: type, BinaryValue: binary };
  }
  const text = value.StringValue;
  if (text === undefined || text === '') {
    throw sqsErrors.invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
    );
  }
  if (INVALID_CHARACTER.test(text)) {
    throw sqsErrors.invalidParameterValue(
      `The message attribute '${name}' contains characters SQS does not allow.`,
    );
  }
  if (base === 'Number' && !NUMBER.test(text)) {
    throw sqsErrors.invalidParameterValue(
      `Can't cast the value of message (user) attribute '${name}' to a number: ${JSON.stringify(text)}.`,
    );
  }
  return { DataType: type, StringValue: text };
}

/** Checks message system attributes: AWSTraceHeader, a non-empty String, is the only one. */
export function checkSystemAttributes(
  input: Record<string, MessageAttributeInput>,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name !== 'AWSTraceHeader') {
      throw sqsErrors.invalidParameterValue(
        `Message system attribute name '${name}' is invalid; the only message system attribute is AWSTraceHeader.`,
      );
    }
    if (value.DataType !== 'String' || value.StringValue === undefined || value.StringValue === '') {
      throw sqsErrors.invalidParameterValue(
        'Message system attribute AWSTraceHeader must have DataType String and a non-empty StringValue.',
      );
    }
    out[name] = { DataType: 'String', StringValue: value.StringValue };
  }
  return out;
}

function attributesSize(attributes: Record<string, MessageAttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size +=
      value.BinaryValue === undefined
        ? Buffer.byteLength(value.StringValue ?? '')
        : Buffer.byteLength(value.BinaryValue, 'base64');
  }
  return size;
}
