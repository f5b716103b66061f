/**
 * Retention planning: which snapshots of one application to keep and which to delete, and why. Pure:
 * the caller lists every snapshot (all pages, all application versions) and passes `now`.
 *
 * Rules, first match wins, snapshots taken newest first (createdAt, then name):
 *  1. CREATING / DELETING: kept (in-progress). Only READY and FAILED snapshots are ever deleted.
 *  2. The snapshot named in the application's restore configuration: kept (restore-snapshot).
 *  3. The newest READY snapshot of all, own or foreign: kept (newest-ready).
 *  4. Not managed (made by someone else while manage is `own`): kept (foreign).
 *  5. Managed FAILED: deleted (failed-snapshot).
 *  6. Managed READY ranked `count` or beyond among managed READY ones: deleted (beyond-count).
 *  7. Managed READY older than maxAgeDays: kept when ranked below minCount (min-count-floor), else
 *     deleted (older-than-max-age).
 *  8. Otherwise: kept (within-count).
 * Ranks count every managed READY snapshot, protected ones included, so protection never frees a slot.
 */
import { z } from 'zod';
import type { RetentionPolicy } from './config';
import { isOwnSnapshotName } from './run-state';

export const SnapshotStatus = {
  CREATING: 'CREATING',
  READY: 'READY',
  DELETING: 'DELETING',
  FAILED: 'FAILED',
} as const;

