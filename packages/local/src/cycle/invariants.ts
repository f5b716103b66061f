/**
 * The product's invariants (README, "How it works"), checked after a cycle against what the runs table, the DLQ and the
 * simulated fleet say. `npm start` exits non-zero when one breaks; the end-to-end tests assert them.
 */
import {
  type AppConfig,
  type ConfigError,
  configPathPrefix,
  isOwnSnapshotName,
  isTerminal,
  parseAppConfig,
  RunState,
  type Snapshot,
  snapshotName,
} from '@flink-snapshots/core';
import type { SnapshotEvent } from '../services/kinesis-analytics/model';
import type { CycleResult } from './cycle';

export interface InvariantCheck {
  readonly id: number;
  readonly name: string;
  /** False only when the invariant was checked and broken. */
  readonly ok: boolean;
  /** False when this process could not check it (the report then says so instead of "ok"). */
  readonly checked: boolean;
  /** What broke it, or what was checked. */
  readonly detail: readonly string[];
}

/** The simulator's history of an application's snapshots, when it runs in this process. */
export interface FleetHistory {
  snapshotEvents(application: string): readonly SnapshotEvent[];
}

/** An application's history; none for one the simulator does not hold (a configuration naming no application). */
function eventsOf(history: FleetHistory, application: string): readonly SnapshotEvent[] {
  try {
    return history.snapshotEvents(application);
  } catch {
    return [];
  }
}

export interface Fleetwide {
  readonly valid: readonly AppConfig[];
  readonly invalid: readonly { readonly parameter: string; readonly error: ConfigError }[];
  /** Every snapshot of each valid application after the cycle, by appKey. */
  readonly snapshots: ReadonlyMap<string, readonly Snapshot[]>;
}

/** Reads what the checks compare against: the configurations and every application's snapshots now. */
export async function readFleet(result: CycleResult, stage: string, tickMinutes: number): Promise<Fleetwide> {
  const parameters = await result.adapters.configs.readAll(configPathPrefix(stage));
  const valid: AppConfig[] = [];
  const invalid: Array<{ parameter: string; error: ConfigError }> = [];
  for (const parameter of parameters) {
    const parsed = parseAppConfig(parameter.name, parameter.value, { stage, tickMinutes });
    if (parsed.ok) valid.push(parsed.config);
    else invalid.push({ parameter: parameter.name, error: parsed.error });
  }
  const snapshots = new Map<string, readonly Snapshot[]>();
  for (const config of valid) {
    try {
      snapshots.set(
        config.appKey,
        await result.adapters.flink.forTarget(config).listSnapshots(config.applicationName),
      );
    } catch {
      // An application that is gone, or a role that cannot be assumed, has no snapshots to check.
      snapshots.set(config.appKey, []);
    }
  }
  return { valid, invalid, snapshots };
}

