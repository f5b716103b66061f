/**
 * Every application recoverable, and known to be, end to end on the local AWS: each behaviour here failed
 * before its fix (a stale application unannounced, a STARTING application's slot lost, runs lost when the
 * dispatcher could not send, a run failed while pruned snapshots were still DELETING, an invalid
 * parameter recreated at version 1 never alerted).
 */
import { RunState } from '@flink-snapshots/core';
import type { LocalAws } from '@flink-snapshots/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broken, letPass, runScenario, startAws } from './harness';

let aws: LocalAws;

beforeAll(async () => {
  aws = await startAws();
});

afterAll(async () => {
  await aws.stop();
});

/** The events alerted on a stage's failures topic so far, for one application. */
function alerted(stage: string, appKey: string): string[] {
  return aws.services.sns
    .messages()
    .filter((m) => m.topicArn.endsWith(`flink-snapshots-${stage}-failures`))
    .map((m) => JSON.parse(m.message) as { event: string; appKey: string })
    .filter((alert) => alert.appKey === appKey)
    .map((alert) => alert.event);
}

describe('freshness', () => {
  it('alerts a stale application once, keeps counting it stale, and alerts once when it recovers', async () => {
    const config = { intervalMinutes: 5, maxSnapshotAgeMinutes: 10 };
    let s = await runScenario(aws, {
      apps: [{ tenant: 'ops', name: 'sleepy', config, msf: { status: 'READY' } }],
    });
    expect(s.result.dispatch.stale).toBe(0);
    const stale: number[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      await letPass(aws, 6);
      s = await s.again();
      stale.push(s.result.dispatch.stale);
    }
    expect(stale).toEqual([0, 1, 1]);
    expect(alerted(s.stage, 'ops/sleepy')).toEqual(['stale']);

    aws.services.kinesisAnalytics.putApplication({
      name: 'sleepy',
      status: 'RUNNING',
      snapshotDurationSeconds: 30,
      tags: { 'flink-snapshots:tenant': 'ops' },
    });
    await letPass(aws, 6);
    s = await s.again();
    expect(s.run('ops', 'sleepy')?.state).toBe(RunState.COMPLETED);
    await letPass(aws, 6);
    s = await s.again();
    expect(s.result.dispatch.stale).toBe(0);
    expect(alerted(s.stage, 'ops/sleepy')).toEqual(['stale', 'recovered']);
  });
});

describe('an application on its way to RUNNING at its tick', () => {
  it('gets its snapshot in the same slot once it is RUNNING', async () => {
    const s = await runScenario(aws, {
      apps: [{ tenant: 'ops', name: 'booting', msf: { status: 'STARTING', transitionSeconds: 150 } }],
    });
    const run = s.run('ops', 'booting');
    expect(run?.state).toBe(RunState.COMPLETED);
    expect(run?.deferredReason).toContain('STARTING, on its way to RUNNING');
    expect(broken(s.checks)).toEqual([]);
  });
});

describe('the dispatcher unable to send for a whole tick', () => {
  it('sends the runs again on a later tick, and every run ends', async () => {
    const apps = ['lost-1', 'lost-2', 'lost-3'].map((name) => ({ tenant: 'ops', name }));
    const failed = await runScenario(aws, {
      apps,
      faults: [{ kind: 'server-error', service: 'sqs', operation: 'SendMessageBatch' }],
      cycle: { maxWallMs: 3_000 },
    });
    expect(failed.result.dispatchError).toContain('SendMessageBatch');
    const lost = failed.result.runs;
    expect(lost.map((run) => run.state)).toEqual([
      RunState.DISPATCHED,
      RunState.DISPATCHED,
      RunState.DISPATCHED,
    ]);
    // Invariant 1 says it: runs DISPATCHED with no message anywhere.
    expect(broken(failed.checks).join()).toContain('is DISPATCHED, not terminal, and not in the DLQ');

    await letPass(aws, 11);
    const later = await failed.again();
    expect(later.result.dispatch.resent).toBe(3);
    const ended = await later.result.adapters.runs.listByRun(failed.result.runId);
    expect(ended.map((run) => run.state)).toEqual([
      RunState.COMPLETED,
      RunState.COMPLETED,
      RunState.COMPLETED,
    ]);
    expect(ended.map((run) => run.resends)).toEqual([1, 1, 1]);
  });
});

describe('quota relief', () => {
  it('waits for the pruned snapshots to finish DELETING, then completes', async () => {
    const now = aws.clock.now();
    const snapshots = Array.from({ length: 1000 }, (_, i) => {
      const createdAt = now - (1000 - i) * 3_600_000;
      const minute = new Date(createdAt).toISOString().slice(0, 16).replace(/[-:]/g, '');
      return { name: `flink-snapshots-${minute}00Z`, status: 'READY' as const, createdAt };
    });
    const s = await runScenario(aws, {
      apps: [
        {
          tenant: 'ops',
          name: 'full-slow',
          config: { retention: { count: 20 } },
          msf: { snapshots, snapshotDeleteSeconds: 90 },
        },
      ],
    });
    const run = s.run('ops', 'full-slow');
    expect(run?.state).toBe(RunState.COMPLETED);
    expect(run?.prune?.deleted.length).toBeGreaterThan(0);
    expect(broken(s.checks)).toEqual([]);
  });
});

describe('invalid parameters', () => {
  it('alerts a parameter deleted and written again at version 1 with another mistake', async () => {
    let s = await runScenario(aws, {
      apps: [{ tenant: 'ops', name: 'typo', config: { retian: 3 }, msf: false }],
    });
    expect(s.result.dispatch.invalidReported).toBe(1);
    await letPass(aws, 6);
    s = await s.again();
    expect(s.result.dispatch.invalidReported).toBe(0);
    await s.rewrite('ops', 'typo', { retention: { count: 0 } });
    await letPass(aws, 6);
    s = await s.again();
    expect(s.result.dispatch.invalidReported).toBe(1);
    expect(alerted(s.stage, 'ops/typo')).toEqual(['config-invalid', 'config-invalid']);
  });
});
