/**
 * Retention planning: which snapshots of one application to keep and which to delete, and why. Pure:
 * the caller lists every snapshot (all pages, all application versions) and passes `now`.
 *
 * Rules, first match wins, snapshots taken newest first (createdAt, then name):
 *  1. CREATING / DELETING: kept (in-progress). Only READY and FAILED snapshots are ever deleted.
 *  2. The snapshot named in the application's restore configuration: kept (restore-snapshot).
 *  3. A pinned snapshot (context.pinned): kept (pinned).
 *  4. The newest READY snapshot of all, own or foreign: kept (newest-ready).
 *  5. The rollback target, the newest READY snapshot of an application version below the current one:
 *     kept (previous-version), unless retention.keepPreviousVersion is false.
 *  6. Not managed (made by someone else while manage is `own`): kept (foreign).
 *  7. Managed FAILED: deleted (failed-snapshot).
 *  8. Managed READY within `count` and not older than maxAgeDays: kept (within-count); older but ranked
 *     within minCount: kept (min-count-floor).
 *  9. Otherwise, the newest managed READY snapshot of one of a tier's last N periods (those holding one):
 *     kept (tier-hourly, tier-daily, tier-weekly, tier-monthly, tier-yearly).
 * 10. Otherwise deleted: ranked beyond `count` (beyond-count), or older than maxAgeDays (older-than-max-age).
 * What the count rule and the tiers keep is their union. Ranks and periods count every managed READY
 * snapshot, protected ones included, so protection never frees a slot.
 */
import { z } from 'zod';
import { type RetentionPolicy, type RetentionTier, RetentionTier as Tier } from './config';
import { isOwnSnapshotName } from './run-state';
import { type CalendarPeriods, calendarPeriods, UTC } from './time-zone';

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
  PINNED: 'pinned',
  PREVIOUS_VERSION: 'previous-version',
  TIER_HOURLY: 'tier-hourly',
  TIER_DAILY: 'tier-daily',
  TIER_WEEKLY: 'tier-weekly',
  TIER_MONTHLY: 'tier-monthly',
  TIER_YEARLY: 'tier-yearly',
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
  /** Names of pinned snapshots: never deleted. */
  readonly pinned?: ReadonlySet<string> | undefined;
  /** The application's current version (ApplicationVersionId): what "previous version" is judged against. */
  readonly currentApplicationVersionId?: number | undefined;
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

const PERIOD_WORD: Readonly<Record<RetentionTier, keyof CalendarPeriods>> = {
  [Tier.HOURLY]: 'hour',
  [Tier.DAILY]: 'day',
  [Tier.WEEKLY]: 'week',
  [Tier.MONTHLY]: 'month',
  [Tier.YEARLY]: 'year',
};

/** Why a tier keeps a snapshot: the tier, its period, and that period's place among the tier's last N. */
interface TierKeep {
  readonly tier: RetentionTier;
  readonly period: string;
  readonly place: number;
}

/**
 * For each tier with a count N: the newest of `ready` (managed READY, newest first) in each of the N most
 * recent periods that hold one, by index in `ready`. Periods are those of the policy's time zone.
 */
function tierKeeps(ready: readonly Snapshot[], policy: RetentionPolicy): Map<number, TierKeep[]> {
  const keeps = new Map<number, TierKeep[]>();
  const timeZone = policy.timezone ?? UTC;
  const periods: CalendarPeriods[] = [];
  const periodsOf = (index: number) => {
    periods[index] ??= calendarPeriods((ready[index] as Snapshot).createdAt, timeZone);
    return periods[index];
  };
  for (const tier of Object.values(Tier)) {
    const count = policy.tiers?.[tier];
    if (count === undefined) continue;
    const seen = new Set<string>();
    for (let index = 0; index < ready.length; index++) {
      const period = periodsOf(index)[PERIOD_WORD[tier]];
      if (seen.has(period)) continue;
      if (seen.size === count) break;
      seen.add(period);
      keeps.set(index, [...(keeps.get(index) ?? []), { tier, period, place: seen.size }]);
    }
  }
  return keeps;
}

function describeTiers(keeps: readonly TierKeep[], policy: RetentionPolicy): string {
  const timeZone = policy.timezone ?? UTC;
  return keeps
    .map(
      ({ tier, period, place }) =>
        `the newest READY of ${PERIOD_WORD[tier]} ${period} (${timeZone}), ${place} of the last ${policy.tiers?.[tier]} (retention.tiers.${tier})`,
    )
    .join('; also ');
}

