import { MetricName } from '../domain/alerts';
import type { AppConfig } from '../domain/config';
import { type KeepReason, planRetention, type RetentionPlan, SnapshotStatus } from '../domain/retention';
import type { DeletedSnapshot, DeleteFailure, PruneRecord } from '../domain/run-record';
import type { Deps, FlinkSnapshots } from '../ports';
import { runError } from './notify';

export interface PruneInput {
  readonly config: AppConfig;
  readonly flink: FlinkSnapshots;
  readonly restoreSnapshotName?: string | undefined;
  /** The application's current version: retention keeps a READY snapshot of the previous one. */
  readonly applicationVersionId?: number | undefined;
  /** Real milliseconds left in this invocation; deletions stop with a margin and the rest is deferred. */
  readonly remainingMs: () => number;
}

/** Time kept back for the writes that follow pruning. */
const SAFETY_MARGIN_MS = 10_000;

/**
 * Lists every snapshot of the application, plans retention and deletes what the plan says, oldest first,
 * one at a time (MSF publishes no rate limit for its control plane). A failed delete is recorded and the
 * others go on; a dry run deletes nothing and records what would have been deleted.
 */
export async function pruneSnapshots(
  deps: Pick<Deps, 'clock' | 'log' | 'metrics' | 'runs'>,
  input: PruneInput,
): Promise<PruneRecord> {
  const { config, flink } = input;
  const snapshots = await flink.listSnapshots(config.applicationName);
  const plan = planRetention(snapshots, config.retention, {
    now: deps.clock.now(),
    restoreSnapshotName: input.restoreSnapshotName,
    pinned: await deps.runs.pinsOf(config.appKey),
    currentApplicationVersionId: input.applicationVersionId,
  });
  const deleted: DeletedSnapshot[] = [];
  const failed: DeleteFailure[] = [];
  let deferred = 0;
  for (const [index, decision] of plan.delete.entries()) {
    const { snapshot, reason, detail } = decision;
    const record: DeletedSnapshot = {
      name: snapshot.name,
      createdAt: snapshot.createdAt,
      applicationVersionId: snapshot.applicationVersionId,
      reason,
      detail,
    };
    if (plan.dryRun) {
      deleted.push(record);
      continue;
    }
    if (input.remainingMs() < SAFETY_MARGIN_MS) {
      deferred = plan.delete.length - index;
      deps.log.warn('pruning deferred', { deferred, reason: 'invocation running out of time' });
      break;
    }
    try {
      await flink.deleteSnapshot(config.applicationName, snapshot);
      deleted.push(record);
    } catch (error) {
      deps.log.warn('snapshot delete failed', { snapshot: snapshot.name, error: runError(error) });
      failed.push({
        name: snapshot.name,
        createdAt: snapshot.createdAt,
        reason,
        error: runError(error).message,
      });
    }
  }
  if (!plan.dryRun) deps.metrics.count(MetricName.SNAPSHOTS_PRUNED, deleted.length);
  const ready = snapshots.filter((s) => s.status === SnapshotStatus.READY).map((s) => s.createdAt);
  return {
    dryRun: plan.dryRun,
    deleted,
    failed,
    deferred,
    kept: plan.keep.length,
    keptBy: keptByReason(plan.keep),
    newestReadyAt: ready.length === 0 ? undefined : Math.max(...ready),
    quota: plan.quota,
  };
}

/** Names kept per reason in a run's record: the newest few, so the item stays small. */
const KEPT_NAMES = 5;

/** The kept snapshots by reason: how many, and the newest few names. */
function keptByReason(keep: RetentionPlan['keep']): NonNullable<PruneRecord['keptBy']> {
  const byReason: Partial<Record<KeepReason, { count: number; names: string[] }>> = {};
  // The plan lists the kept oldest first; walk it newest first so the names are the newest.
  for (const { snapshot, reason } of [...keep].reverse()) {
    const entry = byReason[reason] ?? { count: 0, names: [] };
    byReason[reason] = entry;
    entry.count++;
    if (entry.names.length < KEPT_NAMES) entry.names.push(snapshot.name);
  }
  return byReason;
}
