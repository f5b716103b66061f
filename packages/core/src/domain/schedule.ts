/**
 * When applications run, decided on each dispatcher tick, purely: `tick` is a parameter, never the clock.
 * An application has slots: every `intervalMinutes`, shifted per application by a hash of its key in whole
 * ticks so that a fleet spreads over the ticks; or the runs of its cron in its time zone, each moved later
 * by a fixed jitter chosen per application. It is due once per slot, on the first tick at or after it.
 * Being due means "a slot came since the last run", so any number of missed slots coalesce into one run.
 * No run starts inside a blackout window: a slot inside a "skip" window is dropped, any other slot waits
 * for the window to end. A paused application waits without a record; a disabled one is reported once per
 * slot, to be recorded SKIPPED.
 */
import { type AppConfig, type Blackout, BlackoutAction, type CronSchedule } from './config';
import { describeCron, nextCronRun, previousCronRun } from './cron';
import { formatInZone, formatUtc, UTC } from './time-zone';

export interface ScheduledApp {
  /** `<tenant>/<app>`: what the phase and the jitter are hashed from. */
  readonly key: string;
  /** Minutes between slots; exclusive with `schedule`. */
  readonly intervalMinutes?: number | undefined;
  /** A cron schedule; exclusive with `intervalMinutes`. */
  readonly schedule?: CronSchedule | undefined;
  /** Tick (epoch ms) of the application's last run, of any outcome; undefined if it never ran. */
  readonly lastRunAt?: number | undefined;
  readonly enabled: boolean;
  readonly paused?: boolean | undefined;
  readonly blackouts?: readonly Blackout[] | undefined;
}

export const ScheduleOutcome = {
  /** Dispatch it. */
  DUE: 'due',
  /** No slot came since the last run. */
  WAITING: 'waiting',
  /** A slot came, but the application is paused: nothing is recorded. */
  PAUSED: 'paused',
  /** A slot came, but the application is disabled: record it SKIPPED. */
  DISABLED: 'disabled',
  /** A slot came, but a blackout window or the minimum interval holds it until `until`. */
  DEFERRED: 'deferred',
  /** The slot fell in a "skip" blackout window and none older is pending: record it SKIPPED. */
  SKIPPED: 'skipped',
} as const;
export type ScheduleOutcome = (typeof ScheduleOutcome)[keyof typeof ScheduleOutcome];

/** One occurrence of a blackout window. */
export interface BlackoutOccurrence {
  /** Its place in the configuration's `blackouts`. */
  readonly index: number;
  /** Its `name`, or `blackouts[<index>]`. */
  readonly name: string;
  readonly action: Blackout['action'];
  /** Epoch ms: from `start` (inclusive) to `end` (exclusive). */
  readonly start: number;
  readonly end: number;
}

/** What the schedule says of one application on one tick, and why (the reason is what a run records). */
export type ScheduleDecision =
  | { readonly outcome: typeof ScheduleOutcome.WAITING }
  | {
      readonly outcome: typeof ScheduleOutcome.DUE;
      /** The slot this run is for (the latest pending one). */
      readonly slot: number;
      /** How many slots it serves: more than 1 after missed ticks, coalesced (counted up to MAX_COUNTED_SLOTS). */
      readonly slots: number;
      readonly reason: string;
    }
  | {
      readonly outcome: typeof ScheduleOutcome.PAUSED | typeof ScheduleOutcome.DISABLED;
      readonly slot: number;
      readonly reason: string;
    }
  | {
      readonly outcome: typeof ScheduleOutcome.DEFERRED;
      readonly slot: number;
      /** The earliest instant it may run. */
      readonly until: number;
      /** The blackout holding it; undefined when the minimum interval does. */
      readonly blackout?: BlackoutOccurrence | undefined;
      readonly reason: string;
    }
  | {
      readonly outcome: typeof ScheduleOutcome.SKIPPED;
      readonly slot: number;
      readonly blackout: BlackoutOccurrence;
      readonly reason: string;
    };

