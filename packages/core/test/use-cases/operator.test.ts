/**
 * What an operator starts by hand: a snapshot now (the same message and worker as the schedule, the
 * schedule untouched) and a restore to a point in time (plan, then stop, start from the snapshot).
 */
import {
  ApplicationNotConfiguredError,
  awaitRun,
  ConfigError,
  configParameterName,
  dispatch,
  planRestore,
  processWorkMessage,
  type RestoreProgress,
  RestoreRefusedError,
  RunState,
  requestSnapshot,
  restoreApplication,
  runIdFromTick,
  type Snapshot,
  snapshotName,
  TenantBindingError,
  WaitTimedOutError,
} from '@flink-snapshots/core';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT, tickAt, type World, world } from './fakes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const context = { remainingMs: () => 60_000 };
const SETTINGS = { stage: 'test', tickMinutes: 5, deployment: DEPLOYMENT, tenantMode: 'open' } as const;

/** Processes what is queued, in order, advancing the clock by each message's delay (bounded). */
async function drain(w: World): Promise<string[]> {
  const outcomes: string[] = [];
  for (let step = 0; w.queue.sent.length > 0; step++) {
    if (step > 100) throw new Error(`the worker did not settle: ${outcomes.join(', ')}`);
    const entry = w.queue.sent.shift();
    if (entry === undefined) break;
    w.clock.advance(Math.max(1000, (entry.delaySeconds ?? 0) * 1000));
    outcomes.push(await processWorkMessage(w, entry.body, `m${step}`, context));
  }
  return outcomes;
}

/** A sleep that advances the world's clock instead of waiting. */
function clockSleep(w: World) {
  return async (ms: number) => w.clock.advance(ms);
}

function ready(name: string, createdAt: number, applicationVersionId = 1): Snapshot {
  return { name, status: 'READY', createdAt, applicationVersionId };
}

describe('a snapshot now', () => {
  it('runs through the worker as a manual run and leaves the schedule untouched', async () => {
    const w = world();
    w.flink.createAs = 'READY';
    w.flink.add('orders');
    w.configs.put(configParameterName('test', 'team', 'orders'), {});
    await dispatch(w, tickAt(w));
    await drain(w);
    const before = (await w.runs.readSchedule()).get('team/orders');

    w.clock.advance(MINUTE + 12_000);
    const { runId } = await requestSnapshot(w, { ...SETTINGS, appKey: 'team/orders', now: w.clock.now() });
    expect(runId).toMatch(/^20261122T0831\d\dZ-now$/);
    expect(runId).not.toBe(runIdFromTick(w.clock.now()));
    await drain(w);

    const run = await awaitRun(
      w,
      { appKey: 'team/orders', runId },
      { timeoutMs: MINUTE, sleep: clockSleep(w) },
    );
    expect(run).toMatchObject({
      state: RunState.COMPLETED,
      trigger: 'manual',
      snapshotName: snapshotName(runId),
    });
    const after = (await w.runs.readSchedule()).get('team/orders');
    expect(after?.lastRunId).toBe(before?.lastRunId);
    expect(after?.lastRunAt).toBe(before?.lastRunAt);
    expect(after?.nextSlotAt).toBe(before?.nextSlotAt);

    // The next scheduled tick still dispatches.
    w.clock.time = before?.nextSlotAt ?? 0;
    const report = await dispatch(w, tickAt(w));
    expect(report.enqueued).toBe(1);
    await drain(w);
    const names = w.flink.apps.get('orders')?.snapshots.map((s) => s.name);
    expect(names).toEqual([
      snapshotName('20261122T083000Z'),
      snapshotName(runId),
      snapshotName(report.runId),
    ]);
  });

  it('names the same run for the same request within a second, and sends it once', async () => {
    const w = world();
    w.flink.add('orders');
    w.configs.put(configParameterName('test', 'team', 'orders'), {});
    const input = { ...SETTINGS, appKey: 'team/orders', now: w.clock.now() };
    const first = await requestSnapshot(w, input);
    const second = await requestSnapshot(w, { ...input, now: input.now + 500 });
    expect(second).toEqual(first);
    expect(w.queue.sent).toHaveLength(1);
  });

  it('fails with the parameter and its problem when the configuration is invalid', async () => {
    const w = world();
    w.configs.put(configParameterName('test', 'team', 'orders'), { retention: { count: 0 } });
    const request = requestSnapshot(w, { ...SETTINGS, appKey: 'team/orders', now: w.clock.now() });
    await expect(request).rejects.toBeInstanceOf(ConfigError);
    await expect(request).rejects.toThrow('/flink-snapshots/test/apps/team/orders');
    expect(w.queue.sent).toHaveLength(0);
  });

  it('fails when the tenant is not admitted, as the dispatcher would refuse it', async () => {
    const w = world();
    w.configs.put(configParameterName('test', 'team', 'orders'), {});
    const request = requestSnapshot(w, {
      ...SETTINGS,
      tenantMode: 'required',
      appKey: 'team/orders',
      now: w.clock.now(),
    });
    await expect(request).rejects.toBeInstanceOf(ConfigError);
    expect(w.runs.items.size).toBe(0);
  });

  it('fails naming the parameter when the application has none', async () => {
    const w = world();
    const request = requestSnapshot(w, { ...SETTINGS, appKey: 'team/ghost', now: w.clock.now() });
    await expect(request).rejects.toBeInstanceOf(ApplicationNotConfiguredError);
    await expect(request).rejects.toThrow('/flink-snapshots/test/apps/team/ghost does not exist');
  });

  it('fails waiting for a run that does not end within the bound', async () => {
    const w = world();
    w.flink.add('orders');
    w.configs.put(configParameterName('test', 'team', 'orders'), {});
    const { runId } = await requestSnapshot(w, { ...SETTINGS, appKey: 'team/orders', now: w.clock.now() });
    const seen: string[] = [];
    const waiting = awaitRun(
      w,
      { appKey: 'team/orders', runId },
      { timeoutMs: 10_000, sleep: clockSleep(w), onProgress: (run) => seen.push(run.state) },
    );
    await expect(waiting).rejects.toBeInstanceOf(WaitTimedOutError);
    await expect(waiting).rejects.toThrow('last seen: DISPATCHED');
    expect(seen).toEqual(['DISPATCHED']);
  });
});

