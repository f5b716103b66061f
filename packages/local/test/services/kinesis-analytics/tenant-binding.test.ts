import {
  CreateApplicationSnapshotCommand,
  DeleteApplicationCommand,
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  DescribeApplicationSnapshotCommand,
  KinesisAnalyticsV2Client,
  KinesisAnalyticsV2ServiceException,
  ListApplicationSnapshotsCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import type { LocalAws } from '@flink-snapshots/local';
import { TENANT_TAG_KEY } from '@flink-snapshots/settings';
import { eventually, expectFailure, sdkClient, startLocal } from '@flink-snapshots/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MSF_ACCESS_ROLE = 'arn:aws:iam::000000000000:role/flink-snapshots-local-us-east-1-msf';
const SESSION_ARN =
  'arn:aws:sts::000000000000:assumed-role/flink-snapshots-local-us-east-1-msf/worker-payments';
const arnOf = (name: string) => `arn:aws:kinesisanalytics:us-east-1:000000000000:application/${name}`;
const SNAPSHOT_AT = new Date('2026-10-01T00:00:00Z');

let local: LocalAws;
let sts: STSClient;
let asLocalUser: KinesisAnalyticsV2Client;
let asPayments: KinesisAnalyticsV2Client;
const clients: KinesisAnalyticsV2Client[] = [];

/** A Kinesis Analytics client signing with the credentials of a session of the MSF access role. */
async function sessionClient(input: Partial<AssumeRoleCommandInput>): Promise<KinesisAnalyticsV2Client> {
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: MSF_ACCESS_ROLE, RoleSessionName: 'worker', ...input }),
  );
  const client = sdkClient(KinesisAnalyticsV2Client, local, {
    maxAttempts: 1,
    credentials: {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    },
  });
  clients.push(client);
  return client;
}

const tenantSession = (tenant: string, key = TENANT_TAG_KEY) =>
  sessionClient({ RoleSessionName: `worker-${tenant}`, Tags: [{ Key: key, Value: tenant }] });

beforeAll(async () => {
  local = await startLocal({
    timeScale: 0.001,
    fleet: {
      defaults: { snapshotDurationSeconds: 100, transitionSeconds: 100, snapshotDeleteSeconds: 1_000_000 },
      applications: [
        {
          name: 'ledger',
          tags: { [TENANT_TAG_KEY]: 'payments' },
          snapshots: [{ name: 'old', createdAt: SNAPSHOT_AT.toISOString() }],
        },
        {
          name: 'indexer',
          tags: { [TENANT_TAG_KEY]: 'search' },
          snapshots: [{ name: 'old', createdAt: SNAPSHOT_AT.toISOString() }],
        },
        { name: 'orphan', snapshots: [{ name: 'old', createdAt: SNAPSHOT_AT.toISOString() }] },
        { name: 'case-differs', tags: { [TENANT_TAG_KEY]: 'Payments' } },
        { name: 'stopped', status: 'READY', tags: { [TENANT_TAG_KEY]: 'payments' } },
      ],
    },
  });
  sts = sdkClient(STSClient, local);
  asLocalUser = sdkClient(KinesisAnalyticsV2Client, local, { maxAttempts: 1 });
  asPayments = await tenantSession('payments');
});
afterAll(async () => {
  for (const client of [...clients, asLocalUser]) client.destroy();
  sts.destroy();
  await local.stop();
});

/** Every operation on one application, as a call on `name` by `client`. */
const OPERATIONS: Record<string, (client: KinesisAnalyticsV2Client, name: string) => Promise<unknown>> = {
  DescribeApplication: (c, name) => c.send(new DescribeApplicationCommand({ ApplicationName: name })),
  ListTagsForResource: (c, name) => c.send(new ListTagsForResourceCommand({ ResourceARN: arnOf(name) })),
  TagResource: (c, name) =>
    c.send(
      new TagResourceCommand({
        ResourceARN: arnOf(name),
        Tags: [{ Key: TENANT_TAG_KEY, Value: 'payments' }],
      }),
    ),
  UntagResource: (c, name) =>
    c.send(new UntagResourceCommand({ ResourceARN: arnOf(name), TagKeys: [TENANT_TAG_KEY] })),
  CreateApplicationSnapshot: (c, name) =>
    c.send(new CreateApplicationSnapshotCommand({ ApplicationName: name, SnapshotName: 'taken' })),
  DescribeApplicationSnapshot: (c, name) =>
    c.send(new DescribeApplicationSnapshotCommand({ ApplicationName: name, SnapshotName: 'old' })),
  ListApplicationSnapshots: (c, name) =>
    c.send(new ListApplicationSnapshotsCommand({ ApplicationName: name })),
  DeleteApplicationSnapshot: (c, name) =>
    c.send(
      new DeleteApplicationSnapshotCommand({
        ApplicationName: name,
        SnapshotName: 'old',
        SnapshotCreationTimestamp: SNAPSHOT_AT,
      }),
    ),
  StartApplication: (c, name) => c.send(new StartApplicationCommand({ ApplicationName: name })),
  StopApplication: (c, name) => c.send(new StopApplicationCommand({ ApplicationName: name })),
  UpdateApplication: (c, name) =>
    c.send(new UpdateApplicationCommand({ ApplicationName: name, CurrentApplicationVersionId: 1 })),
  DeleteApplication: (c, name) =>
    c.send(new DeleteApplicationCommand({ ApplicationName: name, CreateTimestamp: new Date(0) })),
};

