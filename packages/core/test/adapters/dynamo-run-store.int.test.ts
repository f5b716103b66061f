import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RUNS_TABLE } from '@flink-snapshots/settings';
import {
  clientConfig,
  countCalls,
  describeOnTarget,
  expectFailure,
  localAws,
  localOnly,
  useTarget,
} from '@flink-snapshots/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRunsTable, DynamoRunStore, SCHEDULE_RUN_ID } from '../../src/adapters/dynamo-run-store';
import { ThrottledError } from '../../src/domain/errors';
import type { NewRun, RunKey } from '../../src/domain/run-record';
import { RunState } from '../../src/domain/run-state';

const TABLE = 'runs-test';
const NOW = Date.UTC(2026, 10, 22, 8, 30);
const TTL_DAYS = 90;
const target = useTarget();
let dynamodb: DynamoDBClient;
let store: DynamoRunStore;
let nextApp = 0;

beforeAll(async () => {
  dynamodb = new DynamoDBClient(clientConfig(target));
  await createRunsTable(dynamodb, TABLE);
  // No removeUndefinedValues here: the store strips undefined values itself.
  store = new DynamoRunStore(DynamoDBDocumentClient.from(dynamodb), { tableName: TABLE, ttlDays: TTL_DAYS });
});

afterAll(async () => {
  dynamodb.destroy();
});

/** A new run of an application no other test uses. */
function newRun(overrides: Partial<NewRun> = {}): NewRun {
  const app = `app-${++nextApp}`;
  return {
    appKey: `tenant-a/${app}`,
    runId: '20261122T083000Z',
    tenant: 'tenant-a',
    application: app,
    parameter: `/flink-snapshots/test/apps/tenant-a/${app}`,
    state: RunState.DISPATCHED,
    ...overrides,
  };
}

const keyOf = (run: NewRun): RunKey => ({ appKey: run.appKey, runId: run.runId });

