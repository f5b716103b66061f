/**
 * MSF's own maintenance window: a daily window of UTC times that DescribeApplication returns in
 * `ApplicationMaintenanceConfigurationDescription` (`ApplicationMaintenanceWindowStartTime` and
 * `…EndTime`, "HH:MM"). MSF may restart the application inside it, so a snapshot should not start there.
 * The dispatcher never calls MSF; the worker, which describes the application anyway, asks this module
 * whether to start now, wait for the window's end, or leave the slot (the window outlasts it).
 */
const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
const DAY_MS = DAY_MINUTES * MINUTE_MS;
const HH_MM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

/** A daily window, `HH:MM` UTC; an end at or before the start wraps past midnight. */
export interface MaintenanceWindow {
  readonly startTime: string;
  readonly endTime: string;
}

/** The part of DescribeApplication's ApplicationDetail this module reads (the SDK's own field names). */
export interface MaintenanceConfigurationDescription {
  readonly ApplicationMaintenanceWindowStartTime?: string | undefined;
  readonly ApplicationMaintenanceWindowEndTime?: string | undefined;
}

/** The window DescribeApplication reports, or undefined when it reports none or not in its documented `HH:MM` form. */
export function maintenanceWindowOf(
  description: MaintenanceConfigurationDescription | undefined,
): MaintenanceWindow | undefined {
  const startTime = description?.ApplicationMaintenanceWindowStartTime ?? '';
  const endTime = description?.ApplicationMaintenanceWindowEndTime ?? '';
  return HH_MM.test(startTime) && HH_MM.test(endTime) ? { startTime, endTime } : undefined;
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Whether a snapshot may start now, and if not, until when it waits or why it is left; `reason` goes into the run. */
export interface MaintenanceDeferral {
  /** `now` is inside the window (or within `leadMinutes` before it starts). */
  readonly inside: boolean;
  /** When inside: the window's end, if the slot lasts until then; undefined means leave the slot (record SKIPPED). */
  readonly resumeAt?: number | undefined;
  readonly reason: string;
}

/**
 * Whether `now` falls in MSF's daily maintenance window, or less than `leadMinutes` before it (a snapshot
 * started then would still run when maintenance begins). Inside, the run resumes at the window's end, unless
 * the slot has ended by then (`slotEnd`, the application's next slot): the next slot takes over instead.
 */
export function maintenanceDeferral(
  now: number,
  window: MaintenanceWindow | undefined,
  slotEnd: number | undefined,
  leadMinutes = 0,
): MaintenanceDeferral {
  if (window === undefined) return { inside: false, reason: 'MSF reports no maintenance window' };
  const start = minutesOf(window.startTime);
  const length = (minutesOf(window.endTime) - start + DAY_MINUTES) % DAY_MINUTES;
  const label = `MSF maintenance window ${window.startTime}–${window.endTime} UTC`;
  if (length === 0) return { inside: false, reason: `the ${label} is empty` };
  const today = Math.floor(now / DAY_MS) * DAY_MS + start * MINUTE_MS;
  // The occurrence that began yesterday may still be open; today's may be about to open.
  for (const opens of [today - DAY_MS, today, today + DAY_MS]) {
    const closes = opens + length * MINUTE_MS;
    if (now < opens - leadMinutes * MINUTE_MS || now >= closes) continue;
    const until = new Date(closes).toISOString();
    if (slotEnd !== undefined && closes >= slotEnd) {
      return {
        inside: true,
        reason: `${label} lasts until ${until}, past the end of this slot (${new Date(slotEnd).toISOString()}): no snapshot this slot`,
      };
    }
    const when = now < opens ? `opens within ${leadMinutes} minutes` : 'is open';
    return { inside: true, resumeAt: closes, reason: `${label} ${when}: the snapshot waits until ${until}` };
  }
  return { inside: false, reason: `outside the ${label}` };
}