/** Checks invariants 1 to 5 (README, "How it works") for one cycle. */
export function checkInvariants(
  result: CycleResult,
  fleet: Fleetwide,
  history?: FleetHistory,
): InvariantCheck[] {
  const runs = new Map(result.runs.map((run) => [run.appKey, run]));
  const deadLettered = new Set(result.deadLetters.map((d) => d.appKey));
  const checks: InvariantCheck[] = [];

  // 1. Every dispatched application ends terminal, or its message is in the DLQ (whose alarm then fires).
  const open = result.runs.filter((run) => !isTerminal(run.state));
  const lost = open.filter((run) => !deadLettered.has(run.appKey));
  checks.push({
    id: 1,
    name: 'every dispatched application ends in one terminal state, or sits in the DLQ with an alarm',
    ok: lost.length === 0 && !result.unfinished,
    checked: true,
    detail: [
      ...lost.map((run) => `${run.appKey} is ${run.state}, not terminal, and not in the DLQ`),
      ...(result.unfinished ? ['the cycle did not finish within its time bound'] : []),
      ...(result.deadLetters.length > 0
        ? [`DLQ alarm: ${result.deadLetters.length} message(s) in the DLQ`]
        : []),
    ],
  });

  // 2. At most one snapshot per application per run.
  const twice: string[] = [];
  const name = snapshotName(result.runId);
  for (const config of fleet.valid) {
    const created = history
      ? eventsOf(history, config.applicationName).filter(
          (e) => e.type === 'created' && e.snapshotName === name,
        ).length
      : (fleet.snapshots.get(config.appKey) ?? []).filter((s) => s.name === name).length;
    if (created > 1) twice.push(`${config.appKey}: ${created} snapshots named ${name}`);
  }
  checks.push({
    id: 2,
    name: 'at most one snapshot per application per run',
    ok: twice.length === 0,
    checked: true,
    detail: history
      ? twice
      : [...twice, 'checked on the snapshots listed now (no simulator history in this process)'],
  });

  // 3. No CREATING snapshot, newest READY or restore snapshot is ever deleted.
  const forbidden: string[] = [];
  if (history) {
    for (const config of fleet.valid) {
      for (const event of eventsOf(history, config.applicationName)) {
        if (event.type !== 'deleted' || event.at < result.startedAt) continue;
        const why = [
          event.status === 'CREATING' || event.status === 'DELETING' ? `it was ${event.status}` : undefined,
          event.newestReady ? 'it was the newest READY snapshot' : undefined,
          event.restoreSnapshot ? 'it was the restore snapshot' : undefined,
        ].filter((w) => w !== undefined);
        if (why.length > 0)
          forbidden.push(`${config.appKey}: deleted ${event.snapshotName} although ${why.join(' and ')}`);
      }
    }
  }
  checks.push({
    id: 3,
    name: 'no CREATING snapshot, newest READY or restore snapshot is deleted',
    ok: forbidden.length === 0,
    checked: history !== undefined,
    detail: history ? forbidden : ['not checked: needs the simulator in this process (npm start)'],
  });

  // 4. After a COMPLETED run, no more managed READY snapshots than the policy keeps.
  const over: string[] = [];
  for (const config of fleet.valid) {
    const run = runs.get(config.appKey);
    if (run?.state !== RunState.COMPLETED || run.prune?.dryRun) continue;
    const managed = (fleet.snapshots.get(config.appKey) ?? []).filter(
      (s) => s.status === 'READY' && (config.retention.manage === 'all' || isOwnSnapshotName(s.name)),
    );
    const restoreKept = managed.some((s) => s.name === run.restoreSnapshotName) ? 1 : 0;
    const unfinishedDeletes = (run.prune?.failed.length ?? 0) + (run.prune?.deferred ?? 0);
    // What else the policy may keep beyond `count`: the rollback target of the previous version, the
    // newest snapshot of each tier period (at most the sum of the tiers' counts), and the pinned ones.
    const previousVersion = config.retention.keepPreviousVersion === false ? 0 : 1;
    const tiers = Object.values(config.retention.tiers ?? {}).reduce<number>((sum, n) => sum + (n ?? 0), 0);
    const pinned = run.prune?.keptBy?.pinned?.count ?? 0;
    const allowed =
      config.retention.count + restoreKept + previousVersion + tiers + pinned + unfinishedDeletes;
    if (managed.length > allowed) {
      over.push(`${config.appKey}: ${managed.length} managed READY snapshots, policy keeps ${allowed}`);
    }
  }
  checks.push({
    id: 4,
    name: 'after a COMPLETED run, no more managed READY snapshots than the policy keeps',
    ok: over.length === 0,
    checked: true,
    detail: over,
  });

  // 5. One bad parameter, application or message never blocks the others.
  const blocked: string[] = [];
  for (const { parameter, error } of fleet.invalid) {
    const run = runs.get(error.appKey ?? parameter);
    if (run !== undefined && run.state !== RunState.FAILED) {
      blocked.push(`${parameter} is invalid but its run is ${run.state}, expected FAILED`);
    }
  }
  const validRuns = fleet.valid.filter((config) => runs.has(config.appKey)).length;
  const expected = result.dispatch.due + result.dispatch.disabled;
  if (validRuns < expected) {
    blocked.push(
      `${expected} applications were due or disabled, but only ${validRuns} have a run for ${result.runId}`,
    );
  }
  checks.push({
    id: 5,
    name: 'one bad parameter, application or message never blocks the others',
    ok: blocked.length === 0,
    checked: true,
    detail: blocked,
  });
  return checks;
}
