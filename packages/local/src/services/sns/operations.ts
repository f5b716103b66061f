/** SNS's actions: a typed handler per action over topics and subscriptions (model.ts) and publishing (delivery.ts). */

import { runBatch } from '../../protocol/batch';
import type { OperationTable } from '../../protocol/operations';
import { decodePageToken, encodePageToken } from '../../protocol/pagination';
import type { ServiceContext } from '../../protocol/service';
import { publish, type QueueDeliveries } from './delivery';
import { required, snsErrors } from './errors';
import { entriesToRecord, type SnsInput, type SnsInputs } from './inputs';
import {
  type SnsModel,
  type Subscription,
  setSubscriptionAttribute,
  setTopicAttribute,
  subscriptionAttributes,
  topicAttributes,
} from './model';
import type { BatchResultErrorEntry, SnsOutputs, SubscriptionSummary } from './outputs';
import { checkPublishInput, MAX_MESSAGE_BYTES } from './validation';

export type SnsOperationTable = OperationTable<typeof SnsInputs, SnsOutputs>;

const MAX_BATCH_ENTRIES = 10;
const PAGE_SIZE = 100;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The handler of every SNS action, over `model`, delivering to `queues`. */
export function snsOperations(model: SnsModel, queues: QueueDeliveries): SnsOperationTable {
  return {
    CreateTopic: (input, ctx) => ({
      TopicArn: model.createTopic(required(input.Name, 'Name'), entriesToRecord(input.Attributes), ctx),
    }),
    DeleteTopic: (input) => {
      model.deleteTopic(required(input.TopicArn, 'TopicArn'));
      return {};
    },
    ListTopics: (input) => {
      const { page, nextToken } = paginate([...model.topics.keys()], input.NextToken);
      return { Topics: page, ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
    },
    GetTopicAttributes: (input) => ({
      Attributes: topicAttributes(model.topic(required(input.TopicArn, 'TopicArn'))),
    }),
    SetTopicAttributes: (input) => {
      const topic = model.topic(required(input.TopicArn, 'TopicArn'));
      setTopicAttribute(topic, required(input.AttributeName, 'AttributeName'), input.AttributeValue);
      return {};
    },
    Subscribe: (input) => {
      const topic = model.topic(required(input.TopicArn, 'TopicArn'));
      const protocol = required(input.Protocol, 'Protocol');
      const subscription = model.subscribe(
        topic,
        protocol,
        input.Endpoint ?? '',
        entriesToRecord(input.Attributes),
      );
      // Only sqs is confirmed at once; other protocols would await a confirmation that never comes here.
      const confirmed = protocol === 'sqs' || input.ReturnSubscriptionArn === 'true';
      return { SubscriptionArn: confirmed ? subscription.arn : 'pending confirmation' };
    },
    Unsubscribe: (input) => {
      model.unsubscribe(model.subscription(required(input.SubscriptionArn, 'SubscriptionArn')));
      return {};
    },
    ListSubscriptionsByTopic: (input) => {
      const topic = model.topic(required(input.TopicArn, 'TopicArn'));
      return listSubscriptions(topic.subscriptions.values(), input.NextToken);
    },
    ListSubscriptions: (input) => listSubscriptions(model.subscriptions.values(), input.NextToken),
    GetSubscriptionAttributes: (input) => ({
      Attributes: subscriptionAttributes(
        model.subscription(required(input.SubscriptionArn, 'SubscriptionArn')),
      ),
    }),
    SetSubscriptionAttributes: (input) => {
      const subscription = model.subscription(required(input.SubscriptionArn, 'SubscriptionArn'));
      setSubscriptionAttribute(
        subscription,
        required(input.AttributeName, 'AttributeName'),
        input.AttributeValue ?? '',
      );
      return {};
    },
    Publish: (input, ctx) => {
      const topicArn = input.TopicArn ?? input.TargetArn;
      if (topicArn === undefined) throw snsErrors.required('TopicArn or TargetArn');
      const topic = model.topic(topicArn);
      const published = publish(model, queues, topic, checkPublishInput(input), ctx);
      return {
        MessageId: published.messageId,
        ...(published.sequenceNumber === undefined ? {} : { SequenceNumber: published.sequenceNumber }),
      };
    },
    PublishBatch: (input, ctx) => publishBatch(model, queues, input, ctx),
  };
}

function listSubscriptions(
  subscriptions: Iterable<Subscription>,
  token: string | undefined,
): SnsOutputs['ListSubscriptions'] {
  const { page, nextToken } = paginate([...subscriptions], token);
  const summaries: SubscriptionSummary[] = page.map((s) => ({
    SubscriptionArn: s.arn,
    Owner: s.topicArn.split(':')[4],
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    TopicArn: s.topicArn,
  }));
  return { Subscriptions: summaries, ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
}

function publishBatch(
  model: SnsModel,
  queues: QueueDeliveries,
  input: SnsInput<'PublishBatch'>,
  ctx: ServiceContext,
): SnsOutputs['PublishBatch'] {
  const topic = model.topic(required(input.TopicArn, 'TopicArn'));
  const entries = input.PublishBatchRequestEntries?.member ?? [];
  if (entries.length === 0) throw snsErrors.emptyBatch();
  if (entries.length > MAX_BATCH_ENTRIES) throw snsErrors.tooManyEntries(entries.length, MAX_BATCH_ENTRIES);
  const ids = entries.map((entry) => entry.Id ?? '');
  for (const id of ids) if (!BATCH_ENTRY_ID.test(id)) throw snsErrors.invalidBatchEntryId(id);
  if (new Set(ids).size !== ids.length) throw snsErrors.batchEntryIdsNotDistinct();
  let totalBytes = 0;
  const { successful, failed } = runBatch(
    entries,
    (entry, i) => {
      const checked = checkPublishInput(entry);
      totalBytes += Buffer.byteLength(checked.message);
      if (totalBytes > MAX_MESSAGE_BYTES) throw snsErrors.batchTooLong(MAX_MESSAGE_BYTES);
      const published = publish(model, queues, topic, checked, ctx);
      return {
        Id: ids[i] ?? '',
        MessageId: published.messageId,
        ...(published.sequenceNumber === undefined ? {} : { SequenceNumber: published.sequenceNumber }),
      };
    },
    // Messages too long together fail the whole batch, not one entry.
    (error) => error.code === 'BatchRequestTooLong',
  );
  const failures: BatchResultErrorEntry[] = failed.map(({ index, error }) => ({
    Id: ids[index] ?? '',
    Code: error.code,
    Message: error.message,
    SenderFault: error.status < 500,
  }));
  return { Successful: successful, Failed: failures };
}

/** A page of 100 from `token` on; the token carries the offset of the next page. */
function paginate<T>(items: T[], token: string | undefined): { page: T[]; nextToken: string | undefined } {
  const start =
    token === undefined
      ? 0
      : decodePageToken(
          token,
          (value): value is number =>
            Number.isInteger(value) && (value as number) >= 0 && (value as number) <= items.length,
          snsErrors.invalidNextToken,
        );
  const end = start + PAGE_SIZE;
  return {
    page: items.slice(start, end),
    nextToken: end < items.length ? encodePageToken(end) : undefined,
  };
}
