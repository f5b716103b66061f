import { MetricName, RUN_ENDINGS } from '../domain/alerts';
import type { RunKey, RunRecord } from '../domain/run-record';
import { RunState } from '../domain/run-state';
import { backoffDelaySeconds } from '../domain/schedule';
import {
  buildPollMessage,
  type PollStepMessage,
  SEND_BATCH_LIMITS,
  workMessageEntry,
} from '../domain/work-message';
import type { Deps } from '../ports';
import { endRun } from './end-run';
import { pending, publishPending, recordRunEnding, runAlert, settleDuplicate } from './notify';
import { pruneSnapshots } from './prune';
import type { StepContext, StepOutcome } from './snapshot-step';

/** Polls back off from the configured interval up to this many times it. */
const POLL_BACKOFF_FACTOR = 8;

/**
 * One look at the run's snapshot. CREATING before the deadline: poll again later (capped backoff with
 * jitter, through the queue's delay, never a sleep). READY: record it, prune, complete. FAILED or past
 * the deadline: end the run and alert.
 */
export async function runPollStep(
  deps: Deps,
  message: PollStepMessage,
  context: StepContext,
): Promise<StepOutcome> {
  const { config } = message;
  const key: RunKey = { appKey: message.appKey, runId: message.runId };
  const flink = deps.flink.forTarget(config);
  const snapshot = await flink.describeSnapshot(config.applicationName, message.snapshotName);
  const now = deps.clock.now();

  if (snapshot === undefined || snapshot.status === 'FAILED' || snapshot.status === 'DELETING') {
    const reason =
      snapshot === undefined
        ? `snapshot ${message.snapshotName} no longer exists on application ${config.applicationName}`
        : `MSF reports snapshot ${message.snapshotName} ${snapshot.status}`;
    return endRun(
      deps,
      message,
      RunState.SNAPSHOT_REQUESTED,
      RunState.FAILED,
      { reason },
      {
        level: 'warn',
        message: 'snapshot failed',
      },
    );
  }

  if (snapshot.status === 'READY') {
    // The duration lies between the last look that saw it CREATING and this one.
    const durationMs = Math.max(0, now - snapshot.createdAt);
    const minMs = Math.max(0, (message.lastSeenCreatingAt ?? snapshot.createdAt) - snapshot.createdAt);
    const ready = await deps.runs.transition(
      key,
      RunState.SNAPSHOT_REQUESTED,
      RunState.SNAPSHOT_READY,
      { snapshotDurationMs: durationMs, snapshotDurationMinMs: minMs },
      now,
    );
    if (ready) {
      deps.metrics.count(MetricName.SNAPSHOT_READY);
      deps.metrics.seconds(MetricName.SNAPSHOT_DURATION, durationMs / 1000);
      deps.log.info('snapshot ready', { snapshot: message.snapshotName, durationMs, minDurationMs: minMs });
      return completeRun(deps, message, ready, context);
    }
    // Another delivery got there first, or an earlier one died half-way through pruning: resume that.
    const current = await deps.runs.get(key);
    if (current?.state === RunState.SNAPSHOT_READY || current?.state === RunState.PRUNED) {
      deps.log.info('resuming a run left half-way', { state: current.state });
      return completeRun(deps, message, current, context);
    }
    await publishPending(deps, current);
    return 'duplicate';
  }

  if (now >= message.deadline) {
    const reason = `snapshot ${message.snapshotName} still ${snapshot.status} after ${config.snapshotTimeoutMinutes} min (snapshotTimeoutMinutes); it is left alone and a later prune removes it once terminal`;
    return endRun(
      deps,
      message,
      RunState.SNAPSHOT_REQUESTED,
      RunState.TIMED_OUT,
      { reason },
      {
        level: 'warn',
        message: 'snapshot timed out',
      },
    );
  }

  // One poll chain per run: of two copies of this poll (a duplicated delivery), only the first to count
  // itself goes on. The outcomes above need no count: their conditional transitions already decide.
  if (!(await deps.runs.countPoll(key, message.polls, now))) {
    deps.log.info('poll already taken or run advanced', { polls: message.polls });
    return 'duplicate';
  }
  const base = config.pollIntervalSeconds;
  const cap = Math.min(SEND_BATCH_LIMITS.maxDelaySeconds, base * POLL_BACKOFF_FACTOR);
  const untilDeadline = Math.ceil((message.deadline - now) / 1000);
  const delay = Math.min(
    Math.max(base, backoffDelaySeconds(message.polls + 1, base, cap, deps.random)),
    Math.max(1, untilDeadline),
  );
  const next = buildPollMessage(message, { sawCreatingAt: now });
  await deps.queue.sendBatch([workMessageEntry(next, 'poll', delay)]);
  return 'poll-enqueued';
}

