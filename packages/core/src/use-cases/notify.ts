import type { AppConfig } from '../domain/config';
import type { RunState } from '../domain/run-state';
import type { Alert, AlertEvent, Deps, RunError, Severity } from '../ports';

const SEVERITY: Record<AlertEvent, Severity> = {
  failed: 'critical',
  'timed-out': 'critical',
  'quota-warning': 'warning',
  skipped: 'info',
  completed: 'info',
  'config-invalid': 'critical',
  'message-invalid': 'critical',
};

/** The error of a run record: its class name and message. */
export function runError(error: unknown): RunError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Publishes an alert about a run when its configuration subscribes to the event. */
export async function notifyRun(
  deps: Pick<Deps, 'alerts'>,
  config: AppConfig,
  runId: string,
  event: Alert['event'],
  details: { readonly state?: RunState; readonly reason: string; readonly error?: RunError },
): Promise<void> {
  const subscribed = (config.notify.on as readonly string[]).includes(event);
  if (!subscribed) return;
  await deps.alerts.publish({
    event,
    severity: SEVERITY[event],
    tenant: config.tenant,
    application: config.applicationName,
    appKey: config.appKey,
    runId,
    contact: config.notify.contact,
    ...details,
  });
}

/** Severity of an alert event. */
export function severityOf(event: AlertEvent): Severity {
  return SEVERITY[event];
}
