/**
 * Cron expressions: five fields (minute hour day-of-month month day-of-week), parsed and matched by croner,
 * described in words by cronstrue. Matching runs on wall-clock readings (see time-zone.ts), and this module
 * maps each matching reading to one instant of the schedule's zone: a reading the clocks skip fires when the
 * skip ends, a reading they show twice fires the first time only. So every slot fires exactly once, and the
 * instants of a schedule never go backwards. Parsed expressions are kept by text: parsing costs far more
 * than matching, and a fleet shares few expressions.
 */
import { Cron, CronPattern } from 'croner';
import cronstrue from 'cronstrue';
import { instantOfWallClock, wallClockAt } from './time-zone';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
const DAY_MS = DAY_MINUTES * MINUTE_MS;
/** Where searches for the shortest gap start: a leap year, on a Saturday. */
const GAP_SEARCH_FROM = Date.UTC(2000, 0, 1);
/** How much calendar the shortest-gap search reads: two leap-year cycles, every weekday on every date. */
const GAP_SEARCH_MS = 8 * 366 * DAY_MS;
/** Croner's options: five fields only, no seconds or years; readings are UTC so no zone applies. */
const CRON_OPTIONS = { mode: '5-part', utcOffset: 0 } as const;

export const CRON_RULE =
  'a cron expression of 5 fields "minute hour day-of-month month day-of-week", such as "0 2 * * *" (02:00 every day) or "*/30 * * * 1-5"';

interface CompiledCron {
  readonly cron: Cron;
  /** Minutes after midnight at which a matching day fires, ascending: the same on every matching day. */
  readonly times: readonly number[];
}

const compiled = new Map<string, CompiledCron>();
const gaps = new Map<string, number>();

/** Parses an expression (throwing croner's error) once per text. */
function compile(expression: string): CompiledCron {
  let found = compiled.get(expression);
  if (found === undefined) {
    // The pattern first: a Cron also accepts an ISO date as a one-off job, which is no schedule.
    const pattern = new CronPattern(expression, undefined, { mode: CRON_OPTIONS.mode });
    const times: number[] = [];
    pattern.hour.forEach((hour, h) => {
      pattern.minute.forEach((minute, m) => {
        if (hour && minute) times.push(h * 60 + m);
      });
    });
    found = { cron: new Cron(expression, CRON_OPTIONS), times };
    compiled.set(expression, found);
  }
  return found;
}

/** What is wrong with an expression (syntax, or no date it could ever match), in words; undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  try {
    const { cron } = compile(expression);
    if (cron.nextRun(new Date(GAP_SEARCH_FROM)) === null) return 'it matches no date, so it would never run';
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
}

/**
 * The shortest time between two consecutive runs of a valid expression, in wall-clock minutes (what the
 * expression says, before a daylight-saving change stretches or squeezes one gap a year); Infinity when it
 * runs at most once in eight years. Times of day come from the pattern; whether two matching days can be
 * one day apart comes from croner over eight years of calendar.
 */
export function cronShortestGapMinutes(expression: string): number {
  let shortest = gaps.get(expression);
  if (shortest !== undefined) return shortest;
  const { cron, times } = compile(expression);
  shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++)
    shortest = Math.min(shortest, (times[i] as number) - (times[i - 1] as number));
  const first = times[0] as number;
  const last = times.at(-1) as number;
  // Across midnight: from the last run of one matching day to the first of the next.
  const acrossOneNight = DAY_MINUTES - last + first;
  let day = dayOf(cron.nextRun(new Date(GAP_SEARCH_FROM)));
  while (day !== undefined && day < GAP_SEARCH_FROM + GAP_SEARCH_MS && shortest > acrossOneNight) {
    const next = dayOf(cron.nextRun(new Date(day + last * MINUTE_MS)));
    if (next !== undefined) shortest = Math.min(shortest, (next - day) / MINUTE_MS - last + first);
    day = next;
  }
  gaps.set(expression, shortest);
  return shortest;
}

function dayOf(run: Date | null): number | undefined {
  return run === null ? undefined : Math.floor(run.getTime() / DAY_MS) * DAY_MS;
}

/** The first run of a valid expression in `timeZone` strictly after instant `after`. */
export function nextCronRun(expression: string, timeZone: string, after: number): number {
  const { cron } = compile(expression);
  let wall = wallClockAt(after, timeZone);
  for (;;) {
    // A valid expression matches some date in every 8 years; croner searches up to the year 9999.
    wall = (cron.nextRun(new Date(wall)) as Date).getTime();
    const at = instantOfWallClock(wall, timeZone);
    if (at > after) return at;
  }
}

/** The last run of a valid expression in `timeZone` at or before instant `at`. */
export function previousCronRun(expression: string, timeZone: string, at: number): number {
  const { cron } = compile(expression);
  // Readings up to the one shown at `at` name instants up to `at` (the mapping never goes backwards)...
  let wall = (cron.previousRuns(1, new Date(wallClockAt(at, timeZone) + 1))[0] as Date).getTime();
  let best = instantOfWallClock(wall, timeZone);
  // ...and after a fall-back, later readings can too: the first pass of the repeated hour.
  for (;;) {
    wall = (cron.nextRun(new Date(wall)) as Date).getTime();
    const instant = instantOfWallClock(wall, timeZone);
    if (instant > at) return best;
    best = instant;
  }
}

/** The expression in words with its zone: `At 02:00 AM, Europe/Berlin`. */
export function describeCron(expression: string, timeZone: string): string {
  let words: string;
  try {
    words = cronstrue.toString(expression, { throwExceptionOnParseError: true });
  } catch {
    // croner reads a few forms cronstrue does not: show the expression itself.
    words = `cron "${expression}"`;
  }
  return `${words}, ${timeZone}`;
}
