import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local-aws';
import type { PublishedMessage } from '../../../src/services/sns';

let local: LocalAws;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  local = await startLocalAws({ port: 0 });
  const config = {
    endpoint: local.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
});
afterAll(async () => {
  sns.destroy();
  sqs.destroy();
  await local.stop();
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl ?? '', arn: Attributes?.QueueArn ?? '' };
}

async function topic(name: string): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  return TopicArn ?? '';
}

async function subscribe(
  topicArn: string,
  queueArn: string,
  attributes?: Record<string, string>,
): Promise<string> {
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: attributes }),
  );
  return SubscriptionArn ?? '';
}

async function receiveAll(url: string): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
  );
  return Messages ?? [];
}

describe('SNS topics and subscriptions', () => {
  it('creates topics idempotently, lists them and deletes them', async () => {
    const arn = await topic('alerts-a');
    expect(arn).toBe('arn:aws:sns:us-east-1:000000000000:alerts-a');
    expect(await topic('alerts-a')).toBe(arn);
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    expect(Topics).toContainEqual({ TopicArn: arn });
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    const after = await sns.send(new ListTopicsCommand({}));
    expect(after.Topics).not.toContainEqual({ TopicArn: arn });
  });

  it('describes a new topic with the default Policy and EffectiveDeliveryPolicy AWS gives it', async () => {
    const arn = await topic('described');
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    // The owner's account may act on the topic: the policy names the topic and the account.
    const policy = JSON.parse(Attributes?.Policy ?? '');
    expect(policy).toMatchObject({ Version: '2008-10-17', Id: '__default_policy_ID' });
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement.Resource).toBe(arn);
    expect(statement.Condition).toEqual({ StringEquals: { 'AWS:SourceOwner': '000000000000' } });
    expect(statement.Action).toEqual(expect.arrayContaining(['SNS:Publish', 'SNS:Subscribe']));
    // AWS's default for http: 3 retries, 20 seconds apart, linear backoff, text/plain.
    const { http } = JSON.parse(Attributes?.EffectiveDeliveryPolicy ?? '');
    expect(http.defaultHealthyRetryPolicy).toMatchObject({
      numRetries: 3,
      minDelayTarget: 20,
      backoffFunction: 'linear',
    });
    expect(http).toMatchObject({
      disableSubscriptionOverrides: false,
      defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
    });
  });

  it('fails CreateTopic with InvalidParameter for a name with a space', async () => {
    await expect(sns.send(new CreateTopicCommand({ Name: 'bad name' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining("'bad name'"),
    });
  });

  it('lists, describes and removes subscriptions', async () => {
    const topicArn = await topic('alerts-subs');
    const { arn } = await queue('alerts-subs-q');
    const subscriptionArn = await subscribe(topicArn, arn, { RawMessageDelivery: 'true' });
    expect(subscriptionArn.startsWith(`${topicArn}:`)).toBe(true);
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(Subscriptions).toEqual([
      {
        SubscriptionArn: subscriptionArn,
        Owner: '000000000000',
        Protocol: 'sqs',
        Endpoint: arn,
        TopicArn: topicArn,
      },
    ]);
    const { Attributes } = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
    );
    expect(Attributes).toMatchObject({ RawMessageDelivery: 'true', Endpoint: arn });
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    const after = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(after.Subscriptions).toEqual([]);
  });

  it('fails Publish with NotFound for a topic that does not exist', async () => {
    await expect(
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:missing', Message: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('fails Subscribe with InvalidParameter when the topic exists but the sqs endpoint is not an ARN', async () => {
    const topicArn = await topic('alerts-bad-endpoint');
    await expect(
      sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: 'my-queue' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('fails Subscribe with InvalidParameter for a filter policy that is not JSON', async () => {
    const topicArn = await topic('alerts-bad-filter');
    const { arn } = await queue('alerts-bad-filter-q');
    await expect(subscribe(topicArn, arn, { FilterPolicy: '{severity' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('FilterPolicy'),
    });
  });
});

describe('SNS Publish subjects', () => {
  it('accepts a subject of 99 ASCII characters', async () => {
    const arn = await topic('subjects-ok');
    await expect(
      sns.send(new PublishCommand({ TopicArn: arn, Message: 'm', Subject: `S${'x'.repeat(98)}` })),
    ).resolves.toMatchObject({ MessageId: expect.any(String) });
  });

  it.each([
    ['of 100 characters', 'x'.repeat(100)],
    ['with a line break', 'snapshot\nfailed'],
    ['with a control character', 'snapshot\u0007failed'],
    ['that is not ASCII', 'snapshot échoué'],
    ['beginning with a space', ' snapshot failed'],
    ['that is empty', ''],
  ])('rejects a subject %s with InvalidParameter, as SNS does', async (_, Subject) => {
    const arn = await topic('subjects-bad');
    await expect(
      sns.send(new PublishCommand({ TopicArn: arn, Message: 'm', Subject })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringMatching(/^Invalid parameter: Subject/),
    });
  });
});

describe('SNS delivery to SQS', () => {
  it('delivers the SNS JSON envelope with subject and message attributes', async () => {
    const topicArn = await topic('failures-envelope');
    const { url, arn } = await queue('failures-envelope-q');
    await subscribe(topicArn, arn);
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'snapshot failed',
        Message: '{"application":"orders"}',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' } },
      }),
    );
    const [message] = await receiveAll(url);
    const envelope = JSON.parse(message?.Body ?? '{}');
    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn: topicArn,
      Subject: 'snapshot failed',
      Message: '{"application":"orders"}',
      SignatureVersion: '1',
      MessageAttributes: { severity: { Type: 'String', Value: 'critical' } },
    });
    expect(Number.isNaN(Date.parse(envelope.Timestamp))).toBe(false);
    expect(message?.MessageAttributes).toBeUndefined();
  });

  it('delivers the raw message with its attributes when RawMessageDelivery is on', async () => {
    const topicArn = await topic('failures-raw');
    const { url, arn } = await queue('failures-raw-q');
    await subscribe(topicArn, arn, { RawMessageDelivery: 'true' });
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'plain body',
        MessageAttributes: {
          tenant: { DataType: 'String', StringValue: 'acme' },
          attempt: { DataType: 'Number', StringValue: '3' },
        },
      }),
    );
    const [message] = await receiveAll(url);
    expect(message?.Body).toBe('plain body');
    expect(message?.MessageAttributes).toEqual({
      tenant: { DataType: 'String', StringValue: 'acme' },
      attempt: { DataType: 'Number', StringValue: '3' },
    });
  });

  it('delivers only messages whose attributes pass the subscription filter policy', async () => {
    const topicArn = await topic('failures-filtered');
    const critical = await queue('failures-critical-q');
    const everything = await queue('failures-all-q');
    await subscribe(topicArn, critical.arn, {
      RawMessageDelivery: 'true',
      FilterPolicy: JSON.stringify({
        severity: ['critical'],
        tenant: [{ 'anything-but': 'test' }],
        application: [{ prefix: 'orders-' }],
        attempt: [{ numeric: ['>=', 2] }],
      }),
    });
    await subscribe(topicArn, everything.arn, { RawMessageDelivery: 'true' });
    const publish = (
      message: string,
      severity: string,
      tenant: string,
      application: string,
      attempt: string,
    ) =>
      sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: message,
          MessageAttributes: {
            severity: { DataType: 'String', StringValue: severity },
            tenant: { DataType: 'String', StringValue: tenant },
            application: { DataType: 'String', StringValue: application },
            attempt: { DataType: 'Number', StringValue: attempt },
          },
        }),
      );
    await publish('match', 'critical', 'acme', 'orders-eu', '2');
    await publish('wrong-severity', 'warning', 'acme', 'orders-eu', '2');
    await publish('excluded-tenant', 'critical', 'test', 'orders-eu', '2');
    await publish('wrong-prefix', 'critical', 'acme', 'billing', '2');
    await publish('too-few-attempts', 'critical', 'acme', 'orders-eu', '1');
    expect((await receiveAll(critical.url)).map((m) => m.Body)).toEqual(['match']);
    expect((await receiveAll(everything.url)).map((m) => m.Body).sort()).toEqual(
      ['excluded-tenant', 'match', 'too-few-attempts', 'wrong-prefix', 'wrong-severity'].sort(),
    );
  });

  it('filters on the message body when FilterPolicyScope is MessageBody', async () => {
    const topicArn = await topic('failures-body-filter');
    const { url, arn } = await queue('failures-body-filter-q');
    const subscriptionArn = await subscribe(topicArn, arn, { RawMessageDelivery: 'true' });
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscriptionArn,
        AttributeName: 'FilterPolicyScope',
        AttributeValue: 'MessageBody',
      }),
    );
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify({ run: { state: ['FAILED'] } }),
      }),
    );
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"run":{"state":"COMPLETED"}}' }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"run":{"state":"FAILED"}}' }));
    expect((await receiveAll(url)).map((m) => m.Body)).toEqual(['{"run":{"state":"FAILED"}}']);
  });

  it('publishes a batch, reporting invalid entries as failed and delivering the rest', async () => {
    const topicArn = await topic('failures-batch');
    const { url, arn } = await queue('failures-batch-q');
    await subscribe(topicArn, arn, { RawMessageDelivery: 'true' });
    const out = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'first' },
          { Id: 'b', Message: '' },
          {
            Id: 'c',
            Message: 'third',
            MessageAttributes: { n: { DataType: 'Number', StringValue: 'not-a-number' } },
          },
          { Id: 'd', Message: 'fourth' },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['a', 'd']);
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'b', Code: 'InvalidParameter', SenderFault: true }),
      expect.objectContaining({ Id: 'c', Code: 'ParameterValueInvalid', SenderFault: true }),
    ]);
    expect((await receiveAll(url)).map((m) => m.Body).sort()).toEqual(['first', 'fourth']);
  });

  it.each([
    ['no entries', [], 'EmptyBatchRequestException'],
    [
      'eleven entries',
      Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: 'x' })),
      'TooManyEntriesInBatchRequestException',
    ],
    [
      'two entries with the same Id',
      [
        { Id: 'same', Message: 'x' },
        { Id: 'same', Message: 'y' },
      ],
      'BatchEntryIdsNotDistinctException',
    ],
  ])('fails PublishBatch with %s', async (_label, entries, name) => {
    const topicArn = await topic('failures-batch-errors');
    await expect(
      sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries })),
    ).rejects.toMatchObject({ name });
  });

  it('records a delivery to a deleted queue as failed without failing the publish', async () => {
    const topicArn = await topic('failures-gone');
    const { url, arn } = await queue('failures-gone-q');
    await subscribe(topicArn, arn);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'lost' }));
    const response = await fetch(`${local.url}/_local/sns/messages?topicArn=${encodeURIComponent(topicArn)}`);
    const { messages } = (await response.json()) as { messages: PublishedMessage[] };
    expect(messages).toEqual([
      expect.objectContaining({
        messageId: MessageId,
        message: 'lost',
        deliveries: [expect.objectContaining({ endpoint: arn, outcome: 'failed' })],
      }),
    ]);
  });

  it('sends each subscriber its protocol entry of a MessageStructure json message', async () => {
    const topicArn = await topic('failures-structured');
    const { url, arn } = await queue('failures-structured-q');
    await subscribe(topicArn, arn, { RawMessageDelivery: 'true' });
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }),
      }),
    );
    expect((await receiveAll(url)).map((m) => m.Body)).toEqual(['for queues']);
  });
});
