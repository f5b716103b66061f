import { RestoreRefusedError } from '../domain/errors';
import { type Snapshot, SnapshotStatus } from '../domain/retention';
import type { RunKey, RunRecord } from '../domain/run-record';
import {
  operatorRunId,
  RunState,
  RunTrigger,
  runIdFromSnapshotName,
  statesLeadingTo,
} from '../domain/run-state';
import type { ApplicationInfo, Deps, FlinkSnapshots, FlinkTarget } from '../ports';
import { describeBoundApplication, readApplicationConfig } from './application-access';
import type { PipelineSettings } from './dispatch';
import { sleepFor } from './manual-run';
import { runError } from './notify';

/** Which snapshot to restore: one by name, the newest READY one, or the newest READY one created before a time. */
export type RestoreSelector =
  | { readonly snapshot: string }
  | { readonly latest: true }
  | { readonly before: number };

export interface PlanRestoreInput extends PipelineSettings {
  /** `<tenant>/<app>`, as the parameter name spells it. */
  readonly appKey: string;
  readonly selector: RestoreSelector;
  /** Epoch ms: the snapshot's age is measured from it. */
  readonly now: number;
}

/** What a restore would do, for an operator to read before confirming it; restoreApplication carries it out. */
export interface RestorePlan {
  readonly appKey: string;
  readonly tenant: string;
  readonly application: string;
  /** Where the application lives and the tenant whose session every call is made in. */
  readonly target: FlinkTarget;
  readonly selector: RestoreSelector;
  readonly snapshot: {
    readonly name: string;
    /** Epoch ms. */
    readonly createdAt: number;
    readonly ageMs: number;
    readonly applicationVersionId: number;
    /** The run that made it, when this tool did (from the name and the audit trail). */
    readonly runId?: string | undefined;
    readonly trigger?: RunTrigger | undefined;
  };
  /** The application's version now; a snapshot of another version restores another program's state. */
  readonly currentVersionId: number;
  readonly versionMismatch: boolean;
  /** ApplicationStatus now: a restore stops a RUNNING application and starts a READY one. */
  readonly status: string;
  readonly snapshotsEnabled: boolean;
  /** The application's run configuration now (what its next start would do without a restore). */
  readonly current: {
    readonly restoreType?: string | undefined;
    readonly restoreSnapshotName?: string | undefined;
    readonly allowNonRestoredState?: boolean | undefined;
  };
  readonly stop: {
    /** False when the application is already stopped (READY): the stop is skipped. */
    readonly needed: boolean;
    /** A graceful stop with snapshots enabled makes MSF take a snapshot first, which MSF names itself. */
    readonly takesSnapshot: boolean;
    readonly detail: string;
  };
  /** Things to know before confirming, in words. */
  readonly warnings: readonly string[];
  readonly plannedAt: number;
}

/** Snapshots of the audit trail read to say which run made a snapshot. */
const AUDIT_RUNS = 200;

/**
 * Plans a restore of one application: reads its configuration as the dispatcher does, describes it (its
 * tenant binding checked first), lists its snapshots and picks the one the selector names, which must be
 * READY (`latest`: the newest READY; `before`: the newest READY created strictly before the time).
 * Refuses (RestoreRefusedError) a snapshot that is missing or not READY; nothing is changed.
 */
