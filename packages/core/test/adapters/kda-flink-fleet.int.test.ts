import { STSClient } from '@aws-sdk/client-sts';
import type { LocalAws } from '@flink-snapshots/local';
import { CREDENTIALS, clientConfig, expectFailure, REGION, startLocal } from '@flink-snapshots/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KdaFlinkFleet } from '../../src/adapters/kda-flink-fleet';
import {
  AccessDeniedError,
  ApplicationNotFoundError,
  ResourceInUseError,
  ServiceUnavailableError,
  SnapshotQuotaExceededError,
  ThrottledError,
} from '../../src/domain/errors';
import { CreateOutcome } from '../../src/ports';

const DAY = 86_400_000;
const TENANT = 'payments';
const ROLE = 'arn:aws:iam::111122223333:role/flink-snapshots-access';
let local: LocalAws;
let sts: STSClient;
const fleets: KdaFlinkFleet[] = [];

beforeAll(async () => {
  local = await startLocal({ timeScale: 0.01 });
  sts = new STSClient(clientConfig(local.url));
  local.services.kinesisAnalytics.seed({
    defaults: { snapshotDurationSeconds: 60, snapshotDeleteSeconds: 60 },
    applications: [
      {
        name: 'orders',
        // A tenant's role session reaches only its tenant's applications (the local IAM's tag condition).
        tags: { 'flink-snapshots:tenant': TENANT },
        versionId: 3,
        restoreSnapshotName: 'manual-restore',
        snapshots: [{ name: 'manual-restore', createdAt: Date.now() - DAY, versionId: 2 }],
      },
      { name: 'stopped', status: 'READY', snapshotsEnabled: false },
      {
        name: 'history',
        versionId: 3,
        generatedSnapshots: { count: 120, versions: 3, prefix: 'old-', olderThanDays: 1 },
      },
      { name: 'full', generatedSnapshots: { count: 1000, prefix: 'full-' } },
      { name: 'busy' },
      {
        name: 'pruned',
        snapshots: [
          { name: 'keep', createdAt: Date.now() - 3 * DAY },
          { name: 'drop', createdAt: Date.now() - 2 * DAY },
        ],
      },
    ],
  });
});

afterEach(() => local.faults.clear());

afterAll(async () => {
  for (const fleet of fleets) fleet.destroy();
  sts.destroy();
  await local.stop();
});

/** A fleet on the local AWS; `maxAttempts` of its Kinesis Analytics clients optional. */
function newFleet(maxAttempts?: number): KdaFlinkFleet {
  const fleet = new KdaFlinkFleet({
    defaultRegion: REGION,
    stage: 'test',
    sts,
    clientConfig: {
      endpoint: local.url,
      credentials: CREDENTIALS,
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
    },
    clock: local.clock,
  });
  fleets.push(fleet);
  return fleet;
}

describe('KdaFlinkFleet targets', () => {
  it('reuses one client per region, role and tenant', () => {
    const fleet = newFleet();
    const here = fleet.forTarget({ tenant: TENANT });
    expect(fleet.forTarget({ tenant: TENANT, region: REGION })).toBe(here);
    expect(fleet.forTarget({ tenant: TENANT, region: 'eu-west-1' })).not.toBe(here);
    expect(fleet.forTarget({ tenant: TENANT, roleArn: ROLE })).not.toBe(here);
    expect(fleet.forTarget({ tenant: TENANT, region: REGION, roleArn: ROLE })).toBe(
      fleet.forTarget({ tenant: TENANT, roleArn: ROLE }),
    );
    expect(fleet.forTarget({ tenant: 'search', roleArn: ROLE })).not.toBe(
      fleet.forTarget({ tenant: TENANT, roleArn: ROLE }),
    );
  });

  it('assumes a role once for every call and region that uses it', async () => {
    const fleet = newFleet();
    local.counters.reset();

    await fleet.forTarget({ tenant: TENANT, roleArn: ROLE }).describeApplication('orders');
    await fleet.forTarget({ tenant: TENANT, roleArn: ROLE }).listSnapshots('orders');
    await fleet
      .forTarget({ tenant: TENANT, region: 'eu-west-1', roleArn: ROLE })
      .describeApplication('orders');

    expect(local.counters.count('sts', 'AssumeRole')).toBe(1);
    expect(local.counters.count('kinesisanalytics')).toBe(3);
  });

  it('fails with AccessDeniedError naming the role when it cannot be assumed', async () => {
    const roleArn = 'arn:aws:iam::not-an-account:role/x';
    const error = await expectFailure(
      newFleet().forTarget({ tenant: TENANT, roleArn }).describeApplication('orders'),
      AccessDeniedError,
    );

    expect(error).toMatchObject({ operation: 'AssumeRole', roleArn, code: 'ValidationError' });
    expect((error as Error).message).toContain(`as ${roleArn}`);
  });
});

