import { MetricName, RUN_ENDINGS } from '../domain/alerts';
import { StatusOutlook, settleDelaySeconds, statusOutlook } from '../domain/application-status';
import { InvalidRequestError, SnapshotQuotaExceededError } from '../domain/errors';
import { maintenanceDeferral } from '../domain/maintenance';
import { KeepReason } from '../domain/retention';
import type { RunKey, RunRecord } from '../domain/run-record';
import { RunState, snapshotName } from '../domain/run-state';
import {
  buildFirstPollMessage,
  buildWaitedSnapshotMessage,
  SEND_BATCH_LIMITS,
  type SnapshotStepMessage,
  snapshotDeadline,
  workMessageEntry,
} from '../domain/work-message';
import { type ApplicationInfo, CreateOutcome, type Deps, type FlinkSnapshots } from '../ports';
import { describeBoundApplication } from './application-access';
import { notifyRun, pending, publishPending, recordRunEnding, runAlert } from './notify';
import { pruneSnapshots } from './prune';

export interface StepContext {
  /** Real milliseconds left in this invocation. */
  readonly remainingMs: () => number;
}

export type StepOutcome =
  | 'poll-enqueued'
  | 'waiting'
  | 'skipped'
  | 'duplicate'
  | 'completed'
  | 'failed'
  | 'timed-out';

/** Seconds between attempts to create a snapshot while pruned snapshots are still DELETING. */
const QUOTA_WAIT_SECONDS = 30;

/**
 * The first step of a run: checks the application is its tenant's and RUNNING (waiting, within the
 * slot, for one on its way there), creates the run's snapshot (its name derives from the runId, so a
 * redelivery never makes a second one), records SNAPSHOT_REQUESTED and enqueues the first poll. Never
 * waits inside the invocation: waiting is a delayed message.
 */
