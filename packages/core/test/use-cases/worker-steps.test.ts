import {
  AccessDeniedError,
  type AppConfig,
  buildSnapshotMessage,
  INVALID_MESSAGES_KEY,
  InvalidRequestError,
  processWorkMessage,
  ResourceInUseError,
  RunState,
  runIdFromTick,
  snapshotName,
  TENANT_TAG_KEY,
  ThrottledError,
} from '@flink-snapshots/core';
import { describe, expect, it } from 'vitest';
import { configOf, dispatched, type World, world } from './fakes';

const context = { remainingMs: () => 60_000 };

/** Takes the next message the worker enqueued and processes it. */
async function next(w: World) {
  const entry = w.queue.sent.shift();
  if (!entry) throw new Error('nothing enqueued');
  return processWorkMessage(w, entry.body, `id-${entry.id}`, context);
}

const run = (w: World, config: AppConfig, runId: string) => w.runs.get({ appKey: config.appKey, runId });

describe('snapshot and poll steps', () => {
  it('creates the snapshot, polls until READY through delayed messages, prunes and completes', async () => {
    const w = world();
    const config = configOf('orders', { retention: { count: 2 }, pollIntervalSeconds: 20 });
    const old = [1, 2, 3].map((day) => ({
      name: snapshotName(runIdFromTick(Date.UTC(2026, 10, day))),
      status: 'READY' as const,
      createdAt: Date.UTC(2026, 10, day),
      applicationVersionId: day,
    }));
    w.flink.add('orders', {}, old);
    const { body, runId } = await dispatched(w, config);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('poll-enqueued');
    expect((await run(w, config, runId))?.state).toBe(RunState.SNAPSHOT_REQUESTED);
    expect(w.queue.sent[0]?.delaySeconds).toBe(20);

    expect(await next(w)).toBe('poll-enqueued');
    const delay = w.queue.sent[0]?.delaySeconds ?? 0;
    expect(delay).toBeGreaterThanOrEqual(20);
    expect(delay).toBeLessThanOrEqual(160);

    w.flink.setStatus('orders', snapshotName(runId), 'READY');
    w.clock.advance(45_000);
    expect(await next(w)).toBe('completed');

    const done = await run(w, config, runId);
    expect(done?.state).toBe(RunState.COMPLETED);
    expect(Object.keys(done?.at ?? {}).sort()).toEqual(
      ['COMPLETED', 'DISPATCHED', 'PRUNED', 'SNAPSHOT_READY', 'SNAPSHOT_REQUESTED'].sort(),
    );
    expect(done?.snapshotDurationMs).toBe(w.clock.now() - Date.UTC(2026, 10, 22, 8, 30));
    expect(done?.prune?.deleted.map((d) => d.name)).toEqual([old[0]?.name, old[1]?.name]);
    expect(w.flink.apps.get('orders')?.snapshots.map((s) => s.name)).toEqual([
      old[2]?.name,
      snapshotName(runId),
    ]);
    expect(w.flink.calls.filter((c) => c.startsWith('CreateApplicationSnapshot'))).toHaveLength(1);
  });

  it('skips an application that is not RUNNING and creates no snapshot', async () => {
    const w = world();
    const config = configOf('stopped', { notify: { on: ['skipped'] } });
    w.flink.add('stopped', { status: 'READY' });
    const { body, runId } = await dispatched(w, config);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('skipped');
    const skipped = await run(w, config, runId);
    expect(skipped?.state).toBe(RunState.SKIPPED);
    expect(skipped?.reason).toContain('READY, not RUNNING');
    expect(w.flink.calls.some((c) => c.startsWith('CreateApplicationSnapshot'))).toBe(false);
    expect(w.alerts.published.map((a) => a.event)).toEqual(['skipped']);
  });

  it('notes on the run that SnapshotsEnabled is false and still asks for the snapshot', async () => {
    const w = world();
    const config = configOf('nosnap');
    w.flink.add('nosnap', { snapshotsEnabled: false });
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    expect((await run(w, config, runId))?.notes?.[0]).toContain('SnapshotsEnabled is false');
  });

  it('creates no second snapshot when the snapshot message is delivered again after the run advanced', async () => {
    const w = world();
    const config = configOf('dup');
    w.flink.add('dup');
    const { body } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    w.queue.take();

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('poll-enqueued');
    // The redelivery found SNAPSHOT_REQUESTED: it makes sure the snapshot exists (it does: no second one)
    // and re-enqueues the poll, which the first delivery may not have sent.
    expect(w.flink.apps.get('dup')?.snapshots).toHaveLength(1);
    expect(w.metrics.total('SnapshotCreated')).toBe(1);
    const polls = w.queue.take();
    expect(polls).toHaveLength(1);

    // Two poll messages with the same count: only one chain goes on.
    expect(await processWorkMessage(w, polls[0]?.body ?? '', 'p1', context)).toBe('poll-enqueued');
    expect(await processWorkMessage(w, polls[0]?.body ?? '', 'p1', context)).toBe('duplicate');
  });

  it('carries on when a previous delivery created the snapshot but died before recording it', async () => {
    const w = world();
    const config = configOf('crash');
    w.flink.add('crash');
    const { body, runId } = await dispatched(w, config);
    await w.flink.createSnapshot('crash', snapshotName(runId));

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('poll-enqueued');
    expect(w.flink.apps.get('crash')?.snapshots).toHaveLength(1);
    expect(w.metrics.total('SnapshotCreated')).toBe(0);
  });

  it('prunes first at the snapshot quota, then creates', async () => {
    const w = world();
    w.flink.quota = 5;
    const config = configOf('full', { retention: { count: 2 }, notify: { on: ['quota-warning'] } });
    const snapshots = Array.from({ length: 5 }, (_, i) => ({
      name: snapshotName(runIdFromTick(Date.UTC(2026, 9, i + 1))),
      status: 'READY' as const,
      createdAt: Date.UTC(2026, 9, i + 1),
      applicationVersionId: 1,
    }));
    w.flink.add('full', {}, snapshots);
    const { body, runId } = await dispatched(w, config);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('poll-enqueued');
    expect(w.flink.apps.get('full')?.snapshots.map((s) => s.name)).toContain(snapshotName(runId));
    expect(w.alerts.published.map((a) => a.event)).toEqual(['quota-warning']);
  });

  it('fails the run with a quota alert when pruning frees nothing', async () => {
    const w = world();
    w.flink.quota = 3;
    const config = configOf('stuck', { retention: { count: 10 } });
    const snapshots = Array.from({ length: 3 }, (_, i) => ({
      name: `manual-${i}`,
      status: 'READY' as const,
      createdAt: Date.UTC(2026, 9, i + 1),
      applicationVersionId: 1,
    }));
    w.flink.add('stuck', {}, snapshots);
    const { body, runId } = await dispatched(w, config);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('failed');
    const failed = await run(w, config, runId);
    expect(failed?.state).toBe(RunState.FAILED);
    expect(failed?.reason).toContain('quota');
    expect(w.alerts.published.map((a) => a.event)).toEqual(['quota-warning', 'failed']);
  });

  it('ends the run FAILED and alerts when MSF reports the snapshot FAILED', async () => {
    const w = world();
    const config = configOf('bad');
    w.flink.add('bad');
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    w.flink.setStatus('bad', snapshotName(runId), 'FAILED');
    expect(await next(w)).toBe('failed');
    expect((await run(w, config, runId))?.state).toBe(RunState.FAILED);
    expect(w.alerts.published[0]).toMatchObject({
      event: 'failed',
      severity: 'critical',
      appKey: 'team/bad',
    });
  });

  it('ends the run TIMED_OUT past the deadline and leaves the CREATING snapshot alone', async () => {
    const w = world();
    const config = configOf('slow', { snapshotTimeoutMinutes: 1 });
    w.flink.add('slow');
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    w.clock.advance(61_000);
    expect(await next(w)).toBe('timed-out');
    expect((await run(w, config, runId))?.state).toBe(RunState.TIMED_OUT);
    expect(w.flink.apps.get('slow')?.snapshots[0]?.status).toBe('CREATING');
    expect(w.flink.calls.some((c) => c.startsWith('DeleteApplicationSnapshot'))).toBe(false);
  });

  it('never schedules a poll past the deadline', async () => {
    const w = world();
    const config = configOf('edge', { snapshotTimeoutMinutes: 1, pollIntervalSeconds: 45 });
    w.flink.add('edge');
    const { body } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    w.clock.advance(50_000);
    await next(w);
    expect(w.queue.sent[0]?.delaySeconds).toBeLessThanOrEqual(10);
  });

  it('throws retryable errors so SQS redelivers the message', async () => {
    const w = world();
    const config = configOf('busy');
    const app = w.flink.add('busy');
    app.failNext = {
      create: [new ResourceInUseError({ operation: 'CreateApplicationSnapshot', application: 'busy' })],
    };
    const { body, runId } = await dispatched(w, config);
    await expect(processWorkMessage(w, body, 'm1', context)).rejects.toBeInstanceOf(ResourceInUseError);
    // The run was claimed before the create failed; the redelivery resumes it.
    expect((await run(w, config, runId))?.state).toBe(RunState.SNAPSHOT_REQUESTED);
    expect(w.flink.apps.get('busy')?.snapshots).toHaveLength(0);

    app.failNext = { describeApplication: [new ThrottledError({ operation: 'DescribeApplication' })] };
    await expect(processWorkMessage(w, body, 'm1', context)).rejects.toBeInstanceOf(ThrottledError);
    expect(await processWorkMessage(w, body, 'm1', context)).toBe('poll-enqueued');
    expect(w.flink.apps.get('busy')?.snapshots).toHaveLength(1);
  });

  it('records the run again and goes on when its record is gone (a redrive after the TTL)', async () => {
    const w = world();
    const config = configOf('late-redrive');
    w.flink.add('late-redrive');
    const runId = runIdFromTick(w.clock.now());
    const body = JSON.stringify(buildSnapshotMessage({ config, runId, now: w.clock.now() }));
    expect(await processWorkMessage(w, body, 'm1', context)).toBe('poll-enqueued');
    expect((await run(w, config, runId))?.state).toBe(RunState.SNAPSHOT_REQUESTED);
  });

  it('does not snapshot again when a snapshot message is redriven after its run ended', async () => {
    const w = world();
    const config = configOf('ended');
    w.flink.add('ended');
    w.flink.createAs = 'READY';
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    expect(await next(w)).toBe('completed');
    w.flink.apps.get('ended')?.snapshots.splice(0);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('duplicate');
    expect(w.flink.apps.get('ended')?.snapshots).toHaveLength(0);
    expect((await run(w, config, runId))?.state).toBe(RunState.COMPLETED);
  });

  it('fails the run permanently when the application does not exist', async () => {
    const w = world();
    const config = configOf('ghost');
    const { body, runId } = await dispatched(w, config);
    expect(await processWorkMessage(w, body, 'm1', context)).toBe('failed');
    const failed = await run(w, config, runId);
    expect(failed?.error?.name).toBe('ApplicationNotFoundError');
    expect(failed?.reason).toContain('ghost');
  });

  it('records a failed delete and still completes the run', async () => {
    const w = world();
    const config = configOf('sticky', { retention: { count: 1 } });
    const app = w.flink.add('sticky', {}, [
      {
        name: snapshotName(runIdFromTick(Date.UTC(2026, 9, 1))),
        status: 'READY',
        createdAt: Date.UTC(2026, 9, 1),
        applicationVersionId: 1,
      },
    ]);
    app.failNext = {
      delete: [new ResourceInUseError({ operation: 'DeleteApplicationSnapshot', application: 'sticky' })],
    };
    w.flink.createAs = 'READY';
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    expect(await next(w)).toBe('completed');
    const done = await run(w, config, runId);
    expect(done?.state).toBe(RunState.COMPLETED);
    expect(done?.prune?.failed).toHaveLength(1);
    expect(done?.prune?.failed[0]?.error).toContain('busy');
  });

  it('deletes nothing in a dry run and records what it would delete', async () => {
    const w = world();
    const config = configOf('dry', { retention: { count: 1, dryRun: true } });
    w.flink.add('dry', {}, [
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
    await next(w);
    const done = await run(w, config, runId);
    expect(done?.prune).toMatchObject({ dryRun: true });
    expect(done?.prune?.deleted).toHaveLength(1);
    expect(w.flink.apps.get('dry')?.snapshots).toHaveLength(2);
  });

  it('defers deletions when the invocation runs out of time', async () => {
    const w = world();
    const config = configOf('late', { retention: { count: 1 } });
    w.flink.add(
      'late',
      {},
      [1, 2, 3].map((d) => ({
        name: snapshotName(runIdFromTick(Date.UTC(2026, 9, d))),
        status: 'READY' as const,
        createdAt: Date.UTC(2026, 9, d),
        applicationVersionId: 1,
      })),
    );
    w.flink.createAs = 'READY';
    const { body, runId } = await dispatched(w, config);
    await processWorkMessage(w, body, 'm1', context);
    const entry = w.queue.sent.shift();
    await processWorkMessage(w, entry?.body ?? '', 'p', { remainingMs: () => 1_000 });
    expect((await run(w, config, runId))?.prune).toMatchObject({ deferred: 3, deleted: [] });
  });

  it('records and alerts a malformed message once, and consumes it', async () => {
    const w = world();
    expect(await processWorkMessage(w, '{"step":"snapshot","v":2}', 'bad-1', context)).toBe(
      'invalid-message',
    );
    expect(await processWorkMessage(w, '{"step":"snapshot","v":2}', 'bad-1', context)).toBe(
      'invalid-message',
    );
    const recorded = await w.runs.listByApplication(INVALID_MESSAGES_KEY, 10);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.error?.message).toContain('v');
    expect(w.alerts.published.map((a) => a.event)).toEqual(['message-invalid']);
  });
});

describe('an application with snapshots disabled', () => {
  it('fails the run saying SnapshotsEnabled is false when MSF refuses the snapshot', async () => {
    const w = world();
    const config = configOf('off');
    const app = w.flink.add('off', { snapshotsEnabled: false });
    app.failNext = {
      create: [
        new InvalidRequestError({
          operation: 'CreateApplicationSnapshot',
          application: 'off',
          code: 'InvalidRequestException',
          detail: 'snapshots are disabled',
        }),
      ],
    };
    const { body, runId } = await dispatched(w, config);
    expect(await processWorkMessage(w, body, 'm1', context)).toBe('failed');
    const failed = await run(w, config, runId);
    expect(failed?.error?.message).toContain('SnapshotsEnabled is false');
    expect(failed?.error?.message).toContain('UpdateApplication');
  });
});

describe('the binding of an application to its tenant', () => {
  it.each([
    ['an untagged application', {}, 'has no flink-snapshots:tenant tag'],
    ['another tenant’s application', { [TENANT_TAG_KEY]: 'search' }, 'belongs to tenant search'],
  ])('ends the run FAILED for %s, and creates and deletes nothing', async (_what, tags, reason) => {
    const w = world();
    const config = configOf('indexer', { retention: { count: 1, minCount: 0, manage: 'all' } });
    const manual = [1, 2, 3, 4].map((day) => ({
      name: `manual-${day}`,
      status: 'READY' as const,
      createdAt: Date.UTC(2026, 10, day),
      applicationVersionId: 1,
    }));
    w.flink.add('indexer', {}, manual, tags);
    const { body, runId } = await dispatched(w, config);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('failed');

    const ended = await run(w, config, runId);
    expect(ended?.state).toBe(RunState.FAILED);
    expect(ended?.error?.name).toBe('TenantBindingError');
    expect(ended?.reason).toContain(reason);
    expect(w.flink.calls).toEqual(['DescribeApplication indexer', 'ListTagsForResource indexer']);
    expect(w.flink.apps.get('indexer')?.snapshots).toHaveLength(4);
    expect(w.flink.targets.map((t) => t.tenant)).toEqual(['team']);
  });

  it('ends the run FAILED, naming the tag to set, when IAM denies the tenant’s session the application', async () => {
    const w = world();
    const config = configOf('indexer');
    const app = w.flink.add('indexer', {});
    app.failNext = {
      describeApplication: [
        new AccessDeniedError({
          operation: 'DescribeApplication',
          application: 'indexer',
          code: 'AccessDeniedException',
          roleArn: 'arn:aws:iam::111122223333:role/flink-snapshots-prod-us-east-1-msf',
          tenant: 'team',
        }),
      ],
    };
    const { body, runId } = await dispatched(w, config);

    expect(await processWorkMessage(w, body, 'm1', context)).toBe('failed');

    const ended = await run(w, config, runId);
    expect(ended?.state).toBe(RunState.FAILED);
    expect(ended?.error?.name).toBe('TenantBindingError');
    expect(ended?.reason).toBe(
      "snapshot step: tenant team's session may not reach application indexer (DescribeApplication was denied as arn:aws:iam::111122223333:role/flink-snapshots-prod-us-east-1-msf, AccessDeniedException): IAM lets it act only on applications tagged flink-snapshots:tenant=team, so indexer is another tenant's, has no flink-snapshots:tenant tag, or does not exist in this account and region (IAM refuses before MSF looks); nothing was done to it; tag it flink-snapshots:tenant=team (aws kinesisanalyticsv2 tag-resource --resource-arn <its ARN> --tags Key=flink-snapshots:tenant,Value=team) if it is tenant team's",
    );
    expect(app.snapshots).toHaveLength(0);
  });
});
