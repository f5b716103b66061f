/**
 * What the use cases need from the world, by capability. Adapters implement these over the AWS SDK;
 * tests implement them in memory. Interfaces only.
 */
import type { Alert, MetricName } from './domain/alerts';
import type { MaintenanceWindow } from './domain/maintenance';
import type { Snapshot } from './domain/retention';
import type {
  EndedRun,
  NewRun,
  RunError,
  RunKey,
  RunPatch,
  RunRecord,
  ScheduleEntry,
} from './domain/run-record';
import type { RunState } from './domain/run-state';
import type { SendEntry } from './domain/work-message';

// ── configuration ──────────────────────────────────────────────────────────────────────────────────

/** One SSM parameter as read: its full name, raw value, version and type. */
export interface ConfigParameter {
  readonly name: string;
  readonly value: string;
  readonly version: number;
  /** String, StringList or SecureString (read without decryption); absent when the source does not say. */
  readonly type?: string | undefined;
}

export interface ConfigSource {
  /** One parameter by its full name, or undefined when there is none. */
  get(name: string): Promise<ConfigParameter | undefined>;
  /** Every parameter under `prefix`, recursive, a page at a time: work can start before the last page. */
  pages(prefix: string): AsyncIterable<readonly ConfigParameter[]>;
  /** Every parameter under `prefix` (all pages, recursive). */
  readAll(prefix: string): Promise<ConfigParameter[]>;
}

/** Writes configuration parameters: the command line's `config put`, never the Lambdas. */
export interface ConfigWriter {
  /** Writes (or overwrites) a String parameter; resolves to its new version. */
  put(name: string, value: string): Promise<number>;
}

// ── work queue ─────────────────────────────────────────────────────────────────────────────────────

export interface WorkQueue {
  /**
   * Sends one batch (at most 10 entries, 256 KiB), retrying only the entries that failed; resolves once
   * every entry is accepted, throws a RetryableError naming the entries that still failed.
   */
  sendBatch(entries: readonly SendEntry[]): Promise<void>;
}

/** A message of the dead-letter queue, read without being consumed. */
export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  /** SQS's ApproximateReceiveCount: the work queue's receives, plus the reads of the DLQ itself. */
  readonly receiveCount: number;
  /** When the message was first sent (epoch ms), as SQS reports it. */
  readonly sentAt?: number | undefined;
}

/** A move of the dead letters back to the work queue, as SQS reports it (ListMessageMoveTasks). */
export interface RedriveTask {
  readonly taskHandle?: string | undefined;
  /** RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED. */
  readonly status: string;
  readonly moved: number;
  /** Messages in the DLQ when the task started. */
  readonly toMove?: number | undefined;
  readonly startedAt?: number | undefined;
  readonly failureReason?: string | undefined;
}

/** The work queue's dead-letter queue, for operators: look without consuming, move back. */
export interface DeadLetterQueue {
  /** Up to `max` dead letters, each once, without deleting any (they become visible again at once). */
  peek(max: number): Promise<DeadLetter[]>;
  /** Messages in the queue (ApproximateNumberOfMessages, visible and not). */
  depth(): Promise<number>;
  /** Starts moving every dead letter back to the work queue (StartMessageMoveTask). */
  redrive(): Promise<RedriveTask>;
  /** The most recent move tasks, newest first (ListMessageMoveTasks). */
  redriveTasks(): Promise<RedriveTask[]>;
}

// ── Managed Service for Apache Flink ───────────────────────────────────────────────────────────────

/** What the worker needs to know of an application before snapshotting it. */
export interface ApplicationInfo {
  readonly name: string;
  /** The application's ARN: what its tags are read by. */
  readonly arn: string;
  /** ApplicationStatus: RUNNING, READY, STARTING, STOPPING, UPDATING, … */
  readonly status: string;
  readonly versionId: number;
  readonly snapshotsEnabled: boolean;
  /** MSF's daily maintenance window, when DescribeApplication reports one. */
  readonly maintenanceWindow?: MaintenanceWindow | undefined;
  /** The snapshot named by a RESTORE_FROM_CUSTOM_SNAPSHOT restore configuration. */
  readonly restoreSnapshotName?: string | undefined;
  /** ApplicationRestoreType of its run configuration (how its next start restores), when described. */
  readonly restoreType?: string | undefined;
  /** FlinkRunConfiguration.AllowNonRestoredState, when described. */
  readonly allowNonRestoredState?: boolean | undefined;
}

/** How StartApplication restores the application's state. */
export interface StartOptions {
  /** RESTORE_FROM_CUSTOM_SNAPSHOT from this snapshot; absent: the application's own restore configuration. */
  readonly restoreFromSnapshot?: string | undefined;
  /** FlinkRunConfiguration.AllowNonRestoredState: state the program no longer maps may be dropped. */
  readonly allowNonRestoredState: boolean;
}