export async function runSnapshotStep(
  deps: Deps,
  message: SnapshotStepMessage,
  context: StepContext,
): Promise<StepOutcome> {
  const { config } = message;
  const key: RunKey = { appKey: message.appKey, runId: message.runId };
  const flink = deps.flink.forTarget(config);
  // The application must be the tenant's before anything is created or deleted (IAM denies the
  // tenant's session every other application too; this says why, and what to tag).
  const app = await describeBoundApplication(flink, config);
  const outlook = statusOutlook(app.status);
  if (outlook === StatusOutlook.SETTLING && (await waitToSettle(deps, message, app))) return 'waiting';
  // MSF may restart the application inside its maintenance window: no snapshot starts there.
  const maintenance =
    outlook === StatusOutlook.RUNNING && config.avoidMaintenanceWindow !== false
      ? maintenanceDeferral(deps.clock.now(), app.maintenanceWindow, message.slotEndsAt)
      : undefined;
  if (maintenance?.inside && maintenance.resumeAt !== undefined) {
    if (await waitAndRetry(deps, message, maintenance.resumeAt, maintenance.reason, 'maintenance')) {
      return 'waiting';
    }
  }

  const running = outlook === StatusOutlook.RUNNING && maintenance?.inside !== true;
  const skipReason =
    outlook === StatusOutlook.SETTLING
      ? `application ${config.applicationName} stayed ${app.status} (on its way to RUNNING) until ${iso(message.retryUntil ?? deps.clock.now())}, the end of its wait in this slot: no snapshot taken`
      : maintenance?.inside
        ? `application ${config.applicationName}: ${maintenance.reason}`
        : `application ${config.applicationName} is ${app.status}, not RUNNING: no snapshot taken`;
  const notes = app.snapshotsEnabled
    ? undefined
    : [
        'SnapshotsEnabled is false on the application: MSF may refuse snapshots, takes none when the application stops or updates, and restores from none (enable it with UpdateApplication)',
      ];
  // Claim the run before creating anything: the conditional write decides which delivery acts.
  const claimed = running
    ? await deps.runs.transition(
        key,
        RunState.DISPATCHED,
        RunState.SNAPSHOT_REQUESTED,
        {
          snapshotName: snapshotName(message.runId),
          restoreSnapshotName: app.restoreSnapshotName,
          applicationVersionId: app.versionId,
          notes,
        },
        deps.clock.now(),
      )
    : await deps.runs.transition(
        key,
        RunState.DISPATCHED,
        RunState.SKIPPED,
        {
          reason: skipReason,
          pendingAlerts: pending(
            runAlert(config, message.runId, RUN_ENDINGS[RunState.SKIPPED].event, {
              state: RunState.SKIPPED,
              reason: skipReason,
            }),
          ),
        },
        deps.clock.now(),
      );

  if (!claimed) {
    const run = await deps.runs.get(key);
    if (run === undefined) {
      // The dispatcher's record is gone (TTL, a redrive long after): record the run again and start over.
      await deps.runs.create(
        {
          ...key,
          tenant: message.tenant,
          application: message.application,
          parameter: config.parameter,
          state: RunState.DISPATCHED,
        },
        deps.clock.now(),
        [RunState.DISPATCHED],
      );
      return runSnapshotStep(deps, message, context);
    }
    if (run.state !== RunState.SNAPSHOT_REQUESTED) {
      deps.log.info('run already advanced', { state: run.state });
      await publishPending(deps, run);
      return 'duplicate';
    }
    // A previous delivery claimed the run and died before enqueuing the poll, perhaps before creating
    // the snapshot, or this step waits for the quota: create it if need be (the name makes that
    // idempotent), then poll.
    deps.log.info('resuming a claimed run', { snapshot: run.snapshotName });
    if (running) {
      const outcome = await createSnapshot(deps, flink, message, app, run, context);
      if (outcome === 'quota-wait') return 'waiting';
    }
    await enqueuePoll(deps, message, run);
    return 'poll-enqueued';
  }

  if (!running) {
    deps.metrics.count(RUN_ENDINGS[RunState.SKIPPED].metric);
    deps.log.info('run skipped', { status: app.status });
    await recordRunEnding(deps, claimed);
    await publishPending(deps, claimed);
    return RUN_ENDINGS[RunState.SKIPPED].outcome;
  }

  const name = snapshotName(message.runId);
  const outcome = await createSnapshot(deps, flink, message, app, claimed, context);
  if (outcome === 'quota-wait') return 'waiting';
  if (outcome === CreateOutcome.CREATED) deps.metrics.count(MetricName.SNAPSHOT_CREATED);
  deps.log.info('snapshot requested', { snapshot: name, outcome });
  await enqueuePoll(deps, message, claimed);
  return 'poll-enqueued';
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * An application on its way to RUNNING (STARTING, UPDATING, AUTOSCALING, …) keeps its slot: while the
 * message's wait lasts, the step is taken again later (a delayed message, backing off) and the run
 * records why it waits. False when the wait is over, or the run is not DISPATCHED any more.
 */
async function waitToSettle(
  deps: Deps,
  message: SnapshotStepMessage,
  app: ApplicationInfo,
): Promise<boolean> {
  const now = deps.clock.now();
  const until = message.retryUntil;
  if (until === undefined || now >= until) return false;
  const delay = Math.min(settleDelaySeconds(message.waits ?? 0), Math.ceil((until - now) / 1000));
  const reason = `application ${app.name} is ${app.status}, on its way to RUNNING: the snapshot waits for it (until ${iso(until)} at most)`;
  return waitAndRetry(deps, message, now + delay * 1000, reason, 'settle');
}

/**
 * Takes the step again at `until` (SQS delays it at most 15 minutes at a time: a longer wait takes
 * several hops), recording on the run until when and why it waits. False when the run is not DISPATCHED
 * any more (another delivery took it).
 */
async function waitAndRetry(
  deps: Deps,
  message: SnapshotStepMessage,
  until: number,
  reason: string,
  kind: 'settle' | 'maintenance',
): Promise<boolean> {
  const now = deps.clock.now();
  const delay = Math.max(1, Math.min(SEND_BATCH_LIMITS.maxDelaySeconds, Math.ceil((until - now) / 1000)));
  const key = { appKey: message.appKey, runId: message.runId };
  if (!(await deps.runs.defer(key, until, reason, now))) return false;
  deps.log.info('waiting before taking the snapshot', { kind, delaySeconds: delay, reason });
  await deps.queue.sendBatch([workMessageEntry(buildWaitedSnapshotMessage(message, kind), 'wait', delay)]);
  return true;
}

/** Creates the run's snapshot; a refusal of an application with snapshots disabled says so and how to fix it. */
async function createSnapshot(
  deps: Deps,
  flink: FlinkSnapshots,
  message: SnapshotStepMessage,
  app: ApplicationInfo,
  run: RunRecord,
  context: StepContext,
): Promise<CreateOutcome | 'quota-wait'> {
  try {
    return await createWithQuotaRelief(deps, flink, message, app.restoreSnapshotName, run, context);
  } catch (error) {
    if (app.snapshotsEnabled || !(error instanceof InvalidRequestError)) throw error;
    throw new InvalidRequestError(
      {
        operation: 'CreateApplicationSnapshot',
        application: app.name,
        code: error.code,
        detail: `SnapshotsEnabled is false on the application, and MSF refused the snapshot (${error.detail}); enable snapshots with UpdateApplication (ApplicationSnapshotConfigurationUpdate)`,
      },
      { cause: error },
    );
  }
}

/**
 * At the 1,000-snapshot quota, prunes first. The snapshots it deletes go DELETING and free the quota only
 * once gone, so the create is tried again later (a delayed message) until the run's deadline; pruning that
 * deletes nothing, or a deadline passed, fails the run with what happened.
 */
async function createWithQuotaRelief(
  deps: Deps,
  flink: FlinkSnapshots,
  message: SnapshotStepMessage,
  restoreSnapshotName: string | undefined,
  run: RunRecord,
  context: StepContext,
): Promise<CreateOutcome | 'quota-wait'> {
  const { config } = message;
  const name = snapshotName(message.runId);
  try {
    return await flink.createSnapshot(config.applicationName, name);
  } catch (error) {
    if (!(error instanceof SnapshotQuotaExceededError)) throw error;
    const waits = message.quotaWaits ?? 0;
    if (waits === 0) {
      deps.log.warn('snapshot quota reached, pruning first', { snapshot: name });
      const prune = await pruneSnapshots(deps, {
        config,
        flink,
        restoreSnapshotName,
        applicationVersionId: run.applicationVersionId,
        remainingMs: context.remainingMs,
      });
      await notifyRun(deps, config, message.runId, 'quota-warning', {
        reason: `application ${config.applicationName} reached the ${prune.quota.limit}-snapshot quota; pruned ${prune.deleted.length} before creating ${name}`,
      });
      // Snapshots already DELETING (an earlier delivery's pruning) free the quota too, once gone.
      const deleting = prune.keptBy?.[KeepReason.IN_PROGRESS]?.count ?? 0;
      if (prune.deleted.length === 0 && deleting === 0) {
        throw new SnapshotQuotaExceededError(
          { application: config.applicationName, limit: error.limit, relief: 'pruning freed none' },
          { cause: error },
        );
      }
      try {
        return await flink.createSnapshot(config.applicationName, name);
      } catch (again) {
        if (!(again instanceof SnapshotQuotaExceededError)) throw again;
      }
    }
    const requestedAt = run.at[RunState.SNAPSHOT_REQUESTED] ?? deps.clock.now();
    const deadline = snapshotDeadline(config, requestedAt);
    const now = deps.clock.now();
    if (now + QUOTA_WAIT_SECONDS * 1000 > deadline) {
      throw new SnapshotQuotaExceededError(
        {
          application: config.applicationName,
          limit: error.limit,
          relief: `pruning deleted snapshots, but MSF still refused the create ${Math.round((now - requestedAt) / 60_000)} min later, at snapshotTimeoutMinutes: the deletions had not finished`,
        },
        { cause: error },
      );
    }
    deps.log.info('waiting for pruned snapshots to finish deleting', { snapshot: name, waits });
    await deps.queue.sendBatch([
      workMessageEntry(buildWaitedSnapshotMessage(message, 'quota'), 'quota', QUOTA_WAIT_SECONDS),
    ]);
    return 'quota-wait';
  }
}

/**
 * Enqueues the run's first poll; its deadline runs from when the run recorded the snapshot request. It
 * looks first when the application's recent snapshots took (at least the configured poll interval), so
 * most runs need one poll and the measured duration is tight.
 */
async function enqueuePoll(deps: Deps, message: SnapshotStepMessage, run: RunRecord): Promise<void> {
  const requestedAt = run.at[RunState.SNAPSHOT_REQUESTED] ?? deps.clock.now();
  const poll = buildFirstPollMessage(message, requestedAt);
  const expected = Math.ceil((message.expectedDurationMs ?? 0) / 1000);
  const untilDeadline = Math.ceil((poll.deadline - deps.clock.now()) / 1000);
  const delay = Math.max(
    1,
    Math.min(
      Math.max(message.config.pollIntervalSeconds, expected),
      SEND_BATCH_LIMITS.maxDelaySeconds,
      untilDeadline,
    ),
  );
  await deps.queue.sendBatch([workMessageEntry(poll, 'poll', delay)]);
}
