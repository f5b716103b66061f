import { MetricName, RUN_ENDINGS } from '../domain/alerts';
import { InvalidRequestError, SnapshotQuotaExceededError, TenantBindingError } from '../domain/errors';
import type { RunKey, RunRecord } from '../domain/run-record';
import { RunState, snapshotName } from '../domain/run-state';
import { checkBinding } from '../domain/tenant';
import { buildFirstPollMessage, type SnapshotStepMessage, workMessageEntry } from '../domain/work-message';
import { type ApplicationInfo, CreateOutcome, type Deps, type FlinkSnapshots } from '../ports';
import { notifyRun, pending, publishPending, runAlert } from './notify';
import { pruneSnapshots } from './prune';

export interface StepContext {
  /** Real milliseconds left in this invocation. */
  readonly remainingMs: () => number;
}

export type StepOutcome = 'poll-enqueued' | 'skipped' | 'duplicate' | 'completed' | 'failed' | 'timed-out';

/**
 * The first step of a run: checks the application is RUNNING, creates the run's snapshot (its name
 * derives from the runId, so a redelivery never makes a second one), records SNAPSHOT_REQUESTED and
 * enqueues the first poll. Never waits for the snapshot.
 */
export async function runSnapshotStep(
  deps: Deps,
  message: SnapshotStepMessage,
  context: StepContext,
): Promise<StepOutcome> {
  const { config } = message;
  const key: RunKey = { appKey: message.appKey, runId: message.runId };
  const flink = deps.flink.forTarget(config);
  const app = await flink.describeApplication(config.applicationName);
  // The application must be the tenant's before anything is created or deleted (IAM denies the
  // tenant's session every other application too; this says why, and what to tag).
  const binding = checkBinding(config.tenant, config.applicationName, await flink.listTags(app.arn));
  if (!binding.bound) {
    throw new TenantBindingError({
      tenant: config.tenant,
      application: config.applicationName,
      owner: binding.owner,
      reason: binding.reason,
    });
  }
  const running = app.status === 'RUNNING';
  const skipReason = `application ${config.applicationName} is ${app.status}, not RUNNING: no snapshot taken`;
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
    // the snapshot: create it if need be (the name makes that idempotent), then poll.
    deps.log.info('resuming a claimed run', { snapshot: run.snapshotName });
    if (running) await createSnapshot(deps, flink, message, app, context);
    await enqueuePoll(deps, message, run);
    return 'poll-enqueued';
  }

  if (!running) {
    deps.metrics.count(RUN_ENDINGS[RunState.SKIPPED].metric);
    deps.log.info('run skipped', { status: app.status });
    await publishPending(deps, claimed);
    return RUN_ENDINGS[RunState.SKIPPED].outcome;
  }

  const name = snapshotName(message.runId);
  const outcome = await createSnapshot(deps, flink, message, app, context);
  if (outcome === CreateOutcome.CREATED) deps.metrics.count(MetricName.SNAPSHOT_CREATED);
  deps.log.info('snapshot requested', { snapshot: name, outcome });
  await enqueuePoll(deps, message, claimed);
  return 'poll-enqueued';
}

/** Creates the run's snapshot; a refusal of an application with snapshots disabled says so and how to fix it. */
async function createSnapshot(
  deps: Deps,
  flink: FlinkSnapshots,
  message: SnapshotStepMessage,
  app: ApplicationInfo,
  context: StepContext,
): Promise<CreateOutcome> {
  try {
    return await createWithQuotaRelief(deps, flink, message, app.restoreSnapshotName, context);
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

/** At the 1,000-snapshot quota, prunes first and retries once; a second refusal is permanent. */
async function createWithQuotaRelief(
  deps: Deps,
  flink: FlinkSnapshots,
  message: SnapshotStepMessage,
  restoreSnapshotName: string | undefined,
  context: StepContext,
): Promise<CreateOutcome> {
  const { config } = message;
  const name = snapshotName(message.runId);
  try {
    return await flink.createSnapshot(config.applicationName, name);
  } catch (error) {
    if (!(error instanceof SnapshotQuotaExceededError)) throw error;
    deps.log.warn('snapshot quota reached, pruning first', { snapshot: name });
    const prune = await pruneSnapshots(deps, {
      config,
      flink,
      restoreSnapshotName,
      remainingMs: context.remainingMs,
    });
    await notifyRun(deps, config, message.runId, 'quota-warning', {
      reason: `application ${config.applicationName} reached the ${prune.quota.limit}-snapshot quota; pruned ${prune.deleted.length} before creating ${name}`,
    });
    return await flink.createSnapshot(config.applicationName, name);
  }
}

/** Enqueues the run's first poll; its deadline runs from when the run recorded the snapshot request. */
async function enqueuePoll(deps: Deps, message: SnapshotStepMessage, run: RunRecord): Promise<void> {
  const requestedAt = run.at[RunState.SNAPSHOT_REQUESTED] ?? deps.clock.now();
  const poll = buildFirstPollMessage(message, requestedAt);
  await deps.queue.sendBatch([workMessageEntry(poll, 'poll', message.config.pollIntervalSeconds)]);
}
