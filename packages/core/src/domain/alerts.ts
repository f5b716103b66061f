/**
 * What the tool tells people: alert events, their severities, and one table from each way a run ends to
 * the metric it counts and the alert event a configuration can subscribe to.
 */
import { MetricName } from '@flink-snapshots/settings';
import type { NotifyEvent } from './config';
import type { RunError } from './run-record';
import { RunState } from './run-state';

export { MetricName } from '@flink-snapshots/settings';

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

const SEVERITY: Record<AlertEvent, Severity> = {
  failed: Severity.CRITICAL,
  'timed-out': Severity.CRITICAL,
  'quota-warning': Severity.WARNING,
  skipped: Severity.INFO,
  completed: Severity.INFO,
  stale: Severity.CRITICAL,
  recovered: Severity.INFO,
  'config-invalid': Severity.CRITICAL,
  'message-invalid': Severity.CRITICAL,
};

/** Severity of an alert event. */
export function severityOf(event: AlertEvent): Severity {
  return SEVERITY[event];
}

/** How a run can end: the metric its ending counts, and the alert event a configuration subscribes to. */
export const RUN_ENDINGS = {
  [RunState.COMPLETED]: { metric: MetricName.RUN_COMPLETED, event: 'completed', outcome: 'completed' },
  [RunState.SKIPPED]: { metric: MetricName.RUN_SKIPPED, event: 'skipped', outcome: 'skipped' },
  [RunState.FAILED]: { metric: MetricName.RUN_FAILED, event: 'failed', outcome: 'failed' },
  [RunState.TIMED_OUT]: { metric: MetricName.RUN_TIMED_OUT, event: 'timed-out', outcome: 'timed-out' },
} as const satisfies Record<
  string,
  { readonly metric: MetricName; readonly event: NotifyEvent; readonly outcome: string }
>;
export type RunEnding = keyof typeof RUN_ENDINGS;
