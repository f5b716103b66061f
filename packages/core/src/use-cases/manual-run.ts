import { WaitTimedOutError } from '../domain/errors';
import type { RunKey, RunRecord } from '../domain/run-record';
import { isTerminal, operatorRunId, RunState, RunTrigger } from '../domain/run-state';
import { buildSnapshotMessage, workMessageEntry } from '../domain/work-message';
import type { Deps } from '../ports';
import { readApplicationConfig } from './application-access';
import type { PipelineSettings } from './dispatch';

export interface ManualRunInput extends PipelineSettings {
  /** `<tenant>/<app>`, as the parameter name spells it. */
  readonly appKey: string;
  /** Epoch ms: the runId derives from it (`20261122T083012Z-now`). */
  readonly now: number;
  /** What starts the run; only `manual` (the default) goes through the work queue. */
  readonly trigger?: typeof RunTrigger.MANUAL;
}

/** A manual run waits this long at most for an application on its way to RUNNING (STARTING, UPDATING, …). */
const MANUAL_SETTLE_MS = 15 * 60_000;

/**
 * Takes a snapshot now: reads and admits the application's parameter as the dispatcher does, records a
 * run DISPATCHED with trigger `manual` and enqueues the same snapshot message the schedule does, so the
 * same worker takes, polls and prunes it. The application's pointer (last run, next slot) is not
 * touched: its next scheduled tick dispatches as planned. The same request twice within a second names
 * the same run (and sends nothing the second time).
 */
export async function requestSnapshot(deps: Deps, input: ManualRunInput): Promise<{ runId: string }> {
  const config = await readApplicationConfig(deps, input, input.appKey);
  const runId = operatorRunId(input.trigger ?? RunTrigger.MANUAL, input.now);
  const notes = ['requested by an operator (flink-snapshots snapshot)'];
  if (!config.enabled)
    notes.push('the application is disabled in its parameter: this run was requested anyway');
  const created = await deps.runs.create(
    {
      appKey: config.appKey,
      runId,
      tenant: config.tenant,
      application: config.applicationName,
      parameter: config.parameter,
      state: RunState.DISPATCHED,
      trigger: RunTrigger.MANUAL,
      notes,
    },
    input.now,
  );
  if (!created) {
    deps.log.info('manual run already requested', { appKey: config.appKey, runId });
    return { runId };
  }
  const message = buildSnapshotMessage({
    config,
    runId,
    now: input.now,
    retryUntil: input.now + MANUAL_SETTLE_MS,
  });
  await deps.queue.sendBatch([workMessageEntry(message, 'manual')]);
  deps.log.info('manual run requested', { appKey: config.appKey, runId });
  return { runId };
}

export interface AwaitRunOptions {
  /** Gives up (WaitTimedOutError) after this long, measured on `deps.clock`. */
  readonly timeoutMs: number;
  /** Called with the run each time its state changes (and once first). */
  readonly onProgress?: ((run: RunRecord) => void) | undefined;
  /** Between reads; default 1 s. */
  readonly pollIntervalMs?: number | undefined;
  /** How to wait between reads; default a timer. Tests pass one that advances their clock. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Waits for a timer; the default of every operator wait. */
export function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Reads the run until it reaches a terminal state (COMPLETED, SKIPPED, FAILED, TIMED_OUT) and returns it;
 * WaitTimedOutError after `timeoutMs`, naming its last state.
 */
export async function awaitRun(
  deps: Pick<Deps, 'runs' | 'clock'>,
  key: RunKey,
  options: AwaitRunOptions,
): Promise<RunRecord> {
  const sleep = options.sleep ?? sleepFor;
  const started = deps.clock.now();
  let seen: RunState | undefined;
  for (;;) {
    const run = await deps.runs.get(key);
    if (run !== undefined && run.state !== seen) {
      seen = run.state;
      options.onProgress?.(run);
    }
    if (run !== undefined && isTerminal(run.state)) return run;
    const waited = deps.clock.now() - started;
    if (waited >= options.timeoutMs) {
      throw new WaitTimedOutError({
        what: `run ${key.runId} of ${key.appKey} to end`,
        waitedMs: waited,
        last: run === undefined ? 'no such run' : run.state,
      });
    }
    await sleep(Math.min(options.pollIntervalMs ?? 1000, options.timeoutMs - waited));
  }
}
