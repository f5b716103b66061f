import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  clientConfig,
  describeOnTarget,
  eventually,
  expectFailure,
  localAws,
  localOnly,
  useTarget,
} from '@flink-snapshots/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alertSubject, SnsAlerts } from '../../src/adapters/sns-alerts';
import type { Alert } from '../../src/domain/alerts';
import { ThrottledError } from '../../src/domain/errors';

const target = useTarget();
let sns: SNSClient;
let sqs: SQSClient;
let topicArn: string;
let queues = 0;

beforeAll(async () => {
  sns = new SNSClient(clientConfig(target));
  sqs = new SQSClient(clientConfig(target));
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn ?? '';
});

afterAll(async () => {
  sns.destroy();
  sqs.destroy();
});

/**
 * A queue of its own subscribed to the topic: what a subscriber sees of the alerts. `received()` waits
 * for messages there and returns their bodies (SNS envelopes, or the raw messages with raw delivery).
 */
async function subscribe(
  attributes: Record<string, string> = {},
): Promise<{ received: () => Promise<string[]> }> {
  const queueUrl =
    (await sqs.send(new CreateQueueCommand({ QueueName: `subscriber-${++queues}` }))).QueueUrl ?? '';
  const queueArn =
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: attributes }),
  );
  const received = async () => {
    const messages = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 })))
          .Messages ?? [],
      (messages) => messages.length > 0,
      { what: `a message in ${queueUrl}` },
    );
    return messages.map((message) => message.Body ?? '');
  };
  return { received };
}

/** The SNS envelope a subscriber without raw delivery receives. */
interface Envelope {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { readonly Type: string; readonly Value: string }>;
}

const ALERT: Alert = {
  event: 'failed',
  severity: 'critical',
  tenant: 'payments',
  application: 'ledger',
  appKey: 'payments/ledger',
  runId: '20261122T083000Z',
  state: 'FAILED',
  reason: 'snapshot flink-snapshots-20261122T083000Z FAILED',
  error: { name: 'SnapshotFailedError', message: 'the snapshot failed' },
  contact: 'payments-oncall@example.com',
};

describeOnTarget('SnsAlerts', () => {
  it('publishes a short subject, the alert as JSON and the filterable attributes', async () => {
    const subscriber = await subscribe();
    await new SnsAlerts(sns, topicArn).publish(ALERT);

    const [body = '{}'] = await subscriber.received();
    const published = JSON.parse(body) as Envelope;
    expect(published.Subject).toBe('flink-snapshots failed payments/ledger');
    expect(JSON.parse(published.Message)).toEqual({
      event: 'failed',
      severity: 'critical',
      tenant: 'payments',
      application: 'ledger',
      appKey: 'payments/ledger',
      runId: '20261122T083000Z',
      state: 'FAILED',
      reason: 'snapshot flink-snapshots-20261122T083000Z FAILED',
      error: { name: 'SnapshotFailedError', message: 'the snapshot failed' },
      contact: 'payments-oncall@example.com',
    });
    expect(published.MessageAttributes).toEqual({
      tenant: { Type: 'String', Value: 'payments' },
      application: { Type: 'String', Value: 'ledger' },
      severity: { Type: 'String', Value: 'critical' },
      event: { Type: 'String', Value: 'failed' },
    });
  });

  it('leaves fields the alert does not have out of the message', async () => {
    const subscriber = await subscribe({ RawMessageDelivery: 'true' });
    const { state: _state, error: _error, contact: _contact, ...bare } = ALERT;
    await new SnsAlerts(sns, topicArn).publish({ ...bare, event: 'config-invalid' });

    const [body = '{}'] = await subscriber.received();
    expect(Object.keys(JSON.parse(body))).toEqual([
      'event',
      'severity',
      'tenant',
      'application',
      'appKey',
      'runId',
      'reason',
    ]);
  });

  it('keeps the subject ASCII, on one line and under 100 characters', async () => {
    const appKey = `tenant/${'ä'.repeat(3)}\n${'x'.repeat(150)}`;
    const subject = alertSubject({ event: 'timed-out', appKey });

    expect(subject).toHaveLength(99);
    expect(subject).toMatch(/^flink-snapshots timed-out tenant\/\?\?\?\?x+\.\.\.$/);
    const subscriber = await subscribe();
    await new SnsAlerts(sns, topicArn).publish({ ...ALERT, appKey });
    const [body = '{}'] = await subscriber.received();
    expect((JSON.parse(body) as Envelope).Subject).toHaveLength(99);
  });

  it("reaches a tenant's subscription filtered on the tenant attribute, and only for that tenant", async () => {
    const subscriber = await subscribe({
      FilterPolicy: JSON.stringify({ tenant: ['payments'] }),
      RawMessageDelivery: 'true',
    });
    const alerts = new SnsAlerts(sns, topicArn);

    await alerts.publish({ ...ALERT, tenant: 'search', appKey: 'search/index', application: 'index' });
    await alerts.publish(ALERT);

    const received = await subscriber.received();
    expect(received.map((body) => JSON.parse(body).appKey)).toEqual(['payments/ledger']);
  });

  localOnly(
    'fault injection',
    'fails with ThrottledError naming the application when SNS throttles beyond the client retry',
    async () => {
      localAws(target).faults.add({ kind: 'throttle', service: 'sns', operation: 'Publish' });
      const once = new SNSClient(clientConfig(target, 1));

      const error = await expectFailure(new SnsAlerts(once, topicArn).publish(ALERT), ThrottledError);

      expect(error).toMatchObject({ operation: 'Publish', application: 'ledger' });
      once.destroy();
    },
  );
});
