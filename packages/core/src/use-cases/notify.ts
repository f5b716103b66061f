import { type Alert, severityOf } from '../domain/alerts';
import type { AppConfig } from '../domain/config';
import type { NewRun, RunError, RunKey, RunRecord } from '../domain/run-record';
import type { RunState } from '../domain/run-state';
import type { Deps } from '../ports';

/** The error of a run record: its class name and message. */
export function runError(error: unknown): RunError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The alert about a run's outcome, when its configuration subscribes to the event; else undefined. */
export function runAlert(
  config: AppConfig,
  runId: string,
  event: Alert['event'],
  details: { readonly state?: RunState; readonly reason: string; readonly error?: RunError },
): Alert | undefined {
  if (!(config.notify.on as readonly string[]).includes(event)) return undefined;
  return {
    event,
    severity: severityOf(event),
    tenant: config.tenant,
    application: config.applicationName,
    appKey: config.appKey,
    runId,
    contact: config.notify.contact,
    ...details,
  };
}

/** The alerts to record with a run's write (undefined when there are none). */
export function pending(...alerts: readonly (Alert | undefined)[]): Alert[] | undefined {
  const due = alerts.filter((alert): alert is Alert => alert !== undefined);
  return due.length === 0 ? undefined : due;
}

type AlertDeps = Pick<Deps, 'alerts' | 'runs' | 'clock'>;

/** Publishes the alerts a run's last write left pending, then clears them: each is published at least once. */
export async function publishPending(deps: AlertDeps, run: RunRecord | undefined): Promise<void> {
  if (run?.pendingAlerts === undefined || run.pendingAlerts.length === 0) return;
  for (const alert of run.pendingAlerts) await deps.alerts.publish(alert);
  await deps.runs.clearPendingAlerts(run, deps.clock.now());
}

/**
 * A conditional write found the run already moved on: another delivery got there first. Publishes what
 * that delivery left pending (it may have died before publishing) and reports the duplicate.
 */
export async function settleDuplicate(deps: AlertDeps, key: RunKey): Promise<'duplicate'> {
  await publishPending(deps, await deps.runs.get(key));
  return 'duplicate';
}

/**
 * Records a run that is terminal from its first write (an invalid configuration or message) with its
 * alert pending, then publishes it. A repeat finds the run recorded and publishes only what is still pending.
 */
export async function recordWithAlert(
  deps: AlertDeps,
  run: NewRun,
  alert: Alert,
  now: number,
): Promise<boolean> {
  const created = await deps.runs.create({ ...run, pendingAlerts: [alert] }, now);
  const recorded = created
    ? { ...run, pendingAlerts: [alert], at: {}, updatedAt: now, expiresAt: 0 }
    : await deps.runs.get(run);
  await publishPending(deps, recorded);
  return created;
}

/** Publishes an alert that goes with no run write (a quota warning before pruning), if subscribed. */
export async function notifyRun(
  deps: Pick<Deps, 'alerts'>,
  config: AppConfig,
  runId: string,
  event: Alert['event'],
  details: { readonly state?: RunState; readonly reason: string; readonly error?: RunError },
): Promise<void> {
  const alert = runAlert(config, runId, event, details);
  if (alert) await deps.alerts.publish(alert);
}

/**
 * Records on the application's pointer how a run ended (its freshness and the dispatcher's search for
 * lost runs read it); a completed run also raises the newest READY time and adds its duration.
 */
export async function recordRunEnding(
  deps: Pick<Deps, 'runs'>,
  run: RunRecord,
  completion: { readonly readyAt?: number | undefined; readonly durationMs?: number | undefined } = {},
): Promise<void> {
  await deps.runs.recordEnding(
    { appKey: run.appKey, tenant: run.tenant },
    { runId: run.runId, state: run.state, at: run.updatedAt, reason: run.reason, ...completion },
  );
}