export interface DueSelection<App extends ScheduledApp> {
  /** Enabled applications to dispatch on this tick. */
  readonly due: App[];
  /** Disabled applications whose slot came due: record them SKIPPED, once per slot. */
  readonly disabled: App[];
}

export interface TickPlan<App extends ScheduledApp> extends DueSelection<App> {
  /** Applications whose slot a "skip" blackout drops: record them SKIPPED with the decision's reason, once per slot. */
  readonly skipped: App[];
  /** Every application's decision, by key, with its reason. */
  readonly decisions: ReadonlyMap<string, ScheduleDecision>;
}

const MINUTE_MS = 60_000;
/** Coalesced slots are counted up to this many, for the reason. */
export const MAX_COUNTED_SLOTS = 100;
/** How many "skip" windows in a row the search for an older pending slot crosses before giving up. */
const MAX_SKIPPED_WINDOWS = 100;
const WAITING: ScheduleDecision = { outcome: ScheduleOutcome.WAITING };

/** What the schedule needs of a configuration: its key, its interval or cron, and whether it runs. */
export function scheduledApp(
  config: Pick<AppConfig, 'appKey' | 'intervalMinutes' | 'schedule' | 'enabled' | 'paused' | 'blackouts'>,
): ScheduledApp {
  return {
    key: config.appKey,
    intervalMinutes: config.intervalMinutes,
    schedule: config.schedule,
    enabled: config.enabled,
    paused: config.paused,
    blackouts: config.blackouts,
  };
}

/** FNV-1a over UTF-16 code units with a murmur3 finalizer: stable across runtimes and well spread. */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** The application's phase: a whole number of ticks, below its interval. */
export function phaseMinutes(key: string, intervalMinutes: number, tickMinutes: number): number {
  const ticksPerInterval = Math.max(1, Math.floor(intervalMinutes / tickMinutes));
  return (hashKey(key) % ticksPerInterval) * tickMinutes;
}

/** Start (epoch ms) of the application's slot that contains `tick`. */
export function slotStart(key: string, intervalMinutes: number, tick: number, tickMinutes: number): number {
  const interval = intervalMinutes * MINUTE_MS;
  const phase = phaseMinutes(key, intervalMinutes, tickMinutes) * MINUTE_MS;
  return phase + Math.floor((tick - phase) / interval) * interval;
}

/** How many minutes after each cron run the application's slot is: 0..jitterMinutes, fixed per key. */
export function jitterOffsetMinutes(key: string, jitterMinutes: number): number {
  return hashKey(key) % (jitterMinutes + 1);
}

/** The slots of one application: the next after an instant, the latest at or before one, and their zone. */
interface Slots {
  readonly next: (after: number) => number;
  readonly latest: (at: number) => number;
  readonly timeZone: string;
}

function slotsOf(app: ScheduledApp, tickMinutes: number): Slots {
  const { schedule, intervalMinutes } = app;
  if (schedule !== undefined) {
    const { cron, timezone } = schedule;
    const jitter = jitterOffsetMinutes(app.key, schedule.jitterMinutes) * MINUTE_MS;
    return {
      next: (after) => nextCronRun(cron, timezone, after - jitter) + jitter,
      latest: (at) => previousCronRun(cron, timezone, at - jitter) + jitter,
      timeZone: timezone,
    };
  }
  if (intervalMinutes === undefined) {
    throw new RangeError(`application ${app.key} has neither intervalMinutes nor a schedule`);
  }
  return {
    next: (after) => slotStart(app.key, intervalMinutes, after, tickMinutes) + intervalMinutes * MINUTE_MS,
    latest: (at) => slotStart(app.key, intervalMinutes, at, tickMinutes),
    timeZone: UTC,
  };
}

/** `2026-03-29T03:00+02:00 (Europe/Berlin)`, or `2026-03-29T01:00Z` in UTC. */
function instantIn(ms: number, timeZone: string): string {
  return timeZone === UTC ? formatUtc(ms) : `${formatInZone(ms, timeZone)} (${timeZone})`;
}

