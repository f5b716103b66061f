/**
 * Schedules and retention policies in the use cases: cron slots, blackout windows, MSF's maintenance
 * window, pins and the previous version's rollback target, stage and tenant defaults.
 */
import {
  configParameterName,
  dispatch,
  processWorkMessage,
  RunState,
  runIdFromTick,
  snapshotName,
  stageDefaultsParameterName,
  tenantParameterName,
} from '@flink-snapshots/core';
import { describe, expect, it } from 'vitest';
import { configOf, dispatched, tickAt, type World, world } from './fakes';

const MINUTE = 60_000;
const context = { remainingMs: () => 60_000 };

/** Ticks every 5 minutes from the world's time for `hours`, returning each tick's report. */
async function tickFor(w: World, hours: number) {
  const reports = [];
  for (let i = 0; i < (hours * 60) / 5; i++) {
    reports.push(await dispatch(w, tickAt(w)));
    w.clock.advance(5 * MINUTE);
  }
  return reports;
}

describe('cron schedules in the dispatcher', () => {
  it('dispatches a cron application once, at its local time, and records why', async () => {
    const w = world();
    w.clock.time = Date.UTC(2026, 10, 22, 0, 0);
    w.configs.put(configParameterName('test', 'team', 'nightly'), {
      schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin' },
    });
    const reports = await tickFor(w, 4);
    const due = reports.filter((r) => r.enqueued === 1).map((r) => r.runId);
    // 02:00 in Berlin is 01:00 UTC in November.
    expect(due).toEqual(['20261122T010000Z']);
    const run = await w.runs.get({ appKey: 'team/nightly', runId: '20261122T010000Z' });
    expect(run).toMatchObject({ state: RunState.DISPATCHED, trigger: 'schedule' });
    expect(run?.notes?.[0]).toContain('slot of 2026-11-22T02:00+01:00');
    const pointer = (await w.runs.readSchedule()).get('team/nightly');
    expect(pointer?.nextSlotAt).toBe(Date.UTC(2026, 10, 23, 1, 0));
  });

  it('records a slot a "skip" blackout drops as SKIPPED, saying which window', async () => {
    const w = world();
    w.clock.time = Date.UTC(2026, 11, 24, 0, 0);
    w.configs.put(configParameterName('test', 'team', 'frozen'), {
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
      blackouts: [
        { name: 'freeze', from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z', action: 'skip' },
      ],
    });
    const reports = await tickFor(w, 3);
    expect(reports.every((r) => r.enqueued === 0)).toBe(true);
    const skipped = await w.runs.get({ appKey: 'team/frozen', runId: '20261224T020000Z' });
    expect(skipped?.state).toBe(RunState.SKIPPED);
    expect(skipped?.reason).toContain('freeze');
  });

  it('inherits stage and tenant defaults field by field, and reports a cap exceeded', async () => {
    const w = world();
    w.configs.put(stageDefaultsParameterName('test'), {
      defaults: { retention: { count: 3 } },
      caps: { maxRetainedSnapshots: 20 },
    });
    w.configs.put(tenantParameterName('test', 'team'), {
      accounts: ['000000000000'],
      regions: ['us-east-1'],
      defaults: { retention: { maxAgeDays: 7 } },
    });
    w.configs.put(configParameterName('test', 'team', 'inherits'), { retention: { minCount: 2 } });
    w.configs.put(configParameterName('test', 'team', 'greedy'), { retention: { count: 50 } });
    const report = await dispatch(w, tickAt(w, { tenantMode: 'required' }));

    expect(report.enqueued).toBe(1);
    const message = w.queue.messages()[0] as { config: { retention: Record<string, unknown> } };
    expect(message.config.retention).toMatchObject({ count: 3, maxAgeDays: 7, minCount: 2 });
    expect(report.invalidParameters.map((p) => p.problems.join())).toEqual([
      expect.stringContaining('cap maxRetainedSnapshots in the stage defaults'),
    ]);
  });
});

describe("MSF's maintenance window", () => {
  it('holds the snapshot until the window ends, within the slot', async () => {
    const w = world();
    w.flink.createAs = 'READY';
    const hour = new Date(w.clock.now()).getUTCHours();
    const pad = (h: number) => String(h % 24).padStart(2, '0');
    w.flink.add('maintained', {
      maintenanceWindow: { startTime: `${pad(hour)}:00`, endTime: `${pad(hour + 1)}:00` },
    });
    const config = configOf('maintained');
    const runId = runIdFromTick(w.clock.now());
    await w.runs.create(
      { appKey: config.appKey, runId, tenant: 'team', application: 'maintained', state: RunState.DISPATCHED },
      w.clock.now(),
    );
    const { buildSnapshotMessage } = await import('@flink-snapshots/core');
    const body = JSON.stringify(
      buildSnapshotMessage({
        config,
        runId,
        now: w.clock.now(),
        slotEndsAt: w.clock.now() + 24 * 60 * MINUTE,
      }),
    );

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('waiting');
    const waiting = await w.runs.get({ appKey: config.appKey, runId });
    expect(waiting?.deferredReason).toContain('MSF maintenance window');
    expect(w.flink.calls.some((c) => c.startsWith('CreateApplicationSnapshot'))).toBe(false);
  });

  it('is ignored when the application opts out', async () => {
    const w = world();
    const hour = new Date(w.clock.now()).getUTCHours();
    const pad = (h: number) => String(h % 24).padStart(2, '0');
    w.flink.add('optout', {
      maintenanceWindow: { startTime: `${pad(hour)}:00`, endTime: `${pad(hour + 1)}:00` },
    });
    const { body } = await dispatched(w, configOf('optout', { avoidMaintenanceWindow: false }));
    expect(await processWorkMessage(w, body, 'm1', context)).toBe('poll-enqueued');
  });
});

describe('retention in the worker', () => {
  it('keeps a pinned snapshot and the newest READY of the previous version, however old', async () => {
    const w = world();
    w.flink.createAs = 'READY';
    const day = (d: number) => Date.UTC(2026, 10, d);
    const own = (d: number, version: number) => ({
      name: snapshotName(runIdFromTick(day(d))),
      status: 'READY' as const,
      createdAt: day(d),
      applicationVersionId: version,
    });
    w.flink.add('versions', { versionId: 3 }, [own(1, 1), own(2, 2), own(3, 2), own(4, 3), own(5, 3)]);
    await w.runs.setPinned({ appKey: 'team/versions', tenant: 'team' }, own(1, 1).name, true);
    const config = configOf('versions', { retention: { count: 2, minCount: 1 } });
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    for (let i = 0; w.queue.sent.length > 0 && i < 10; i++) {
      const entry = w.queue.sent.shift();
      w.clock.advance(60_000);
      await processWorkMessage(w, entry?.body ?? '', `p${i}`, context);
    }

    const run = await w.runs.get({ appKey: config.appKey, runId });
    expect(run?.state).toBe(RunState.COMPLETED);
    expect(run?.prune?.keptBy).toMatchObject({
      pinned: { count: 1, names: [own(1, 1).name] },
      'previous-version': { count: 1, names: [own(3, 2).name] },
    });
    expect(run?.prune?.deleted.map((d) => d.name)).toEqual([own(2, 2).name, own(4, 3).name]);
  });
});
