/**
 * Publishing: a message goes to every subscription of its topic whose filter policy it passes; `sqs`
 * subscriptions on this server's queues get the SNS JSON envelope (or the raw message), other protocols
 * are recorded as not delivered. Every publish is logged with each subscription's outcome.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../../protocol/service';
import { snsErrors } from './errors';
import { type FilterInput, matchesFilterPolicy } from './filter-policy';
import type { Delivery, SnsMessageAttribute, SnsModel, Subscription, Topic } from './model';
import { type PublishInput, parseStructuredMessage } from './validation';

/** Where `sqs` subscriptions deliver: the SQS service of this server. */
export interface QueueDeliveries {
  /** Enqueues a message on the queue with that ARN; throws if there is none. */
  deliver(
    queueArn: string,
    body: string,
    messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>,
  ): void;
}

/** Publishes a checked message to `topic`'s subscribers; answers its id (and sequence number on FIFO). */
export function publish(
  model: SnsModel,
  queues: QueueDeliveries,
  topic: Topic,
  input: PublishInput,
  ctx: ServiceContext,
): { messageId: string; sequenceNumber: string | undefined } {
  const fifo = topic.attributes.get('FifoTopic') === 'true';
  if (fifo && input.messageGroupId === undefined) {
    throw snsErrors.invalidParameter('The MessageGroupId parameter is required for FIFO topics');
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
      queues.deliver(subscription.endpoint, body, raw ? input.messageAttributes : undefined);
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
  model.record({
    messageId,
    topicArn: topic.arn,
    message: input.message,
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    messageAttributes: input.messageAttributes,
    ...(input.messageGroupId === undefined ? {} : { messageGroupId: input.messageGroupId }),
    timestamp,
    deliveries,
  });
  return { messageId, sequenceNumber };
}

/** The SNS JSON envelope an `sqs` subscriber receives unless RawMessageDelivery is on. */
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

/** Whether a message passes a subscription's filter policy, on its attributes or its JSON body. */
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
