import {
  CreateApplicationCommand,
  CreateApplicationSnapshotCommand,
  DeleteApplicationCommand,
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  DescribeApplicationSnapshotCommand,
  KinesisAnalyticsV2Client,
  ListApplicationSnapshotsCommand,
  ListApplicationsCommand,
  paginateListApplicationSnapshots,
  StartApplicationCommand,
  StopApplicationCommand,
  UpdateApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { type Fleet, type LocalAws, startLocalAws } from '@flink-snapshots/local';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * One simulated second lasts one real millisecond. Transitions and snapshots last hundreds of
 * simulated seconds, so an intermediate status (STARTING, CREATING, DELETING) is seen reliably.
 */
const TIME_SCALE = 0.001;

const fleet: Fleet = {
  defaults: {
    snapshotDurationSeconds: { min: 300, max: 400 },
    transitionSeconds: 500,
    snapshotDeleteSeconds: 500,
  },
  applications: [
    {
      name: 'seeded',
      versionId: 3,
      restoreSnapshotName: 'pinned',
      snapshots: [
        { name: 'pinned', versionId: 1, createdAt: '2026-10-01T00:00:00Z' },
        { name: 'failed-one', versionId: 2, status: 'FAILED', createdAt: '2026-10-02T00:00:00.250Z' },
      ],
    },
    { name: 'lister', versionId: 2, generatedSnapshots: { count: 120, versions: 2, prefix: 'gen-' } },
    { name: 'snapper' },
    { name: 'idle', status: 'READY' },
    { name: 'disabled', snapshotsEnabled: false },
    { name: 'full', generatedSnapshots: { count: 1000 } },
    {
      name: 'busy',
      snapshotDurationSeconds: 10_000_000,
      snapshots: [{ name: 'slow', status: 'CREATING', createdAt: '2026-11-01T00:00:00Z' }],
    },
    { name: 'deleter', generatedSnapshots: { count: 3, prefix: 'old-' } },
    { name: 'faulty' },
  ],
};

let local: LocalAws;
let kda: KinesisAnalyticsV2Client;

beforeAll(async () => {
  local = await startLocalAws({ port: 0, seed: 7, timeScale: TIME_SCALE, fleet });
  kda = new KinesisAnalyticsV2Client({
    endpoint: local.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  kda.destroy();
  await local.stop();
});

afterEach(() => local.faults.clear());

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** Polls `read` until `done` holds (at most 10 s real time); returns the last value read. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`condition not met in 10 s; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function status(ApplicationName: string): Promise<string | undefined> {
  const { ApplicationDetail } = await kda.send(new DescribeApplicationCommand({ ApplicationName }));
  return ApplicationDetail?.ApplicationStatus;
}

async function snapshot(ApplicationName: string, SnapshotName: string) {
  const { SnapshotDetails } = await kda.send(
    new DescribeApplicationSnapshotCommand({ ApplicationName, SnapshotName }),
  );
  return SnapshotDetails;
}

/** Simulated milliseconds from now, in real time. */
async function letSimulatedTimePass(simulatedMs: number): Promise<void> {
  const until = local.clock.now() + simulatedMs;
  await waitFor(
    async () => local.clock.now(),
    (now) => now > until,
  );
}

describe('DescribeApplication', () => {
  it('describes a seeded application: status, version, snapshot and restore configuration', async () => {
    const { ApplicationDetail } = await kda.send(
      new DescribeApplicationCommand({ ApplicationName: 'seeded' }),
    );
    expect(ApplicationDetail).toMatchObject({
      ApplicationName: 'seeded',
      ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/seeded',
      ApplicationStatus: 'RUNNING',
      ApplicationVersionId: 3,
      RuntimeEnvironment: 'FLINK-1_20',
      ApplicationConfigurationDescription: {
        ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: true },
        RunConfigurationDescription: {
          ApplicationRestoreConfigurationDescription: {
            ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
            SnapshotName: 'pinned',
          },
        },
      },
    });
    expect(ApplicationDetail?.CreateTimestamp).toBeInstanceOf(Date);
  });

  it('answers ResourceNotFoundException for an unknown application', async () => {
    const error = await failure(kda.send(new DescribeApplicationCommand({ ApplicationName: 'nobody' })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain('nobody');
  });
});

describe('ListApplicationSnapshots', () => {
  it('lists seeded snapshots oldest first with their status, version and millisecond timestamps', async () => {
    const { SnapshotSummaries } = await kda.send(
      new ListApplicationSnapshotsCommand({ ApplicationName: 'seeded' }),
    );
    expect(SnapshotSummaries).toEqual([
      {
        SnapshotName: 'pinned',
        SnapshotStatus: 'READY',
        ApplicationVersionId: 1,
        SnapshotCreationTimestamp: new Date('2026-10-01T00:00:00Z'),
        RuntimeEnvironment: 'FLINK-1_20',
      },
      {
        SnapshotName: 'failed-one',
        SnapshotStatus: 'FAILED',
        ApplicationVersionId: 2,
        SnapshotCreationTimestamp: new Date('2026-10-02T00:00:00.250Z'),
        RuntimeEnvironment: 'FLINK-1_20',
      },
    ]);
  });

  it('pages at most Limit snapshots at a time and returns every snapshot exactly once', async () => {
    const first = await kda.send(
      new ListApplicationSnapshotsCommand({ ApplicationName: 'lister', Limit: 50 }),
    );
    expect(first.SnapshotSummaries).toHaveLength(50);
    expect(first.NextToken).toBeDefined();
    const names: string[] = [];
    for await (const page of paginateListApplicationSnapshots(
      { client: kda, pageSize: 50 },
      { ApplicationName: 'lister' },
    )) {
      expect(page.SnapshotSummaries?.length).toBeLessThanOrEqual(50);
      names.push(...(page.SnapshotSummaries ?? []).map((s) => s.SnapshotName ?? ''));
    }
    expect(names).toHaveLength(120);
    expect(new Set(names).size).toBe(120);
    expect(names[0]).toBe('gen-0000');
    expect(names.at(-1)).toBe('gen-0119');
  });

  it('rejects a Limit above 50 as InvalidArgumentException', async () => {
    const error = await failure(
      kda.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'lister', Limit: 51 })),
    );
    expect(error.name).toBe('InvalidArgumentException');
    expect(error.message).toBe(
      "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
  });

  it('rejects a NextToken it did not issue', async () => {
    const error = await failure(
      kda.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'lister', NextToken: 'garbage' })),
    );
    expect(error.name).toBe('InvalidArgumentException');
  });
});

describe('CreateApplicationSnapshot', () => {
  it('creates a snapshot that is CREATING, then READY after the application snapshot duration', async () => {
    const before = local.clock.now();
    await kda.send(
      new CreateApplicationSnapshotCommand({ ApplicationName: 'snapper', SnapshotName: 'run-1' }),
    );
    const creating = await snapshot('snapper', 'run-1');
    expect(creating).toMatchObject({ SnapshotStatus: 'CREATING', ApplicationVersionId: 1 });
    expect(creating?.SnapshotCreationTimestamp?.getTime()).toBeGreaterThanOrEqual(Math.floor(before));
    const ready = await waitFor(
      () => snapshot('snapper', 'run-1'),
      (s) => s?.SnapshotStatus !== 'CREATING',
    );
    expect(ready?.SnapshotStatus).toBe('READY');
    expect(local.services.kinesisAnalytics.snapshotEvents('snapper')).toEqual([
      expect.objectContaining({ type: 'created', snapshotName: 'run-1', status: 'CREATING', origin: 'api' }),
    ]);
  });

  it('refuses a name already used by a snapshot of the application', async () => {
    const error = await failure(
      kda.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'seeded', SnapshotName: 'pinned' })),
    );
    expect(error.name).toBe('ResourceInUseException');
    expect(error.message).toMatch(/Snapshot pinned already exists for application seeded/);
  });

  it('refuses while another snapshot of the application is CREATING', async () => {
    const error = await failure(
      kda.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'busy', SnapshotName: 'second' })),
    );
    expect(error.name).toBe('ResourceInUseException');
    expect(error.message).toMatch(/already creating snapshot slow/);
  });

  it('refuses when the application is not RUNNING', async () => {
    const error = await failure(
      kda.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'idle', SnapshotName: 'x' })),
    );
    expect(error.name).toBe('ResourceInUseException');
    expect(error.message).toMatch(/is in READY status/);
  });

  it('refuses when snapshots are disabled for the application', async () => {
    const error = await failure(
      kda.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'disabled', SnapshotName: 'x' })),
    );
    expect(error.name).toBe('InvalidRequestException');
  });

  it('refuses snapshots of a SQL application as UnsupportedOperationException', async () => {
    local.services.kinesisAnalytics.putApplication({ name: 'sql-app', runtime: 'SQL-1_0' });
    const error = await failure(
      kda.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'sql-app', SnapshotName: 'x' })),
    );
    expect(error.name).toBe('UnsupportedOperationException');
  });

  it('fails with LimitExceededException once the application holds 1,000 snapshots', async () => {
    const error = await failure(
      kda.send(
        new CreateApplicationSnapshotCommand({ ApplicationName: 'full', SnapshotName: 'one-too-many' }),
      ),
    );
    expect(error.name).toBe('LimitExceededException');
    expect(error.message).toMatch(/already has 1000 snapshots/);
  });

  it.each([
    [
      'a snapshot name with a space',
      { ApplicationName: 'snapper', SnapshotName: 'bad name' },
      'snapshotName',
    ],
    [
      'a snapshot name over 256 characters',
      { ApplicationName: 'snapper', SnapshotName: 'x'.repeat(257) },
      'snapshotName',
    ],
    ['an application name with a slash', { ApplicationName: 'a/b', SnapshotName: 'ok' }, 'applicationName'],
  ])('rejects %s as InvalidArgumentException naming the member', async (_, input, member) => {
    const error = await failure(kda.send(new CreateApplicationSnapshotCommand(input)));
    expect(error.name).toBe('InvalidArgumentException');
    expect(error.message).toContain(`at '${member}' failed to satisfy constraint`);
  });

  it('ends FAILED when a snapshot-fails fault matches the application', async () => {
    local.faults.add({ kind: 'snapshot-fails', application: 'faulty' });
    await kda.send(
      new CreateApplicationSnapshotCommand({ ApplicationName: 'faulty', SnapshotName: 'doomed' }),
    );
    const done = await waitFor(
      () => snapshot('faulty', 'doomed'),
      (s) => s?.SnapshotStatus !== 'CREATING',
    );
    expect(done?.SnapshotStatus).toBe('FAILED');
  });

  it('stays CREATING when a snapshot-hangs fault matches, however long it is polled', async () => {
    local.faults.add({
      kind: 'snapshot-hangs',
      operation: 'CreateApplicationSnapshot',
      application: 'faulty',
    });
    await kda.send(
      new CreateApplicationSnapshotCommand({ ApplicationName: 'faulty', SnapshotName: 'stuck' }),
    );
    await letSimulatedTimePass(500_000);
    expect((await snapshot('faulty', 'stuck'))?.SnapshotStatus).toBe('CREATING');
  });
});

describe('DeleteApplicationSnapshot', () => {
  it('refuses a SnapshotCreationTimestamp that does not match the snapshot', async () => {
    const target = await snapshot('deleter', 'old-0000');
    const created = target?.SnapshotCreationTimestamp as Date;
    const error = await failure(
      kda.send(
        new DeleteApplicationSnapshotCommand({
          ApplicationName: 'deleter',
          SnapshotName: 'old-0000',
          SnapshotCreationTimestamp: new Date(created.getTime() + 1),
        }),
      ),
    );
    expect(error.name).toBe('InvalidArgumentException');
    expect(error.message).toMatch(/does not match snapshot old-0000's creation timestamp/);
  });

  it('deletes a snapshot: DELETING first, then gone', async () => {
    const target = await snapshot('deleter', 'old-0001');
    await kda.send(
      new DeleteApplicationSnapshotCommand({
        ApplicationName: 'deleter',
        SnapshotName: 'old-0001',
        SnapshotCreationTimestamp: target?.SnapshotCreationTimestamp,
      }),
    );
    expect((await snapshot('deleter', 'old-0001'))?.SnapshotStatus).toBe('DELETING');
    await waitFor(
      () => failure(snapshot('deleter', 'old-0001')).catch(() => undefined),
      (error) => error?.name === 'ResourceNotFoundException',
    );
    const { SnapshotSummaries } = await kda.send(
      new ListApplicationSnapshotsCommand({ ApplicationName: 'deleter' }),
    );
    expect(SnapshotSummaries?.map((s) => s.SnapshotName)).toEqual(['old-0000', 'old-0002']);
    expect(local.services.kinesisAnalytics.snapshotEvents('deleter')).toEqual([
      expect.objectContaining({
        type: 'deleted',
        snapshotName: 'old-0001',
        status: 'READY',
        origin: 'api',
        newestReady: false,
        restoreSnapshot: false,
      }),
    ]);
  });

  it('records when a deleted snapshot was the newest READY one or the restore snapshot', async () => {
    const kinesis = local.services.kinesisAnalytics;
    kinesis.putApplication({
      name: 'guarded',
      restoreSnapshotName: 'base',
      snapshots: [
        { name: 'base', createdAt: '2026-11-01T00:00:00Z' },
        { name: 'latest', createdAt: '2026-11-02T00:00:00Z' },
      ],
    });
    for (const name of ['latest', 'base']) {
      const created = kinesis.listSnapshots('guarded').find((s) => s.name === name)?.createdAt as number;
      await kda.send(
        new DeleteApplicationSnapshotCommand({
          ApplicationName: 'guarded',
          SnapshotName: name,
          SnapshotCreationTimestamp: new Date(created),
        }),
      );
    }
    expect(
      kinesis.snapshotEvents('guarded').map((e) => [e.snapshotName, e.newestReady, e.restoreSnapshot]),
    ).toEqual([
      ['latest', true, false],
      ['base', true, true],
    ]);
  });

  it('answers ResourceNotFoundException for an unknown snapshot', async () => {
    const error = await failure(
      kda.send(
        new DeleteApplicationSnapshotCommand({
          ApplicationName: 'deleter',
          SnapshotName: 'never-existed',
          SnapshotCreationTimestamp: new Date(),
        }),
      ),
    );
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('application lifecycle', () => {
  it('creates, starts, stops with a snapshot, updates and deletes an application', async () => {
    const created = await kda.send(
      new CreateApplicationCommand({
        ApplicationName: 'lifecycle',
        RuntimeEnvironment: 'FLINK-1_19',
        ServiceExecutionRole: 'arn:aws:iam::000000000000:role/flink',
        ApplicationConfiguration: { ApplicationSnapshotConfiguration: { SnapshotsEnabled: true } },
      }),
    );
    expect(created.ApplicationDetail).toMatchObject({ ApplicationStatus: 'READY', ApplicationVersionId: 1 });

    await kda.send(
      new StartApplicationCommand({
        ApplicationName: 'lifecycle',
        RunConfiguration: {
          ApplicationRestoreConfiguration: { ApplicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT' },
        },
      }),
    );
    expect(await status('lifecycle')).toBe('STARTING');
    await waitFor(
      () => status('lifecycle'),
      (s) => s === 'RUNNING',
    );

    await kda.send(new StopApplicationCommand({ ApplicationName: 'lifecycle' }));
    expect(await status('lifecycle')).toBe('STOPPING');
    const [systemSnapshot] = local.services.kinesisAnalytics.listSnapshots('lifecycle');
    expect(systemSnapshot).toMatchObject({
      status: 'CREATING',
      versionId: 1,
      name: expect.stringMatching(/^msf-stop-/),
    });
    await waitFor(
      () => status('lifecycle'),
      (s) => s === 'READY',
    );
    expect(local.services.kinesisAnalytics.listSnapshots('lifecycle')[0]?.status).toBe('READY');

    const stale = await failure(
      kda.send(
        new UpdateApplicationCommand({ ApplicationName: 'lifecycle', CurrentApplicationVersionId: 7 }),
      ),
    );
    expect(stale.name).toBe('ConcurrentModificationException');
    const updated = await kda.send(
      new UpdateApplicationCommand({
        ApplicationName: 'lifecycle',
        CurrentApplicationVersionId: 1,
        ApplicationConfigurationUpdate: {
          ApplicationSnapshotConfigurationUpdate: { SnapshotsEnabledUpdate: false },
        },
      }),
    );
    expect(updated.ApplicationDetail).toMatchObject({
      ApplicationVersionId: 2,
      ApplicationConfigurationDescription: {
        ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: false },
        RunConfigurationDescription: {
          ApplicationRestoreConfigurationDescription: {
            ApplicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT',
          },
        },
      },
    });

    const wrongTimestamp = await failure(
      kda.send(new DeleteApplicationCommand({ ApplicationName: 'lifecycle', CreateTimestamp: new Date(0) })),
    );
    expect(wrongTimestamp.name).toBe('InvalidArgumentException');
    await kda.send(
      new DeleteApplicationCommand({
        ApplicationName: 'lifecycle',
        CreateTimestamp: created.ApplicationDetail?.CreateTimestamp,
      }),
    );
    expect(await status('lifecycle')).toBe('DELETING');
    await waitFor(
      () => failure(status('lifecycle')).catch(() => undefined),
      (error) => error?.name === 'ResourceNotFoundException',
    );
  });

  it('refuses to create an application whose name is taken', async () => {
    const error = await failure(
      kda.send(
        new CreateApplicationCommand({
          ApplicationName: 'seeded',
          RuntimeEnvironment: 'FLINK-1_20',
          ServiceExecutionRole: 'arn:aws:iam::000000000000:role/flink',
        }),
      ),
    );
    expect(error.name).toBe('ResourceInUseException');
  });

  it('force-stops a starting application without taking a snapshot', async () => {
    local.services.kinesisAnalytics.putApplication({ name: 'forced', status: 'READY' });
    await kda.send(new StartApplicationCommand({ ApplicationName: 'forced' }));
    const notRunning = await failure(kda.send(new StopApplicationCommand({ ApplicationName: 'forced' })));
    expect(notRunning.name).toBe('ResourceInUseException');
    await kda.send(new StopApplicationCommand({ ApplicationName: 'forced', Force: true }));
    expect(await status('forced')).toBe('FORCE_STOPPING');
    await waitFor(
      () => status('forced'),
      (s) => s === 'READY',
    );
    expect(local.services.kinesisAnalytics.listSnapshots('forced')).toEqual([]);
  });

  it('refuses to restore from a custom snapshot that does not exist', async () => {
    local.services.kinesisAnalytics.putApplication({ name: 'restorer', status: 'READY' });
    const error = await failure(
      kda.send(
        new StartApplicationCommand({
          ApplicationName: 'restorer',
          RunConfiguration: {
            ApplicationRestoreConfiguration: {
              ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
              SnapshotName: 'missing',
            },
          },
        }),
      ),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(await status('restorer')).toBe('READY');
  });
});

describe('restoring from a custom snapshot', () => {
  it('stops with a snapshot, starts from the named one and describes the restore configuration', async () => {
    local.services.kinesisAnalytics.putApplication({
      name: 'restored',
      snapshots: [{ name: 'point', versionId: 1, createdAt: '2026-10-05T00:00:00Z' }],
    });
    await kda.send(new StopApplicationCommand({ ApplicationName: 'restored', Force: false }));
    expect(await status('restored')).toBe('STOPPING');
    await waitFor(
      () => status('restored'),
      (s) => s === 'READY',
    );
    await kda.send(
      new StartApplicationCommand({
        ApplicationName: 'restored',
        RunConfiguration: {
          FlinkRunConfiguration: { AllowNonRestoredState: true },
          ApplicationRestoreConfiguration: {
            ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
            SnapshotName: 'point',
          },
        },
      }),
    );
    expect(await status('restored')).toBe('STARTING');
    await waitFor(
      () => status('restored'),
      (s) => s === 'RUNNING',
    );
    const { ApplicationDetail } = await kda.send(
      new DescribeApplicationCommand({ ApplicationName: 'restored' }),
    );
    expect(ApplicationDetail?.ApplicationConfigurationDescription?.RunConfigurationDescription).toEqual({
      ApplicationRestoreConfigurationDescription: {
        ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
        SnapshotName: 'point',
      },
      FlinkRunConfigurationDescription: { AllowNonRestoredState: true },
    });
  });

  it('resets AllowNonRestoredState to false on an update that does not set it, as MSF does', async () => {
    local.services.kinesisAnalytics.putApplication({ name: 'reset', status: 'READY' });
    await kda.send(
      new UpdateApplicationCommand({
        ApplicationName: 'reset',
        CurrentApplicationVersionId: 1,
        RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: true } },
      }),
    );
    const updated = await kda.send(
      new UpdateApplicationCommand({
        ApplicationName: 'reset',
        CurrentApplicationVersionId: 2,
        ApplicationConfigurationUpdate: {
          ApplicationSnapshotConfigurationUpdate: { SnapshotsEnabledUpdate: true },
        },
      }),
    );
    expect(
      updated.ApplicationDetail?.ApplicationConfigurationDescription?.RunConfigurationDescription
        ?.FlinkRunConfigurationDescription,
    ).toEqual({ AllowNonRestoredState: false });
  });
});

describe('ListApplications', () => {
  it('pages applications in name order', async () => {
    const first = await kda.send(new ListApplicationsCommand({ Limit: 3 }));
    expect(first.ApplicationSummaries?.map((a) => a.ApplicationName)).toEqual([
      'busy',
      'deleter',
      'disabled',
    ]);
    expect(first.ApplicationSummaries?.[0]).toMatchObject({
      ApplicationStatus: 'RUNNING',
      ApplicationVersionId: 1,
    });
    const second = await kda.send(new ListApplicationsCommand({ Limit: 3, NextToken: first.NextToken }));
    expect(second.ApplicationSummaries?.[0]?.ApplicationName).toBe('faulty');
  });
});

describe('read API', () => {
  it('reports applications and snapshots as they are now, without HTTP', () => {
    const kinesis = local.services.kinesisAnalytics;
    kinesis.putApplication({
      name: 'inspected',
      versionId: 2,
      snapshots: [{ name: 'a', createdAt: 1_700_000_000_000, versionId: 1 }],
    });
    expect(kinesis.getApplication('inspected')).toMatchObject({
      status: 'RUNNING',
      versionId: 2,
      snapshotsEnabled: true,
      restoreType: 'RESTORE_FROM_LATEST_SNAPSHOT',
      snapshotCount: 1,
    });
    expect(kinesis.listSnapshots('inspected')).toEqual([
      { name: 'a', status: 'READY', versionId: 1, runtime: 'FLINK-1_20', createdAt: 1_700_000_000_000 },
    ]);
    expect(kinesis.getApplication('not-there')).toBeUndefined();
    expect(() => kinesis.listSnapshots('not-there')).toThrow(/Application not-there not found/);
  });
});

describe('bad input', () => {
  async function rawCall(operation: string, body: string): Promise<Record<string, string>> {
    const response = await fetch(local.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `KinesisAnalytics_20180523.${operation}`,
        Authorization:
          'AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/kinesisanalytics/aws4_request, Signature=x',
      },
      body,
    });
    expect(response.status).toBe(400);
    return (await response.json()) as Record<string, string>;
  }

  it('answers SerializationException for a member of the wrong JSON type', async () => {
    const json = await rawCall(
      'DescribeApplicationSnapshot',
      '{"ApplicationName": "seeded", "SnapshotName": ["x"]}',
    );
    expect(json.__type).toBe('SerializationException');
    expect(json.message).toMatch(/'snapshotName': expected string, received array/);
  });

  it('answers InvalidArgumentException naming a missing required member', async () => {
    const json = await rawCall(
      'DeleteApplicationSnapshot',
      '{"ApplicationName": "seeded", "SnapshotName": "pinned"}',
    );
    expect(json).toEqual({
      __type: 'InvalidArgumentException',
      message:
        "1 validation error detected: Value null at 'snapshotCreationTimestamp' failed to satisfy constraint: Member must not be null",
    });
  });
});