/** `orders`, RUNNING at version 2, with snapshots at 06:00 (v1), 07:00, 08:00 (v2) and one CREATING. */
function restoreWorld(): World {
  const w = world();
  const at = (hour: number) => Date.UTC(2026, 10, 22, hour);
  w.flink.add('orders', { versionId: 2 }, [
    ready('six', at(6), 1),
    ready('seven', at(7), 2),
    ready('eight', at(8), 2),
    { name: 'busy', status: 'CREATING', createdAt: at(8) + 20 * MINUTE, applicationVersionId: 2 },
  ]);
  w.configs.put(configParameterName('test', 'team', 'orders'), {});
  return w;
}

function plan(w: World, selector: Parameters<typeof planRestore>[1]['selector']) {
  return planRestore(w, { ...SETTINGS, appKey: 'team/orders', selector, now: w.clock.now() });
}

describe('planning a restore', () => {
  it.each([
    [{ before: Date.UTC(2026, 10, 22, 8) }, 'seven'],
    [{ before: Date.UTC(2026, 10, 22, 8) + 1 }, 'eight'],
    [{ latest: true as const }, 'eight'],
    [{ snapshot: 'six' }, 'six'],
  ])('selects by %o the snapshot %s', async (selector, name) => {
    const w = restoreWorld();
    expect((await plan(w, selector)).snapshot.name).toBe(name);
  });

  it('describes the snapshot, its age, the application, the stop and the warnings', async () => {
    const w = restoreWorld();
    const p = await plan(w, { latest: true });
    expect(p).toMatchObject({
      appKey: 'team/orders',
      application: 'orders',
      snapshot: { name: 'eight', ageMs: 30 * MINUTE, applicationVersionId: 2 },
      currentVersionId: 2,
      versionMismatch: false,
      status: 'RUNNING',
      stop: { needed: true, takesSnapshot: true },
    });
    expect(p.stop.detail).toContain('named by MSF itself');
    expect(p.warnings.join('\n')).toContain('AllowNonRestoredState to false on any later UpdateApplication');
    // Planning changes nothing.
    expect(w.flink.mutations).toEqual([]);
  });

  it('flags a snapshot of another application version', async () => {
    const w = restoreWorld();
    const p = await plan(w, { snapshot: 'six' });
    expect(p.versionMismatch).toBe(true);
    expect(p.warnings[0]).toContain('application version 1, the application is at version 2');
  });

  it('refuses a snapshot that is CREATING, naming it, its status and what is expected', async () => {
    const w = restoreWorld();
    const planning = plan(w, { snapshot: 'busy' });
    await expect(planning).rejects.toBeInstanceOf(RestoreRefusedError);
    await expect(planning).rejects.toThrow('snapshot busy is CREATING; a restore needs a READY snapshot');
  });

  it('refuses a time before every READY snapshot, naming the oldest', async () => {
    const w = restoreWorld();
    await expect(plan(w, { before: Date.UTC(2026, 10, 22, 5) })).rejects.toThrow(
      'no READY snapshot created before 2026-11-22T05:00:00.000Z',
    );
  });

  it('refuses an application bound to another tenant before listing anything', async () => {
    const w = restoreWorld();
    const app = w.flink.apps.get('orders');
    if (app) app.tags = { 'flink-snapshots:tenant': 'other' };
    await expect(plan(w, { latest: true })).rejects.toBeInstanceOf(TenantBindingError);
    expect(w.flink.calls.some((call) => call.startsWith('ListApplicationSnapshots'))).toBe(false);
  });
});

