import { describe, expect, it } from 'vitest';
import {
  cronProblem,
  cronShortestGapMinutes,
  describeCron,
  nextCronRun,
  previousCronRun,
} from '../../src/domain/cron';
import {
  calendarPeriods,
  formatInZone,
  formatUtc,
  instantOfWallClock,
  isTimeZone,
  offsetAt,
  wallClockAt,
} from '../../src/domain/time-zone';

/** The next `n` runs after `from`, as the clocks of the zone show them (`HH:MM+offset`). */
function runs(expression: string, timeZone: string, from: string, n: number): string[] {
  const out: string[] = [];
  let at = Date.parse(from);
  for (let i = 0; i < n; i++) {
    at = nextCronRun(expression, timeZone, at);
    out.push(formatInZone(at, timeZone).slice(11));
  }
  return out;
}

describe('cron runs across daylight-saving changes', () => {
  it.each([
    {
      change: 'Berlin springs forward: 02:00 daily runs once, when the skipped hour ends',
      expression: '0 2 * * *',
      timeZone: 'Europe/Berlin',
      from: '2026-03-27T12:00Z',
      expected: ['02:00+01:00', '03:00+02:00', '02:00+02:00'],
    },
    {
      change: 'Berlin falls back: 02:30 daily runs once, on the first pass of the repeated hour',
      expression: '30 2 * * *',
      timeZone: 'Europe/Berlin',
      from: '2026-10-24T12:00Z',
      expected: ['02:30+02:00', '02:30+01:00'],
    },
    {
      change: 'Berlin springs forward: half-hourly runs merge into one at 03:00',
      expression: '*/30 * * * *',
      timeZone: 'Europe/Berlin',
      from: '2026-03-29T00:15Z',
      expected: ['01:30+01:00', '03:00+02:00', '03:30+02:00'],
    },
    {
      change: 'Berlin falls back: half-hourly runs take the repeated hour once',
      expression: '*/30 * * * *',
      timeZone: 'Europe/Berlin',
      from: '2026-10-24T23:45Z',
      expected: ['02:00+02:00', '02:30+02:00', '03:00+01:00'],
    },
    {
      change: 'New York springs forward at 02:00',
      expression: '30 2 * * *',
      timeZone: 'America/New_York',
      from: '2026-03-06T12:00Z',
      expected: ['02:30-05:00', '03:00-04:00', '02:30-04:00'],
    },
    {
      change: 'Lord Howe springs forward by 30 minutes',
      expression: '15 2 * * *',
      timeZone: 'Australia/Lord_Howe',
      from: '2026-10-03T02:00Z',
      expected: ['02:30+11:00', '02:15+11:00'],
    },
    {
      change: 'Lord Howe falls back by 30 minutes: 01:45 runs once',
      expression: '45 1 * * *',
      timeZone: 'Australia/Lord_Howe',
      from: '2026-04-04T02:00Z',
      expected: ['01:45+11:00', '01:45+10:30'],
    },
    {
      change: 'Kolkata has no daylight saving: 02:00 every day at +05:30',
      expression: '0 2 * * *',
      timeZone: 'Asia/Kolkata',
      from: '2026-03-28T00:00Z',
      expected: ['02:00+05:30', '02:00+05:30'],
    },
  ])('$change', ({ expression, timeZone, from, expected }) => {
    expect(runs(expression, timeZone, from, expected.length)).toEqual(expected);
  });

  it('finds the last run at or before an instant, the first pass of a repeated hour included', () => {
    const berlin = 'Europe/Berlin';
    // 02:40 CET on the fall-back day, the second pass: the last half-hourly run was 02:30 CEST, not 02:30 CET.
    const secondPass = Date.parse('2026-10-25T01:40Z');
    expect(formatInZone(previousCronRun('*/30 * * * *', berlin, secondPass), berlin)).toBe(
      '2026-10-25T02:30+02:00',
    );
    const exactly = Date.parse('2026-10-25T02:00Z');
    expect(previousCronRun('0 3 * * *', berlin, exactly)).toBe(exactly);
    expect(formatUtc(previousCronRun('0 3 * * *', berlin, exactly - 1))).toBe('2026-10-24T01:00Z');
  });
});

describe('cronProblem', () => {
  it.each([
    ['0 2 * * *', undefined],
    ['@daily', undefined],
    ['0 0 L * *', undefined],
    ['61 * * * *', 'Invalid value for minute: 61'],
    ['0 25 * * *', 'Invalid value for hour: 25'],
    ['0 0 31 2 *', 'it matches no date, so it would never run'],
    ['* * * * * *', "mode '5-part' requires exactly 5 parts, but pattern '* * * * * *' has 6 parts."],
    ['2026-12-01T00:00:00', expect.stringContaining('exactly five, six, or seven space separated parts')],
  ])('%s: %s', (expression, problem) => {
    expect(cronProblem(expression)).toEqual(problem);
  });
});

