/**
 * What an MSF application's status (DescribeApplication's ApplicationStatus) means for a snapshot due now:
 * RUNNING can be snapshotted; a status on its way to RUNNING is waited for within the slot; a stopped or
 * stopping application is skipped at once.
 */

/** MSF's ApplicationStatus values (API reference, DescribeApplication). */
export const ApplicationStatus = {
  RUNNING: 'RUNNING',
  STARTING: 'STARTING',
  UPDATING: 'UPDATING',
  AUTOSCALING: 'AUTOSCALING',
  MAINTENANCE: 'MAINTENANCE',
  ROLLING_BACK: 'ROLLING_BACK',
  ROLLED_BACK: 'ROLLED_BACK',
  READY: 'READY',
  STOPPING: 'STOPPING',
  FORCE_STOPPING: 'FORCE_STOPPING',
  DELETING: 'DELETING',
} as const;

export const StatusOutlook = { RUNNING: 'running', SETTLING: 'settling', STOPPED: 'stopped' } as const;
export type StatusOutlook = (typeof StatusOutlook)[keyof typeof StatusOutlook];

/**
 * Transitions MSF documents as ending in RUNNING for a running application: a start, an update or a
 * scaling event, MSF's own maintenance (it restarts the job), and a rollback to the previous version.
 */
const SETTLING: ReadonlySet<string> = new Set([
  ApplicationStatus.STARTING,
  ApplicationStatus.UPDATING,
  ApplicationStatus.AUTOSCALING,
  ApplicationStatus.MAINTENANCE,
  ApplicationStatus.ROLLING_BACK,
  ApplicationStatus.ROLLED_BACK,
]);

/** Whether to snapshot now, wait for the application to settle, or skip it (READY is stopped, STOPPING, …). */
export function statusOutlook(status: string): StatusOutlook {
  if (status === ApplicationStatus.RUNNING) return StatusOutlook.RUNNING;
  return SETTLING.has(status) ? StatusOutlook.SETTLING : StatusOutlook.STOPPED;
}

/** Delay (s) before looking again at a settling application: 60 s doubling to SQS's 900 s maximum. */
export function settleDelaySeconds(waits: number): number {
  return Math.min(900, 60 * 2 ** Math.min(waits, 4));
}
