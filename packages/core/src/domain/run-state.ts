/**
 * A run of one application: its states, the only transitions allowed between them, its id (from the
 * schedule tick) and the name of the snapshot it takes. Every transition is a conditional write from
 * the state the table expects, so a redelivered message finds the run already advanced.
 */
import { z } from 'zod';
import { IllegalTransitionError } from './errors';

export const RunState = {
  DISPATCHED: 'DISPATCHED',
  SNAPSHOT_REQUESTED: 'SNAPSHOT_REQUESTED',
  SNAPSHOT_READY: 'SNAPSHOT_READY',
  PRUNED: 'PRUNED',
  COMPLETED: 'COMPLETED',
  SKIPPED: 'SKIPPED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  /** A restore run: the application is stopping (a graceful stop, which takes MSF's own snapshot). */
  STOPPING: 'STOPPING',
  /** A restore run: the application is starting from the restore snapshot. */
  STARTING: 'STARTING',
} as const;

export const RunStateSchema = z.enum(RunState, {
  error: `a run state: ${Object.values(RunState).join(', ')}`,
});
export type RunState = z.infer<typeof RunStateSchema>;

/** What started a run: its schedule, an operator (`flink-snapshots snapshot`), or a restore. */
export const RunTrigger = { SCHEDULE: 'schedule', MANUAL: 'manual', RESTORE: 'restore' } as const;
export type RunTrigger = (typeof RunTrigger)[keyof typeof RunTrigger];

/** The state of a run that does not exist yet: the `from` of its first write. */
export const RUN_START = 'NONE';
export type RunOrigin = RunState | typeof RUN_START;

/**
 * The transition table. From NONE a run is DISPATCHED, or is recorded directly as FAILED (its
 * configuration is invalid) or SKIPPED (its configuration disables it), both by the dispatcher. A restore
 * run goes DISPATCHED → STOPPING → STARTING → COMPLETED (STOPPING skipped for a stopped application).
 */
export const RUN_TRANSITIONS: { readonly [From in RunOrigin]: readonly RunState[] } = {
  [RUN_START]: [RunState.DISPATCHED, RunState.FAILED, RunState.SKIPPED],
  [RunState.DISPATCHED]: [
    RunState.SNAPSHOT_REQUESTED,
    RunState.SKIPPED,
    RunState.FAILED,
    RunState.STOPPING,
    RunState.STARTING,
  ],
  [RunState.SNAPSHOT_REQUESTED]: [RunState.SNAPSHOT_READY, RunState.FAILED, RunState.TIMED_OUT],
  [RunState.SNAPSHOT_READY]: [RunState.PRUNED, RunState.FAILED],
  [RunState.PRUNED]: [RunState.COMPLETED],
  [RunState.STOPPING]: [RunState.STARTING, RunState.FAILED],
  [RunState.STARTING]: [RunState.COMPLETED, RunState.FAILED],
  [RunState.COMPLETED]: [],
  [RunState.SKIPPED]: [],
  [RunState.FAILED]: [],
  [RunState.TIMED_OUT]: [],
};

export const TERMINAL_STATES: readonly RunState[] = [
  RunState.COMPLETED,
  RunState.SKIPPED,
  RunState.FAILED,
  RunState.TIMED_OUT,
];

/** The states (of a run that exists) from which the table allows a move to `to`. */
export function statesLeadingTo(to: RunState): RunState[] {
  return (Object.keys(RUN_TRANSITIONS) as RunOrigin[]).filter(
    (from): from is RunState => from !== RUN_START && RUN_TRANSITIONS[from].includes(to),
  );
}

/** True when the table allows a run in `from` to move to `to`. */
export function canTransition(from: RunOrigin, to: RunState): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** Throws IllegalTransitionError unless the table allows `from` → `to`. */
export function assertTransition(
  from: RunOrigin,
  to: RunState,
  run?: { readonly appKey?: string; readonly runId?: string },
): void {
  if (!canTransition(from, to)) {
    throw new IllegalTransitionError({ from, to, allowed: RUN_TRANSITIONS[from], ...run });
  }
}

/** True for states a run never leaves. */
export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.includes(state);
}

const MINUTE_MS = 60_000;
/** 9999-12-31T23:59:59.999Z: the last instant a four-digit-year runId can name. */
const MAX_TICK_MS = 253_402_300_799_999;
const RUN_ID_PATTERN = /^\d{8}T\d{6}Z$/;

/** The runId of a schedule tick: its UTC minute as `20261122T083000Z` (sorts as time does). */
export function runIdFromTick(tickEpochMs: number): string {
  if (!(Number.isFinite(tickEpochMs) && tickEpochMs >= 0 && tickEpochMs <= MAX_TICK_MS)) {
    throw new RangeError(
      `tick must be epoch milliseconds between 0 and ${MAX_TICK_MS} (years 1970 to 9999), received ${tickEpochMs}`,
    );
  }
  const minute = new Date(Math.floor(tickEpochMs / MINUTE_MS) * MINUTE_MS);
  return minute
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The UTC date and time of `epochMs` to the second, as `20261122T083012` (no zone letter). */
function stampOf(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000)
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '');
}

