/**
 * The run record: one item of the runs table, holding a run's state and its audit trail, and the
 * scheduling pointer each application keeps beside its runs. Plain data: the RunStore port persists it.
 */
import type { Alert } from './alerts';
import type { FreshnessRecord } from './freshness';
import type { DeleteReason, KeepReason, QuotaStatus } from './retention';
import type { RunState, RunTrigger } from './run-state';

export interface RunKey {
  /** `<tenant>/<app>` from the parameter name. */
  readonly appKey: string;
  readonly runId: string;
}

export interface DeletedSnapshot {
  readonly name: string;
  readonly createdAt: number;
  readonly applicationVersionId: number;
  readonly reason: DeleteReason;
  readonly detail: string;
}

export interface DeleteFailure {
  readonly name: string;
  readonly createdAt: number;
  readonly reason: DeleteReason;
  /** The error, with what failed and why. */
  readonly error: string;
}

export interface PruneRecord {
  readonly dryRun: boolean;
  /** Deleted (or, in a dry run, that would have been deleted), oldest first. */
  readonly deleted: readonly DeletedSnapshot[];
  readonly failed: readonly DeleteFailure[];
  /** Planned deletions not attempted because the invocation ran out of time; the next run retries them. */
  readonly deferred: number;
  readonly kept: number;
  /** Why each kept snapshot was kept: a count per reason and the names of the newest few (bounded). */
  readonly keptBy?: Partial<
    Record<KeepReason, { readonly count: number; readonly names: readonly string[] }>
  >;
  /** Creation time of the newest READY snapshot of any maker seen in the listing (epoch ms). */
  readonly newestReadyAt?: number | undefined;
  readonly quota: QuotaStatus;
}

export interface RunError {
  readonly name: string;
  readonly message: string;
}

/** One item of the runs table: the state of a run and its audit trail. */
export interface RunRecord extends RunKey {
  readonly tenant: string;
  readonly application: string;
  readonly parameter?: string | undefined;
  /** What started the run (absent on runs recorded before triggers were: the schedule). */
  readonly trigger?: RunTrigger | undefined;
  readonly state: RunState;
  /** Epoch ms at which the run entered each state it went through. */
  readonly at: Partial<Record<RunState, number>>;
  readonly snapshotName?: string | undefined;
  /**
   * From the create request to READY, bounded by the polls: at least `snapshotDurationMinMs` (the last poll
   * that saw it CREATING), at most `snapshotDurationMs` (the first poll that saw it READY).
   */
  readonly snapshotDurationMs?: number | undefined;
  readonly snapshotDurationMinMs?: number | undefined;
  readonly restoreSnapshotName?: string | undefined;
  readonly applicationVersionId?: number | undefined;
  /** Polls that found the snapshot still CREATING (the final poll is not counted). */
  readonly polls?: number | undefined;
  readonly prune?: PruneRecord | undefined;
  /** Why the run ended as it did (SKIPPED, FAILED, TIMED_OUT), in words. */
  readonly reason?: string | undefined;
  readonly error?: RunError | undefined;
  /** Things worth knowing that did not change the outcome (e.g. SnapshotsEnabled is false). */
  readonly notes?: readonly string[] | undefined;
  /** Deliveries of the run's messages that failed retryably (SQS redelivered them), and the last error. */
  readonly attempts?: number | undefined;
  readonly lastRetryableError?: RunError | undefined;
  /** Times the dispatcher sent the run's snapshot message again because it never reached a worker. */
  readonly resends?: number | undefined;
  /** While DISPATCHED: waiting until then (epoch ms) for the application to settle, and why. */
  readonly deferredUntil?: number | undefined;
  readonly deferredReason?: string | undefined;
  /**
   * Alerts decided with the run's last write and not yet published: the delivery that wrote them
   * publishes and clears them, and one that finds them still here (the first died) publishes them again.
   * So an alert reaches SNS at least once.
   */
  readonly pendingAlerts?: readonly Alert[] | undefined;
  /** When the run's alerts were last published (epoch ms). */
  readonly alertedAt?: number | undefined;
  readonly updatedAt: number;
  /** Epoch seconds at which DynamoDB's TTL removes the item. */
  readonly expiresAt: number;
}

/** How a run ended, as the application's pointer remembers its last one. */
export interface EndedRun {
  readonly runId: string;
  readonly state: RunState;
  /** Epoch ms. */
  readonly at: number;
  readonly reason?: string | undefined;
}

/**
 * An application's pointer: what the dispatcher needs to schedule it (its last run), to tell whether it is
 * recoverable (its newest READY snapshot, its stale episode), to alert an invalid parameter once, and to
 * find a run that never reached the queue (the last run that ended).
 */
export interface ScheduleEntry extends FreshnessRecord {
  readonly appKey: string;
  readonly lastRunId?: string | undefined;
  /** Tick (epoch ms) of the last run. */
  readonly lastRunAt?: number | undefined;
  /** Digest of the parameter value and problems last alerted as invalid: alerted once per distinct value. */
  readonly invalidDigest?: string | undefined;
  /** The last run that ended, as the worker (or the dispatcher, for runs it ends itself) recorded it. */
  readonly lastEnded?: EndedRun | undefined;
  /** Recent snapshot durations (ms, upper bounds), oldest first: when to look for the next one. */
  readonly durationsMs?: readonly number[] | undefined;
  /** The application's next slot after its last dispatched tick (epoch ms): its next trigger. */
  readonly nextSlotAt?: number | undefined;
}

/** Fields a transition may set besides the state and its timestamp. */
export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'snapshotName'
    | 'snapshotDurationMs'
    | 'snapshotDurationMinMs'
    | 'restoreSnapshotName'
    | 'applicationVersionId'
    | 'prune'
    | 'reason'
    | 'error'
    | 'notes'
    | 'pendingAlerts'
  >
>;

export type NewRun = Omit<RunRecord, 'at' | 'updatedAt' | 'expiresAt' | 'polls'>;