/** The occurrences of blackout windows that contain instant `at`. */
export function blackoutsAt(blackouts: readonly Blackout[], at: number): BlackoutOccurrence[] {
  const found: BlackoutOccurrence[] = [];
  blackouts.forEach((window, index) => {
    let start: number;
    let end: number;
    if (window.cron !== undefined) {
      // A valid recurring window has both; its duration is shorter than the time between two starts.
      start = previousCronRun(window.cron, window.timezone ?? UTC, at);
      end = start + (window.durationMinutes as number) * MINUTE_MS;
    } else {
      start = Date.parse(window.from as string);
      end = Date.parse(window.to as string);
    }
    if (start <= at && at < end) {
      found.push({ index, name: window.name ?? `blackouts[${index}]`, action: window.action, start, end });
    }
  });
  return found;
}

function describeOccurrence(occurrence: BlackoutOccurrence): string {
  return `blackout "${occurrence.name}" (${formatUtc(occurrence.start)} to ${formatUtc(occurrence.end)})`;
}

/**
 * What the schedule says of one application on `tick`: due (with the slot it serves and why), waiting,
 * paused, disabled, deferred by a blackout or the minimum interval, or skipped by a blackout.
 */
export function decideSchedule(app: ScheduledApp, tick: number, tickMinutes: number): ScheduleDecision {
  const slots = slotsOf(app, tickMinutes);
  const latest = slots.latest(tick);
  // Since when slots are pending: the last run. An application that never ran takes the current slot of
  // its interval, or a cron run of the current tick: its first cron slot is the first run after it appears.
  const since = app.lastRunAt ?? (app.schedule === undefined ? latest - 1 : tick - tickMinutes * MINUTE_MS);
  if (latest <= since) return WAITING;
  const at = (ms: number) => instantIn(ms, slots.timeZone);
  if (app.paused === true) {
    return {
      outcome: ScheduleOutcome.PAUSED,
      slot: latest,
      reason: `paused (paused: true): the slot of ${at(latest)} is not taken; one run follows when it resumes`,
    };
  }

  const blackouts = app.blackouts ?? [];
  const pending = pendingSlot(slots, blackouts, latest, since);
  if (pending.slot === undefined) {
    const window = pending.dropped as BlackoutOccurrence;
    return {
      outcome: ScheduleOutcome.SKIPPED,
      slot: latest,
      blackout: window,
      reason: `the slot of ${at(latest)} falls in ${describeOccurrence(window)}, whose action is "skip"`,
    };
  }
  const slot = pending.slot;
  if (!app.enabled) {
    return {
      outcome: ScheduleOutcome.DISABLED,
      slot,
      reason: 'disabled by its configuration (enabled: false)',
    };
  }

  const active = blackoutsAt(blackouts, tick);
  if (active.length > 0) {
    const blackout = active.reduce((a, b) => (b.end > a.end ? b : a));
    return {
      outcome: ScheduleOutcome.DEFERRED,
      slot,
      until: blackout.end,
      blackout,
      reason: `no snapshot starts inside ${describeOccurrence(blackout)}: the slot of ${at(slot)} runs at its end`,
    };
  }
  const least = (app.schedule?.minIntervalMinutes ?? 0) * MINUTE_MS;
  if (app.lastRunAt !== undefined && tick < app.lastRunAt + least) {
    return {
      outcome: ScheduleOutcome.DEFERRED,
      slot,
      until: app.lastRunAt + least,
      reason: `the slot of ${at(slot)} waits for schedule.minIntervalMinutes (${least / MINUTE_MS}) after the last run at ${formatUtc(app.lastRunAt)}`,
    };
  }

  const served = countSlots(slots, since, slot);
  const notes: string[] = [];
  if (served > 1) {
    const count = served >= MAX_COUNTED_SLOTS ? `${MAX_COUNTED_SLOTS} or more` : String(served);
    notes.push(`catch-up: ${count} slots since the last run coalesce into this one run`);
  }
  const heldBy = blackoutsAt(blackouts, slot)[0];
  if (heldBy !== undefined) notes.push(`deferred to the end of ${describeOccurrence(heldBy)}`);
  if (app.lastRunAt !== undefined && slot < app.lastRunAt + least) {
    notes.push(`held for schedule.minIntervalMinutes (${least / MINUTE_MS}) after the last run`);
  }
  const first = app.lastRunAt === undefined ? 'first run, ' : '';
  const detail = notes.length === 0 ? '' : `; ${notes.join('; ')}`;
  return {
    outcome: ScheduleOutcome.DUE,
    slot,
    slots: served,
    reason: `${first}slot of ${at(slot)}${detail}`,
  };
}

