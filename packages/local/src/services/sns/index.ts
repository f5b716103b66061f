/**
 * SNS (query protocol): topics, `sqs` subscriptions on this server's queues (the SNS JSON envelope or raw
 * delivery, filter policies), Publish and PublishBatch. Every published message is also kept in a
 * bounded log, read through `GET /_local/sns/messages`. Other protocols (email, https, lambda) are
 * recorded as subscriptions but nothing is delivered to them.
 */
import { randomUUID } from 'node:crypto';
import {
  AwsError,
  type QueryResult,
  type QueryService,
  type ServiceContext,
  type ServiceOptions,
} from '../../protocol/service';
import { toXml } from '../../protocol/xml';
import type { SqsService } from '../sqs';
import {
  type FilterInput,
  type FilterPolicy,
  FilterPolicyError,
  matchesFilterPolicy,
  parseFilterPolicy,
} from './filter-policy';

/** Messages kept for `GET /_local/sns/messages`; the oldest are dropped beyond this. */
export const PUBLISHED_MESSAGE_LOG_LIMIT = 10_000;
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BATCH_ENTRIES = 10;
const PAGE_SIZE = 100;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/**
 * Publish's Subject, as the SNS API reference words it: "ASCII text that begins with a letter, number,
 * or punctuation mark; must not include line breaks or control characters; and must be less than 100
 * characters long". AWS answers `InvalidParameter` ("Invalid parameter: Subject"). moto#1503 reports AWS
 * accepting exactly 100 characters; the documented limit is kept here, the side on which code that
 * passes locally also passes on AWS.
 */
const SUBJECT = /^[!-~][ -~]{0,98}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!aws\.|amazon\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/i;

export interface SnsMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64. */
  readonly BinaryValue?: string;
}

export interface Delivery {
  readonly subscriptionArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  /** `delivered`, `filtered` (the filter policy rejected it), `failed` (e.g. the queue is gone), `not-delivered` (protocol not emulated). */
  readonly outcome: 'delivered' | 'filtered' | 'failed' | 'not-delivered';
  readonly error?: string;
}

export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly message: string;
  readonly subject?: string;
  readonly messageAttributes: Readonly<Record<string, SnsMessageAttribute>>;
  readonly messageGroupId?: string;
  /** Simulated time, ISO 8601. */
  readonly timestamp: string;
  readonly deliveries: readonly Delivery[];
}

interface Topic {
  readonly arn: string;
  readonly name: string;
  readonly attributes: Map<string, string>;
  readonly subscriptions: Map<string, Subscription>;
  sequence: bigint;
}

interface Subscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly attributes: Map<string, string>;
  filterPolicy?: FilterPolicy;
}

type Params = Readonly<Record<string, string>>;

interface PublishInput {
  readonly message: string;
  readonly subject?: string;
  readonly messageStructure?: string;
  readonly messageAttributes: Record<string, SnsMessageAttribute>;
  readonly messageGroupId?: string;
}

const SUBSCRIPTION_ATTRIBUTES = new Set([
  'RawMessageDelivery',
  'FilterPolicy',
  'FilterPolicyScope',
  'RedrivePolicy',
  'DeliveryPolicy',
  'SubscriptionRoleArn',
]);

export class SnsService implements QueryService {
  readonly signingName = 'sns';
  readonly version = '2010-03-31';
  readonly xmlns = 'http://sns.amazonaws.com/doc/2010-03-31/';
  readonly #sqs: SqsService;
  readonly #topics = new Map<string, Topic>();
  readonly #subscriptions = new Map<string, Subscription>();
  #log: PublishedMessage[] = [];

  constructor(options: ServiceOptions & { sqs: SqsService }) {
    this.#sqs = options.sqs;
  }