describe('restoring an application', () => {
  it('stops it, starts it from the snapshot and records a restore run COMPLETED', async () => {
    const w = restoreWorld();
    const p = await plan(w, { before: Date.UTC(2026, 10, 22, 8) });
    const progress: RestoreProgress[] = [];
    const result = await restoreApplication(w, p, {
      allowNonRestoredState: true,
      timeoutMs: 10 * MINUTE,
      pollIntervalMs: 10_000,
      sleep: clockSleep(w),
      onProgress: (step) => progress.push(step),
    });
    expect(result).toMatchObject({ state: RunState.COMPLETED, runId: '20261122T083000Z-restore' });
    const run = await w.runs.get({ appKey: 'team/orders', runId: result.runId });
    expect(run).toMatchObject({
      trigger: 'restore',
      restoreSnapshotName: 'seven',
      state: RunState.COMPLETED,
    });
    expect(Object.keys(run?.at ?? {})).toEqual(['DISPATCHED', 'STOPPING', 'STARTING', 'COMPLETED']);
    const app = w.flink.apps.get('orders');
    expect(app?.info).toMatchObject({
      status: 'RUNNING',
      restoreSnapshotName: 'seven',
      allowNonRestoredState: true,
    });
    expect(app?.starts).toEqual([{ restoreFromSnapshot: 'seven', allowNonRestoredState: true }]);
    expect(w.flink.mutations.map((m) => `${m.op} ${m.tenant}`)).toEqual(['stop team', 'start team']);
    expect(progress.map((step) => `${step.state} ${step.status}`)).toContain('STOPPING READY');
    expect(progress.at(-1)).toMatchObject({ state: RunState.COMPLETED, status: 'RUNNING' });
  });

  it('skips the stop of an application that is already READY', async () => {
    const w = restoreWorld();
    const app = w.flink.apps.get('orders');
    if (app) app.info = { ...app.info, status: 'READY' };
    const p = await plan(w, { latest: true });
    expect(p.stop).toMatchObject({ needed: false, takesSnapshot: false });
    const result = await restoreApplication(w, p, { timeoutMs: 10 * MINUTE, sleep: clockSleep(w) });
    expect(result.state).toBe(RunState.COMPLETED);
    expect(w.flink.mutations.map((m) => m.op)).toEqual(['start']);
    const run = await w.runs.get({ appKey: 'team/orders', runId: result.runId });
    expect(Object.keys(run?.at ?? {})).toEqual(['DISPATCHED', 'STARTING', 'COMPLETED']);
  });

  it('refuses a version mismatch unless allowed, doing nothing', async () => {
    const w = restoreWorld();
    const p = await plan(w, { snapshot: 'six' });
    await expect(restoreApplication(w, p, { timeoutMs: HOUR, sleep: clockSleep(w) })).rejects.toThrow(
      'snapshot six is of application version 1, the application is at version 2; expected the same version, or allowVersionMismatch',
    );
    expect(w.flink.mutations).toEqual([]);
    expect(w.runs.items.size).toBe(0);
    const result = await restoreApplication(w, p, {
      allowVersionMismatch: true,
      timeoutMs: HOUR,
      sleep: clockSleep(w),
    });
    expect(result.state).toBe(RunState.COMPLETED);
  });

  it('pins the restore point, and replaces it on the next restore while keeping a manual pin', async () => {
    const w = restoreWorld();
    const key = { appKey: 'team/orders', tenant: 'team' };
    await w.runs.setPinned(key, 'six', true);
    const options = { timeoutMs: HOUR, sleep: clockSleep(w), allowVersionMismatch: true };
    await restoreApplication(w, await plan(w, { snapshot: 'seven' }), options);
    expect(await w.runs.pinsOf('team/orders')).toEqual(new Set(['six', 'seven']));

    w.clock.advance(MINUTE);
    const second = await restoreApplication(w, await plan(w, { snapshot: 'eight' }), options);
    expect(second.previousRestorePoint).toBe('seven');
    expect(await w.runs.pinsOf('team/orders')).toEqual(new Set(['six', 'eight']));

    w.clock.advance(MINUTE);
    const third = await restoreApplication(w, await plan(w, { snapshot: 'six' }), options);
    expect(third.previousRestorePoint).toBe('eight');
    expect(await w.runs.pinsOf('team/orders')).toEqual(new Set(['six']));
  });

  it('ends FAILED with the reason when the application falls back to READY instead of RUNNING', async () => {
    const w = restoreWorld();
    w.flink.startFails = true;
    const result = await restoreApplication(w, await plan(w, { latest: true }), {
      timeoutMs: HOUR,
      sleep: clockSleep(w),
    });
    expect(result.state).toBe(RunState.FAILED);
    expect(result.reason).toContain('went back to READY instead of RUNNING');
    const run = await w.runs.get({ appKey: 'team/orders', runId: result.runId });
    expect(run).toMatchObject({ state: RunState.FAILED, reason: result.reason });
  });

  it('ends FAILED when the application is not stopped within the bound', async () => {
    const w = restoreWorld();
    w.flink.transitionMs = 2 * HOUR;
    const result = await restoreApplication(w, await plan(w, { latest: true }), {
      timeoutMs: 10 * MINUTE,
      sleep: clockSleep(w),
    });
    expect(result.state).toBe(RunState.FAILED);
    expect(result.reason).toContain('was still STOPPING after 600 s');
    expect(w.flink.mutations.map((m) => m.op)).toEqual(['stop']);
  });

  it('records the run FAILED and throws when MSF refuses the start', async () => {
    const w = restoreWorld();
    const app = w.flink.apps.get('orders');
    if (app) app.failNext = { start: [new Error('boom')] };
    const restoring = restoreApplication(w, await plan(w, { latest: true }), {
      timeoutMs: HOUR,
      sleep: clockSleep(w),
    });
    await expect(restoring).rejects.toThrow('boom');
    const [run] = await w.runs.listByApplication('team/orders', 1);
    expect(run).toMatchObject({ state: RunState.FAILED, error: { message: 'boom' } });
  });

  it('refuses an application that is neither RUNNING nor READY, doing nothing', async () => {
    const w = restoreWorld();
    const p = await plan(w, { latest: true });
    const app = w.flink.apps.get('orders');
    if (app) app.info = { ...app.info, status: 'UPDATING' };
    await expect(restoreApplication(w, p, { timeoutMs: HOUR, sleep: clockSleep(w) })).rejects.toThrow(
      'application orders is UPDATING; expected RUNNING (stopped first) or READY',
    );
    expect(w.flink.mutations).toEqual([]);
  });
});