describe('KdaFlinkSnapshots', () => {
  it('describes an application: status, version, snapshots enabled and the custom restore snapshot', async () => {
    const flink = newFleet().forTarget({ tenant: TENANT });

    await expect(flink.describeApplication('orders')).resolves.toEqual({
      name: 'orders',
      arn: `arn:aws:kinesisanalytics:${REGION}:${local.accountId}:application/orders`,
      status: 'RUNNING',
      versionId: 3,
      snapshotsEnabled: true,
      restoreSnapshotName: 'manual-restore',
      restoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
      allowNonRestoredState: false,
      maintenanceWindow: undefined,
    });
    await expect(flink.describeApplication('stopped')).resolves.toMatchObject({
      name: 'stopped',
      arn: `arn:aws:kinesisanalytics:${REGION}:${local.accountId}:application/stopped`,
      status: 'READY',
      versionId: 1,
      snapshotsEnabled: false,
    });
  });

  it('fails with ApplicationNotFoundError naming the region for an unknown application', async () => {
    const error = await expectFailure(
      newFleet().forTarget({ tenant: TENANT, region: 'eu-west-1' }).describeApplication('nope'),
      ApplicationNotFoundError,
    );

    expect(error).toMatchObject({ application: 'nope', region: 'eu-west-1' });
    expect((error as Error).cause).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('creates a snapshot, and reports it as already there when asked again', async () => {
    const flink = newFleet().forTarget({ tenant: TENANT });

    await expect(flink.createSnapshot('orders', 'flink-snapshots-20260101T000000Z')).resolves.toBe(
      CreateOutcome.CREATED,
    );
    const created = await flink.describeSnapshot('orders', 'flink-snapshots-20260101T000000Z');
    expect(created).toMatchObject({
      name: 'flink-snapshots-20260101T000000Z',
      status: 'CREATING',
      applicationVersionId: 3,
    });
    expect(created?.createdAt).toBeGreaterThan(Date.now() - DAY);

    await expect(flink.createSnapshot('orders', 'flink-snapshots-20260101T000000Z')).resolves.toBe(
      CreateOutcome.ALREADY_EXISTS,
    );
  });

  it('fails with ResourceInUseError when the application is busy with another snapshot', async () => {
    const flink = newFleet().forTarget({ tenant: TENANT });
    await flink.createSnapshot('busy', 'first');

    const error = await expectFailure(flink.createSnapshot('busy', 'second'), ResourceInUseError);

    expect(error).toMatchObject({ operation: 'CreateApplicationSnapshot', application: 'busy' });
  });

  it('fails with ResourceInUseError when the application is not running', async () => {
    await expect(
      newFleet().forTarget({ tenant: TENANT }).createSnapshot('stopped', 'x'),
    ).rejects.toBeInstanceOf(ResourceInUseError);
  });

  it('fails with SnapshotQuotaExceededError at 1,000 snapshots after one call, without retrying', async () => {
    local.counters.reset();

    const error = await expectFailure(
      newFleet(5).forTarget({ tenant: TENANT }).createSnapshot('full', 'one-more'),
      SnapshotQuotaExceededError,
    );

    expect(error).toMatchObject({ application: 'full', limit: 1000 });
    expect((error as Error).cause).toMatchObject({ name: 'LimitExceededException' });
    expect(local.counters.count('kinesisanalytics', 'CreateApplicationSnapshot')).toBe(1);
  });

  it('still retries a create that failed on the service side through the client retry', async () => {
    local.faults.add({
      kind: 'server-error',
      service: 'kinesisanalytics',
      operation: 'CreateApplicationSnapshot',
      limit: 1,
    });
    local.counters.reset();

    await expect(
      newFleet(3).forTarget({ tenant: TENANT }).createSnapshot('stopped', 'y'),
    ).rejects.toBeInstanceOf(ResourceInUseError);
    expect(local.counters.count('kinesisanalytics', 'CreateApplicationSnapshot')).toBe(2);
  });

  it('describes a missing snapshot as undefined', async () => {
    await expect(
      newFleet().forTarget({ tenant: TENANT }).describeSnapshot('orders', 'never-made'),
    ).resolves.toBeUndefined();
  });

  it('lists every snapshot over pages of 50 and every application version', async () => {
    local.counters.reset();

    const snapshots = await newFleet().forTarget({ tenant: TENANT }).listSnapshots('history');

    expect(snapshots).toHaveLength(120);
    expect(new Set(snapshots.map((s) => s.name)).size).toBe(120);
    expect(new Set(snapshots.map((s) => s.applicationVersionId))).toEqual(new Set([1, 2, 3]));
    expect(snapshots.every((s) => s.status === 'READY' && Number.isInteger(s.createdAt))).toBe(true);
    const simulated = local.services.kinesisAnalytics.listSnapshots('history');
    expect(snapshots.map((s) => [s.name, s.createdAt]).sort()).toEqual(
      simulated.map((s) => [s.name, s.createdAt]).sort(),
    );
    expect(local.counters.count('kinesisanalytics', 'ListApplicationSnapshots')).toBe(3);
  });

  it('fails to list with ApplicationNotFoundError for an unknown application', async () => {
    await expect(newFleet().forTarget({ tenant: TENANT }).listSnapshots('nope')).rejects.toBeInstanceOf(
      ApplicationNotFoundError,
    );
  });

  it('deletes a snapshot by name and listed creation time', async () => {
    const flink = newFleet().forTarget({ tenant: TENANT });
    const [drop] = (await flink.listSnapshots('pruned')).filter((s) => s.name === 'drop');
    if (drop === undefined) throw new Error('seeded snapshot drop is missing');

    await flink.deleteSnapshot('pruned', drop);

    expect(local.services.kinesisAnalytics.listSnapshots('pruned')).toEqual([
      expect.objectContaining({ name: 'keep', status: 'READY' }),
      expect.objectContaining({ name: 'drop', status: 'DELETING' }),
    ]);
  });

  it('treats deleting a snapshot that is already gone as done', async () => {
    const flink = newFleet().forTarget({ tenant: TENANT });
    await expect(
      flink.deleteSnapshot('pruned', {
        name: 'gone',
        status: 'READY',
        createdAt: Date.now(),
        applicationVersionId: 1,
      }),
    ).resolves.toBeUndefined();
  });

  it('fails with ThrottledError naming the application when throttling outlasts the retries', async () => {
    local.faults.add({ kind: 'throttle', service: 'kinesisanalytics', application: 'orders' });

    const error = await expectFailure(
      newFleet(1).forTarget({ tenant: TENANT }).listSnapshots('orders'),
      ThrottledError,
    );

    expect(error).toMatchObject({
      operation: 'ListApplicationSnapshots',
      application: 'orders',
      code: 'ThrottlingException',
    });
  });

  it('fails with ServiceUnavailableError when the service answers 500', async () => {
    local.faults.add({ kind: 'server-error', service: 'kinesisanalytics', operation: 'DescribeApplication' });

    await expect(
      newFleet(1).forTarget({ tenant: TENANT }).describeApplication('orders'),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