/** Plans which snapshots of one application to keep and delete under a retention policy, each with its reason. */
export function planRetention(
  snapshots: readonly Snapshot[],
  policy: RetentionPolicy,
  context: RetentionContext,
): RetentionPlan {
  const newestFirst = [...snapshots].sort((a, b) => compareSnapshots(b, a));
  const isOwn = context.isOwn ?? isOwnSnapshotName;
  const isManaged = (snapshot: Snapshot) => policy.manage === 'all' || isOwn(snapshot.name);
  const isReady = (snapshot: Snapshot) => snapshot.status === SnapshotStatus.READY;
  const newestReady = newestFirst.find(isReady);
  const current = context.currentApplicationVersionId;
  const rollback =
    current === undefined || policy.keepPreviousVersion === false
      ? undefined
      : newestFirst.find((s) => isReady(s) && s.applicationVersionId < current);
  const managedReady = newestFirst.filter((s) => isReady(s) && isManaged(s));
  const byTier = tierKeeps(managedReady, policy);
  const tiered = policy.tiers !== undefined;
  const keep: RetentionDecision<KeepReason>[] = [];
  const remove: RetentionDecision<DeleteReason>[] = [];
  let readyRank = 0;

  for (const snapshot of newestFirst) {
    const managed = isManaged(snapshot);
    const rank = managed && isReady(snapshot) ? ++readyRank : 0;
    const kept = (reason: KeepReason, detail: string) => keep.push({ snapshot, reason, detail });
    const deleted = (reason: DeleteReason, detail: string) => remove.push({ snapshot, reason, detail });
    const age = context.now - snapshot.createdAt;
    const pastMaxAge = policy.maxAgeDays !== undefined && age > policy.maxAgeDays * DAY_MS;

    if (snapshot.status === SnapshotStatus.CREATING || snapshot.status === SnapshotStatus.DELETING) {
      kept(KeepReason.IN_PROGRESS, `status ${snapshot.status}: only READY and FAILED snapshots are deleted`);
    } else if (snapshot.name === context.restoreSnapshotName) {
      kept(KeepReason.RESTORE_SNAPSHOT, "named in the application's restore configuration");
    } else if (context.pinned?.has(snapshot.name) === true) {
      kept(KeepReason.PINNED, 'pinned: never deleted while the pin stands');
    } else if (snapshot === newestReady) {
      kept(KeepReason.NEWEST_READY, 'the newest READY snapshot of the application is never deleted');
    } else if (snapshot === rollback) {
      kept(
        KeepReason.PREVIOUS_VERSION,
        `the rollback target: the newest READY snapshot of a version below the current ${current} (version ${snapshot.applicationVersionId})`,
      );
    } else if (!managed) {
      kept(KeepReason.FOREIGN, 'not made by flink-snapshots and retention.manage is "own"');
    } else if (snapshot.status === SnapshotStatus.FAILED) {
      deleted(DeleteReason.FAILED_SNAPSHOT, 'FAILED snapshots are cleaned up');
    } else if (rank <= policy.count && !pastMaxAge) {
      kept(KeepReason.WITHIN_COUNT, `READY #${rank} newest of retention.count ${policy.count}`);
    } else if (rank <= policy.count && rank <= policy.minCount) {
      kept(
        KeepReason.MIN_COUNT_FLOOR,
        `${days(age)} days old, past retention.maxAgeDays ${policy.maxAgeDays}, but READY #${rank} newest is within retention.minCount ${policy.minCount}`,
      );
    } else {
      const tiers = byTier.get(rank - 1);
      if (tiers !== undefined) {
        kept(`tier-${(tiers[0] as TierKeep).tier}`, describeTiers(tiers, policy));
        continue;
      }
      const untiered = tiered ? '; no retention tier keeps it' : '';
      if (rank > policy.count) {
        deleted(
          DeleteReason.BEYOND_COUNT,
          `READY #${rank} newest, beyond retention.count ${policy.count}${untiered}`,
        );
      } else {
        deleted(
          DeleteReason.OLDER_THAN_MAX_AGE,
          `${days(age)} days old, past retention.maxAgeDays ${policy.maxAgeDays}, and READY #${rank} newest is beyond retention.minCount ${policy.minCount}${untiered}`,
        );
      }
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