  /** Published messages, oldest first, optionally of one topic. */
  messages(topicArn?: string): readonly PublishedMessage[] {
    return topicArn === undefined ? [...this.#log] : this.#log.filter((m) => m.topicArn === topicArn);
  }

  clearMessages(): void {
    this.#log = [];
  }

  handleQuery(action: string, params: Params, ctx: ServiceContext): QueryResult {
    switch (action) {
      case 'CreateTopic':
        return this.#createTopic(params, ctx);
      case 'DeleteTopic':
        return this.#deleteTopic(params);
      case 'ListTopics':
        return this.#listTopics(params);
      case 'GetTopicAttributes':
        return this.#getTopicAttributes(params);
      case 'SetTopicAttributes':
        return this.#setTopicAttributes(params);
      case 'Subscribe':
        return this.#subscribe(params);
      case 'Unsubscribe':
        return this.#unsubscribe(params);
      case 'ListSubscriptionsByTopic':
        return this.#listSubscriptions(
          params,
          this.#topic(required(params, 'TopicArn')).subscriptions.values(),
        );
      case 'ListSubscriptions':
        return this.#listSubscriptions(params, this.#subscriptions.values());
      case 'GetSubscriptionAttributes':
        return this.#getSubscriptionAttributes(params);
      case 'SetSubscriptionAttributes':
        return this.#setSubscriptionAttributes(params);
      case 'Publish':
        return this.#publish(params, ctx);
      case 'PublishBatch':
        return this.#publishBatch(params, ctx);
      default:
        throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${this.version}`);
    }
  }

  #createTopic(params: Params, ctx: ServiceContext): QueryResult {
    const name = required(params, 'Name');
    const attributes = readMap(params, 'Attributes', 'key', 'value');
    const fifo = attributes.FifoTopic === 'true';
    const baseName = fifo ? name.replace(/\.fifo$/, '') : name;
    if (!TOPIC_NAME.test(baseName) || fifo !== name.endsWith('.fifo')) {
      throw invalidParameter(
        `Topic Name: got '${name}', expected 1-256 letters, digits, '-' or '_' (FIFO topics end in '.fifo' and set FifoTopic=true)`,
      );
    }
    const arn = `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name}`;
    const existing = this.#topics.get(arn);
    if (existing !== undefined) {
      for (const [key, value] of Object.entries(attributes)) {
        if (existing.attributes.get(key) !== value) {
          throw invalidParameter(`Attributes: topic ${name} already exists with a different ${key}`);
        }
      }
      return { resultXml: toXml({ TopicArn: arn }) };
    }
    this.#topics.set(arn, {
      arn,
      name,
      attributes: new Map(Object.entries(attributes)),
      subscriptions: new Map(),
      sequence: 0n,
    });
    return { resultXml: toXml({ TopicArn: arn }) };
  }

  #deleteTopic(params: Params): QueryResult {
    const arn = required(params, 'TopicArn');
    const topic = this.#topics.get(arn);
    if (topic !== undefined) {
      for (const subscriptionArn of topic.subscriptions.keys()) this.#subscriptions.delete(subscriptionArn);
      this.#topics.delete(arn);
    }
    return {};
  }

  #listTopics(params: Params): QueryResult {
    const { page, nextToken } = paginate([...this.#topics.keys()], params.NextToken);
    return {
      resultXml: toXml({ Topics: { member: page.map((TopicArn) => ({ TopicArn })) }, NextToken: nextToken }),
    };
  }

  #getTopicAttributes(params: Params): QueryResult {
    const topic = this.#topic(required(params, 'TopicArn'));
    const [, , , , owner = ''] = topic.arn.split(':');
    const attributes: Record<string, string> = {
      TopicArn: topic.arn,
      Owner: owner,
      DisplayName: '',
      SubscriptionsConfirmed: String(topic.subscriptions.size),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
      Policy: JSON.stringify(defaultTopicPolicy(topic.arn, owner)),
      EffectiveDeliveryPolicy: DEFAULT_EFFECTIVE_DELIVERY_POLICY,
      ...Object.fromEntries(topic.attributes),
    };
    return { resultXml: toXml({ Attributes: { entry: entries(attributes) } }) };
  }

  #setTopicAttributes(params: Params): QueryResult {
    const topic = this.#topic(required(params, 'TopicArn'));
    const name = required(params, 'AttributeName');
    if (name === 'FifoTopic') throw invalidParameter('AttributeName: FifoTopic cannot be changed');
    topic.attributes.set(name, params.AttributeValue ?? '');
    return {};
  }

  #subscribe(params: Params): QueryResult {
    const topic = this.#topic(required(params, 'TopicArn'));
    const protocol = required(params, 'Protocol');
    const endpoint = params.Endpoint ?? '';
    if (protocol === 'sqs' && !/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w.-]+$/.test(endpoint)) {
      throw invalidParameter(
        `SQS endpoint ARN: got '${endpoint}', expected arn:aws:sqs:<region>:<account>:<queue>`,
      );
    }
    const attributes = readMap(params, 'Attributes', 'key', 'value');
    for (const existing of topic.subscriptions.values()) {
      if (existing.protocol === protocol && existing.endpoint === endpoint) {
        return { resultXml: toXml({ SubscriptionArn: existing.arn }) };
      }
    }
    const subscription: Subscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      protocol,
      endpoint,
      attributes: new Map(),
    };
    for (const [name, value] of Object.entries(attributes))
      setSubscriptionAttribute(subscription, name, value);
    topic.subscriptions.set(subscription.arn, subscription);
    this.#subscriptions.set(subscription.arn, subscription);
    // Only sqs is confirmed at once; other protocols would await a confirmation that never comes here.
    const confirmed = protocol === 'sqs' || params.ReturnSubscriptionArn === 'true';
    return { resultXml: toXml({ SubscriptionArn: confirmed ? subscription.arn : 'pending confirmation' }) };
  }

  #unsubscribe(params: Params): QueryResult {
    const subscription = this.#subscription(required(params, 'SubscriptionArn'));
    this.#subscriptions.delete(subscription.arn);
    this.#topics.get(subscription.topicArn)?.subscriptions.delete(subscription.arn);
    return {};
  }

  #listSubscriptions(params: Params, subscriptions: Iterable<Subscription>): QueryResult {
    const { page, nextToken } = paginate([...subscriptions], params.NextToken);
    return {
      resultXml: toXml({
        Subscriptions: {
          member: page.map((s) => ({
            SubscriptionArn: s.arn,
            Owner: s.topicArn.split(':')[4],
            Protocol: s.protocol,
            Endpoint: s.endpoint,
            TopicArn: s.topicArn,
          })),
        },
        NextToken: nextToken,
      }),
    };
  }

  #getSubscriptionAttributes(params: Params): QueryResult {
    const s = this.#subscription(required(params, 'SubscriptionArn'));
    const attributes: Record<string, string> = {
      SubscriptionArn: s.arn,
      TopicArn: s.topicArn,
      Owner: s.topicArn.split(':')[4] ?? '',
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      ConfirmationWasAuthenticated: 'true',
      PendingConfirmation: 'false',
      RawMessageDelivery: 'false',
      ...Object.fromEntries(s.attributes),
    };
    return { resultXml: toXml({ Attributes: { entry: entries(attributes) } }) };
  }

  #setSubscriptionAttributes(params: Params): QueryResult {
    const subscription = this.#subscription(required(params, 'SubscriptionArn'));
    setSubscriptionAttribute(subscription, required(params, 'AttributeName'), params.AttributeValue ?? '');
    return {};
  }

  #publish(params: Params, ctx: ServiceContext): QueryResult {
    const topicArn = params.TopicArn ?? params.TargetArn;
    if (topicArn === undefined) {
      throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    }
    const topic = this.#topic(topicArn);
    const input = readPublishInput(params, '');
    const published = this.#deliver(topic, input, ctx);
    return {
      resultXml: toXml({ MessageId: published.messageId, SequenceNumber: published.sequenceNumber }),
    };
  }

  #publishBatch(params: Params, ctx: ServiceContext): QueryResult {
    const topic = this.#topic(required(params, 'TopicArn'));
    const prefixes = listPrefixes(params, 'PublishBatchRequestEntries.member');
    if (prefixes.length === 0) {
      throw new AwsError('EmptyBatchRequest', 'The batch request does not contain any entries.');
    }
    if (prefixes.length > MAX_BATCH_ENTRIES) {
      throw new AwsError(
        'TooManyEntriesInBatchRequest',
        `The batch request contains ${prefixes.length} entries; the maximum is ${MAX_BATCH_ENTRIES}.`,
      );
    }
    const ids = prefixes.map((prefix) => params[`${prefix}.Id`] ?? '');
    for (const id of ids) {
      if (!BATCH_ENTRY_ID.test(id)) {
        throw new AwsError(
          'InvalidBatchEntryId',
          `The Id of a batch entry in a batch request doesn't abide by the specification: got '${id}', expected 1-80 letters, digits, '-' or '_'.`,
        );
      }
    }
    if (new Set(ids).size !== ids.length) {
      throw new AwsError(
        'BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id.',
      );
    }
    let totalBytes = 0;
    const successful: Array<{ Id: string; MessageId: string; SequenceNumber?: string }> = [];
    const failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
    prefixes.forEach((prefix, i) => {
      const id = ids[i] ?? '';
      try {
        const input = readPublishInput(params, `${prefix}.`);
        totalBytes += Buffer.byteLength(input.message);
        if (totalBytes > MAX_MESSAGE_BYTES) {
          throw new AwsError(
            'BatchRequestTooLong',
            `The length of all the messages put together is more than the limit of ${MAX_MESSAGE_BYTES} bytes.`,
          );
        }
        const published = this.#deliver(topic, input, ctx);
        successful.push({ Id: id, MessageId: published.messageId, SequenceNumber: published.sequenceNumber });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        if (error.code === 'BatchRequestTooLong') throw error;
        failed.push({ Id: id, Code: error.code, Message: error.message, SenderFault: error.status < 500 });
      }
    });
    return { resultXml: toXml({ Successful: { member: successful }, Failed: { member: failed } }) };
  }

  #deliver(
    topic: Topic,
    input: PublishInput,
    ctx: ServiceContext,
  ): { messageId: string; sequenceNumber: string | undefined } {
    const fifo = topic.attributes.get('FifoTopic') === 'true';
    if (fifo && input.messageGroupId === undefined) {
      throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    }
    let sequenceNumber: string | undefined;
    if (fifo) {
      topic.sequence += 1n;
      sequenceNumber = topic.sequence.toString().padStart(20, '0');
    }
    const messageId = randomUUID();
    const timestamp = new Date(ctx.clock.now()).toISOString();
    const byProtocol = input.messageStructure === 'json' ? parseStructuredMessage(input.message) : undefined;
    const deliveries: Delivery[] = [];
    for (const subscription of topic.subscriptions.values()) {
      const base = {
        subscriptionArn: subscription.arn,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
      };
      const message = byProtocol?.[subscription.protocol] ?? byProtocol?.default ?? input.message;
      if (!passesFilter(subscription, input.messageAttributes, message)) {
        deliveries.push({ ...base, outcome: 'filtered' });
        continue;
      }
      if (subscription.protocol !== 'sqs') {
        deliveries.push({ ...base, outcome: 'not-delivered' });
        continue;
      }
      const raw = subscription.attributes.get('RawMessageDelivery') === 'true';
      const body = raw
        ? message
        : JSON.stringify(envelope(topic, subscription, { ...input, message }, messageId, timestamp, ctx));
      try {
        this.#sqs.deliver(subscription.endpoint, body, raw ? input.messageAttributes : undefined);
        deliveries.push({ ...base, outcome: 'delivered' });
      } catch (error) {
        // SNS does not fail the publish when a subscriber's queue is gone; the delivery is lost.
        deliveries.push({
          ...base,
          outcome: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    this.#log.push({
      messageId,
      topicArn: topic.arn,
      message: input.message,
      ...(input.subject === undefined ? {} : { subject: input.subject }),
      messageAttributes: input.messageAttributes,
      ...(input.messageGroupId === undefined ? {} : { messageGroupId: input.messageGroupId }),
      timestamp,
      deliveries,
    });
    if (this.#log.length > PUBLISHED_MESSAGE_LOG_LIMIT * 1.5) {
      this.#log = this.#log.slice(-PUBLISHED_MESSAGE_LOG_LIMIT);
    }
    return { messageId, sequenceNumber };
  }

  #topic(arn: string): Topic {
    const topic = this.#topics.get(arn);
    if (topic === undefined) throw new AwsError('NotFound', `Topic does not exist: ${arn}`, 404);
    return topic;
  }

  #subscription(arn: string): Subscription {
    const subscription = this.#subscriptions.get(arn);
    if (subscription === undefined)
      throw new AwsError('NotFound', `Subscription does not exist: ${arn}`, 404);
    return subscription;
  }
}

