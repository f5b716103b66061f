/**
 * The local AWS driven by a client none of us wrote: Debian's AWS CLI (botocore; query-protocol SQS).
 * In CI a missing CLI fails this suite; elsewhere the suite is skipped and says why.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../src/local-aws';

const AWS = '/usr/bin/aws';
const available = existsSync(AWS);
const inCi = process.env.CI === 'true';
const exec = promisify(execFile);

if (!available && !inCi) {
  console.warn(
    `awscli suite skipped: ${AWS} is not installed (apt-get install awscli; .ci/run does it). In CI (CI=true) this fails.`,
  );
}

describe.runIf(inCi)('AWS CLI availability in CI', () => {
  it(`finds Debian's AWS CLI at ${AWS}`, () => {
    expect(available, `${AWS} is missing; .ci/run installs it with apt-get install awscli`).toBe(true);
  });
});

describe.runIf(available)('AWS CLI against the local AWS', () => {
  let local: LocalAws;

  async function aws(...args: string[]): Promise<unknown> {
    const { stdout } = await exec(AWS, [...args, '--endpoint-url', local.url, '--output', 'json'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      timeout: 60_000,
    });
    return stdout.trim() === '' ? undefined : JSON.parse(stdout);
  }

  /** `aws kinesisanalyticsv2 delete-application-snapshot` of a snapshot of `payments`. */
  function deletePaymentsSnapshot(name: string, timestamp: string): Promise<unknown> {
    return aws(
      'kinesisanalyticsv2',
      'delete-application-snapshot',
      '--application-name',
      'payments',
      '--snapshot-name',
      name,
      '--snapshot-creation-timestamp',
      timestamp,
    );
  }

  beforeAll(async () => {
    local = await startLocalAws({
      port: 0,
      fleet: {
        applications: [
          {
            name: 'orders',
            generatedSnapshots: { count: 3, prefix: 'nightly-' },
          },
          {
            name: 'payments',
            snapshots: [
              { name: 'manual-1', createdAt: '2026-11-01T00:00:00.789Z' },
              { name: 'manual-2', createdAt: '2026-11-02T00:00:00.250Z' },
            ],
          },
        ],
      },
    });
  });
  afterAll(() => local.stop());

  it('puts SSM parameters and reads them back by path', async () => {
    // Both at once: each CLI process spends most of its second starting Python.
    await Promise.all(
      [
        ['/flink-snapshots/dev/apps/acme/orders', '{}'],
        ['/flink-snapshots/dev/apps/acme/billing', '{"enabled":false}'],
      ].map(([name = '', value = '']) =>
        aws('ssm', 'put-parameter', '--name', name, '--type', 'String', '--value', value),
      ),
    );
    const out = (await aws(
      'ssm',
      'get-parameters-by-path',
      '--path',
      '/flink-snapshots/dev/apps',
      '--recursive',
    )) as {
      Parameters: Array<{ Name: string; Value: string }>;
    };
    expect(out.Parameters.map((p) => [p.Name, p.Value]).sort()).toEqual([
      ['/flink-snapshots/dev/apps/acme/billing', '{"enabled":false}'],
      ['/flink-snapshots/dev/apps/acme/orders', '{}'],
    ]);
  });

  it('creates a queue, sends a message and receives it over query-protocol SQS', async () => {
    const { QueueUrl } = (await aws('sqs', 'create-queue', '--queue-name', 'cli-work')) as {
      QueueUrl: string;
    };
    expect(QueueUrl).toBe(`${local.url}/000000000000/cli-work`);
    const sent = (await aws(
      'sqs',
      'send-message',
      '--queue-url',
      QueueUrl,
      '--message-body',
      'snapshot <orders> & more',
      '--message-attributes',
      '{"tenant":{"DataType":"String","StringValue":"acme"}}',
    )) as { MessageId: string; MD5OfMessageBody: string };
    expect(sent.MessageId).toBeTruthy();
    const received = (await aws(
      'sqs',
      'receive-message',
      '--queue-url',
      QueueUrl,
      '--message-attribute-names',
      'All',
      '--attribute-names',
      'All',
    )) as {
      Messages: Array<{
        Body: string;
        MD5OfBody: string;
        MessageAttributes: unknown;
        Attributes: Record<string, string>;
      }>;
    };
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages[0]).toMatchObject({
      Body: 'snapshot <orders> & more',
      MD5OfBody: sent.MD5OfMessageBody,
      MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } },
      Attributes: { ApproximateReceiveCount: '1' },
    });
  });

  it('receives from an empty queue: no messages and no error', async () => {
    const { QueueUrl } = (await aws('sqs', 'create-queue', '--queue-name', 'cli-empty')) as {
      QueueUrl: string;
    };
    // The CLI prints nothing for an empty answer; without <ReceiveMessageResult/> it failed, rc 255.
    expect(await aws('sqs', 'receive-message', '--queue-url', QueueUrl)).toBeUndefined();
  });

  it('lists the snapshots of an application seeded from the fleet', async () => {
    const out = (await aws(
      'kinesisanalyticsv2',
      'list-application-snapshots',
      '--application-name',
      'orders',
    )) as {
      SnapshotSummaries: Array<{ SnapshotName: string; SnapshotStatus: string }>;
    };
    expect(out.SnapshotSummaries.map((s) => s.SnapshotName).sort()).toEqual([
      'nightly-0000',
      'nightly-0001',
      'nightly-0002',
    ]);
    expect(out.SnapshotSummaries.every((s) => s.SnapshotStatus === 'READY')).toBe(true);
  });

  it('deletes a snapshot with the creation timestamp as listed, which the CLI sends in whole seconds', async () => {
    const listed = (await aws(
      'kinesisanalyticsv2',
      'list-application-snapshots',
      '--application-name',
      'payments',
    )) as { SnapshotSummaries: Array<{ SnapshotName: string; SnapshotCreationTimestamp: string }> };
    const target = listed.SnapshotSummaries.find((s) => s.SnapshotName === 'manual-1');
    expect(target?.SnapshotCreationTimestamp).toBeDefined();
    await deletePaymentsSnapshot('manual-1', target?.SnapshotCreationTimestamp ?? '');
    const after = local.services.kinesisAnalytics.listSnapshots('payments');
    expect(after.map((s) => [s.name, s.status])).toEqual([
      ['manual-1', 'DELETING'],
      ['manual-2', 'READY'],
    ]);
  });

  it('refuses to delete a snapshot with a timestamp naming another second', async () => {
    const error = await deletePaymentsSnapshot('manual-2', '2026-11-02T00:00:01Z').catch(
      (e: { stderr: string }) => e,
    );
    expect((error as { stderr: string }).stderr).toContain('InvalidArgumentException');
    expect((error as { stderr: string }).stderr).toContain(
      "does not match snapshot manual-2's creation timestamp",
    );
  });

  it('answers STS get-caller-identity', async () => {
    expect(await aws('sts', 'get-caller-identity')).toMatchObject({ Account: '000000000000' });
  });

  it('publishes to an SNS topic', async () => {
    const { TopicArn } = (await aws('sns', 'create-topic', '--name', 'cli-alerts')) as { TopicArn: string };
    const { MessageId } = (await aws('sns', 'publish', '--topic-arn', TopicArn, '--message', 'hello')) as {
      MessageId: string;
    };
    expect(local.services.sns.messages(TopicArn).map((m) => m.messageId)).toEqual([MessageId]);
  });

  it('reports a missing queue as the CLI shows AWS errors', async () => {
    const error = await aws('sqs', 'get-queue-url', '--queue-name', 'nope').catch(
      (e: { stderr: string }) => e,
    );
    expect((error as { stderr: string }).stderr).toContain('AWS.SimpleQueueService.NonExistentQueue');
  });
});
