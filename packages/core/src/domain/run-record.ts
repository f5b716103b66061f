/**
 * The run record: one item of the runs table, holding a run's state and its audit trail, and the
 * scheduling pointer each application keeps beside its runs. Plain data: the RunStore port persists it.
 */
import type { Alert } from './alerts';
import type { DeleteReason, QuotaStatus } from './retention';
import type { RunState } from './run-state';

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
  readonly state: RunState;
  /** Epoch ms at which the run entered each state it went through. */
  readonly at: Partial<Record<RunState, number>>;
  readonly snapshotName?: string | undefined;
  /** From the create request to READY as observed by polling (precision: one poll interval). */
  readonly snapshotDurationMs?: number | undefined;
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

/** What the dispatcher needs to schedule an application: its last run, and the last invalid version alerted. */
export interface ScheduleEntry {
  readonly appKey: string;
  readonly lastRunId?: string | undefined;
  /** Tick (epoch ms) of the last run. */
  readonly lastRunAt?: number | undefined;
  /** Version of the parameter last recorded as invalid, so a bad parameter is alerted once per version. */
  readonly invalidVersion?: number | undefined;
}

/** Fields a transition may set besides the state and its timestamp. */
export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'snapshotName'
    | 'snapshotDurationMs'
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
