/**
 * SQS errors with the codes of both protocols: the JSON code (the `__type` after `com.amazonaws.sqs#`)
 * and, where it differs, the query code (`x-amzn-query-error` in JSON mode, `<Code>` in XML), as the
 * SQS API reference and the SDK's error model (awsQueryError) give them.
 */
import type { InputErrorFactory } from '../../protocol/input';
import { AwsError } from '../../protocol/service';
import type { Protocol } from './inputs';

export const sqsErrors = {
  queueDoesNotExist: (queue: string) =>
    new AwsError(
      'QueueDoesNotExist',
      `The specified queue does not exist: ${queue}`,
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
    ),
  queueNameExists: (name: string, attribute: string, existing: string | undefined, given: string) =>
    new AwsError(
      'QueueNameExists',
      `A queue already exists with the same name and a different value for attribute ${attribute}: queue ${name} has ${existing ?? '(unset)'}, the request gave ${given}`,
      400,
      'QueueAlreadyExists',
    ),
  missingParameter: (name: string) =>
    new AwsError('MissingParameter', `The request must contain the parameter ${name}.`, 400),
  invalidParameterValue: (message: string) => new AwsError('InvalidParameterValue', message, 400),
  /** AWS's wording for an out-of-range or malformed parameter. */
  invalidValue: (name: string, value: unknown, reason: string) =>
    new AwsError(
      'InvalidParameterValue',
      `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
      400,
    ),
  serialization: (message: string) => new AwsError('SerializationException', message, 400),
  invalidAttributeName: (name: string, expected?: string) =>
    new AwsError(
      'InvalidAttributeName',
      `Unknown Attribute ${name}.${expected === undefined ? '' : ` Expected one of: ${expected}.`}`,
      400,
    ),
  invalidAttributeValue: (name: string, value: string, reason: string) =>
    new AwsError(
      'InvalidAttributeValue',
      `Invalid value for the parameter ${name}: ${JSON.stringify(value)}. Reason: ${reason}`,
      400,
    ),
  invalidMessageContents: (reason: string) => new AwsError('InvalidMessageContents', reason, 400),
  receiptHandleIsInvalid: (handle: string) =>
    new AwsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
      404,
      'ReceiptHandleIsInvalid',
    ),
  messageNotInflight: () =>
    new AwsError(
      'MessageNotInflight',
      'The message referred to is not in flight: its visibility timeout has already expired.',
      400,
      'AWS.SimpleQueueService.MessageNotInflight',
    ),
  emptyBatchRequest: (entryName: string) =>
    new AwsError(
      'EmptyBatchRequest',
      `There should be at least one ${entryName} in the request.`,
      400,
      'AWS.SimpleQueueService.EmptyBatchRequest',
    ),
  tooManyEntries: (count: number) =>
    new AwsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${count}.`,
      400,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    ),
  batchEntryIdsNotDistinct: (id: string) =>
    new AwsError(
      'BatchEntryIdsNotDistinct',
      `Id ${id} repeated: two or more batch entries in the request have the same Id.`,
      400,
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    ),
  invalidBatchEntryId: (id: string) =>
    new AwsError(
      'InvalidBatchEntryId',
      `A batch entry id can only contain alphanumeric characters, hyphens and underscores, and be at most 80 characters long; got ${JSON.stringify(id)}.`,
      400,
      'AWS.SimpleQueueService.InvalidBatchEntryId',
    ),
  batchRequestTooLong: (bytes: number, limit: number) =>
    new AwsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${limit} bytes. You have sent ${bytes} bytes.`,
      400,
      'AWS.SimpleQueueService.BatchRequestTooLong',
    ),
  purgeQueueInProgress: (name: string) =>
    new AwsError(
      'PurgeQueueInProgress',
      `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
      403,
      'AWS.SimpleQueueService.PurgeQueueInProgress',
    ),
  resourceNotFound: (message: string) => new AwsError('ResourceNotFoundException', message, 404),
  unsupportedOperation: (message: string) =>
    new AwsError('UnsupportedOperation', message, 400, 'AWS.SimpleQueueService.UnsupportedOperation'),
  unknownOperation: (operation: string) =>
    new AwsError('UnknownOperationException', `Unknown SQS operation ${operation}.`, 400),
  invalidAction: (action: string) =>
    new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, 400),
  input: sqsInputError,
} as const;

/**
 * How SQS words a request that does not fit its schema: a missing member is MissingParameter; a member
 * of the wrong type is a SerializationException in JSON (the SDK never sends one) and an
 * InvalidParameterValue in the query protocol.
 */
function sqsInputError(operation: string, protocol: Protocol): InputErrorFactory {
  return (issues, input) => {
    const issue = issues[0];
    const path = issue?.path ?? [];
    const name = path.map((part) => (typeof part === 'number' ? String(part + 1) : String(part))).join('.');
    const value = valueAt(input, path);
    if (value === undefined && path.length > 0) return sqsErrors.missingParameter(name);
    const expected = issue?.code === 'invalid_type' ? issue.expected : (issue?.message ?? 'a valid value');
    const received = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    if (path.length === 0) {
      return sqsErrors.serialization(`${operation}: the request body must be a JSON object, got ${received}`);
    }
    const message = `${operation}: parameter ${name} must be ${expected}, got ${received} ${truncate(JSON.stringify(value))}`;
    return protocol === 'json' ? sqsErrors.serialization(message) : sqsErrors.invalidParameterValue(message);
  };
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