/** Suffixes of runIds an operator started; a schedule tick's runId has none. */
const OPERATOR_RUN_SUFFIX = { [RunTrigger.MANUAL]: '-now', [RunTrigger.RESTORE]: '-restore' } as const;
type OperatorTrigger = keyof typeof OPERATOR_RUN_SUFFIX;

/**
 * The runId of a run an operator started at `epochMs`: its UTC second and trigger, as
 * `20261122T083012Z-now` (a snapshot now) or `20261122T083012Z-restore`. Never a tick's runId (those have no suffix),
 * and it sorts between the ticks around it; the same request twice within a second names the same run.
 */
export function operatorRunId(trigger: OperatorTrigger, epochMs: number): string {
  runIdFromTick(epochMs);
  return `${stampOf(epochMs)}Z${OPERATOR_RUN_SUFFIX[trigger]}`;
}

/** What a runId says: when (epoch ms) and what started it; undefined for anything else. */
export function parseRunId(runId: string): { readonly at: number; readonly trigger: RunTrigger } | undefined {
  for (const [trigger, suffix] of Object.entries(OPERATOR_RUN_SUFFIX) as [OperatorTrigger, string][]) {
    if (!runId.endsWith(suffix)) continue;
    const stamp = runId.slice(0, -suffix.length);
    const at = timeOf(stamp, true);
    return at === undefined ? undefined : { at, trigger };
  }
  const at = timeOf(runId, false);
  return at === undefined ? undefined : { at, trigger: RunTrigger.SCHEDULE };
}

function timeOf(runId: string, anySecond: boolean): number | undefined {
  if (!RUN_ID_PATTERN.test(runId)) return undefined;
  const digits = (from: number, to: number) => Number(runId.slice(from, to));
  const [year, month, day] = [digits(0, 4), digits(4, 6), digits(6, 8)];
  const [hour, minute, second] = [digits(9, 11), digits(11, 13), digits(13, 15)];
  const tick = Date.UTC(year, month - 1, day, hour, minute, second);
  const at = new Date(tick);
  // Date.UTC rolls over (month 13, 31 February, hour 24) and maps years 0-99 to 1900-1999: compare back.
  const real =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second;
  return real && (anySecond || second === 0) && tick >= 0 ? tick : undefined;
}

function tickOf(runId: string): number | undefined {
  return timeOf(runId, false);
}

/** True for strings runIdFromTick or operatorRunId produce. */
export function isRunId(value: string): boolean {
  return parseRunId(value) !== undefined;
}

/** The tick (epoch ms, on the minute) a schedule runId names; throws RangeError for anything else. */
export function tickFromRunId(runId: string): number {
  const tick = tickOf(runId);
  if (tick === undefined) {
    throw new RangeError(
      `runId ${JSON.stringify(runId)} is not a run id; expected a UTC minute such as 20261122T083000Z`,
    );
  }
  return tick;
}

const RUN_ID_EXPECTED =
  'a run id: a UTC minute such as 20261122T083000Z, or an operator run such as 20261122T083012Z-now';

export const RunIdSchema = z.string({ error: RUN_ID_EXPECTED }).refine(isRunId, { error: RUN_ID_EXPECTED });

/** Prefix of every snapshot this tool creates. */
export const SNAPSHOT_NAME_PREFIX = 'flink-snapshots-';

/** The snapshot a run creates: `flink-snapshots-<runId>`; a retry derives the same name, never a second snapshot. */
export function snapshotName(runId: string): string {
  if (!isRunId(runId)) {
    throw new RangeError(`runId ${JSON.stringify(runId)} is not a run id; expected ${RUN_ID_EXPECTED}`);
  }
  return `${SNAPSHOT_NAME_PREFIX}${runId}`;
}

/**
 * The runId of a snapshot this tool made (a scheduled or a manual run's), or undefined for any other name
 * (a hand-made `flink-snapshots-foo` included; a restore run makes no snapshot).
 */
export function runIdFromSnapshotName(name: string): string | undefined {
  if (!name.startsWith(SNAPSHOT_NAME_PREFIX)) return undefined;
  const runId = name.slice(SNAPSHOT_NAME_PREFIX.length);
  const parsed = parseRunId(runId);
  return parsed !== undefined && parsed.trigger !== RunTrigger.RESTORE ? runId : undefined;
}

/** True for exactly the names snapshotName produces. */
export function isOwnSnapshotName(name: string): boolean {
  return runIdFromSnapshotName(name) !== undefined;
}
