import { RunState, snapshotName } from '@flink-snapshots/core';
import type { LocalAws } from '@flink-snapshots/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broken, ownSnapshots, runScenario, startAws } from './harness';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startAws();
});
afterAll(async () => {
  await aws?.stop();
});

describe('a snapshot cycle on the local AWS', () => {
  it('completes every run of a multi-tenant fleet, one snapshot each, with alerts only where asked', async () => {
    const s = await runScenario(aws, {
      apps: [
        { tenant: 'payments', name: 'ledger-a' },
        { tenant: 'payments', name: 'fraud-a', config: { retention: { count: 2 } } },
        { tenant: 'search', name: 'indexer-a', config: { notify: { on: ['completed'] } } },
        { tenant: 'analytics', name: 'rollups-a', config: { pollIntervalSeconds: 10 } },
      ],
    });
    expect(broken(s.checks)).toEqual([]);
    expect(s.result.runs.map((r) => r.state)).toEqual(Array(4).fill(RunState.COMPLETED));
    for (const run of s.result.runs) {
      expect(run.snapshotName).toBe(snapshotName(s.result.runId));
      expect(Object.keys(run.at)).toEqual(
        expect.arrayContaining(['DISPATCHED', 'SNAPSHOT_REQUESTED', 'SNAPSHOT_READY', 'PRUNED', 'COMPLETED']),
      );
      expect(run.snapshotDurationMs).toBeGreaterThan(0);
    }
    expect(s.result.calls.services.kinesisanalytics?.CreateApplicationSnapshot).toBe(4);
    expect(s.result.calls.services.sns?.Publish).toBe(1);
  });

  it('skips an application that is not RUNNING and takes no snapshot of it', async () => {
    const s = await runScenario(aws, {
      apps: [
        { tenant: 't', name: 'stopped-b', msf: { status: 'READY' } },
        { tenant: 't', name: 'running-b' },
      ],
    });
    expect(broken(s.checks)).toEqual([]);
    expect(s.run('t', 'stopped-b')?.state).toBe(RunState.SKIPPED);
    expect(s.run('t', 'stopped-b')?.reason).toContain('READY, not RUNNING');
    expect(s.run('t', 'running-b')?.state).toBe(RunState.COMPLETED);
    expect(aws.services.kinesisAnalytics.listSnapshots('stopped-b')).toEqual([]);
  });

  it('ends the run FAILED and alerts when MSF fails the snapshot', async () => {
    const s = await runScenario(aws, {
      apps: [
        { tenant: 't', name: 'failing-c' },
        { tenant: 't', name: 'fine-c' },
      ],
      faults: [{ kind: 'snapshot-fails', application: 'failing-c' }],
    });
    expect(broken(s.checks)).toEqual([]);
    expect(s.run('t', 'failing-c')?.state).toBe(RunState.FAILED);
    expect(s.run('t', 'failing-c')?.reason).toContain('FAILED');
    expect(s.run('t', 'fine-c')?.state).toBe(RunState.COMPLETED);
    const alerts = aws.services.sns.messages().filter((m) => m.message.includes('failing-c'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.messageAttributes).toMatchObject({
      severity: { StringValue: 'critical' },
      tenant: { StringValue: 't' },
    });
  });

  it('times the run out when the snapshot stays CREATING past its timeout, and leaves the snapshot alone', async () => {
    const s = await runScenario(aws, {
      apps: [
        { tenant: 't', name: 'stuck-d', config: { snapshotTimeoutMinutes: 2, pollIntervalSeconds: 15 } },
      ],
      faults: [{ kind: 'snapshot-hangs', application: 'stuck-d' }],
    });
    expect(broken(s.checks)).toEqual([]);
    expect(s.run('t', 'stuck-d')?.state).toBe(RunState.TIMED_OUT);
    expect(aws.services.kinesisAnalytics.listSnapshots('stuck-d').map((x) => x.status)).toEqual(['CREATING']);
  });

  it('records an invalid parameter FAILED naming field and value, and completes the rest', async () => {
    const s = await runScenario(aws, {
      apps: [
        { tenant: 't', name: 'typo-e', config: '{"retian": 5, "retention": {"count": 5000}}', msf: false },
        { tenant: 't', name: 'good-e' },
      ],
    });
    expect(broken(s.checks)).toEqual([]);
    const failed = s.run('t', 'typo-e');
    expect(failed?.state).toBe(RunState.FAILED);
    expect(failed?.error?.message).toContain('retian');
    expect(failed?.error?.message).toContain('retention.count');
    expect(failed?.error?.message).toContain('5000');
    expect(s.run('t', 'good-e')?.state).toBe(RunState.COMPLETED);
  });

  it('prunes more than 50 snapshots across every application version (all pages)', async () => {
    const now = aws.clock.now();
    const s = await runScenario(aws, {
      apps: [
        {
          tenant: 't',
          name: 'many-f',
          config: { retention: { count: 10 } },
          msf: { versionId: 3, snapshots: ownSnapshots(now, 120, 3) },
        },
      ],
    });
    expect(broken(s.checks)).toEqual([]);
    const run = s.run('t', 'many-f');
    expect(run?.state).toBe(RunState.COMPLETED);
    // 121 READY (120 and the run's own): 10 within count, and the rollback target of version 2 kept.
    expect(run?.prune?.deleted).toHaveLength(110);
    expect(run?.prune?.keptBy?.['previous-version']?.count).toBe(1);
    expect(new Set(run?.prune?.deleted.map((d) => d.applicationVersionId))).toEqual(new Set([1, 2, 3]));
    const ready = aws.services.kinesisAnalytics.listSnapshots('many-f').filter((x) => x.status === 'READY');
    expect(ready).toHaveLength(11);
    expect(s.result.calls.services.kinesisanalytics?.ListApplicationSnapshots).toBeGreaterThanOrEqual(3);
  });

  it('never deletes the snapshot named in the restore configuration', async () => {
    const now = aws.clock.now();
    const snapshots = ownSnapshots(now, 5);
    const restore = snapshots[0]?.name;
    const s = await runScenario(aws, {
      apps: [
        {
          tenant: 't',
          name: 'restore-g',
          config: { retention: { count: 1 } },
          msf: { snapshots, restoreSnapshotName: restore },
        },
      ],
    });
    expect(broken(s.checks)).toEqual([]);
    const names = aws.services.kinesisAnalytics.listSnapshots('restore-g').map((x) => x.name);
    expect(names).toContain(restore);
    expect(names).toContain(snapshotName(s.result.runId));
    expect(s.run('t', 'restore-g')?.prune?.deleted).toHaveLength(4);
  });

  it('at the 1,000-snapshot quota prunes first, then creates the snapshot', async () => {
    const now = aws.clock.now();
    const snapshots = Array.from({ length: 1000 }, (_, i) => {
      const createdAt = now - (1000 - i) * 3_600_000;
      const minute = new Date(createdAt).toISOString().slice(0, 16).replace(/[-:]/g, '');
      return { name: `flink-snapshots-${minute}00Z`, status: 'READY' as const, createdAt };
    });
    const s = await runScenario(aws, {
      apps: [{ tenant: 't', name: 'full-h', config: { retention: { count: 20 } }, msf: { snapshots } }],
    });
    expect(broken(s.checks)).toEqual([]);
    const run = s.run('t', 'full-h');
    expect(run?.state).toBe(RunState.COMPLETED);
    const names = aws.services.kinesisAnalytics.listSnapshots('full-h').filter((x) => x.status === 'READY');
    expect(names).toHaveLength(20);
    expect(names.map((x) => x.name)).toContain(snapshotName(s.result.runId));
  });

  it('reaches an application in another account through its role, assuming the role once', async () => {
    const s = await runScenario(aws, {
      apps: [
        {
          tenant: 'x',
          name: 'remote-i',
          config: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/flink-snapshots-x' },
        },
      ],
    });
    expect(broken(s.checks)).toEqual([]);
    expect(s.run('x', 'remote-i')?.state).toBe(RunState.COMPLETED);
    expect(s.result.calls.services.sts?.AssumeRole).toBe(1);
  });
});
