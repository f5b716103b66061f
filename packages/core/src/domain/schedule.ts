/**
 * Which applications are due on a dispatcher tick. Each application's time is cut into slots of its
 * interval; an application is due once per slot. Slots are shifted per application by a deterministic
 * hash of its key, in whole ticks, so applications with the same interval spread over the ticks of the
 * interval instead of firing together. Being due means "last run before the current slot began", so any
 * number of missed ticks coalesce into one run.
 */

export interface ScheduledApp {
  /** `<tenant>/<app>`: what the phase is hashed from. */
  readonly key: string;
  readonly intervalMinutes: number;
  /** Tick (epoch ms) of the application's last run, of any outcome; undefined if it never ran. */
  readonly lastRunAt?: number | undefined;
  readonly enabled: boolean;
}

export interface DueSelection<App extends ScheduledApp> {
  /** Enabled applications to dispatch on this tick. */
  readonly due: App[];
  /** Disabled applications whose slot came due: record them SKIPPED, once per interval. */
  readonly disabled: App[];
}

const MINUTE_MS = 60_000;

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

/** Splits applications into those due on this tick and disabled ones whose slot came due; the rest wait. */
export function selectDue<App extends ScheduledApp>(
  apps: readonly App[],
  tick: number,
  tickMinutes: number,
): DueSelection<App> {
  if (!(Number.isFinite(tickMinutes) && tickMinutes > 0)) {
    throw new RangeError(`tickMinutes must be a positive number of minutes, received ${tickMinutes}`);
  }
  const due: App[] = [];
  const disabled: App[] = [];
  for (const app of apps) {
    const isDue =
      app.lastRunAt === undefined ||
      app.lastRunAt < slotStart(app.key, app.intervalMinutes, tick, tickMinutes);
    if (!isDue) continue;
    if (app.enabled) due.push(app);
    else disabled.push(app);
  }
  return { due, disabled };
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