export const SnapshotSchema = z.object({
  name: z.string(),
  status: z.enum(SnapshotStatus),
  /** Epoch milliseconds (SnapshotCreationTimestamp). */
  createdAt: z.number(),
  applicationVersionId: z.number(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;
export type SnapshotStatus = Snapshot['status'];

/** MSF's per-application snapshot limit. */
export const SNAPSHOT_QUOTA = 1000;
/** Share of the quota from which a warning is raised. */
export const QUOTA_WARNING_RATIO = 0.8;

export const KeepReason = {
  IN_PROGRESS: 'in-progress',
  RESTORE_SNAPSHOT: 'restore-snapshot',
  NEWEST_READY: 'newest-ready',
  FOREIGN: 'foreign',
  WITHIN_COUNT: 'within-count',
  MIN_COUNT_FLOOR: 'min-count-floor',
} as const;
export type KeepReason = (typeof KeepReason)[keyof typeof KeepReason];

export const DeleteReason = {
  FAILED_SNAPSHOT: 'failed-snapshot',
  BEYOND_COUNT: 'beyond-count',
  OLDER_THAN_MAX_AGE: 'older-than-max-age',
} as const;
export type DeleteReason = (typeof DeleteReason)[keyof typeof DeleteReason];

export interface RetentionDecision<Reason extends string> {
  readonly snapshot: Snapshot;
  readonly reason: Reason;
  /** The same reason in words, with the numbers that decided it. */
  readonly detail: string;
}

export interface QuotaStatus {
  /** Every snapshot the application holds, whatever its state or maker. */
  readonly total: number;
  readonly limit: number;
  /** total / limit, at most 1. */
  readonly used: number;
  /** From QUOTA_WARNING_RATIO of the limit. */
  readonly warning: boolean;
  /** At the limit: CreateApplicationSnapshot fails. */
  readonly full: boolean;
  /** total once the planned deletions are done. */
  readonly afterPrune: number;
}

export interface RetentionPlan {
  /** Oldest first. */
  readonly keep: readonly RetentionDecision<KeepReason>[];
  /** Oldest first: the order to delete in. */
  readonly delete: readonly RetentionDecision<DeleteReason>[];
  readonly quota: QuotaStatus;
  /** The policy's dryRun: the caller reports `delete` and deletes nothing. */
  readonly dryRun: boolean;
}

export interface RetentionContext {
  /** Epoch milliseconds. */
  readonly now: number;
  /** The snapshot the application restores from (ApplicationRestoreConfiguration.SnapshotName). */
  readonly restoreSnapshotName?: string | undefined;
  /** Whether this tool made the snapshot; default: isOwnSnapshotName. */
  readonly isOwn?: ((name: string) => boolean) | undefined;
}

const DAY_MS = 86_400_000;

/** Orders by creation time, then name: MSF documents no order of its own. */
export function compareSnapshots(a: Snapshot, b: Snapshot): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}

function days(ms: number): string {
  return (ms / DAY_MS).toFixed(1);
}

/** Plans which snapshots of one application to keep and delete under a retention policy, each with its reason. */
export function planRetention(
  snapshots: readonly Snapshot[],
  policy: RetentionPolicy,
  context: RetentionContext,
): RetentionPlan {
  const newestFirst = [...snapshots].sort((a, b) => compareSnapshots(b, a));
  const isOwn = context.isOwn ?? isOwnSnapshotName;
  const newestReady = newestFirst.find((s) => s.status === SnapshotStatus.READY);
  const keep: RetentionDecision<KeepReason>[] = [];
  const remove: RetentionDecision<DeleteReason>[] = [];
  let readyRank = 0;

  for (const snapshot of newestFirst) {
    const managed = policy.manage === 'all' || isOwn(snapshot.name);
    const rank = managed && snapshot.status === SnapshotStatus.READY ? ++readyRank : 0;
    const kept = (reason: KeepReason, detail: string) => keep.push({ snapshot, reason, detail });
    const deleted = (reason: DeleteReason, detail: string) => remove.push({ snapshot, reason, detail });
    const age = context.now - snapshot.createdAt;

    if (snapshot.status === SnapshotStatus.CREATING || snapshot.status === SnapshotStatus.DELETING) {
      kept(KeepReason.IN_PROGRESS, `status ${snapshot.status}: only READY and FAILED snapshots are deleted`);
    } else if (snapshot.name === context.restoreSnapshotName) {
      kept(KeepReason.RESTORE_SNAPSHOT, "named in the application's restore configuration");
    } else if (snapshot === newestReady) {
      kept(KeepReason.NEWEST_READY, 'the newest READY snapshot of the application is never deleted');
    } else if (!managed) {
      kept(KeepReason.FOREIGN, 'not made by flink-snapshots and retention.manage is "own"');
    } else if (snapshot.status === SnapshotStatus.FAILED) {
      deleted(DeleteReason.FAILED_SNAPSHOT, 'FAILED snapshots are cleaned up');
    } else if (rank > policy.count) {
      deleted(DeleteReason.BEYOND_COUNT, `READY #${rank} newest, beyond retention.count ${policy.count}`);
    } else if (policy.maxAgeDays !== undefined && age > policy.maxAgeDays * DAY_MS) {
      if (rank <= policy.minCount) {
        kept(
          KeepReason.MIN_COUNT_FLOOR,
          `${days(age)} days old, past retention.maxAgeDays ${policy.maxAgeDays}, but READY #${rank} newest is within retention.minCount ${policy.minCount}`,
        );
      } else {
        deleted(
          DeleteReason.OLDER_THAN_MAX_AGE,
          `${days(age)} days old, past retention.maxAgeDays ${policy.maxAgeDays}, and READY #${rank} newest is beyond retention.minCount ${policy.minCount}`,
        );
      }
    } else {
      kept(KeepReason.WITHIN_COUNT, `READY #${rank} newest of retention.count ${policy.count}`);
    }
  }

  const total = snapshots.length;
  return {
    keep: keep.reverse(),
    delete: remove.reverse(),
    quota: {
      total,
      limit: SNAPSHOT_QUOTA,
      used: Math.min(1, total / SNAPSHOT_QUOTA),
      warning: total >= SNAPSHOT_QUOTA * QUOTA_WARNING_RATIO,
      full: total >= SNAPSHOT_QUOTA,
      afterPrune: total - remove.length,
    },
    dryRun: policy.dryRun,
  };
}
