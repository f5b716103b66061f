/**
 * Every application recoverable, and known to be: freshness, lost runs, applications on their way to
 * RUNNING, quota relief that waits for deletions, honest durations, retries on the run.
 */
import {
  configParameterName,
  dispatch,
  MetricName,
  processWorkMessage,
  RESEND_AFTER_MS,
  RunState,
  runIdFromTick,
  ServiceUnavailableError,
  snapshotName,
  ThrottledError,
} from '@flink-snapshots/core';
import { describe, expect, it } from 'vitest';
import { configOf, dispatched, tickAt, type World, world } from './fakes';

const context = { remainingMs: () => 60_000 };
const MINUTE = 60_000;

/** Processes what the worker enqueued, in order, until nothing is left (bounded). */
async function drain(w: World, advanceMs = MINUTE): Promise<string[]> {
  const outcomes: string[] = [];
  for (let step = 0; w.queue.sent.length > 0; step++) {
    if (step > 100) throw new Error(`the worker did not settle: ${outcomes.join(', ')}`);
    const entry = w.queue.sent.shift();
    if (entry === undefined) break;
    w.clock.advance(Math.max(advanceMs, (entry.delaySeconds ?? 0) * 1000));
    outcomes.push(await processWorkMessage(w, entry.body, `m${step}`, context));
  }
  return outcomes;
}