export async function planRestore(deps: Deps, input: PlanRestoreInput): Promise<RestorePlan> {
  const config = await readApplicationConfig(deps, input, input.appKey);
  const flink = deps.flink.forTarget(config);
  const app = await describeBoundApplication(flink, config);
  const [snapshots, runs] = await Promise.all([
    flink.listSnapshots(config.applicationName),
    deps.runs.listByApplication(config.appKey, AUDIT_RUNS),
  ]);
  const snapshot = selectSnapshot(config.applicationName, snapshots, input.selector);
  const madeBy = runs.find((run) => run.snapshotName === snapshot.name);
  const runId = madeBy?.runId ?? runIdFromSnapshotName(snapshot.name);
  const versionMismatch = snapshot.applicationVersionId !== app.versionId;
  const stopNeeded = app.status !== 'READY';
  const takesSnapshot = stopNeeded && app.snapshotsEnabled;
  const target: FlinkTarget = { tenant: config.tenant, region: config.region, roleArn: config.roleArn };
  return {
    appKey: config.appKey,
    tenant: config.tenant,
    application: config.applicationName,
    target,
    selector: input.selector,
    snapshot: {
      name: snapshot.name,
      createdAt: snapshot.createdAt,
      ageMs: input.now - snapshot.createdAt,
      applicationVersionId: snapshot.applicationVersionId,
      runId,
      trigger: madeBy?.trigger ?? (runId === undefined ? undefined : RunTrigger.SCHEDULE),
    },
    currentVersionId: app.versionId,
    versionMismatch,
    status: app.status,
    snapshotsEnabled: app.snapshotsEnabled,
    current: {
      restoreType: app.restoreType,
      restoreSnapshotName: app.restoreSnapshotName,
      allowNonRestoredState: app.allowNonRestoredState,
    },
    stop: {
      needed: stopNeeded,
      takesSnapshot,
      detail: !stopNeeded
        ? `application ${app.name} is READY (stopped): no stop, it is started from ${snapshot.name}`
        : takesSnapshot
          ? `StopApplication (graceful) first: MSF takes a snapshot of the running state, named by MSF itself (it appears in ListApplicationSnapshots once the stop begins; it is not this tool's, so retention leaves it unless the policy manages all snapshots), and the application goes STOPPING, then READY`
          : `StopApplication (graceful) first: snapshots are disabled, so MSF takes none and the state since ${iso(snapshot.createdAt)} is lost for good`,
    },
    warnings: warningsOf(app, snapshot, versionMismatch, stopNeeded),
    plannedAt: input.now,
  };
}

function selectSnapshot(
  application: string,
  snapshots: readonly Snapshot[],
  selector: RestoreSelector,
): Snapshot {
  const ready = snapshots
    .filter((s) => s.status === SnapshotStatus.READY)
    .sort((a, b) => b.createdAt - a.createdAt || (a.name < b.name ? 1 : -1));
  if ('snapshot' in selector) {
    const found = snapshots.find((s) => s.name === selector.snapshot);
    if (found === undefined) {
      throw new RestoreRefusedError({
        application,
        snapshot: selector.snapshot,
        reason: `MSF lists no snapshot ${selector.snapshot} among the application's ${snapshots.length}; expected the name of one of its READY snapshots${ready[0] === undefined ? '' : ` (the newest is ${ready[0].name}, ${iso(ready[0].createdAt)})`}`,
      });
    }
    if (found.status !== SnapshotStatus.READY) {
      throw new RestoreRefusedError({
        application,
        snapshot: found.name,
        reason: `snapshot ${found.name} is ${found.status}; a restore needs a READY snapshot${found.status === SnapshotStatus.CREATING ? ' (wait until it is READY, or choose another)' : ''}`,
      });
    }
    return found;
  }
  const candidates = 'before' in selector ? ready.filter((s) => s.createdAt < selector.before) : ready;
  const chosen = candidates[0];
  if (chosen === undefined) {
    const which = 'before' in selector ? ` created before ${iso(selector.before)}` : '';
    const oldest = ready.at(-1);
    throw new RestoreRefusedError({
      application,
      reason: `the application has no READY snapshot${which} (of ${snapshots.length} listed${oldest === undefined ? '' : `; its oldest READY one is ${oldest.name}, ${iso(oldest.createdAt)}`}); expected at least one READY snapshot to restore`,
    });
  }
  return chosen;
}

function warningsOf(
  app: ApplicationInfo,
  snapshot: Snapshot,
  versionMismatch: boolean,
  stopNeeded: boolean,
): string[] {
  const warnings: string[] = [];
  if (versionMismatch) {
    warnings.push(
      `snapshot ${snapshot.name} was taken with application version ${snapshot.applicationVersionId}, the application is at version ${app.versionId}: its program may not map the snapshot's state (the start then fails, or drops the unmapped state with allowNonRestoredState); confirm with allowVersionMismatch`,
    );
  }
  if (app.status !== 'RUNNING' && app.status !== 'READY') {
    warnings.push(
      `application ${app.name} is ${app.status}: a restore needs it RUNNING (it is stopped first) or READY; wait until it settles`,
    );
  }
  warnings.push(
    `everything the application processed after ${iso(snapshot.createdAt)} is not in the restored state: sources are read again from the snapshot's positions`,
  );
  if (stopNeeded && !app.snapshotsEnabled) {
    warnings.push(
      'SnapshotsEnabled is false: the stop takes no snapshot, so the current state cannot be returned to',
    );
  }
  warnings.push(
    'MSF resets AllowNonRestoredState to false on any later UpdateApplication that does not set it (FlinkRunConfiguration, MSF API reference), and such an update restarts a running application from its restore configuration',
  );
  return warnings;
}