describeOnTarget('createRunsTable', () => {
  it('creates the table with its keys, the byRun index and TTL on expiresAt, and accepts being run again', async () => {
    await createRunsTable(dynamodb, TABLE);

    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: RUNS_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: RUNS_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'byRun',
      KeySchema: [
        { AttributeName: 'runId', KeyType: 'HASH' },
        { AttributeName: 'appKey', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });
});

describeOnTarget('DynamoRunStore runs', () => {
  it('creates a run with its first timestamp, updatedAt and an expiry ttlDays ahead, leaving out undefined fields', async () => {
    const run = newRun({ snapshotName: undefined });

    await expect(store.create(run, NOW)).resolves.toBe(true);

    const stored = await store.get(keyOf(run));
    expect(stored).toEqual({
      ...run,
      at: { DISPATCHED: NOW },
      updatedAt: NOW,
      expiresAt: NOW / 1000 + TTL_DAYS * 86_400,
    });
    expect(stored).not.toHaveProperty('snapshotName');
  });

  it('does not create a run twice', async () => {
    const run = newRun();
    await store.create(run, NOW);

    await expect(store.create({ ...run, reason: 'again' }, NOW + 1)).resolves.toBe(false);
    expect((await store.get(keyOf(run)))?.updatedAt).toBe(NOW);
  });

  it('creates over a run still in one of redoFrom', async () => {
    const run = newRun();
    await store.create(run, NOW);

    await expect(store.create(run, NOW + 5, [RunState.DISPATCHED])).resolves.toBe(true);
    expect((await store.get(keyOf(run)))?.at).toEqual({ DISPATCHED: NOW + 5 });
  });

  it('does not create over a run in a state outside redoFrom', async () => {
    const run = newRun();
    await store.create(run, NOW);
    await store.transition(keyOf(run), RunState.DISPATCHED, RunState.SNAPSHOT_REQUESTED, {}, NOW + 1);

    await expect(store.create(run, NOW + 5, [RunState.DISPATCHED])).resolves.toBe(false);
  });

  it('transitions from the expected state, stamping the new state and setting the patch', async () => {
    const run = newRun();
    await store.create(run, NOW);

    const record = await store.transition(
      keyOf(run),
      RunState.DISPATCHED,
      RunState.SNAPSHOT_REQUESTED,
      {
        snapshotName: 'flink-snapshots-20261122T083000Z',
        applicationVersionId: 4,
        notes: ['snapshots disabled'],
        reason: undefined,
      },
      NOW + 1_000,
    );

    expect(record).toMatchObject({
      ...run,
      state: RunState.SNAPSHOT_REQUESTED,
      at: { DISPATCHED: NOW, SNAPSHOT_REQUESTED: NOW + 1_000 },
      snapshotName: 'flink-snapshots-20261122T083000Z',
      applicationVersionId: 4,
      notes: ['snapshots disabled'],
      updatedAt: NOW + 1_000,
    });
    expect(record).not.toHaveProperty('reason');
    expect(await store.get(keyOf(run))).toEqual(record);
  });

  it('transitions from any of several expected states and keeps nested records', async () => {
    const run = newRun({ state: RunState.SNAPSHOT_READY });
    await store.create(run, NOW);
    const prune = {
      dryRun: false,
      deleted: [
        {
          name: 'old',
          createdAt: 1,
          applicationVersionId: 1,
          reason: 'beyond-count' as const,
          detail: 'rank 5 of 3',
        },
      ],
      failed: [],
      deferred: 0,
      kept: 3,
      quota: { total: 4, limit: 1000, used: 0.004, warning: false, full: false, afterPrune: 3 },
    };

    const record = await store.transition(
      keyOf(run),
      [RunState.SNAPSHOT_REQUESTED, RunState.SNAPSHOT_READY],
      RunState.PRUNED,
      { prune },
      NOW + 2,
    );

    expect(record?.state).toBe(RunState.PRUNED);
    expect(record?.prune).toEqual(prune);
  });

  it('returns undefined for a transition from a state the run is not in, and changes nothing', async () => {
    const run = newRun();
    await store.create(run, NOW);

    await expect(
      store.transition(keyOf(run), RunState.SNAPSHOT_REQUESTED, RunState.SNAPSHOT_READY, {}, NOW + 1),
    ).resolves.toBeUndefined();
    expect(await store.get(keyOf(run))).toMatchObject({ state: RunState.DISPATCHED, updatedAt: NOW });
  });

  it('returns undefined for a transition of a run that does not exist', async () => {
    await expect(
      store.transition(
        { appKey: 't/none', runId: '20261122T083000Z' },
        RunState.DISPATCHED,
        RunState.FAILED,
        {},
        NOW,
      ),
    ).resolves.toBeUndefined();
    await expect(store.get({ appKey: 't/none', runId: '20261122T083000Z' })).resolves.toBeUndefined();
  });

  it('keeps pending alerts with a transition and clears them once published, recording when', async () => {
    const run = newRun();
    await store.create(run, NOW);
    const alert = {
      event: 'failed' as const,
      severity: 'critical' as const,
      tenant: run.tenant,
      application: run.application,
      appKey: run.appKey,
      runId: run.runId,
      state: 'FAILED' as const,
      reason: 'MSF reports the snapshot FAILED',
    };
    const failed = await store.transition(
      keyOf(run),
      'DISPATCHED',
      'FAILED',
      { pendingAlerts: [alert] },
      NOW + 1,
    );
    expect(failed?.pendingAlerts).toEqual([alert]);
    await store.clearPendingAlerts(keyOf(run), NOW + 2);
    const cleared = await store.get(keyOf(run));
    expect(cleared?.pendingAlerts).toBeUndefined();
    expect(cleared?.alertedAt).toBe(NOW + 2);
    expect(cleared?.state).toBe('FAILED');
  });

  it('clears nothing, and creates nothing, for a run that does not exist', async () => {
    const key = { appKey: 'nobody/nothing', runId: '20261122T083000Z' };
    await store.clearPendingAlerts(key, NOW);
    expect(await store.get(key)).toBeUndefined();
  });

  it('counts each poll once, only while the snapshot is requested', async () => {
    const run = newRun();
    await store.create(run, NOW);
    const key = keyOf(run);

    await expect(store.countPoll(key, 0, NOW)).resolves.toBe(false);
    await store.transition(key, RunState.DISPATCHED, RunState.SNAPSHOT_REQUESTED, {}, NOW);

    await expect(store.countPoll(key, 0, NOW + 1)).resolves.toBe(true);
    await expect(store.countPoll(key, 0, NOW + 2)).resolves.toBe(false);
    await expect(store.countPoll(key, 2, NOW + 2)).resolves.toBe(false);
    await expect(store.countPoll(key, 1, NOW + 3)).resolves.toBe(true);
    expect(await store.get(key)).toMatchObject({ polls: 2, updatedAt: NOW + 3 });

    await store.transition(key, RunState.SNAPSHOT_REQUESTED, RunState.SNAPSHOT_READY, {}, NOW + 4);
    await expect(store.countPoll(key, 2, NOW + 5)).resolves.toBe(false);
  });

  it('lists the newest runs of an application first, limited, without its scheduling pointer', async () => {
    const base = newRun();
    const runIds = ['20261122T080000Z', '20261122T081000Z', '20261122T082000Z'];
    for (const runId of runIds) await store.create({ ...base, runId }, NOW);
    await store.markScheduled({
      appKey: base.appKey,
      tenant: 'tenant-a',
      lastRunId: runIds[2],
      lastRunAt: NOW,
    });

    const runs = await store.listByApplication(base.appKey, 2);

    expect(runs.map((run) => run.runId)).toEqual(['20261122T082000Z', '20261122T081000Z']);
    expect((await store.listByApplication(base.appKey, 10)).map((run) => run.runId)).toEqual(
      [...runIds].reverse(),
    );
  });

  it("lists every application's run of one runId through the index", async () => {
    const runId = '20261122T090000Z';
    const runs = [newRun({ runId }), newRun({ runId }), newRun({ runId, tenant: 'tenant-b' })];
    for (const run of runs) await store.create(run, NOW);
    await store.create(newRun({ runId: '20261122T091000Z' }), NOW);

    const listed = await store.listByRun(runId);

    expect(listed.map((run) => run.appKey).sort()).toEqual(runs.map((run) => run.appKey).sort());
    expect(listed.every((run) => run.runId === runId && run.at.DISPATCHED === NOW)).toBe(true);
  });

  localOnly(
    'fault injection',
    'fails with ThrottledError when DynamoDB throttles beyond the client retry',
    async () => {
      localAws(target).faults.add({ kind: 'throttle', service: 'dynamodb' });
      const once = new DynamoRunStore(
        DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(target, 1))),
        {
          tableName: TABLE,
          ttlDays: TTL_DAYS,
        },
      );

      const error = await expectFailure(once.create(newRun(), NOW), ThrottledError);

      expect(error).toMatchObject({ operation: 'PutItem', code: 'ThrottlingException' });
    },
  );
});

