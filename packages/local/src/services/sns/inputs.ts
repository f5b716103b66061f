/**
 * Request shapes of the SNS actions served, as the query protocol's parameters read into a tree
 * (`Attributes.entry.N.key`, `MessageAttributes.entry.N.Value.DataType`,
 * `PublishBatchRequestEntries.member.N.Message`; protocol/query.ts). Every member is optional here: the
 * operations check what is required, in SNS's order and words ("X Reason: no value for required
 * parameter").
 */
import { z } from 'zod';
import { optionalQueryMember } from '../../protocol/query';

const Text = z.string().optional();

/** `Attributes.entry.N.key` / `.value`: a flattened map. */
const MapEntries = z.object({ entry: z.array(z.object({ key: Text, value: Text })) }).optional();

const MessageAttributeEntry = z.object({
  Name: Text,
  Value: z.object({ DataType: Text, StringValue: Text, BinaryValue: Text }).optional(),
});
export type MessageAttributeEntry = z.infer<typeof MessageAttributeEntry>;

const PublishFields = {
  Message: Text,
  Subject: Text,
  MessageStructure: Text,
  MessageGroupId: Text,
  MessageAttributes: optionalQueryMember(z.object({ entry: z.array(MessageAttributeEntry) })),
};
const PublishEntry = z.object({ Id: Text, ...PublishFields });
export type PublishFieldsInput = Omit<z.infer<typeof PublishEntry>, 'Id'>;

export const SnsInputs = {
  CreateTopic: z.object({ Name: Text, Attributes: MapEntries }),
  DeleteTopic: z.object({ TopicArn: Text }),
  ListTopics: z.object({ NextToken: Text }),
  GetTopicAttributes: z.object({ TopicArn: Text }),
  SetTopicAttributes: z.object({ TopicArn: Text, AttributeName: Text, AttributeValue: Text }),
  Subscribe: z.object({
    TopicArn: Text,
    Protocol: Text,
    Endpoint: Text,
    Attributes: MapEntries,
    ReturnSubscriptionArn: Text,
  }),
  Unsubscribe: z.object({ SubscriptionArn: Text }),
  ListSubscriptionsByTopic: z.object({ TopicArn: Text, NextToken: Text }),
  ListSubscriptions: z.object({ NextToken: Text }),
  GetSubscriptionAttributes: z.object({ SubscriptionArn: Text }),
  SetSubscriptionAttributes: z.object({ SubscriptionArn: Text, AttributeName: Text, AttributeValue: Text }),
  Publish: z.object({ TopicArn: Text, TargetArn: Text, ...PublishFields }),
  PublishBatch: z.object({
    TopicArn: Text,
    PublishBatchRequestEntries: optionalQueryMember(z.object({ member: z.array(PublishEntry) })),
  }),
} as const;

export type SnsOperation = keyof typeof SnsInputs;
export type SnsInput<O extends SnsOperation> = z.output<(typeof SnsInputs)[O]>;

/** A flattened map as a record: entries without a key are left out, a missing value is ''. */
export function entriesToRecord(map: z.infer<typeof MapEntries>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of map?.entry ?? []) if (key !== undefined) out[key] = value ?? '';
  return out;
}
