/**
 * Freshness: is an application recoverable from a recent snapshot? Its newest READY snapshot (ours, or
 * any READY one seen while listing) is compared with its objective on every dispatcher tick; a stale
 * application is alerted once when it becomes stale and once when it recovers, however many ticks it
 * stays so. A new application has a grace period of one objective before it can be stale.
 */
import { type AppConfig, DEFAULT_INTERVAL_MINUTES } from './config';
import { nextCronRun } from './cron';

const MINUTE_MS = 60_000;

/** What the pointer remembers of an application's freshness. */
export interface FreshnessRecord {
  /** Creation time (epoch ms) of the newest READY snapshot known; undefined if none was ever seen. */
  readonly lastReadyAt?: number | undefined;
  /** When the dispatcher first saw the application (epoch ms): the grace period runs from there. */
  readonly firstSeenAt?: number | undefined;
  /** When the current stale episode began (epoch ms); undefined while fresh. */
  readonly staleSince?: number | undefined;
}

export const FreshnessState = { FRESH: 'fresh', STALE: 'stale', GRACE: 'grace' } as const;
export type FreshnessState = (typeof FreshnessState)[keyof typeof FreshnessState];

export interface FreshnessVerdict {
  readonly state: FreshnessState;
  /** Age (ms) of the newest READY snapshot; undefined when none is known. */
  readonly ageMs: number | undefined;
  readonly objectiveMs: number;
  /** The alert this tick owes: when the application became stale, or recovered. */
  readonly transition: 'became-stale' | 'recovered' | undefined;
}

/** Cron runs looked at to find a schedule's longest gap: a week of daily runs and one more. */
const GAP_SAMPLE = 8;

/**
 * The application's objective in minutes: its maxSnapshotAgeMinutes, or twice the time between its
 * runs: its interval, or the longest gap among a cron schedule's next runs after `at` (weekdays at 02:00
 * has a weekend gap of three days: twice a day's gap would make every Monday stale).
 */
export function freshnessObjectiveMinutes(
  config: Pick<AppConfig, 'maxSnapshotAgeMinutes' | 'intervalMinutes' | 'schedule'>,
  at: number,
): number {
  if (config.maxSnapshotAgeMinutes !== undefined) return config.maxSnapshotAgeMinutes;
  const { schedule } = config;
  if (schedule === undefined) return 2 * (config.intervalMinutes ?? DEFAULT_INTERVAL_MINUTES);
  let longest = 0;
  let run = nextCronRun(schedule.cron, schedule.timezone, at);
  for (let i = 1; i < GAP_SAMPLE; i++) {
    const next = nextCronRun(schedule.cron, schedule.timezone, run);
    longest = Math.max(longest, next - run);
    run = next;
  }
  return 2 * Math.ceil(longest / MINUTE_MS);
}

/** Judges an application's freshness at `now` against its objective, and the alert the change owes. */
export function judgeFreshness(
  record: FreshnessRecord,
  objectiveMinutes: number,
  now: number,
): FreshnessVerdict {
  const objectiveMs = objectiveMinutes * MINUTE_MS;
  const ageMs = record.lastReadyAt === undefined ? undefined : Math.max(0, now - record.lastReadyAt);
  const since = record.firstSeenAt ?? now;
  let state: FreshnessState;
  if (ageMs !== undefined && ageMs <= objectiveMs) state = FreshnessState.FRESH;
  // A new application gets one objective to take its first fresh snapshot, whatever it held before.
  else if (now - since <= objectiveMs) state = FreshnessState.GRACE;
  else state = FreshnessState.STALE;
  const wasStale = record.staleSince !== undefined;
  const transition =
    state === FreshnessState.STALE && !wasStale
      ? 'became-stale'
      : state === FreshnessState.FRESH && wasStale
        ? 'recovered'
        : undefined;
  return { state, ageMs, objectiveMs, transition };
}
