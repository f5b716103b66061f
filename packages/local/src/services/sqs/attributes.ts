/**
 * Queue attributes: which names exist, their defaults, ranges and the normal form in which a queue
 * stores (and GetQueueAttributes returns) them. RedrivePolicy and RedriveAllowPolicy refer to other
 * queues, so the service checks those; here only their shape is checked.
 */
import { sqsErrors } from './errors';

interface IntegerAttribute {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** Integer attributes with their ranges (SQS API reference, SetQueueAttributes). */
export const INTEGER_ATTRIBUTES = {
  DelaySeconds: { min: 0, max: 900, default: 0 },
  MaximumMessageSize: { min: 1024, max: 1_048_576, default: 1_048_576 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, default: 30 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400, default: 300 },
} as const satisfies Record<string, IntegerAttribute>;
export type IntegerAttributeName = keyof typeof INTEGER_ATTRIBUTES;

/** Attributes a standard queue accepts in CreateQueue and SetQueueAttributes. */
export const SETTABLE_ATTRIBUTES = new Set<string>([
  ...Object.keys(INTEGER_ATTRIBUTES),
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'SqsManagedSseEnabled',
]);

/** Attributes that only FIFO queues have; the local AWS serves standard queues only. */
export const FIFO_ATTRIBUTES = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

export const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

/** Every name GetQueueAttributes accepts, besides `All`. */
export const READABLE_ATTRIBUTES = new Set<string>([
  ...COMPUTED_ATTRIBUTES,
  ...SETTABLE_ATTRIBUTES,
  ...FIFO_ATTRIBUTES,
]);

/** What a new queue has before any attribute is given. */
export function defaultQueueAttributes(): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const [name, spec] of Object.entries(INTEGER_ATTRIBUTES)) {
    if (name !== 'KmsDataKeyReusePeriodSeconds') attributes.set(name, String(spec.default));
  }
  attributes.set('SqsManagedSseEnabled', 'true');
  return attributes;
}

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/**
 * The normal form of one settable attribute's value, or '' for "remove" (RedrivePolicy,
 * RedriveAllowPolicy and Policy may be cleared with an empty string).
 */
export function normalizeAttribute(name: string, value: string): string {
  if (FIFO_ATTRIBUTES.has(name)) {
    throw sqsErrors.invalidAttributeName(
      name,
      `the attributes of a standard queue (${[...SETTABLE_ATTRIBUTES].join(', ')}); FIFO queues are not supported by the local AWS`,
    );
  }
  if (!SETTABLE_ATTRIBUTES.has(name)) {
    throw sqsErrors.invalidAttributeName(name, [...SETTABLE_ATTRIBUTES].join(', '));
  }
  if (name in INTEGER_ATTRIBUTES) {
    const spec = INTEGER_ATTRIBUTES[name as IntegerAttributeName];
    const n = /^\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!(n >= spec.min && n <= spec.max)) {
      throw sqsErrors.invalidAttributeValue(
        name,
        value,
        `must be an integer from ${spec.min} to ${spec.max}`,
      );
    }
    return String(n);
  }
  switch (name) {
    case 'SqsManagedSseEnabled':
      if (value !== 'true' && value !== 'false') {
        throw sqsErrors.invalidAttributeValue(name, value, 'must be true or false');
      }
      return value;
    case 'RedrivePolicy':
      return value === '' ? '' : JSON.stringify(parseRedrivePolicy(value));
    case 'RedriveAllowPolicy':
      return value === '' ? '' : JSON.stringify(parseRedriveAllowPolicy(value));
    case 'Policy':
      if (value !== '') parseJsonObject(name, value);
      return value;
    default:
      return value;
  }
}

/** A RedrivePolicy's JSON, checked: a queue ARN and a maxReceiveCount from 1 to 1000. */
export function parseRedrivePolicy(value: string): RedrivePolicy {
  const json = parseJsonObject('RedrivePolicy', value);
  const arn = json.deadLetterTargetArn;
  const count =
    typeof json.maxReceiveCount === 'string' ? Number(json.maxReceiveCount) : json.maxReceiveCount;
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw sqsErrors.invalidValue(
      'RedrivePolicy',
      value,
      'deadLetterTargetArn must be the ARN of a queue (arn:aws:sqs:<region>:<account>:<name>).',
    );
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw sqsErrors.invalidValue(
      'RedrivePolicy',
      value,
      'maxReceiveCount must be an integer from 1 to 1000.',
    );
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

export interface RedriveAllowPolicy {
  readonly redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  readonly sourceQueueArns?: readonly string[];
}

/** A RedriveAllowPolicy's JSON, checked: allowAll, denyAll, or byQueue with 1 to 10 source queue ARNs. */
export function parseRedriveAllowPolicy(value: string): RedriveAllowPolicy {
  const json = parseJsonObject('RedriveAllowPolicy', value);
  const permission = json.redrivePermission;
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
    throw sqsErrors.invalidValue(
      'RedriveAllowPolicy',
      value,
      'redrivePermission must be allowAll, denyAll or byQueue.',
    );
  }
  const arns = json.sourceQueueArns;
  if (permission === 'byQueue') {
    if (
      !Array.isArray(arns) ||
      arns.length < 1 ||
      arns.length > 10 ||
      !arns.every((a) => typeof a === 'string')
    ) {
      throw sqsErrors.invalidValue(
        'RedriveAllowPolicy',
        value,
        'byQueue needs sourceQueueArns, a list of 1 to 10 queue ARNs.',
      );
    }
    return { redrivePermission: permission, sourceQueueArns: arns as string[] };
  }
  if (arns !== undefined) {
    throw sqsErrors.invalidValue(
      'RedriveAllowPolicy',
      value,
      'sourceQueueArns is only allowed with byQueue.',
    );
  }
  return { redrivePermission: permission };
}

function parseJsonObject(name: string, value: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw sqsErrors.invalidAttributeValue(name, value, 'must be a JSON object');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw sqsErrors.invalidAttributeValue(name, value, 'must be a JSON object');
  }
  return json as Record<string, unknown>;
}