async function expectDenied(operation: string, name: string, client = asPayments, caller = SESSION_ARN) {
  const call = OPERATIONS[operation] as (c: KinesisAnalyticsV2Client, name: string) => Promise<unknown>;
  const error = await expectFailure(
    call(client, name),
    KinesisAnalyticsV2ServiceException,
    `User: ${caller} is not authorized to perform: kinesisanalytics:${operation} on resource: ${arnOf(name)} because no identity-based policy allows the kinesisanalytics:${operation} action`,
  );
  expect(error.name).toBe('AccessDeniedException');
  expect(error.$metadata.httpStatusCode).toBe(400);
}

describe('a session tagged with a tenant acts only on applications tagged with the same tenant', () => {
  it.each(Object.keys(OPERATIONS))(
    'refuses %s on an application of another tenant with AccessDeniedException',
    async (operation) => {
      await expectDenied(operation, 'indexer');
    },
  );

  it.each(Object.keys(OPERATIONS))(
    'refuses %s on an application with no tenant tag, and on one that does not exist',
    async (operation) => {
      await expectDenied(operation, 'orphan');
      await expectDenied(operation, 'no-such-application');
    },
  );

  it('refuses an application whose tenant tag differs only in case (StringEquals is case-sensitive)', async () => {
    await expectDenied('DescribeApplication', 'case-differs');
  });

  it('leaves the refused application as it was: no snapshot taken, none deleted, tags unchanged', () => {
    const indexer = local.services.kinesisAnalytics.getApplication('indexer');
    expect(indexer).toMatchObject({ status: 'RUNNING', versionId: 1, tags: { [TENANT_TAG_KEY]: 'search' } });
    expect(local.services.kinesisAnalytics.listSnapshots('indexer').map((s) => [s.name, s.status])).toEqual([
      ['old', 'READY'],
    ]);
  });

  it('lets the session describe, list tags, snapshot and delete snapshots of its tenant’s application', async () => {
    const detail = await asPayments.send(new DescribeApplicationCommand({ ApplicationName: 'ledger' }));
    const tags = await asPayments.send(
      new ListTagsForResourceCommand({ ResourceARN: detail.ApplicationDetail?.ApplicationARN ?? '' }),
    );
    expect(tags.Tags).toEqual([{ Key: TENANT_TAG_KEY, Value: 'payments' }]);
    await OPERATIONS.CreateApplicationSnapshot?.(asPayments, 'ledger');
    await eventually(
      () =>
        asPayments.send(
          new DescribeApplicationSnapshotCommand({ ApplicationName: 'ledger', SnapshotName: 'taken' }),
        ),
      (out) => out.SnapshotDetails?.SnapshotStatus === 'READY',
      { what: 'snapshot taken READY' },
    );
    await OPERATIONS.DeleteApplicationSnapshot?.(asPayments, 'ledger');
    const listed = await asPayments.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'ledger' }));
    expect(listed.SnapshotSummaries?.map((s) => [s.SnapshotName, s.SnapshotStatus])).toEqual([
      ['old', 'DELETING'],
      ['taken', 'READY'],
    ]);
  });

  it('lets the session update, start and stop its tenant’s application', async () => {
    const app = () => local.services.kinesisAnalytics.getApplication('stopped');
    await OPERATIONS.UpdateApplication?.(asPayments, 'stopped');
    expect(app()?.versionId).toBe(2);
    await OPERATIONS.StartApplication?.(asPayments, 'stopped');
    await eventually(app, (view) => view?.status === 'RUNNING', { what: 'stopped RUNNING' });
    await OPERATIONS.StopApplication?.(asPayments, 'stopped');
    expect(app()?.status).toBe('STOPPING');
  });

  it('reads the session’s tenant tag whatever the case of its key, as STS keys are case-insensitive', async () => {
    const client = await tenantSession('payments', 'Flink-Snapshots:Tenant');
    await client.send(new DescribeApplicationCommand({ ApplicationName: 'ledger' }));
    await expectDenied(
      'DescribeApplication',
      'indexer',
      client,
      'arn:aws:sts::000000000000:assumed-role/flink-snapshots-local-us-east-1-msf/worker-payments',
    );
  });

  it('follows the application’s tag: retagged to the session’s tenant, it is reachable; untagged, it is not', async () => {
    const asSearch = await tenantSession('search');
    await asSearch.send(new DescribeApplicationCommand({ ApplicationName: 'indexer' }));
    await asLocalUser.send(
      new TagResourceCommand({
        ResourceARN: arnOf('orphan'),
        Tags: [{ Key: TENANT_TAG_KEY, Value: 'search' }],
      }),
    );
    await asSearch.send(new DescribeApplicationCommand({ ApplicationName: 'orphan' }));
    await asLocalUser.send(
      new UntagResourceCommand({ ResourceARN: arnOf('orphan'), TagKeys: [TENANT_TAG_KEY] }),
    );
    await expectDenied(
      'DescribeApplication',
      'orphan',
      asSearch,
      'arn:aws:sts::000000000000:assumed-role/flink-snapshots-local-us-east-1-msf/worker-search',
    );
  });

  it('does not check ListApplications, which names no application', async () => {
    const out = await asPayments.send(new ListApplicationsCommand({}));
    expect(out.ApplicationSummaries?.map((a) => a.ApplicationName)).toContain('indexer');
  });
});

describe('callers without a tenant session tag are not checked', () => {
  it('lets the local user act on every application, tagged or not', async () => {
    for (const name of ['ledger', 'indexer', 'orphan']) {
      await asLocalUser.send(new DescribeApplicationCommand({ ApplicationName: name }));
      await asLocalUser.send(new ListTagsForResourceCommand({ ResourceARN: arnOf(name) }));
    }
  });

  it('lets a session without the tenant tag act on every application', async () => {
    const untagged = await sessionClient({
      RoleSessionName: 'admin',
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    for (const name of ['ledger', 'indexer', 'orphan']) {
      await untagged.send(new DescribeApplicationCommand({ ApplicationName: name }));
    }
  });
});