describeOnTarget('DynamoRunStore scheduling pointers', () => {
  it('reads pointers and runs of one runId over every page', async () => {
    const paged = new DynamoRunStore(DynamoDBDocumentClient.from(dynamodb), {
      tableName: TABLE,
      ttlDays: TTL_DAYS,
      pageSize: 2,
    });
    const runId = '20261123T000000Z';
    const runs = [
      newRun({ runId }),
      newRun({ runId }),
      newRun({ runId }),
      newRun({ runId }),
      newRun({ runId }),
    ];
    for (const run of runs) {
      await paged.create(run, NOW);
      await paged.markScheduled({ appKey: run.appKey, tenant: run.tenant, lastRunId: runId, lastRunAt: NOW });
    }
    const calls = countCalls(dynamodb);

    expect((await paged.listByRun(runId)).map((run) => run.appKey).sort()).toEqual(
      runs.map((run) => run.appKey).sort(),
    );
    expect(calls.count('Query')).toBe(3);
    const schedule = await paged.readSchedule();
    for (const run of runs) expect(schedule.get(run.appKey)).toMatchObject({ lastRunId: runId });
  });

  it('moves a pointer forward and never backward', async () => {
    const { appKey } = newRun();

    await store.markScheduled({ appKey, tenant: 'tenant-a', lastRunId: '20261122T083000Z', lastRunAt: NOW });
    await store.markScheduled({
      appKey,
      tenant: 'tenant-a',
      lastRunId: '20261122T082500Z',
      lastRunAt: NOW - 300_000,
    });
    expect((await store.readSchedule()).get(appKey)).toEqual({
      appKey,
      lastRunId: '20261122T083000Z',
      lastRunAt: NOW,
    });

    await store.markScheduled({
      appKey,
      tenant: 'tenant-a',
      lastRunId: '20261122T083500Z',
      lastRunAt: NOW + 300_000,
    });
    expect((await store.readSchedule()).get(appKey)).toMatchObject({
      lastRunId: '20261122T083500Z',
      lastRunAt: NOW + 300_000,
    });
  });

  it('records the invalid digest even when the pointer stays, and keeps fields not given', async () => {
    const { appKey } = newRun();
    await store.markScheduled({ appKey, tenant: 'tenant-a', lastRunId: '20261122T083000Z', lastRunAt: NOW });

    await store.markScheduled({
      appKey,
      tenant: 'tenant-a',
      lastRunId: '20261122T080000Z',
      lastRunAt: NOW - 1,
      invalidDigest: 'abc',
    });
    expect((await store.readSchedule()).get(appKey)).toEqual({
      appKey,
      lastRunId: '20261122T083000Z',
      lastRunAt: NOW,
      invalidDigest: 'abc',
    });

    await store.markScheduled({ appKey, tenant: 'tenant-a', invalidDigest: 'def' });
    expect((await store.readSchedule()).get(appKey)).toEqual({
      appKey,
      lastRunId: '20261122T083000Z',
      lastRunAt: NOW,
      invalidDigest: 'def',
    });
  });

  it('forgets a pointer, but not one holding a pin or a restore point, and never a run', async () => {
    const tenant = 'tenant-a';
    const [plain, pinned, restored] = [newRun(), newRun(), newRun()];
    for (const run of [plain, pinned, restored]) {
      await store.markScheduled({ appKey: run.appKey, tenant, lastRunId: run.runId, lastRunAt: NOW });
    }
    await store.create(plain, NOW);
    await store.setPinned({ appKey: pinned.appKey, tenant }, 'flink-snapshots-a', true);
    await store.setRestorePoint({ appKey: restored.appKey, tenant }, 'flink-snapshots-b');

    expect(await store.forget(plain.appKey)).toBe(true);
    expect(await store.forget(pinned.appKey)).toBe(false);
    expect(await store.forget(restored.appKey)).toBe(false);
    expect(await store.forget(plain.appKey)).toBe(false);

    const schedule = await store.readSchedule();
    expect(schedule.has(plain.appKey)).toBe(false);
    expect(schedule.has(pinned.appKey)).toBe(true);
    expect(schedule.has(restored.appKey)).toBe(true);
    expect(await store.get(keyOf(plain))).toBeDefined();
    // Unpinning the last pin removes the set (DynamoDB has no empty sets): the pointer can go then.
    await store.setPinned({ appKey: pinned.appKey, tenant }, 'flink-snapshots-a', false);
    expect(await store.forget(pinned.appKey)).toBe(true);
  });

  it('sets firstSeenAt once, and a stale episode until it is cleared', async () => {
    const { appKey } = newRun();
    const tenant = 'tenant-a';
    await store.markScheduled({
      appKey,
      tenant,
      lastRunId: '20261122T083000Z',
      lastRunAt: NOW,
      firstSeenAt: NOW,
    });
    await store.markScheduled({ appKey, tenant, firstSeenAt: NOW + 1, staleSince: NOW + 2 });
    expect((await store.readSchedule()).get(appKey)).toMatchObject({ firstSeenAt: NOW, staleSince: NOW + 2 });

    await store.markScheduled({ appKey, tenant, staleSince: null });
    expect((await store.readSchedule()).get(appKey)?.staleSince).toBeUndefined();
  });

  it('records a run ending on the pointer, never replacing a later one, and appends its duration', async () => {
    const { appKey } = newRun();
    const key = { appKey, tenant: 'tenant-a' };
    await store.recordEnding(key, {
      runId: '20261122T083000Z',
      state: RunState.COMPLETED,
      at: NOW,
      readyAt: NOW - 60_000,
      durationMs: 35_000,
    });
    await store.recordEnding(key, {
      runId: '20261122T082500Z',
      state: RunState.FAILED,
      at: NOW,
      reason: 'late',
    });
    await store.recordEnding(key, {
      runId: '20261122T083500Z',
      state: RunState.COMPLETED,
      at: NOW + 1,
      readyAt: NOW,
      durationMs: 41_000,
    });

    expect((await store.readSchedule()).get(appKey)).toMatchObject({
      lastEnded: { runId: '20261122T083500Z', state: RunState.COMPLETED, at: NOW + 1 },
      lastReadyAt: NOW,
      durationsMs: [35_000, 41_000],
    });
  });

  it('counts retries, deferrals and resends of a run, the last two only while it is DISPATCHED', async () => {
    const run = newRun();
    await store.create(run, NOW);
    await store.noteRetry(keyOf(run), { name: 'ThrottledError', message: 'slow down' }, NOW + 1);
    await store.noteRetry(keyOf(run), { name: 'ThrottledError', message: 'again' }, NOW + 2);
    expect(await store.defer(keyOf(run), NOW + 60_000, 'STARTING', NOW + 3)).toBe(true);
    expect(await store.countResend(keyOf(run), 0, NOW + 4)).toBe(true);
    expect(await store.countResend(keyOf(run), 0, NOW + 5)).toBe(false);

    expect(await store.get(keyOf(run))).toMatchObject({
      attempts: 2,
      lastRetryableError: { name: 'ThrottledError', message: 'again' },
      deferredUntil: NOW + 60_000,
      deferredReason: 'STARTING',
      resends: 1,
    });
    await store.transition(keyOf(run), RunState.DISPATCHED, RunState.SNAPSHOT_REQUESTED, {}, NOW + 6);
    expect(await store.defer(keyOf(run), NOW, 'late', NOW + 7)).toBe(false);
    expect(await store.countResend(keyOf(run), 1, NOW + 8)).toBe(false);
  });

  it('reads every pointer with one query on the index, and no runs', async () => {
    const apps = [newRun(), newRun(), newRun()];
    for (const run of apps) {
      await store.create(run, NOW);
      await store.markScheduled({
        appKey: run.appKey,
        tenant: run.tenant,
        lastRunId: run.runId,
        lastRunAt: NOW,
      });
    }
    const calls = countCalls(dynamodb);

    const schedule = await store.readSchedule();

    for (const run of apps) expect(schedule.get(run.appKey)).toMatchObject({ lastRunId: run.runId });
    expect([...schedule.keys()].every((appKey) => appKey.startsWith('tenant-'))).toBe(true);
    expect(calls.count('Query')).toBe(1);
    expect(await store.get({ appKey: apps[0]?.appKey ?? '', runId: SCHEDULE_RUN_ID })).toMatchObject({
      tenant: 'tenant-a',
    });
  });
});