/** From SNAPSHOT_READY (or PRUNED, when resuming): prune, then complete the run with its alerts. */
async function completeRun(
  deps: Deps,
  message: PollStepMessage,
  run: RunRecord,
  context: StepContext,
): Promise<StepOutcome> {
  const { config } = message;
  const key: RunKey = { appKey: message.appKey, runId: message.runId };
  let prune = run.prune;
  if (run.state === RunState.SNAPSHOT_READY) {
    prune = await pruneSnapshots(deps, {
      config,
      flink: deps.flink.forTarget(config),
      restoreSnapshotName: run.restoreSnapshotName,
      applicationVersionId: run.applicationVersionId,
      remainingMs: context.remainingMs,
    });
    const pruned = await deps.runs.transition(
      key,
      RunState.SNAPSHOT_READY,
      RunState.PRUNED,
      { prune },
      deps.clock.now(),
    );
    if (!pruned) return settleDuplicate(deps, key);
  }
  if (prune === undefined) {
    throw new Error(
      `run ${key.appKey} ${key.runId} is ${run.state} without a prune record; expected one from its PRUNED write`,
    );
  }
  const quota = prune.quota;
  deps.metrics.gauge(MetricName.QUOTA_USED, Math.round(quota.used * 1000) / 10, 'Percent');
  const alerts = pending(
    quota.warning
      ? runAlert(config, message.runId, 'quota-warning', {
          state: RunState.COMPLETED,
          reason: `application ${config.applicationName} holds ${quota.total} of ${quota.limit} snapshots (${quota.afterPrune} after pruning)`,
        })
      : undefined,
    runAlert(config, message.runId, RUN_ENDINGS[RunState.COMPLETED].event, {
      state: RunState.COMPLETED,
      reason: `snapshot ${message.snapshotName} READY after ${durationText(run)}; deleted ${prune.deleted.length}${prune.dryRun ? ' (dry run: nothing deleted)' : ''}`,
    }),
  );
  const completed = await deps.runs.transition(
    key,
    RunState.PRUNED,
    RunState.COMPLETED,
    { pendingAlerts: alerts },
    deps.clock.now(),
  );
  if (!completed) return settleDuplicate(deps, key);
  deps.metrics.count(RUN_ENDINGS[RunState.COMPLETED].metric);
  await recordRunEnding(deps, completed, {
    readyAt: prune.newestReadyAt,
    durationMs: run.snapshotDurationMs,
  });
  deps.log.info('run completed', {
    deleted: prune.deleted.length,
    failedDeletes: prune.failed.length,
    deferred: prune.deferred,
    quotaUsed: quota.used,
  });
  await publishPending(deps, completed);
  return RUN_ENDINGS[RunState.COMPLETED].outcome;
}

/** A snapshot's measured duration as the polls bound it: `35 s`, or `240–300 s`. */
export function durationText(run: Pick<RunRecord, 'snapshotDurationMs' | 'snapshotDurationMinMs'>): string {
  const max = Math.round((run.snapshotDurationMs ?? 0) / 1000);
  const min = Math.round((run.snapshotDurationMinMs ?? run.snapshotDurationMs ?? 0) / 1000);
  return min >= max ? `${max} s` : `${min}–${max} s`;
}
