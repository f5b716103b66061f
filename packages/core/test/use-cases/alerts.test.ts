import {
  configParameterName,
  dispatch,
  processWorkMessage,
  RunState,
  runIdFromTick,
  snapshotName,
  ThrottledError,
} from '@flink-snapshots/core';
import { describe, expect, it } from 'vitest';
import { configOf, dispatched, tickAt, world } from './fakes';

const context = { remainingMs: () => 60_000 };
const throttled = () => new ThrottledError({ operation: 'Publish', code: 'Throttled' });

describe('alerts reach SNS at least once', () => {
  it('publishes a failed run’s alert on the redelivery when SNS refused it the first time', async () => {
    const w = world();
    const config = configOf('flaky-sns');
    w.flink.add('flaky-sns');
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    const poll = w.queue.take()[0]?.body ?? '';
    w.flink.setStatus('flaky-sns', snapshotName(runId), 'FAILED');

    w.alerts.failNext.push(throttled());
    await expect(processWorkMessage(w, poll, 'p1', context)).rejects.toBeInstanceOf(ThrottledError);
    const failed = await w.runs.get({ appKey: config.appKey, runId });
    expect(failed?.state).toBe(RunState.FAILED);
    expect(failed?.pendingAlerts).toHaveLength(1);

    expect(await processWorkMessage(w, poll, 'p1', context)).toBe('duplicate');
    expect(w.alerts.published.map((a) => a.event)).toEqual(['failed']);
    const settled = await w.runs.get({ appKey: config.appKey, runId });
    expect(settled?.pendingAlerts).toBeUndefined();
    expect(settled?.alertedAt).toBe(w.clock.now());

    expect(await processWorkMessage(w, poll, 'p1', context)).toBe('duplicate');
    expect(w.alerts.published).toHaveLength(1);
  });

  it('publishes an invalid configuration’s alert when the dispatcher’s tick is repeated after SNS refused it', async () => {
    const w = world();
    w.configs.put(configParameterName('test', 'team', 'broken'), { retention: { count: 0 } });
    const input = tickAt(w);
    w.alerts.failNext.push(throttled());
    await expect(dispatch(w, input)).rejects.toBeInstanceOf(ThrottledError);
    expect(w.alerts.published).toHaveLength(0);

    await dispatch(w, input);
    expect(w.alerts.published.map((a) => a.event)).toEqual(['config-invalid']);
    await dispatch(w, input);
    expect(w.alerts.published).toHaveLength(1);
  });

  it('completes a run that an earlier delivery left PRUNED, and alerts once', async () => {
    const w = world();
    const config = configOf('half-way', { notify: { on: ['completed'] } });
    w.flink.add('half-way');
    w.flink.createAs = 'READY';
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    const poll = w.queue.take()[0]?.body ?? '';
    // The first delivery records READY and PRUNED, then dies before COMPLETED.
    const key = { appKey: config.appKey, runId };
    await w.runs.transition(key, RunState.SNAPSHOT_REQUESTED, RunState.SNAPSHOT_READY, {}, w.clock.now());
    await w.runs.transition(
      key,
      RunState.SNAPSHOT_READY,
      RunState.PRUNED,
      {
        prune: {
          dryRun: false,
          deleted: [],
          failed: [],
          deferred: 0,
          kept: 1,
          quota: { total: 1, limit: 1000, used: 0.001, warning: false, full: false, afterPrune: 1 },
        },
      },
      w.clock.now(),
    );

    expect(await processWorkMessage(w, poll, 'p1', context)).toBe('completed');
    expect((await w.runs.get(key))?.state).toBe(RunState.COMPLETED);
    expect(w.alerts.published.map((a) => a.event)).toEqual(['completed']);
  });

  it('prunes and completes a run that an earlier delivery left SNAPSHOT_READY', async () => {
    const w = world();
    const config = configOf('ready-left', { retention: { count: 1 } });
    w.flink.add('ready-left', {}, [
      {
        name: snapshotName(runIdFromTick(Date.UTC(2026, 9, 1))),
        status: 'READY',
        createdAt: Date.UTC(2026, 9, 1),
        applicationVersionId: 1,
      },
    ]);
    w.flink.createAs = 'READY';
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    const poll = w.queue.take()[0]?.body ?? '';
    const key = { appKey: config.appKey, runId };
    await w.runs.transition(key, RunState.SNAPSHOT_REQUESTED, RunState.SNAPSHOT_READY, {}, w.clock.now());

    expect(await processWorkMessage(w, poll, 'p1', context)).toBe('completed');
    const done = await w.runs.get(key);
    expect(done?.state).toBe(RunState.COMPLETED);
    expect(done?.prune?.deleted).toHaveLength(1);
  });
});