/** The latest slot in (since, latest] outside every "skip" window, and the window that dropped the latest. */
function pendingSlot(
  slots: Slots,
  blackouts: readonly Blackout[],
  latest: number,
  since: number,
): { slot: number | undefined; dropped?: BlackoutOccurrence } {
  let dropped: BlackoutOccurrence | undefined;
  let slot = latest;
  for (let crossed = 0; crossed < MAX_SKIPPED_WINDOWS; crossed++) {
    const skip = blackoutsAt(blackouts, slot).find((o) => o.action === BlackoutAction.SKIP);
    if (skip === undefined) return { slot, dropped };
    dropped ??= skip;
    slot = slots.latest(skip.start - 1);
    if (slot <= since) break;
  }
  return { slot: undefined, dropped };
}

/** How many slots lie in (since, slot], counted up to MAX_COUNTED_SLOTS. */
function countSlots(slots: Slots, since: number, slot: number): number {
  let count = 1;
  for (let at = slots.next(since); at < slot && count < MAX_COUNTED_SLOTS; at = slots.next(at)) count++;
  return count;
}

/**
 * Decides every application on a tick: those due, the disabled and skipped ones to record SKIPPED (once
 * per slot: the caller moves their pointer to this tick), and each one's decision with its reason.
 */
export function planTick<App extends ScheduledApp>(
  apps: readonly App[],
  tick: number,
  tickMinutes: number,
): TickPlan<App> {
  if (!(Number.isFinite(tickMinutes) && tickMinutes > 0)) {
    throw new RangeError(`tickMinutes must be a positive number of minutes, received ${tickMinutes}`);
  }
  const due: App[] = [];
  const disabled: App[] = [];
  const skipped: App[] = [];
  const decisions = new Map<string, ScheduleDecision>();
  const lists: Partial<Record<ScheduleOutcome, App[]>> = {
    [ScheduleOutcome.DUE]: due,
    [ScheduleOutcome.DISABLED]: disabled,
    [ScheduleOutcome.SKIPPED]: skipped,
  };
  for (const app of apps) {
    const decision = decideSchedule(app, tick, tickMinutes);
    decisions.set(app.key, decision);
    lists[decision.outcome]?.push(app);
  }
  return { due, disabled, skipped, decisions };
}

/** Splits applications into those due on this tick and disabled ones whose slot came due; the rest wait. */
export function selectDue<App extends ScheduledApp>(
  apps: readonly App[],
  tick: number,
  tickMinutes: number,
): DueSelection<App> {
  const { due, disabled } = planTick(apps, tick, tickMinutes);
  return { due, disabled };
}

/** One coming slot of an application, for `status` and `config validate` ("next 5 runs"). */
export interface UpcomingSlot {
  /** Epoch ms of the slot (jitter included). */
  readonly slot: number;
  /** When its run may start: the slot, or the end of the blackout deferring it; undefined when one skips it. */
  readonly runsAt: number | undefined;
  /** The slot in UTC, `2026-03-29T01:00Z`. */
  readonly utc: string;
  /** The slot on the clocks of the schedule's zone, `2026-03-29T03:00+02:00`. */
  readonly local: string;
  readonly timeZone: string;
  /** The blackout that skips or defers it. */
  readonly blackout?: BlackoutOccurrence | undefined;
}