/** The access policy SNS gives a new topic: its owner's account may act on it. */
function defaultTopicPolicy(topicArn: string, owner: string): Record<string, unknown> {
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': owner } },
      },
    ],
  };
}

/** What GetTopicAttributes reports as EffectiveDeliveryPolicy for a topic without a DeliveryPolicy. */
const DEFAULT_EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});

function envelope(
  topic: Topic,
  subscription: Subscription,
  input: PublishInput,
  messageId: string,
  timestamp: string,
  ctx: ServiceContext,
): Record<string, unknown> {
  const attributes = Object.entries(input.messageAttributes);
  return {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: topic.arn,
    ...(input.subject === undefined ? {} : { Subject: input.subject }),
    Message: input.message,
    Timestamp: timestamp,
    SignatureVersion: '1',
    Signature: Buffer.from(`local:${messageId}`).toString('base64'),
    SigningCertURL: `${ctx.baseUrl}/_local/sns/SimpleNotificationService-local.pem`,
    UnsubscribeURL: `${ctx.baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`,
    ...(attributes.length === 0
      ? {}
      : {
          MessageAttributes: Object.fromEntries(
            attributes.map(([name, a]) => [
              name,
              { Type: a.DataType, Value: a.DataType.startsWith('Binary') ? a.BinaryValue : a.StringValue },
            ]),
          ),
        }),
  };
}

