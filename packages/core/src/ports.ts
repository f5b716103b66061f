/**
 * What the use cases need from the world, by capability. Adapters implement these over the AWS SDK;
 * tests implement them in memory. Interfaces only.
 */
import type { NotifyEvent } from './domain/config';
import type { DeleteReason, QuotaStatus, Snapshot } from './domain/retention';
import type { RunState } from './domain/run-state';
import type { SendEntry } from './domain/work-message';

// ── configuration ──────────────────────────────────────────────────────────────────────────────────

/** One SSM parameter as read: its full name, raw value and version. */
export interface ConfigParameter {
  readonly name: string;
  readonly value: string;
  readonly version: number;
}

export interface ConfigSource {
  /** Every parameter under `prefix`, recursive, a page at a time: work can start before the last page. */
  pages(prefix: string): AsyncIterable<readonly ConfigParameter[]>;
  /** Every parameter under `prefix` (all pages, recursive). */
  readAll(prefix: string): Promise<ConfigParameter[]>;
}

// ── work queue ─────────────────────────────────────────────────────────────────────────────────────

export interface WorkQueue {
  /**
   * Sends one batch (at most 10 entries, 256 KiB), retrying only the entries that failed; resolves once
   * every entry is accepted, throws a RetryableError naming the entries that still failed.
   */
  sendBatch(entries: readonly SendEntry[]): Promise<void>;
}

// ── Managed Service for Apache Flink ───────────────────────────────────────────────────────────────

/** What the worker needs to know of an application before snapshotting it. */
export interface ApplicationInfo {
  readonly name: string;
  /** ApplicationStatus: RUNNING, READY, STARTING, STOPPING, UPDATING, … */
  readonly status: string;
  readonly versionId: number;
  readonly snapshotsEnabled: boolean;
  /** The snapshot named by a RESTORE_FROM_CUSTOM_SNAPSHOT restore configuration. */
  readonly restoreSnapshotName?: string | undefined;
}

/** Where an application lives: its region and the role to assume to reach it (cross-account). */
export interface FlinkTarget {
  readonly region?: string | undefined;
  readonly roleArn?: string | undefined;
}

export const CreateOutcome = { CREATED: 'created', ALREADY_EXISTS: 'already-exists' } as const;
export type CreateOutcome = (typeof CreateOutcome)[keyof typeof CreateOutcome];

/**
 * Snapshot operations on one target. Errors are domain errors: ApplicationNotFoundError,
 * SnapshotQuotaExceededError, ResourceInUseError, ThrottledError, ServiceUnavailableError, …
 */
export interface FlinkSnapshots {
  describeApplication(application: string): Promise<ApplicationInfo>;
  /** Creates the named snapshot; `already-exists` when a previous delivery created it. */
  createSnapshot(application: string, snapshotName: string): Promise<CreateOutcome>;
  /** The snapshot, or undefined when the application holds none of that name. */
  describeSnapshot(application: string, snapshotName: string): Promise<Snapshot | undefined>;
  /** Every snapshot of the application: all pages, all application versions. */
  listSnapshots(application: string): Promise<Snapshot[]>;
  /** Deletes a snapshot by name and its listed creation timestamp (MSF requires both). */
  deleteSnapshot(application: string, snapshot: Snapshot): Promise<void>;
}

export interface FlinkFleet {
  /** The snapshot operations for a target; implementations cache clients and credentials per target. */
  forTarget(target: FlinkTarget): FlinkSnapshots;
}

// ── runs table ─────────────────────────────────────────────────────────────────────────────────────

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

export interface RunStore {
  /** The scheduling pointer of every application (one Query on the index). */
  readSchedule(): Promise<Map<string, ScheduleEntry>>;
  /**
   * Updates an application's pointer: `lastRunId`/`lastRunAt` move forward only (never backward);
   * `invalidVersion` records the parameter version last reported invalid. Absent fields stay as they are.
   */
  markScheduled(entry: ScheduleEntry & { readonly tenant: string }): Promise<void>;
  /**
   * Records a run's first state. Writes when no run with that key exists, or it is in one of `redoFrom`
   * (a dispatcher retry re-sends a run no worker took yet). Returns false when the run exists otherwise.
   */
  create(run: NewRun, now: number, redoFrom?: readonly RunState[]): Promise<boolean>;
  /**
   * Moves a run from one of `from` to `to` with a conditional write. Returns the run as written, or
   * undefined when it is not in `from` (a duplicate or late delivery found it already advanced).
   */
  transition(
    key: RunKey,
    from: RunState | readonly RunState[],
    to: RunState,
    patch: RunPatch,
    now: number,
  ): Promise<RunRecord | undefined>;
  /** Marks the run's pending alerts published: removes them and records when. */
  clearPendingAlerts(key: RunKey, now: number): Promise<void>;
  /** Counts a poll: true when the run is still SNAPSHOT_REQUESTED with `polls` so far (one poll chain per run). */
  countPoll(key: RunKey, polls: number, now: number): Promise<boolean>;
  get(key: RunKey): Promise<RunRecord | undefined>;
  /** Newest first: one Query on the table. */
  listByApplication(appKey: string, limit: number): Promise<RunRecord[]>;
  /** Every application's run for one tick: one Query on the index (all pages). */
  listByRun(runId: string): Promise<RunRecord[]>;
}

// ── alerts, time, logs, metrics ────────────────────────────────────────────────────────────────────

export const Severity = { INFO: 'info', WARNING: 'warning', CRITICAL: 'critical' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Alert events: a run outcome a config can subscribe to, or a problem no config can opt out of. */
export type AlertEvent = NotifyEvent | 'config-invalid' | 'message-invalid';

export interface Alert {
  readonly event: AlertEvent;
  readonly severity: Severity;
  readonly tenant: string;
  readonly application: string;
  readonly appKey: string;
  readonly runId: string;
  readonly state?: RunState | undefined;
  readonly reason: string;
  readonly error?: RunError | undefined;
  readonly contact?: string | undefined;
}

export interface Alerts {
  publish(alert: Alert): Promise<void>;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const MetricName = {
  DISPATCHED: 'Dispatched',
  CONFIG_INVALID: 'ConfigInvalid',
  SNAPSHOT_CREATED: 'SnapshotCreated',
  SNAPSHOT_READY: 'SnapshotReady',
  RUN_COMPLETED: 'RunCompleted',
  RUN_FAILED: 'RunFailed',
  RUN_TIMED_OUT: 'RunTimedOut',
  RUN_SKIPPED: 'RunSkipped',
  SNAPSHOTS_PRUNED: 'SnapshotsPruned',
  SNAPSHOT_DURATION: 'SnapshotDurationSeconds',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export interface Metrics {
  /** Adds to a count metric (unit Count). */
  count(name: MetricName, value?: number): void;
  /** Records a duration in seconds (unit Seconds). */
  seconds(name: MetricName, value: number): void;
}

/** Everything the use cases need; the composition root (packages/functions/src/deps.ts) builds it. */
export interface Deps {
  readonly configs: ConfigSource;
  readonly queue: WorkQueue;
  readonly flink: FlinkFleet;
  readonly runs: RunStore;
  readonly alerts: Alerts;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: Metrics;
  /** [0, 1): jitter; injected so tests control it. */
  readonly random: () => number;
}
