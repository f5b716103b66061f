/**
 * Topics and their subscriptions, and the bounded log of what was published (read through
 * `GET /_local/sns/messages`).
 */
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../../protocol/service';
import { snsErrors } from './errors';
import { type FilterPolicy, FilterPolicyError, parseFilterPolicy } from './filter-policy';

/** Messages kept for `GET /_local/sns/messages`; the oldest are dropped beyond this. */
export const PUBLISHED_MESSAGE_LOG_LIMIT = 10_000;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

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

export interface Topic {
  readonly arn: string;
  readonly name: string;
  readonly attributes: Map<string, string>;
  readonly subscriptions: Map<string, Subscription>;
  sequence: bigint;
}

export interface Subscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly attributes: Map<string, string>;
  filterPolicy?: FilterPolicy;
}

const SUBSCRIPTION_ATTRIBUTES = new Set([
  'RawMessageDelivery',
  'FilterPolicy',
  'FilterPolicyScope',
  'RedrivePolicy',
  'DeliveryPolicy',
  'SubscriptionRoleArn',
]);

/** Every topic and subscription by ARN, and what was published. */
export class SnsModel {
  readonly topics = new Map<string, Topic>();
  readonly subscriptions = new Map<string, Subscription>();
  #log: PublishedMessage[] = [];

  /** Creates a topic, or answers the existing one if its attributes agree. */
  createTopic(name: string, attributes: Record<string, string>, ctx: ServiceContext): string {
    const fifo = attributes.FifoTopic === 'true';
    const baseName = fifo ? name.replace(/\.fifo$/, '') : name;
    if (!TOPIC_NAME.test(baseName) || fifo !== name.endsWith('.fifo')) {
      throw snsErrors.invalidParameter(
        `Topic Name: got '${name}', expected 1-256 letters, digits, '-' or '_' (FIFO topics end in '.fifo' and set FifoTopic=true)`,
      );
    }
    const arn = `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name}`;
    const existing = this.topics.get(arn);
    if (existing !== undefined) {
      for (const [key, value] of Object.entries(attributes)) {
        if (existing.attributes.get(key) !== value) {
          throw snsErrors.invalidParameter(
            `Attributes: topic ${name} already exists with a different ${key}`,
          );
        }
      }
      return arn;
    }
    this.topics.set(arn, {
      arn,
      name,
      attributes: new Map(Object.entries(attributes)),
      subscriptions: new Map(),
      sequence: 0n,
    });
    return arn;
  }

  /** Deletes a topic and its subscriptions; a topic that does not exist is no error, as on AWS. */
  deleteTopic(arn: string): void {
    const topic = this.topics.get(arn);
    if (topic === undefined) return;
    for (const subscriptionArn of topic.subscriptions.keys()) this.subscriptions.delete(subscriptionArn);
    this.topics.delete(arn);
  }

  /** The topic of that ARN, or NotFound. */
  topic(arn: string): Topic {
    const topic = this.topics.get(arn);
    if (topic === undefined) throw snsErrors.topicNotFound(arn);
    return topic;
  }

  /** The subscription of that ARN, or NotFound. */
  subscription(arn: string): Subscription {
    const subscription = this.subscriptions.get(arn);
    if (subscription === undefined) throw snsErrors.subscriptionNotFound(arn);
    return subscription;
  }

  /** Subscribes an endpoint (once: the same protocol and endpoint answer the existing subscription). */
  subscribe(
    topic: Topic,
    protocol: string,
    endpoint: string,
    attributes: Record<string, string>,
  ): Subscription {
    if (protocol === 'sqs' && !/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w.-]+$/.test(endpoint)) {
      throw snsErrors.invalidParameter(
        `SQS endpoint ARN: got '${endpoint}', expected arn:aws:sqs:<region>:<account>:<queue>`,
      );
    }
    for (const existing of topic.subscriptions.values()) {
      if (existing.protocol === protocol && existing.endpoint === endpoint) return existing;
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
    this.subscriptions.set(subscription.arn, subscription);
    return subscription;
  }

  unsubscribe(subscription: Subscription): void {
    this.subscriptions.delete(subscription.arn);
    this.topics.get(subscription.topicArn)?.subscriptions.delete(subscription.arn);
  }

  /** Keeps a published message, dropping the oldest beyond the log's limit. */
  record(message: PublishedMessage): void {
    this.#log.push(message);
    if (this.#log.length > PUBLISHED_MESSAGE_LOG_LIMIT * 1.5) {
      this.#log = this.#log.slice(-PUBLISHED_MESSAGE_LOG_LIMIT);
    }
  }

  /** Published messages, oldest first, optionally of one topic. */
  messages(topicArn?: string): readonly PublishedMessage[] {
    return topicArn === undefined ? [...this.#log] : this.#log.filter((m) => m.topicArn === topicArn);
  }

  clearMessages(): void {
    this.#log = [];
  }
}

/** Every attribute of a topic, as GetTopicAttributes answers: what SNS computes, then what was set. */
export function topicAttributes(topic: Topic): Record<string, string> {
  const [, , , , owner = ''] = topic.arn.split(':');
  return {
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
}

/** Sets a topic attribute; FifoTopic is fixed at creation. */
export function setTopicAttribute(topic: Topic, name: string, value: string | undefined): void {
  if (name === 'FifoTopic') throw snsErrors.invalidParameter('AttributeName: FifoTopic cannot be changed');
  topic.attributes.set(name, value ?? '');
}

/** Every attribute of a subscription, as GetSubscriptionAttributes answers. */
export function subscriptionAttributes(s: Subscription): Record<string, string> {
  return {
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
}

/** Sets a subscription attribute, checking its value (a FilterPolicy is parsed once, here). */
export function setSubscriptionAttribute(subscription: Subscription, name: string, value: string): void {
  if (!SUBSCRIPTION_ATTRIBUTES.has(name)) {
    throw snsErrors.invalidParameter(
      `AttributeName: got '${name}', expected one of ${[...SUBSCRIPTION_ATTRIBUTES].join(', ')}`,
    );
  }
  if (name === 'RawMessageDelivery' && value !== 'true' && value !== 'false') {
    throw snsErrors.invalidParameter(`RawMessageDelivery: got '${value}', expected true or false`);
  }
  if (name === 'FilterPolicyScope' && value !== 'MessageAttributes' && value !== 'MessageBody') {
    throw snsErrors.invalidParameter(
      `FilterPolicyScope: got '${value}', expected MessageAttributes or MessageBody`,
    );
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
      if (error instanceof FilterPolicyError)
        throw snsErrors.invalidParameter(`FilterPolicy: ${error.message}`);
      throw error;
    }
  }
  subscription.attributes.set(name, value);
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