function passesFilter(
  subscription: Subscription,
  attributes: Readonly<Record<string, SnsMessageAttribute>>,
  message: string,
): boolean {
  const policy = subscription.filterPolicy;
  if (policy === undefined) return true;
  if (subscription.attributes.get('FilterPolicyScope') === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message);
    } catch {
      return false;
    }
    return body !== null && typeof body === 'object' && matchesFilterPolicy(policy, body as FilterInput);
  }
  const input: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute.DataType.startsWith('Binary')) continue;
    const text = attribute.StringValue ?? '';
    if (attribute.DataType.startsWith('Number')) input[name] = Number(text);
    else if (attribute.DataType === 'String.Array') input[name] = parseStringArray(text);
    else input[name] = text;
  }
  return matchesFilterPolicy(policy, input);
}

function parseStringArray(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : text;
  } catch {
    return text;
  }
}

function setSubscriptionAttribute(subscription: Subscription, name: string, value: string): void {
  if (!SUBSCRIPTION_ATTRIBUTES.has(name)) {
    throw invalidParameter(
      `AttributeName: got '${name}', expected one of ${[...SUBSCRIPTION_ATTRIBUTES].join(', ')}`,
    );
  }
  if (name === 'RawMessageDelivery' && value !== 'true' && value !== 'false') {
    throw invalidParameter(`RawMessageDelivery: got '${value}', expected true or false`);
  }
  if (name === 'FilterPolicyScope' && value !== 'MessageAttributes' && value !== 'MessageBody') {
    throw invalidParameter(`FilterPolicyScope: got '${value}', expected MessageAttributes or MessageBody`);
  }
  if (name === 'FilterPolicy') {
    if (value === '') {
      subscription.filterPolicy = undefined;
      subscription.attributes.delete(name);
      return;
    }
    try {
      subscription.filterPolicy = parseFilterPolicy(value);
    } catch (error) {
      if (error instanceof FilterPolicyError) throw invalidParameter(`FilterPolicy: ${error.message}`);
      throw error;
    }
  }
  subscription.attributes.set(name, value);
}

