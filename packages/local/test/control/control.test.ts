import { DescribeApplicationCommand, KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local-aws';

const config = () => ({
  endpoint: local.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});
let local: LocalAws;
let sts: STSClient;

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${local.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

beforeAll(async () => {
  local = await startLocalAws({
    port: 0,
    seed: 42,
    timeScale: 0.5,
    fleet: { applications: [{ name: 'orders' }, { name: 'billing' }] },
  });
  sts = new STSClient(config());
});
afterAll(async () => {
  sts.destroy();
  await local.stop();
});

describe('control plane', () => {
  it('reports health with the seed and time scale', async () => {
    const { status, json } = await call('GET', '/_local/health');
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'ok', seed: 42, timeScale: 0.5 });
  });

  it('counts calls by service and operation, and resets the counters', async () => {
    await call('DELETE', '/_local/counters');
    await sts.send(new GetCallerIdentityCommand({}));
    await sts.send(new GetCallerIdentityCommand({}));
    const { json } = await call('GET', '/_local/counters');
    expect(json).toEqual({ total: 2, services: { sts: { GetCallerIdentity: 2 } }, applications: {} });
    const reset = await call('POST', '/_local/counters/reset');
    expect(reset.json).toEqual({ total: 2, services: { sts: { GetCallerIdentity: 2 } }, applications: {} });
    expect((await call('GET', '/_local/counters')).json).toEqual({
      total: 0,
      services: {},
      applications: {},
    });
  });

  it('adds, lists, applies and deletes fault rules', async () => {
    const added = await call('POST', '/_local/faults', { kind: 'throttle', service: 'sts', limit: 1 });
    expect(added.status).toBe(201);
    const rule = added.json as { id: string; hits: number; rate: number };
    expect(rule).toMatchObject({ kind: 'throttle', service: 'sts', rate: 1, hits: 0 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
    await sts.send(new GetCallerIdentityCommand({}));
    const listed = await call('GET', '/_local/faults');
    expect(listed.json).toEqual({ faults: [expect.objectContaining({ id: rule.id, hits: 1 })] });
    expect((await call('DELETE', `/_local/faults/${rule.id}`)).status).toBe(204);
    expect((await call('GET', '/_local/faults')).json).toEqual({ faults: [] });
  });

  it('counts the calls that name an MSF application by application', async () => {
    await call('POST', '/_local/counters/reset');
    const kda = new KinesisAnalyticsV2Client(config());
    await kda.send(new DescribeApplicationCommand({ ApplicationName: 'orders' }));
    await kda.send(new DescribeApplicationCommand({ ApplicationName: 'orders' }));
    await kda.send(new DescribeApplicationCommand({ ApplicationName: 'billing' }));
    kda.destroy();
    const { json } = await call('GET', '/_local/counters');
    expect(json).toMatchObject({
      applications: {
        orders: { 'kinesisanalytics:DescribeApplication': 2 },
        billing: { 'kinesisanalytics:DescribeApplication': 1 },
      },
    });
  });

  it('applies a fault only to the application it names', async () => {
    const kda = new KinesisAnalyticsV2Client(config());
    await call('POST', '/_local/faults', {
      kind: 'server-error',
      service: 'kinesisanalytics',
      application: 'orders',
    });
    await expect(
      kda.send(new DescribeApplicationCommand({ ApplicationName: 'orders' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 },
    });
    const billing = await kda.send(new DescribeApplicationCommand({ ApplicationName: 'billing' }));
    expect(billing.ApplicationDetail?.ApplicationName).toBe('billing');
    await call('DELETE', '/_local/faults');
    kda.destroy();
  });

  it('adds several fault rules at once and clears them all', async () => {
    const added = await call('POST', '/_local/faults', [
      { kind: 'latency', latencyMs: 1 },
      { kind: 'duplicate-delivery', service: 'sqs', rate: 0.5 },
    ]);
    expect(added.status).toBe(201);
    expect((added.json as { faults: unknown[] }).faults).toHaveLength(2);
    expect((await call('DELETE', '/_local/faults')).json).toEqual({ removed: 2 });
  });

  it('rejects a fault rule with an unknown kind, naming the field', async () => {
    const { status, json } = await call('POST', '/_local/faults', { kind: 'explode' });
    expect(status).toBe(400);
    expect((json as { error: string }).error).toMatch(/invalid fault rule: .*kind/s);
  });

  it('rejects a control body that is not JSON', async () => {
    const { status, json } = await call('POST', '/_local/faults', '{kind');
    expect(status).toBe(400);
    expect((json as { error: string }).error).toContain('not valid JSON');
  });

  it('answers 404 naming the endpoints for an unknown control path', async () => {
    const { status, json } = await call('DELETE', '/_local/faults/f999');
    expect(status).toBe(404);
    expect((json as { error: string }).error).toContain("no fault rule with id 'f999'");
    expect((await call('GET', '/_local/nope')).status).toBe(404);
  });

  it('describes the simulated clock so another process can rebuild it', async () => {
    const { json } = await call('GET', '/_local/clock');
    expect(json).toEqual({ ...local.clock.describe(), now: expect.any(Number) });
  });

  it('reads and changes the seed', async () => {
    expect((await call('GET', '/_local/seed')).json).toEqual({ seed: 42 });
    expect((await call('POST', '/_local/seed', { seed: 7 })).json).toEqual({ seed: 7 });
    expect(local.seed()).toBe(7);
    expect((await call('POST', '/_local/seed', { seed: -1 })).status).toBe(400);
  });

  it('lists what SNS published, per topic, and clears the log', async () => {
    const sns = new SNSClient(config());
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'control-alerts' }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'disk full', Subject: 'alert' }));
    const { json } = await call('GET', `/_local/sns/messages?topicArn=${encodeURIComponent(TopicArn ?? '')}`);
    expect(json).toEqual({
      messages: [expect.objectContaining({ topicArn: TopicArn, message: 'disk full', subject: 'alert' })],
    });
    expect((await call('DELETE', '/_local/sns/messages')).status).toBe(204);
    expect((await call('GET', '/_local/sns/messages')).json).toEqual({ messages: [] });
    sns.destroy();
  });

  it('makes a role require an ExternalId, lists such roles, and lists the sessions STS issued', async () => {
    const roleArn = 'arn:aws:iam::210987654321:role/flink-snapshots-search';
    const added = await call('POST', '/_local/sts/roles', { roleArn, externalId: 'prod/search' });
    expect(added).toEqual({ status: 201, json: { roleArn, externalId: 'prod/search' } });
    expect((await call('GET', '/_local/sts/roles')).json).toEqual({
      roles: [{ roleArn, externalId: 'prod/search' }],
    });
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'denied' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'worker-search',
        ExternalId: 'prod/search',
        Tags: [{ Key: 'flink-snapshots:tenant', Value: 'search' }],
      }),
    );
    const { json } = await call('GET', '/_local/sts/sessions');
    expect(json).toEqual({
      sessions: [
        {
          accessKeyId: out.Credentials?.AccessKeyId,
          arn: 'arn:aws:sts::210987654321:assumed-role/flink-snapshots-search/worker-search',
          assumedRoleId: out.AssumedRoleUser?.AssumedRoleId,
          roleArn,
          roleSessionName: 'worker-search',
          externalId: 'prod/search',
          tags: { 'flink-snapshots:tenant': 'search' },
          transitiveTagKeys: [],
          issuedAt: expect.any(Number),
          expiresAt: out.Credentials?.Expiration?.getTime(),
        },
      ],
    });
  });

  it('rejects a role requirement with a bad role ARN, a bad ExternalId or a missing field, naming it', async () => {
    const bad = await call('POST', '/_local/sts/roles', { roleArn: 'arn:aws:s3:::b', externalId: 'prod/x' });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toContain(
      "roleArn 'arn:aws:s3:::b' is not an IAM role ARN",
    );
    const badId = await call('POST', '/_local/sts/roles', {
      roleArn: 'arn:aws:iam::210987654321:role/x',
      externalId: 'x',
    });
    expect((badId.json as { error: string }).error).toContain("externalId 'x' is not valid");
    const missing = await call('POST', '/_local/sts/roles', { roleArn: 'arn:aws:iam::210987654321:role/x' });
    expect(missing.status).toBe(400);
    expect((missing.json as { error: string }).error).toContain('expected {"roleArn"');
  });
});