describe('freshness', () => {
  it('publishes the stale count on every tick, alerts once when an application goes stale and once when it recovers', async () => {
    const w = world();
    const name = configParameterName('test', 'team', 'orders');
    // Snapshots every 5 minutes must be at most 10 minutes old.
    w.configs.put(name, { intervalMinutes: 5 });
    w.flink.add('orders', { status: 'READY' });

    const stale: number[] = [];
    for (let tick = 0; tick < 6; tick++) {
      const report = await dispatch(w, tickAt(w));
      stale.push(report.stale);
      await drain(w);
      w.clock.advance(5 * MINUTE - (w.clock.now() % (5 * MINUTE)));
    }
    // Stopped: every run SKIPPED; after the grace of one objective, stale, alerted once.
    expect(stale).toEqual([0, 0, 0, 1, 1, 1]);
    expect(w.metrics.values.get(MetricName.STALE_APPLICATIONS)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(w.alerts.published.filter((a) => a.event === 'stale')).toHaveLength(1);
    expect(w.alerts.published.find((a) => a.event === 'stale')?.reason).toMatch(
      /no READY snapshot yet, beyond its objective of 10 min \(maxSnapshotAgeMinutes\); its last run \(\w+\) ended SKIPPED: application orders is READY, not RUNNING/,
    );

    const app = w.flink.apps.get('orders');
    if (app) app.info = { ...app.info, status: 'RUNNING' };
    w.flink.createAs = 'READY';
    await dispatch(w, tickAt(w));
    await drain(w);
    w.clock.advance(5 * MINUTE);
    expect((await dispatch(w, tickAt(w))).stale).toBe(0);
    expect(w.alerts.published.map((a) => a.event).filter((e) => e === 'stale' || e === 'recovered')).toEqual([
      'stale',
      'recovered',
    ]);
  });
});

describe('runs that never reached the queue', () => {
  it('are sent again by a later tick and end, once', async () => {
    const w = world();
    w.flink.createAs = 'READY';
    for (const app of ['a', 'b', 'c']) {
      w.configs.put(configParameterName('test', 'team', app), {});
      w.flink.add(app);
    }
    const failing = w.queue.sendBatch.bind(w.queue);
    w.queue.sendBatch = async () => {
      throw new ServiceUnavailableError({ operation: 'SendMessageBatch', code: 'HTTP 500' });
    };
    const first = tickAt(w);
    await expect(dispatch(w, first)).rejects.toBeInstanceOf(ServiceUnavailableError);
    w.queue.sendBatch = failing;

    w.clock.advance(5 * MINUTE);
    expect((await dispatch(w, tickAt(w))).resent).toBe(0);
    w.clock.advance(RESEND_AFTER_MS);
    expect((await dispatch(w, tickAt(w))).resent).toBe(3);
    w.clock.advance(5 * MINUTE);
    expect((await dispatch(w, tickAt(w))).resent).toBe(0);
    await drain(w);

    const runId = runIdFromTick(first.tick);
    for (const app of ['a', 'b', 'c']) {
      expect((await w.runs.get({ appKey: `team/${app}`, runId }))?.state).toBe(RunState.COMPLETED);
    }
    expect(w.flink.calls.filter((c) => c.startsWith('CreateApplicationSnapshot'))).toHaveLength(3);
  });
});

describe('an application on its way to RUNNING', () => {
  it('keeps its slot: the snapshot waits for it and is taken in the same run', async () => {
    const w = world();
    w.flink.createAs = 'READY';
    w.configs.put(configParameterName('test', 'team', 'booting'), { intervalMinutes: 60 });
    const app = w.flink.add('booting', { status: 'STARTING' });
    const report = await dispatch(w, tickAt(w));

    const entry = w.queue.sent.shift();
    if (entry === undefined) throw new Error('nothing dispatched');
    expect(await processWorkMessage(w, entry.body, 'm0', context)).toBe('waiting');
    const waiting = await w.runs.get({ appKey: 'team/booting', runId: report.runId });
    expect(waiting).toMatchObject({
      state: RunState.DISPATCHED,
      deferredReason: expect.stringContaining('STARTING'),
    });
    expect(w.queue.sent[0]?.delaySeconds).toBe(60);

    app.info = { ...app.info, status: 'RUNNING' };
    expect(await drain(w)).toEqual(['poll-enqueued', 'completed']);
    expect((await w.runs.get({ appKey: 'team/booting', runId: report.runId }))?.state).toBe(
      RunState.COMPLETED,
    );
  });

  it('is skipped, saying how long it was waited for, when it does not get there within its slot', async () => {
    const w = world();
    w.configs.put(configParameterName('test', 'team', 'stuck'), { intervalMinutes: 30 });
    w.flink.add('stuck', { status: 'UPDATING' });
    const report = await dispatch(w, tickAt(w));

    const outcomes = await drain(w);
    expect(outcomes.at(-1)).toBe('skipped');
    expect(outcomes.slice(0, -1).every((o) => o === 'waiting')).toBe(true);
    const skipped = await w.runs.get({ appKey: 'team/stuck', runId: report.runId });
    expect(skipped?.reason).toMatch(/stayed UPDATING \(on its way to RUNNING\) until .*: no snapshot taken/);
  });

  it('does not wait for an application that is stopped (READY)', async () => {
    const w = world();
    const config = configOf('stopped');
    w.flink.add('stopped', { status: 'READY' });
    const { body } = await dispatched(w, config);
    expect(await processWorkMessage(w, body, 'm1', context)).toBe('skipped');
  });
});

describe('quota relief', () => {
  it('waits for pruned snapshots to finish deleting, then creates the snapshot and completes', async () => {
    const w = world();
    w.flink.quota = 5;
    w.flink.slowDeletes = true;
    w.flink.createAs = 'READY';
    const config = configOf('full', { retention: { count: 2 } });
    w.flink.add(
      'full',
      {},
      [1, 2, 3, 4, 5].map((day) => ({
        name: snapshotName(runIdFromTick(Date.UTC(2026, 10, day))),
        status: 'READY' as const,
        createdAt: Date.UTC(2026, 10, day),
        applicationVersionId: 1,
      })),
    );
    const { body, runId } = await dispatched(w, config);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('waiting');
    expect(await processWorkMessage(w, w.queue.sent.shift()?.body ?? '', 'm2', context)).toBe('waiting');
    w.flink.finishDeletions();
    expect(await drain(w)).toEqual(['poll-enqueued', 'completed']);
    expect((await w.runs.get({ appKey: config.appKey, runId }))?.state).toBe(RunState.COMPLETED);
  });

  it('fails the run saying the deletions had not finished when the deadline passes', async () => {
    const w = world();
    w.flink.quota = 3;
    w.flink.slowDeletes = true;
    const config = configOf('slow', { retention: { count: 1 }, snapshotTimeoutMinutes: 5 });
    w.flink.add(
      'slow',
      {},
      [1, 2, 3].map((day) => ({
        name: snapshotName(runIdFromTick(Date.UTC(2026, 10, day))),
        status: 'READY' as const,
        createdAt: Date.UTC(2026, 10, day),
        applicationVersionId: 1,
      })),
    );
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    const outcomes = await drain(w, 30_000);

    expect(outcomes.at(-1)).toBe('failed');
    expect((await w.runs.get({ appKey: config.appKey, runId }))?.reason).toContain(
      'MSF still refused the create 5 min later, at snapshotTimeoutMinutes: the deletions had not finished',
    );
  });
});

describe('durations and retries', () => {
  it('bounds the snapshot duration between the last poll that saw it CREATING and the first that saw it READY', async () => {
    const w = world();
    const config = configOf('timed', { pollIntervalSeconds: 30 });
    w.flink.add('timed');
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    w.clock.advance(30_000);
    await processWorkMessage(w, w.queue.sent.shift()?.body ?? '', 'm2', context);
    w.flink.setStatus('timed', snapshotName(runId), 'READY');
    const next = w.queue.sent.shift();
    w.clock.advance((next?.delaySeconds ?? 0) * 1000);
    await processWorkMessage(w, next?.body ?? '', 'm3', context);

    const done = await w.runs.get({ appKey: config.appKey, runId });
    expect(done?.snapshotDurationMinMs).toBe(30_000);
    expect(done?.snapshotDurationMs).toBe(30_000 + (next?.delaySeconds ?? 0) * 1000);
    const pointer = (await w.runs.readSchedule()).get(config.appKey);
    expect(pointer?.durationsMs).toEqual([done?.snapshotDurationMs]);
  });

  it('counts each retryable failure on the run with its error', async () => {
    const w = world();
    const config = configOf('busy');
    const app = w.flink.add('busy');
    app.failNext = {
      describeApplication: [new ThrottledError({ operation: 'DescribeApplication', code: 'Throttling' })],
    };
    const { body, runId } = await dispatched(w, config);
    await expect(processWorkMessage(w, body, 'm1', context)).rejects.toBeInstanceOf(ThrottledError);

    expect(await w.runs.get({ appKey: config.appKey, runId })).toMatchObject({
      state: RunState.DISPATCHED,
      attempts: 1,
      lastRetryableError: { name: 'ThrottledError' },
    });
    expect(w.metrics.total(MetricName.STEP_RETRIED)).toBe(1);
  });
});

describe('invalid parameters', () => {
  it('are alerted once per distinct value, also when deleted and written again at version 1', async () => {
    const w = world();
    const name = configParameterName('test', 'team', 'typo');
    w.configs.put(name, { retian: 1 });
    expect((await dispatch(w, tickAt(w))).invalidReported).toBe(1);
    w.clock.advance(5 * MINUTE);
    expect((await dispatch(w, tickAt(w))).invalidReported).toBe(0);

    w.configs.parameters.delete(name);
    w.configs.put(name, { retention: { count: 0 } });
    w.clock.advance(5 * MINUTE);
    const report = await dispatch(w, tickAt(w));
    expect(report.invalidReported).toBe(1);
    expect(report.invalidParameters).toEqual([
      { parameter: name, problems: ['retention.count: received 0, expected an integer from 1 to 1000'] },
    ]);
  });
});
