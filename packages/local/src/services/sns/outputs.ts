/**
 * What each SNS action returns and its XML, as SNS renders it: lists as `<member>` elements, attribute
 * maps as `<entry><key/><value/></entry>`.
 */
import type { QueryRenderers } from '../../protocol/operations';
import { toXml } from '../../protocol/xml';

export interface SubscriptionSummary {
  readonly SubscriptionArn: string;
  readonly Owner: string | undefined;
  readonly Protocol: string;
  readonly Endpoint: string;
  readonly TopicArn: string;
}

export interface BatchResultErrorEntry {
  readonly Id: string;
  readonly Code: string;
  readonly Message: string;
  readonly SenderFault: boolean;
}

/** The output of each action. */
export interface SnsOutputs {
  CreateTopic: { TopicArn: string };
  DeleteTopic: Record<string, never>;
  ListTopics: { Topics: string[]; NextToken?: string };
  GetTopicAttributes: { Attributes: Record<string, string> };
  SetTopicAttributes: Record<string, never>;
  Subscribe: { SubscriptionArn: string };
  Unsubscribe: Record<string, never>;
  ListSubscriptionsByTopic: { Subscriptions: SubscriptionSummary[]; NextToken?: string };
  ListSubscriptions: { Subscriptions: SubscriptionSummary[]; NextToken?: string };
  GetSubscriptionAttributes: { Attributes: Record<string, string> };
  SetSubscriptionAttributes: Record<string, never>;
  Publish: { MessageId: string; SequenceNumber?: string };
  PublishBatch: {
    Successful: { Id: string; MessageId: string; SequenceNumber?: string }[];
    Failed: BatchResultErrorEntry[];
  };
}

/** The inner XML of `<{Action}Result>` for each action; undefined for actions SNS answers without one. */
export const renderSnsXml: QueryRenderers<SnsOutputs> = {
  CreateTopic: (o) => toXml({ TopicArn: o.TopicArn }),
  DeleteTopic: () => undefined,
  ListTopics: (o) =>
    toXml({ Topics: { member: o.Topics.map((TopicArn) => ({ TopicArn })) }, NextToken: o.NextToken }),
  GetTopicAttributes: (o) => toXml({ Attributes: { entry: entries(o.Attributes) } }),
  SetTopicAttributes: () => undefined,
  Subscribe: (o) => toXml({ SubscriptionArn: o.SubscriptionArn }),
  Unsubscribe: () => undefined,
  ListSubscriptionsByTopic: (o) => subscriptionsXml(o),
  ListSubscriptions: (o) => subscriptionsXml(o),
  GetSubscriptionAttributes: (o) => toXml({ Attributes: { entry: entries(o.Attributes) } }),
  SetSubscriptionAttributes: () => undefined,
  Publish: (o) => toXml({ MessageId: o.MessageId, SequenceNumber: o.SequenceNumber }),
  PublishBatch: (o) =>
    toXml({
      Successful: { member: o.Successful.map((e) => ({ ...e })) },
      Failed: { member: o.Failed.map((e) => ({ ...e })) },
    }),
};

function subscriptionsXml(o: SnsOutputs['ListSubscriptions']): string {
  return toXml({ Subscriptions: { member: o.Subscriptions.map((s) => ({ ...s })) }, NextToken: o.NextToken });
}

function entries(attributes: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value }));
}
