/**
 * Time zones through the Temporal API (temporal-polyfill while Node has no Temporal of its own, which
 * reads the zone rules from the runtime's ICU, as Intl does): wall-clock times of an IANA zone to
 * instants and back, and the calendar periods retention cuts time into. No offset is computed here by
 * hand: each offset and the transitions bounding it come from Temporal, and are reused between those
 * transitions, because the polyfill takes a few hundred microseconds a call and a dispatcher tick asks for
 * thousands. A wall-clock time is carried as the epoch milliseconds of the same clock reading in UTC (a
 * "wall" number), so cron matching can run on it without any zone.
 */
import { Temporal } from 'temporal-polyfill';

export const UTC = 'UTC';

const known = new Map<string, boolean>();

/** Whether `name` is an IANA time zone the runtime knows (`Europe/Berlin`, `UTC`); offsets such as `+01:00` are not. */
export function isTimeZone(name: string): boolean {
  let ok = known.get(name);
  if (ok === undefined) {
    ok = /^[A-Za-z]/.test(name) && canFormatIn(name);
    known.set(name, ok);
  }
  return ok;
}

function canFormatIn(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function zoned(ms: number, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
}

/** A stretch of time in one zone with one UTC offset, between two of its transitions (Temporal's). */
interface OffsetSpan {
  readonly from: number;
  readonly to: number;
  readonly offsetMs: number;
}

/** Per zone, the spans looked up so far; a bound keeps a long-lived process from growing without end. */
const spans = new Map<string, OffsetSpan[]>();
const MAX_SPANS_PER_ZONE = 256;

/** The UTC offset of `timeZone` at instant `ms`, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  let known = spans.get(timeZone);
  if (known === undefined || known.length >= MAX_SPANS_PER_ZONE) {
    known = [];
    spans.set(timeZone, known);
  }
  for (const span of known) if (span.from <= ms && ms < span.to) return span.offsetMs;
  const at = zoned(ms, timeZone);
  const offsetMs = at.offsetNanoseconds / 1e6;
  // 'previous' is strictly before `at`: when `at` is itself a transition, the span starts at `at`.
  const before = at.getTimeZoneTransition('previous');
  const from =
    before === null
      ? Number.NEGATIVE_INFINITY
      : zoned(ms - 1, timeZone).offsetNanoseconds / 1e6 === offsetMs
        ? before.epochMilliseconds
        : ms;
  const after = at.getTimeZoneTransition('next');
  known.push({ from, to: after === null ? Number.POSITIVE_INFINITY : after.epochMilliseconds, offsetMs });
  return offsetMs;
}

/** The wall-clock reading at instant `ms` in `timeZone`, as a wall number. */
export function wallClockAt(ms: number, timeZone: string): number {
  return ms + offsetAt(ms, timeZone);
}

/**
 * The instant a wall-clock reading names in `timeZone`. A reading the clocks skip (spring forward) names
 * the instant the skip ends, so a schedule slot inside it still happens once; a reading the clocks show
 * twice (fall back) names the first, so the slot happens once, not twice.
 */
export function instantOfWallClock(wall: number, timeZone: string): number {
  let known = instants.get(timeZone);
  if (known === undefined || known.size >= MAX_INSTANTS_PER_ZONE) {
    known = new Map();
    instants.set(timeZone, known);
  }
  let instant = known.get(wall);
  if (instant === undefined) {
    instant = resolveWallClock(wall, timeZone);
    known.set(wall, instant);
  }
  return instant;
}

/** Per zone, the wall-clock readings resolved so far: a fleet's slots come back tick after tick. */
const instants = new Map<string, Map<number, number>>();
const MAX_INSTANTS_PER_ZONE = 100_000;

function resolveWallClock(wall: number, timeZone: string): number {
  const reading = zoned(wall, UTC).toPlainDateTime();
  const earlier = reading.toZonedDateTime(timeZone, { disambiguation: 'earlier' });
  if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), reading) === 0)
    return earlier.epochMilliseconds;
  // Inside a skip, 'earlier' moves the reading back by the skip's length: the skip ends at the next transition.
  return (earlier.getTimeZoneTransition('next') as Temporal.ZonedDateTime).epochMilliseconds;
}

/** `2026-03-29T03:00+02:00`: the instant as the clocks of `timeZone` show it, with their offset from UTC. */
export function formatInZone(ms: number, timeZone: string): string {
  const at = zoned(ms, timeZone);
  return `${at.toPlainDate().toString()}T${pad(at.hour)}:${pad(at.minute)}${at.offset}`;
}

/** `2026-03-29T01:00Z`: the instant in UTC, to the minute. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The calendar periods an instant falls in, in one time zone: what tiered retention keeps one snapshot of. */
export interface CalendarPeriods {
  /** `2026-10-25T02+02:00`: the hour with its offset, so the hour a fall-back repeats is two periods. */
  readonly hour: string;
  /** `2026-10-25` */
  readonly day: string;
  /** `2026-W43`: the ISO week (Monday to Sunday) and its week-numbering year. */
  readonly week: string;
  /** `2026-10` */
  readonly month: string;
  /** `2026` */
  readonly year: string;
}

/** The hour, day, ISO week, month and year that instant `ms` falls in, on the clocks of `timeZone`. */
export function calendarPeriods(ms: number, timeZone: string): CalendarPeriods {
  const offset = offsetAt(ms, timeZone);
  const reading = zoned(ms + offset, UTC);
  const day = reading.toPlainDate().toString();
  return {
    hour: `${day}T${pad(reading.hour)}${offsetText(offset)}`,
    day,
    week: `${reading.yearOfWeek}-W${pad(reading.weekOfYear as number)}`,
    month: day.slice(0, -3),
    year: String(reading.year),
  };
}

/** `+05:30`, `-04:00`: an offset as ISO 8601 writes it. */
function offsetText(offsetMs: number): string {
  const minutes = Math.abs(offsetMs) / 60_000;
  return `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
