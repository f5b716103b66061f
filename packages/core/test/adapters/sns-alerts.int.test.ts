import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalAws } from '@flink-snapshots/local';
import { clientConfig, eventually, expectFailure, startLocal } from '@flink-snapshots/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertSubject, SnsAlerts } from '../../src/adapters/sns-alerts';
import type { Alert } from '../../src/domain/alerts';
import { ThrottledError } from '../../src/domain/errors';

let local: LocalAws;
let sns: SNSClient;
let sqs: SQSClient;
let topicArn: string;

beforeAll(async () => {
  local = await startLocal();
  sns = new SNSClient(clientConfig(local.url));
  sqs = new SQSClient(clientConfig(local.url));
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn ?? '';
});

afterEach(() => {
  local.faults.clear();
  local.services.sns.clearMessages();
});

afterAll(async () => {
  sns.destroy();
  sqs.destroy();
  await local.stop();
});

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

describe('SnsAlerts', () => {
  it('publishes a short subject, the alert as JSON and the filterable attributes', async () => {
    await new SnsAlerts(sns, topicArn).publish(ALERT);

    const [published] = local.services.sns.messages(topicArn);
    expect(published?.subject).toBe('flink-snapshots failed payments/ledger');
    expect(JSON.parse(published?.message ?? '')).toEqual({
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
    expect(published?.messageAttributes).toEqual({
      tenant: { DataType: 'String', StringValue: 'payments' },
      application: { DataType: 'String', StringValue: 'ledger' },
      severity: { DataType: 'String', StringValue: 'critical' },
      event: { DataType: 'String', StringValue: 'failed' },
    });
  });

  it('leaves fields the alert does not have out of the message', async () => {
    const { state: _state, error: _error, contact: _contact, ...bare } = ALERT;
    await new SnsAlerts(sns, topicArn).publish({ ...bare, event: 'config-invalid' });

    const [published] = local.services.sns.messages(topicArn);
    expect(Object.keys(JSON.parse(published?.message ?? '{}'))).toEqual([
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
    await new SnsAlerts(sns, topicArn).publish({ ...ALERT, appKey });
    expect(local.services.sns.messages(topicArn)[0]?.subject).toHaveLength(99);
  });

  it("reaches a tenant's subscription filtered on the tenant attribute, and only for that tenant", async () => {
    const queueUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: 'payments-alerts' }))).QueueUrl ?? '';
    const queueArn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { FilterPolicy: JSON.stringify({ tenant: ['payments'] }), RawMessageDelivery: 'true' },
      }),
    );
    const alerts = new SnsAlerts(sns, topicArn);

    await alerts.publish({ ...ALERT, tenant: 'search', appKey: 'search/index', application: 'index' });
    await alerts.publish(ALERT);

    const received = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 })))
          .Messages ?? [],
      (messages) => messages.length > 0,
    );
    expect(received.map((message) => JSON.parse(message.Body ?? '{}').appKey)).toEqual(['payments/ledger']);
  });

  it('fails with ThrottledError naming the application when SNS throttles beyond the client retry', async () => {
    local.faults.add({ kind: 'throttle', service: 'sns', operation: 'Publish' });
    const once = new SNSClient(clientConfig(local.url, 1));

    const error = await expectFailure(new SnsAlerts(once, topicArn).publish(ALERT), ThrottledError);

    expect(error).toMatchObject({ operation: 'Publish', application: 'ledger' });
    once.destroy();
  });
});