export interface RestoreOptions {
  /** FlinkRunConfiguration.AllowNonRestoredState of the start: state the program no longer maps is dropped. */
  readonly allowNonRestoredState?: boolean | undefined;
  /** Goes on when the snapshot's application version is not the application's. */
  readonly allowVersionMismatch?: boolean | undefined;
  readonly onProgress?: ((progress: RestoreProgress) => void) | undefined;
  /** Bound of the whole restore (stop and start), on `deps.clock`; past it the run ends FAILED. */
  readonly timeoutMs: number;
  /** Between DescribeApplication calls while waiting; default 5 s. */
  readonly pollIntervalMs?: number | undefined;
  /** How to wait between calls; default a timer. Tests pass one that advances their clock. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** One step of a restore, as it happens. */
export interface RestoreProgress {
  readonly runId: string;
  readonly state: RunState;
  /** ApplicationStatus last described. */
  readonly status: string;
  readonly at: number;
  readonly message: string;
}

export interface RestoreResult {
  readonly runId: string;
  readonly state: typeof RunState.COMPLETED | typeof RunState.FAILED;
  readonly reason?: string | undefined;
  readonly run: RunRecord | undefined;
  /** The restore point this one replaced (no longer pinned as one), if any. */
  readonly previousRestorePoint?: string | undefined;
}

const RESTORE_STATES = statesLeadingTo(RunState.FAILED).filter(
  (state) => state === RunState.DISPATCHED || state === RunState.STOPPING || state === RunState.STARTING,
);

/**
 * Carries out a plan: checks again that the application is its tenant's and RUNNING or READY, that its
 * version is the plan's and the snapshot still READY (refusing a version mismatch unless allowed); records a
 * run with trigger `restore`; makes the snapshot the application's restore point (pinned; the previous one
 * unpinned unless pinned by hand); stops the application gracefully (skipped when READY) and waits for
 * READY; starts it with RESTORE_FROM_CUSTOM_SNAPSHOT and waits for RUNNING. The run ends COMPLETED, or
 * FAILED with the reason (the bound passed, the start fell back to READY); an MSF call that fails records
 * the run FAILED and is thrown. RestoreRefusedError when refused: nothing was done then.
 */
export async function restoreApplication(
  deps: Deps,
  plan: RestorePlan,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const refuse = (reason: string) =>
    new RestoreRefusedError({ application: plan.application, snapshot: plan.snapshot.name, reason });
  if (plan.versionMismatch && options.allowVersionMismatch !== true) {
    throw refuse(
      `snapshot ${plan.snapshot.name} is of application version ${plan.snapshot.applicationVersionId}, the application is at version ${plan.currentVersionId}; expected the same version, or allowVersionMismatch to restore anyway`,
    );
  }
  const flink = deps.flink.forTarget(plan.target);
  const app = await describeBoundApplication(flink, {
    tenant: plan.tenant,
    applicationName: plan.application,
  });
  if (app.status !== 'RUNNING' && app.status !== 'READY') {
    throw refuse(`application ${app.name} is ${app.status}; expected RUNNING (stopped first) or READY`);
  }
  if (app.versionId !== plan.currentVersionId) {
    throw refuse(
      `application ${app.name} is at version ${app.versionId}, not version ${plan.currentVersionId} as planned; plan the restore again`,
    );
  }
  const snapshot = await flink.describeSnapshot(plan.application, plan.snapshot.name);
  if (snapshot?.status !== SnapshotStatus.READY) {
    throw refuse(
      `snapshot ${plan.snapshot.name} is ${snapshot === undefined ? 'gone' : snapshot.status} since the plan; expected it READY`,
    );
  }

  const started = deps.clock.now();
  const key: RunKey = { appKey: plan.appKey, runId: operatorRunId(RunTrigger.RESTORE, started) };
  const created = await deps.runs.create(
    {
      ...key,
      tenant: plan.tenant,
      application: plan.application,
      state: RunState.DISPATCHED,
      trigger: RunTrigger.RESTORE,
      restoreSnapshotName: plan.snapshot.name,
      applicationVersionId: app.versionId,
      notes: [
        `restore of ${plan.snapshot.name} (created ${iso(plan.snapshot.createdAt)}), application ${app.status}, allowNonRestoredState ${options.allowNonRestoredState === true}`,
      ],
    },
    started,
  );
  if (!created) throw refuse(`restore run ${key.runId} already exists: one restore per second at most`);
  const previousRestorePoint = await deps.runs.setRestorePoint(plan, plan.snapshot.name);

  const deadline = started + options.timeoutMs;
  const progress = (state: RunState, status: string, message: string) =>
    options.onProgress?.({ runId: key.runId, state, status, at: deps.clock.now(), message });
  const wait: Waiter = {
    flink,
    application: plan.application,
    deadline,
    clock: deps.clock,
    intervalMs: options.pollIntervalMs ?? 5_000,
    sleep: options.sleep ?? sleepFor,
  };
  const fail = async (reason: string, error?: unknown): Promise<RestoreResult> => {
    const run = await deps.runs.transition(
      key,
      RESTORE_STATES,
      RunState.FAILED,
      { reason, ...(error === undefined ? {} : { error: runError(error) }) },
      deps.clock.now(),
    );
    deps.log.error('restore failed', { appKey: plan.appKey, runId: key.runId, reason });
    progress(RunState.FAILED, run?.state ?? '', reason);
    return { runId: key.runId, state: RunState.FAILED, reason, run, previousRestorePoint };
  };

  try {
    let from: RunState = RunState.DISPATCHED;
    if (app.status === 'RUNNING') {
      await flink.stopApplication(plan.application);
      await deps.runs.transition(key, from, RunState.STOPPING, {}, deps.clock.now());
      from = RunState.STOPPING;
      progress(RunState.STOPPING, 'STOPPING', `stopping ${plan.application} (graceful)`);
      const stopped = await waitForStatus(wait, ['READY'], (status) => {
        progress(RunState.STOPPING, status, `${plan.application} is ${status}`);
      });
      if (stopped !== 'READY') {
        return await fail(
          `application ${plan.application} was still ${stopped} after ${seconds(options.timeoutMs)} s (the restore's bound); it was not started from ${plan.snapshot.name}`,
        );
      }
    }
    await flink.startApplication(plan.application, {
      restoreFromSnapshot: plan.snapshot.name,
      allowNonRestoredState: options.allowNonRestoredState === true,
    });
    await deps.runs.transition(key, from, RunState.STARTING, {}, deps.clock.now());
    progress(RunState.STARTING, 'STARTING', `starting ${plan.application} from ${plan.snapshot.name}`);
    const running = await waitForStatus(wait, ['RUNNING', 'READY'], (status) => {
      progress(RunState.STARTING, status, `${plan.application} is ${status}`);
    });
    if (running === 'READY') {
      return await fail(
        `application ${plan.application} went back to READY instead of RUNNING: MSF could not start it from ${plan.snapshot.name} (its CloudWatch logs say why; a state the program no longer maps needs allowNonRestoredState)`,
      );
    }
    if (running !== 'RUNNING') {
      return await fail(
        `application ${plan.application} was still ${running} after ${seconds(options.timeoutMs)} s (the restore's bound), starting from ${plan.snapshot.name}; it may still reach RUNNING`,
      );
    }
    const run = await deps.runs.transition(key, RunState.STARTING, RunState.COMPLETED, {}, deps.clock.now());
    progress(RunState.COMPLETED, 'RUNNING', `${plan.application} is RUNNING from ${plan.snapshot.name}`);
    deps.log.info('restored', { appKey: plan.appKey, runId: key.runId, snapshot: plan.snapshot.name });
    return { runId: key.runId, state: RunState.COMPLETED, run, previousRestorePoint };
  } catch (error) {
    await fail(`restore step failed: ${error instanceof Error ? error.message : String(error)}`, error);
    throw error;
  }
}

interface Waiter {
  readonly flink: FlinkSnapshots;
  readonly application: string;
  readonly deadline: number;
  readonly clock: Deps['clock'];
  readonly intervalMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Describes the application until its status is one of `until` or the deadline passes; the last status seen. */
async function waitForStatus(
  wait: Waiter,
  until: readonly string[],
  onChange: (status: string) => void,
): Promise<string> {
  let last: string | undefined;
  for (;;) {
    const { status } = await wait.flink.describeApplication(wait.application);
    if (status !== last) {
      last = status;
      onChange(status);
    }
    if (until.includes(status)) return status;
    const left = wait.deadline - wait.clock.now();
    if (left <= 0) return status;
    await wait.sleep(Math.min(wait.intervalMs, left));
  }
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