/**
 * Where an application lives (its region, and the role to assume to reach it in another account) and
 * the tenant every call on it is made for: calls go through a session tagged with that tenant.
 */
export interface FlinkTarget {
  readonly tenant: string;
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
  /** The application's tags, by key (ListTagsForResource). */
  listTags(applicationArn: string): Promise<Record<string, string>>;
  /** StopApplication, graceful (Force false): MSF takes a snapshot first when snapshots are enabled. */
  stopApplication(application: string): Promise<void>;
  /** StartApplication of a READY application with the given run configuration. */
  startApplication(application: string, options: StartOptions): Promise<void>;
}

export interface FlinkFleet {
  /** The snapshot operations for a target; implementations cache clients and credentials per target. */
  forTarget(target: FlinkTarget): FlinkSnapshots;
}

// ── runs table ─────────────────────────────────────────────────────────────────────────────────────

/** What the dispatcher writes on an application's pointer (see RunStore.markScheduled). */
export interface PointerUpdate {
  readonly appKey: string;
  readonly tenant: string;
  readonly lastRunId?: string | undefined;
  readonly lastRunAt?: number | undefined;
  /** Set when the pointer is first written; never changed after. */
  readonly firstSeenAt?: number | undefined;
  readonly invalidDigest?: string | undefined;
  /** The start of a stale episode, or null when it ended. */
  readonly staleSince?: number | null | undefined;
  readonly durationsMs?: readonly number[] | undefined;
  readonly nextSlotAt?: number | undefined;
}

export interface RunStore {
  /** The scheduling pointer of every application (one Query on the index). */
  readSchedule(): Promise<Map<string, ScheduleEntry>>;
  /**
   * The dispatcher's update of an application's pointer: `lastRunId`/`lastRunAt` move forward only;
   * `firstSeenAt` is set once; `invalidDigest`, `staleSince` (null removes it) and `durationsMs` are set
   * whenever given. Absent fields stay as they are.
   */
  markScheduled(update: PointerUpdate): Promise<void>;
  /**
   * Records how a run ended on its application's pointer, unless the pointer already names a later ending;
   * `readyAt` (the newest READY snapshot seen) and `durationMs` (appended to `durationsMs`) when known.
   */
  recordEnding(
    key: { readonly appKey: string; readonly tenant: string },
    ending: EndedRun & { readonly readyAt?: number | undefined; readonly durationMs?: number | undefined },
  ): Promise<void>;
  /**
   * Deletes the pointer of an application whose parameter is gone, unless it holds pins or a restore
   * point (an operator's decision outlives the parameter). True when it was deleted.
   */
  forget(appKey: string): Promise<boolean>;
  /** Names of the application's pinned snapshots, which retention never deletes (a strongly consistent read). */
  pinsOf(appKey: string): Promise<ReadonlySet<string>>;
  /** Pins (or unpins) a snapshot of an application: retention keeps it, reason `pinned`. */
  setPinned(
    key: { readonly appKey: string; readonly tenant: string },
    snapshot: string,
    pinned: boolean,
  ): Promise<void>;
  /**
   * Makes `snapshot` the application's restore point, which pinsOf includes (retention keeps it, reason
   * `pinned`), apart from the pins setPinned manages; returns the restore point it replaces, pinned no more
   * as one (still pinned if setPinned pinned it too).
   */
  setRestorePoint(
    key: { readonly appKey: string; readonly tenant: string },
    snapshot: string,
  ): Promise<string | undefined>;
  /** Counts a delivery of the run's messages that failed retryably, with its error. */
  noteRetry(key: RunKey, error: RunError, now: number): Promise<void>;
  /** Records that a DISPATCHED run waits until `until` and why; false when the run is no longer DISPATCHED. */
  defer(key: RunKey, until: number, reason: string, now: number): Promise<boolean>;
  /**
   * Counts a resend of a DISPATCHED run's snapshot message: true for the one caller that finds `resends`
   * resends so far (a repeated tick does not resend twice); false when the run has moved on.
   */
  countResend(key: RunKey, resends: number, now: number): Promise<boolean>;
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

export interface Metrics {
  /** Adds to a count metric (unit Count). */
  count(name: MetricName, value?: number): void;
  /** Records a duration in seconds (unit Seconds). */
  seconds(name: MetricName, value: number): void;
  /** Records a value of another unit (Percent, or None for minutes, which CloudWatch has no unit for). */
  gauge(name: MetricName, value: number, unit: 'Percent' | 'None'): void;
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