function readPublishInput(params: Params, prefix: string): PublishInput {
  const message = params[`${prefix}Message`];
  if (message === undefined) throw invalidParameter('Message Reason: no value for required parameter');
  if (message === '') throw invalidParameter('Empty message');
  const subject = params[`${prefix}Subject`];
  if (subject !== undefined && !SUBJECT.test(subject)) {
    throw invalidParameter(
      `Subject: got ${JSON.stringify(subject.slice(0, 120))} (${subject.length} characters), expected fewer than 100 ASCII characters without line breaks or control characters, beginning with a letter, number or punctuation mark`,
    );
  }
  const messageAttributes = readMessageAttributes(params, `${prefix}MessageAttributes`);
  let bytes = Buffer.byteLength(message);
  for (const [name, attribute] of Object.entries(messageAttributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
    bytes += Buffer.byteLength(attribute.StringValue ?? attribute.BinaryValue ?? '');
  }
  if (bytes > MAX_MESSAGE_BYTES) {
    throw invalidParameter(
      `Message too long: ${bytes} bytes with attributes, the limit is ${MAX_MESSAGE_BYTES}`,
    );
  }
  const messageStructure = params[`${prefix}MessageStructure`];
  if (messageStructure !== undefined && messageStructure !== 'json') {
    throw invalidParameter(`MessageStructure: got '${messageStructure}', expected 'json'`);
  }
  if (messageStructure === 'json') parseStructuredMessage(message);
  const messageGroupId = params[`${prefix}MessageGroupId`];
  return {
    message,
    messageAttributes,
    ...(subject === undefined ? {} : { subject }),
    ...(messageStructure === undefined ? {} : { messageStructure }),
    ...(messageGroupId === undefined ? {} : { messageGroupId }),
  };
}

function parseStructuredMessage(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    typeof (parsed as { default?: unknown }).default !== 'string'
  ) {
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  }
  return parsed as Record<string, string>;
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`. */
function readMessageAttributes(params: Params, prefix: string): Record<string, SnsMessageAttribute> {
  const out: Record<string, SnsMessageAttribute> = {};
  for (const entry of listPrefixes(params, `${prefix}.entry`)) {
    const name = params[`${entry}.Name`] ?? '';
    const dataType = params[`${entry}.Value.DataType`];
    const stringValue = params[`${entry}.Value.StringValue`];
    const binaryValue = params[`${entry}.Value.BinaryValue`];
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidParameter(`MessageAttributes: invalid attribute name '${name}'`);
    }
    if (dataType === undefined || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw new AwsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type '${dataType ?? ''}', expected String, String.Array, Number or Binary`,
      );
    }
    const isBinary = dataType.startsWith('Binary');
    if (isBinary ? binaryValue === undefined : stringValue === undefined) {
      throw new AwsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' with type '${dataType}' must contain a non-empty ${isBinary ? 'BinaryValue' : 'StringValue'}`,
      );
    }
    if (dataType.startsWith('Number') && !Number.isFinite(Number(stringValue))) {
      throw new AwsError(
        'ParameterValueInvalid',
        `Could not cast message attribute '${name}' value '${stringValue}' to number.`,
      );
    }
    out[name] = isBinary
      ? { DataType: dataType, BinaryValue: binaryValue ?? '' }
      : { DataType: dataType, StringValue: stringValue ?? '' };
  }
  return out;
}

