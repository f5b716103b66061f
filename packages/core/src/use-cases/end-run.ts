import { RUN_ENDINGS } from '../domain/alerts';
import type { RunError } from '../domain/run-record';
import type { RunState } from '../domain/run-state';
import type { WorkMessage } from '../domain/work-message';
import type { Deps } from '../ports';
import { pending, publishPending, recordRunEnding, runAlert, settleDuplicate } from './notify';

/**
 * Ends a run FAILED or TIMED_OUT with one conditional write from `from`, its alert pending on the run,
 * then publishes the alert. A delivery that finds the run already ended publishes what is still pending.
 */
export async function endRun(
  deps: Deps,
  message: WorkMessage,
  from: RunState | readonly RunState[],
  to: typeof RunState.FAILED | typeof RunState.TIMED_OUT,
  details: { readonly reason: string; readonly error?: RunError },
  log: { readonly level: 'warn' | 'error'; readonly message: string },
): Promise<'failed' | 'timed-out' | 'duplicate'> {
  const ending = RUN_ENDINGS[to];
  const key = { appKey: message.appKey, runId: message.runId };
  const alert = runAlert(message.config, message.runId, ending.event, { state: to, ...details });
  const ended = await deps.runs.transition(
    key,
    from,
    to,
    { ...details, pendingAlerts: pending(alert) },
    deps.clock.now(),
  );
  if (!ended) return settleDuplicate(deps, key);
  deps.metrics.count(ending.metric);
  await recordRunEnding(deps, ended);
  deps.log[log.level](log.message, { snapshot: ended.snapshotName, ...details });
  await publishPending(deps, ended);
  return ending.outcome;
}