describe('cronShortestGapMinutes', () => {
  it.each([
    ['0 2 * * *', 1440],
    ['*/5 * * * *', 5],
    ['*/7 * * * *', 4],
    ['@hourly', 60],
    ['5,55 0,23 * * *', 10],
    ['5,55 0,23 * * 1', 50],
    ['0 0 28,29 2 *', 1440],
    ['0 0 29 2 *', 1461 * 1440],
    ['0 0 * * 5#2', 28 * 1440],
    ['0 0 1,L * *', 1440],
    ['0 0 31 2 *', Number.POSITIVE_INFINITY], // never runs: no two runs to be apart
  ])('%s runs at least %s minutes apart', (expression, minutes) => {
    expect(cronShortestGapMinutes(expression)).toBe(minutes);
    expect(cronShortestGapMinutes(expression)).toBe(minutes); // the second answer comes from the cache
  });
});

describe('describeCron', () => {
  it.each([
    ['0 2 * * *', 'Europe/Berlin', 'At 02:00 AM, Europe/Berlin'],
    ['*/30 * * * 1-5', 'UTC', 'Every 30 minutes, Monday through Friday, UTC'],
    ['0 0 * * 5#2', 'UTC', 'At 12:00 AM, on the second Friday of the month, UTC'],
    ['0 0 * * FRI#L', 'UTC', 'cron "0 0 * * FRI#L", UTC'], // croner's last Friday; cronstrue does not read it
  ])('%s in %s: %s', (expression, timeZone, words) => {
    expect(describeCron(expression, timeZone)).toBe(words);
  });
});

describe('time zones', () => {
  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Asia/Calcutta', true],
    ['Mars/Olympus', false],
    ['+01:00', false],
    ['', false],
  ])('%s is a time zone: %s', (name, known) => {
    expect(isTimeZone(name)).toBe(known);
    expect(isTimeZone(name)).toBe(known);
  });

  it('maps a wall-clock reading to one instant: skipped readings to the end of the skip, repeated ones to the first', () => {
    const wall = (text: string) => Date.parse(`${text}Z`);
    expect(formatUtc(instantOfWallClock(wall('2026-03-29T02:30'), 'Europe/Berlin'))).toBe(
      '2026-03-29T01:00Z',
    );
    expect(formatUtc(instantOfWallClock(wall('2026-10-25T02:30'), 'Europe/Berlin'))).toBe(
      '2026-10-25T00:30Z',
    );
    expect(formatUtc(instantOfWallClock(wall('2026-06-01T12:00'), 'Europe/Berlin'))).toBe(
      '2026-06-01T10:00Z',
    );
    expect(wallClockAt(Date.parse('2026-06-01T10:00Z'), 'Europe/Berlin')).toBe(wall('2026-06-01T12:00'));
  });

  it('knows the offset on both sides of a transition, the transition instant itself included', () => {
    const change = Date.parse('2026-03-29T01:00Z');
    const zone = 'Europe/Berlin';
    expect(offsetAt(change, zone) / 60_000).toBe(120); // asked first at the transition: a span starting there
    expect(offsetAt(change - 1, zone) / 60_000).toBe(60);
    expect(offsetAt(change + 1, zone) / 60_000).toBe(120);
    expect(offsetAt(Date.parse('2026-01-01T00:00Z'), 'UTC')).toBe(0);
  });

  it('keeps answering past its caches’ bounds', () => {
    for (let i = 0; i < 300; i++) offsetAt(Date.UTC(1700 + i * 2, 0, 1), 'America/New_York');
    expect(offsetAt(Date.parse('2026-07-01T00:00Z'), 'America/New_York') / 60_000).toBe(-240);
  });

  it.each([
    [
      '2026-10-25T00:30Z',
      'Europe/Berlin',
      { hour: '2026-10-25T02+02:00', day: '2026-10-25', week: '2026-W43', month: '2026-10', year: '2026' },
    ],
    [
      '2026-10-25T01:30Z',
      'Europe/Berlin',
      { hour: '2026-10-25T02+01:00', day: '2026-10-25', week: '2026-W43', month: '2026-10', year: '2026' },
    ],
    [
      '2026-12-31T23:00Z',
      'America/New_York',
      { hour: '2026-12-31T18-05:00', day: '2026-12-31', week: '2026-W53', month: '2026-12', year: '2026' },
    ],
    [
      '2027-01-01T00:00Z',
      'Asia/Kolkata',
      { hour: '2027-01-01T05+05:30', day: '2027-01-01', week: '2026-W53', month: '2027-01', year: '2027' },
    ],
  ])('puts %s in %s into its hour, day, ISO week, month and year', (instant, timeZone, periods) => {
    expect(calendarPeriods(Date.parse(instant), timeZone)).toEqual(periods);
  });
});
