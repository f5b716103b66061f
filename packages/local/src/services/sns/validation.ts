/**
 * What SNS checks in a message to publish (Publish and each PublishBatch entry): the message, its
 * subject, its attributes, its structure and its size, with AWS's limits and wording.
 */
import { snsErrors } from './errors';
import type { MessageAttributeEntry, PublishFieldsInput } from './inputs';
import type { SnsMessageAttribute } from './model';

export const MAX_MESSAGE_BYTES = 256 * 1024;
/**
 * Publish's Subject, as the SNS API reference words it: "ASCII text that begins with a letter, number,
 * or punctuation mark; must not include line breaks or control characters; and must be less than 100
 * characters long". AWS answers `InvalidParameter` ("Invalid parameter: Subject"). moto#1503 reports AWS
 * accepting exactly 100 characters; the documented limit is kept here, the side on which code that
 * passes locally also passes on AWS.
 */
const SUBJECT = /^[!-~][ -~]{0,98}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!aws\.|amazon\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/i;

/** A message to publish, checked. */
export interface PublishInput {
  readonly message: string;
  readonly subject?: string;
  readonly messageStructure?: string;
  readonly messageAttributes: Record<string, SnsMessageAttribute>;
  readonly messageGroupId?: string;
}

/** Checks the fields of a message to publish, in the order SNS checks them. */
export function checkPublishInput(fields: PublishFieldsInput): PublishInput {
  const message = fields.Message;
  if (message === undefined)
    throw snsErrors.invalidParameter('Message Reason: no value for required parameter');
  if (message === '') throw snsErrors.invalidParameter('Empty message');
  const subject = fields.Subject;
  if (subject !== undefined && !SUBJECT.test(subject)) {
    throw snsErrors.invalidParameter(
      `Subject: got ${JSON.stringify(subject.slice(0, 120))} (${subject.length} characters), expected fewer than 100 ASCII characters without line breaks or control characters, beginning with a letter, number or punctuation mark`,
    );
  }
  const messageAttributes = checkMessageAttributes(fields.MessageAttributes?.entry ?? []);
  let bytes = Buffer.byteLength(message);
  for (const [name, attribute] of Object.entries(messageAttributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
    bytes += Buffer.byteLength(attribute.StringValue ?? attribute.BinaryValue ?? '');
  }
  if (bytes > MAX_MESSAGE_BYTES) {
    throw snsErrors.invalidParameter(
      `Message too long: ${bytes} bytes with attributes, the limit is ${MAX_MESSAGE_BYTES}`,
    );
  }
  const messageStructure = fields.MessageStructure;
  if (messageStructure !== undefined && messageStructure !== 'json') {
    throw snsErrors.invalidParameter(`MessageStructure: got '${messageStructure}', expected 'json'`);
  }
  if (messageStructure === 'json') parseStructuredMessage(message);
  const messageGroupId = fields.MessageGroupId;
  return {
    message,
    messageAttributes,
    ...(subject === undefined ? {} : { subject }),
    ...(messageStructure === undefined ? {} : { messageStructure }),
    ...(messageGroupId === undefined ? {} : { messageGroupId }),
  };
}

/** A `MessageStructure=json` message: one entry per protocol, and `default`. */
export function parseStructuredMessage(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw snsErrors.invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    typeof (parsed as { default?: unknown }).default !== 'string'
  ) {
    throw snsErrors.invalidParameter('Message Structure - No default entry in JSON message body');
  }
  return parsed as Record<string, string>;
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`. */
function checkMessageAttributes(
  entries: readonly MessageAttributeEntry[],
): Record<string, SnsMessageAttribute> {
  const out: Record<string, SnsMessageAttribute> = {};
  for (const entry of entries) {
    const name = entry.Name ?? '';
    const dataType = entry.Value?.DataType;
    const stringValue = entry.Value?.StringValue;
    const binaryValue = entry.Value?.BinaryValue;
    if (!ATTRIBUTE_NAME.test(name)) {
      throw snsErrors.invalidParameter(`MessageAttributes: invalid attribute name '${name}'`);
    }
    if (dataType === undefined || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw snsErrors.parameterValueInvalid(
        `The message attribute '${name}' has an invalid message attribute type '${dataType ?? ''}', expected String, String.Array, Number or Binary`,
      );
    }
    const isBinary = dataType.startsWith('Binary');
    if (isBinary ? binaryValue === undefined : stringValue === undefined) {
      throw snsErrors.parameterValueInvalid(
        `The message attribute '${name}' with type '${dataType}' must contain a non-empty ${isBinary ? 'BinaryValue' : 'StringValue'}`,
      );
    }
    if (dataType.startsWith('Number') && !Number.isFinite(Number(stringValue))) {
      throw snsErrors.parameterValueInvalid(
        `Could not cast message attribute '${name}' value '${stringValue}' to number.`,
      );
    }
    out[name] = isBinary
      ? { DataType: dataType, BinaryValue: binaryValue ?? '' }
      : { DataType: dataType, StringValue: stringValue ?? '' };
  }
  return out;
}