/** `Attributes.entry.N.key` / `.value` maps. */
function readMap(params: Params, prefix: string, key: string, value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of listPrefixes(params, `${prefix}.entry`)) {
    const k = params[`${entry}.${key}`];
    if (k !== undefined) out[k] = params[`${entry}.${value}`] ?? '';
  }
  return out;
}

/** `${prefix}.1`, `${prefix}.2`, … in order, for as long as any parameter starts with one. */
function listPrefixes(params: Params, prefix: string): string[] {
  const indexes = new Set<number>();
  const start = `${prefix}.`;
  for (const name of Object.keys(params)) {
    if (!name.startsWith(start)) continue;
    const index = Number.parseInt(name.slice(start.length), 10);
    if (index > 0) indexes.add(index);
  }
  return [...indexes].sort((a, b) => a - b).map((i) => `${prefix}.${i}`);
}

function paginate<T>(items: T[], token: string | undefined): { page: T[]; nextToken: string | undefined } {
  const start = token === undefined ? 0 : Number.parseInt(Buffer.from(token, 'base64').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw invalidParameter(`NextToken: got '${token}', expected a token from a previous page`);
  }
  const end = start + PAGE_SIZE;
  return {
    page: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined,
  };
}

function entries(attributes: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value }));
}

function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') {
    throw invalidParameter(`${name} Reason: no value for required parameter`);
  }
  return value;
}

function invalidParameter(detail: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${detail}`);
}