/** The next `count` slots after instant `from`, each with what a blackout does to it. */
export function upcomingSlots(
  app: ScheduledApp,
  from: number,
  count: number,
  tickMinutes: number,
): UpcomingSlot[] {
  const slots = slotsOf(app, tickMinutes);
  const blackouts = app.blackouts ?? [];
  const out: UpcomingSlot[] = [];
  for (let slot = slots.next(from); out.length < count; slot = slots.next(slot)) {
    const base = {
      slot,
      utc: formatUtc(slot),
      local: formatInZone(slot, slots.timeZone),
      timeZone: slots.timeZone,
    };
    const [first] = blackoutsAt(blackouts, slot);
    const skip = blackoutsAt(blackouts, slot).find((o) => o.action === BlackoutAction.SKIP);
    if (skip !== undefined) {
      out.push({ ...base, runsAt: undefined, blackout: skip });
      continue;
    }
    let runsAt = slot;
    // Windows may follow each other: the run starts when none is open (bounded like the dispatcher's search).
    for (let open = blackoutsAt(blackouts, runsAt), i = 0; open.length > 0 && i < MAX_SKIPPED_WINDOWS; i++) {
      runsAt = Math.max(...open.map((o) => o.end));
      open = blackoutsAt(blackouts, runsAt);
    }
    out.push({ ...base, runsAt, blackout: first });
  }
  return out;
}

/** The application's latest slot at or before instant `at` ("last trigger"). */
export function lastSlot(app: ScheduledApp, at: number, tickMinutes: number): number {
  return slotsOf(app, tickMinutes).latest(at);
}

/** The application's first slot after instant `after`: where the slot a run serves ends. */
export function nextSlot(app: ScheduledApp, after: number, tickMinutes: number): number {
  return slotsOf(app, tickMinutes).next(after);
}

/**
 * The schedule in words: `At 02:00 AM, Europe/Berlin, 13 minutes later for this application (jitter up to
 * 20)`, or `Every 360 minutes, slots offset by 35 minutes for this application`.
 */
export function describeSchedule(app: ScheduledApp, tickMinutes: number): string {
  const { schedule } = app;
  if (schedule === undefined) {
    const interval = app.intervalMinutes as number;
    const phase = phaseMinutes(app.key, interval, tickMinutes);
    return `Every ${interval} minutes, slots offset by ${phase} minutes for this application`;
  }
  const parts = [describeCron(schedule.cron, schedule.timezone)];
  if (schedule.jitterMinutes > 0) {
    const offset = jitterOffsetMinutes(app.key, schedule.jitterMinutes);
    parts.push(`${offset} minutes later for this application (jitter up to ${schedule.jitterMinutes})`);
  }
  if (schedule.minIntervalMinutes !== undefined) {
    parts.push(`at least ${schedule.minIntervalMinutes} minutes apart`);
  }
  return parts.join(', ');
}

/**
 * Delay before retry `attempt` (0-based): capped exponential backoff with full jitter, whole seconds in
 * [0, min(cap, base × 2^attempt)]. `random` returns [0, 1), injected so callers and tests control it.
 */
export function backoffDelaySeconds(
  attempt: number,
  baseSeconds: number,
  capSeconds: number,
  random: () => number,
): number {
  if (!(Number.isInteger(attempt) && attempt >= 0 && baseSeconds >= 0 && capSeconds >= 0)) {
    throw new RangeError(
      `backoff needs an integer attempt >= 0 and base and cap >= 0, received attempt ${attempt}, base ${baseSeconds}, cap ${capSeconds}`,
    );
  }
  // 2^1023 is the largest finite power of two: base 0 stays 0 instead of 0 × Infinity = NaN.
  const ceiling = Math.floor(Math.min(capSeconds, baseSeconds * 2 ** Math.min(attempt, 1023)));
  return Math.min(ceiling, Math.floor(random() * (ceiling + 1)));
}
