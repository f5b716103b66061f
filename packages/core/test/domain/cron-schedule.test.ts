import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Blackout, CronSchedule } from '../../src/domain/config';
import { cronShortestGapMinutes, nextCronRun } from '../../src/domain/cron';
import {
  blackoutsAt,
  decideSchedule,
  describeSchedule,
  jitterOffsetMinutes,
  lastSlot,
  MAX_COUNTED_SLOTS,
  nextSlot,
  phaseMinutes,
  planTick,
  type ScheduledApp,
  selectDue,
  slotStart,
  upcomingSlots,
} from '../../src/domain/schedule';
import { formatUtc, offsetAt } from '../../src/domain/time-zone';
import { clockOf } from './oracles';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TICK_MINUTES = 5;
const TICK = TICK_MINUTES * MINUTE;
const at = (iso: string) => Date.parse(iso);

const cron = (expression: string, more: Partial<CronSchedule> = {}): CronSchedule => ({
  cron: expression,
  timezone: 'UTC',
  jitterMinutes: 0,
  ...more,
});

interface App extends ScheduledApp {
  lastRunAt?: number | undefined;
}

const nightly = (more: Partial<App> = {}): App => ({
  key: 'team-a/orders',
  enabled: true,
  schedule: cron('0 2 * * *', { timezone: 'Europe/Berlin' }),
  ...more,
});

const window = (more: Partial<Blackout>): Blackout => ({ action: 'defer', ...more });

describe('decideSchedule for cron schedules', () => {
  // 2026-11-22 02:00 in Berlin is 01:00Z.
  const slot = at('2026-11-22T01:00Z');

  it.each([
    {
      when: 'it never ran and the slot came within the current tick',
      app: nightly(),
      tick: slot + 2 * MINUTE,
      expected: {
        outcome: 'due',
        slot,
        slots: 1,
        reason: 'first run, slot of 2026-11-22T02:00+01:00 (Europe/Berlin)',
      },
    },
    {
      when: 'it never ran and the slot is older than one tick: it waits for its first slot',
      app: nightly(),
      tick: slot + 2 * TICK,
      expected: { outcome: 'waiting' },
    },
    {
      when: 'it last ran before the slot',
      app: nightly({ lastRunAt: slot - DAY }),
      tick: slot,
      expected: { outcome: 'due', slot, slots: 1, reason: 'slot of 2026-11-22T02:00+01:00 (Europe/Berlin)' },
    },
    {
      when: 'it already ran for the slot',
      app: nightly({ lastRunAt: slot }),
      tick: slot + TICK,
      expected: { outcome: 'waiting' },
    },
    {
      when: 'it is paused',
      app: nightly({ lastRunAt: slot - DAY, paused: true }),
      tick: slot,
      expected: {
        outcome: 'paused',
        slot,
        reason:
          'paused (paused: true): the slot of 2026-11-22T02:00+01:00 (Europe/Berlin) is not taken; one run follows when it resumes',
      },
    },
    {
      when: 'it is disabled',
      app: nightly({ lastRunAt: slot - DAY, enabled: false }),
      tick: slot,
      expected: { outcome: 'disabled', slot, reason: 'disabled by its configuration (enabled: false)' },
    },
    {
      when: 'three daily slots passed during an outage: one catch-up run',
      app: nightly({ lastRunAt: slot - 3 * DAY + HOUR }),
      tick: slot + 7 * HOUR,
      expected: {
        outcome: 'due',
        slot,
        slots: 3,
        reason:
          'slot of 2026-11-22T02:00+01:00 (Europe/Berlin); catch-up: 3 slots since the last run coalesce into this one run',
      },
    },
    {
      when: 'hourly slots passed for ten days: counted up to the bound',
      app: nightly({ lastRunAt: slot - 10 * DAY, schedule: cron('0 * * * *') }),
      tick: slot,
      expected: {
        outcome: 'due',
        slot,
        slots: MAX_COUNTED_SLOTS,
        reason: `slot of 2026-11-22T01:00Z; catch-up: ${MAX_COUNTED_SLOTS} or more slots since the last run coalesce into this one run`,
      },
    },
  ])('$when', ({ app, tick, expected }) => {
    expect(decideSchedule(app, tick, TICK_MINUTES)).toEqual(expected);
  });

  it('moves each slot by the application’s own jitter', () => {
    const offset = jitterOffsetMinutes('team-a/orders', 30);
    const app = nightly({
      lastRunAt: slot - DAY + offset * MINUTE,
      schedule: cron('0 2 * * *', { timezone: 'Europe/Berlin', jitterMinutes: 30 }),
    });
    expect(offset).toBeGreaterThan(0);
    expect(decideSchedule(app, slot + offset * MINUTE - 1, TICK_MINUTES)).toEqual({ outcome: 'waiting' });
    expect(decideSchedule(app, slot + offset * MINUTE, TICK_MINUTES)).toMatchObject({
      outcome: 'due',
      slot: slot + offset * MINUTE,
    });
  });

  it('spreads a fleet scheduled at 02:00 over the jitter', () => {
    const offsets = Array.from({ length: 1000 }, (_, i) => jitterOffsetMinutes(`tenant/app-${i}`, 30));
    expect(new Set(offsets).size).toBe(31);
    expect(Math.max(...offsets)).toBe(30);
  });

  it('holds a slot until schedule.minIntervalMinutes after the last run, then runs it saying why', () => {
    const app = nightly({
      lastRunAt: slot - 30 * MINUTE,
      schedule: cron('0 * * * *', { timezone: 'Europe/Berlin', minIntervalMinutes: 90 }),
    });
    expect(decideSchedule(app, slot, TICK_MINUTES)).toEqual({
      outcome: 'deferred',
      slot,
      until: slot + HOUR,
      reason:
        'the slot of 2026-11-22T02:00+01:00 (Europe/Berlin) waits for schedule.minIntervalMinutes (90) after the last run at 2026-11-22T00:30Z',
    });
    expect(decideSchedule(app, slot + HOUR, TICK_MINUTES)).toEqual({
      outcome: 'due',
      slot: slot + HOUR,
      slots: 2,
      reason:
        'slot of 2026-11-22T03:00+01:00 (Europe/Berlin); catch-up: 2 slots since the last run coalesce into this one run',
    });
    expect(
      decideSchedule({ ...app, lastRunAt: slot - 60 * MINUTE }, slot + 30 * MINUTE, TICK_MINUTES),
    ).toMatchObject({
      outcome: 'due',
      reason:
        'slot of 2026-11-22T02:00+01:00 (Europe/Berlin); held for schedule.minIntervalMinutes (90) after the last run',
    });
  });

  it('refuses an application with no schedule at all', () => {
    expect(() => decideSchedule({ key: 't/a', enabled: true }, slot, TICK_MINUTES)).toThrow(
      'application t/a has neither intervalMinutes nor a schedule',
    );
  });
});

describe('blackout windows', () => {
  const slot = at('2026-11-22T01:00Z');
  const batch = window({
    name: 'nightly batch',
    cron: '30 1 * * *',
    durationMinutes: 120,
    timezone: 'Europe/Berlin',
  });
  const freeze = window({
    name: 'year-end freeze',
    from: '2026-12-20T00:00:00Z',
    to: '2027-01-04T00:00:00+01:00',
    action: 'skip',
  });

  it('finds the occurrences containing an instant, recurring in their zone or one-off', () => {
    expect(blackoutsAt([batch, freeze], slot)).toEqual([
      {
        index: 0,
        name: 'nightly batch',
        action: 'defer',
        start: at('2026-11-22T00:30Z'),
        end: at('2026-11-22T02:30Z'),
      },
    ]);
    expect(blackoutsAt([batch, freeze], at('2027-01-03T22:59Z'))).toEqual([
      {
        index: 1,
        name: 'year-end freeze',
        action: 'skip',
        start: at('2026-12-20T00:00Z'),
        end: at('2027-01-03T23:00Z'),
      },
    ]);
    expect(blackoutsAt([batch, freeze], at('2027-01-03T23:00Z'))).toEqual([]);
    expect(
      blackoutsAt([window({ cron: '0 * * * *', durationMinutes: 10 })], at('2026-11-22T05:05Z')),
    ).toEqual([
      {
        index: 0,
        name: 'blackouts[0]',
        action: 'defer',
        start: at('2026-11-22T05:00Z'),
        end: at('2026-11-22T05:10Z'),
      },
    ]);
  });

  it('defers a slot to the end of a "defer" window, then runs it saying so', () => {
    const app = nightly({ lastRunAt: slot - DAY, blackouts: [batch] });
    expect(decideSchedule(app, slot, TICK_MINUTES)).toEqual({
      outcome: 'deferred',
      slot,
      until: at('2026-11-22T02:30Z'),
      blackout: blackoutsAt([batch], slot)[0],
      reason:
        'no snapshot starts inside blackout "nightly batch" (2026-11-22T00:30Z to 2026-11-22T02:30Z): the slot of 2026-11-22T02:00+01:00 (Europe/Berlin) runs at its end',
    });
    expect(decideSchedule(app, at('2026-11-22T02:30Z'), TICK_MINUTES)).toEqual({
      outcome: 'due',
      slot,
      slots: 1,
      reason:
        'slot of 2026-11-22T02:00+01:00 (Europe/Berlin); deferred to the end of blackout "nightly batch" (2026-11-22T00:30Z to 2026-11-22T02:30Z)',
    });
  });

  it('skips a slot inside a "skip" window, once, and never runs it later', () => {
    const skipping = { ...batch, action: 'skip' as const };
    const app = nightly({ lastRunAt: slot - DAY, blackouts: [skipping] });
    const decision = decideSchedule(app, slot, TICK_MINUTES);
    expect(decision).toEqual({
      outcome: 'skipped',
      slot,
      blackout: blackoutsAt([skipping], slot)[0],
      reason:
        'the slot of 2026-11-22T02:00+01:00 (Europe/Berlin) falls in blackout "nightly batch" (2026-11-22T00:30Z to 2026-11-22T02:30Z), whose action is "skip"',
    });
    // Recorded SKIPPED on that tick, it is gone; unrecorded, it stays skipped after the window too.
    expect(decideSchedule({ ...app, lastRunAt: slot }, at('2026-11-22T03:00Z'), TICK_MINUTES)).toEqual({
      outcome: 'waiting',
    });
    expect(decideSchedule(app, at('2026-11-22T03:00Z'), TICK_MINUTES).outcome).toBe('skipped');
  });

  it('runs an older pending slot once the "skip" window that dropped the latest one ends', () => {
    const app: App = {
      key: 't/hourly',
      enabled: true,
      schedule: cron('0 * * * *'),
      lastRunAt: at('2026-11-21T23:00Z'),
      blackouts: [window({ cron: '55 0 * * *', durationMinutes: 30, action: 'skip' })],
    };
    expect(decideSchedule(app, at('2026-11-22T01:10Z'), TICK_MINUTES)).toMatchObject({
      outcome: 'deferred',
      slot: at('2026-11-22T00:00Z'),
      until: at('2026-11-22T01:25Z'),
    });
    expect(decideSchedule(app, at('2026-11-22T01:25Z'), TICK_MINUTES)).toEqual({
      outcome: 'due',
      slot: at('2026-11-22T00:00Z'),
      slots: 1,
      reason: 'slot of 2026-11-22T00:00Z',
    });
  });

  it('gives up looking for an unskipped slot after 100 windows in a row', () => {
    const app = nightly({
      lastRunAt: slot - 200 * DAY,
      blackouts: [{ ...batch, action: 'skip' }],
    });
    expect(decideSchedule(app, slot, TICK_MINUTES).outcome).toBe('skipped');
  });

  it('skips the current slot of an interval application that never ran, when a window drops it', () => {
    const app: App = {
      key: 't/interval',
      enabled: true,
      intervalMinutes: 60,
      blackouts: [window({ from: '2026-11-22T00:00:00Z', to: '2026-11-22T06:00:00Z', action: 'skip' })],
    };
    expect(decideSchedule(app, at('2026-11-22T01:00Z'), TICK_MINUTES).outcome).toBe('skipped');
  });
});

describe('planTick and selectDue', () => {
  const tick = at('2026-11-22T01:00Z');
  const apps: App[] = [
    nightly({ key: 't/due', lastRunAt: tick - DAY }),
    nightly({ key: 't/off', lastRunAt: tick - DAY, enabled: false }),
    nightly({
      key: 't/skip',
      lastRunAt: tick - DAY,
      blackouts: [window({ from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z', action: 'skip' })],
    }),
    nightly({ key: 't/paused', lastRunAt: tick - DAY, paused: true }),
    { key: 't/every-hour', enabled: true, intervalMinutes: 60, lastRunAt: tick },
  ];

  it('sorts applications into due, disabled and skipped, with every decision by key', () => {
    const plan = planTick(apps, tick, TICK_MINUTES);
    expect(plan.due.map((a) => a.key)).toEqual(['t/due']);
    expect(plan.disabled.map((a) => a.key)).toEqual(['t/off']);
    expect(plan.skipped.map((a) => a.key)).toEqual(['t/skip']);
    expect([...plan.decisions].map(([key, d]) => [key, d.outcome])).toEqual([
      ['t/due', 'due'],
      ['t/off', 'disabled'],
      ['t/skip', 'skipped'],
      ['t/paused', 'paused'],
      ['t/every-hour', 'waiting'],
    ]);
  });

  it('keeps selectDue to due and disabled applications', () => {
    expect(selectDue(apps, tick, TICK_MINUTES)).toEqual({ due: [apps[0]], disabled: [apps[1]] });
  });
});

describe('schedule status', () => {
  it('lists the next slots in UTC and in the schedule’s zone, with what blackouts do to them', () => {
    const app = nightly({
      blackouts: [
        window({ name: 'freeze', from: '2026-03-29T00:00:00Z', to: '2026-03-30T00:00:00Z', action: 'skip' }),
        window({ name: 'batch', from: '2026-03-30T00:30:00Z', to: '2026-03-30T01:00:00Z' }),
        window({ name: 'batch, later', from: '2026-03-30T00:45:00Z', to: '2026-03-30T01:15:00Z' }),
      ],
    });
    const upcoming = upcomingSlots(app, at('2026-03-27T12:00Z'), 4, TICK_MINUTES);
    expect(
      upcoming.map(({ utc, local, runsAt, blackout }) => ({ utc, local, runsAt, blackout: blackout?.name })),
    ).toEqual([
      {
        utc: '2026-03-28T01:00Z',
        local: '2026-03-28T02:00+01:00',
        runsAt: at('2026-03-28T01:00Z'),
        blackout: undefined,
      },
      { utc: '2026-03-29T01:00Z', local: '2026-03-29T03:00+02:00', runsAt: undefined, blackout: 'freeze' },
      {
        utc: '2026-03-30T00:00Z',
        local: '2026-03-30T02:00+02:00',
        runsAt: at('2026-03-30T00:00Z'),
        blackout: undefined,
      },
      {
        utc: '2026-03-31T00:00Z',
        local: '2026-03-31T02:00+02:00',
        runsAt: at('2026-03-31T00:00Z'),
        blackout: undefined,
      },
    ]);
    const deferred = upcomingSlots(
      { ...app, schedule: cron('40 0 * * *') },
      at('2026-03-29T12:00Z'),
      1,
      TICK_MINUTES,
    );
    expect(deferred[0]).toMatchObject({
      utc: '2026-03-30T00:40Z',
      runsAt: at('2026-03-30T01:15Z'),
      timeZone: 'UTC',
    });
    expect(deferred[0]?.blackout?.name).toBe('batch');
  });

  it('lists the slots of an application without blackouts as they are', () => {
    const [first] = upcomingSlots(nightly(), at('2026-11-22T12:00Z'), 1, TICK_MINUTES);
    expect(first).toEqual({
      slot: at('2026-11-23T01:00Z'),
      runsAt: at('2026-11-23T01:00Z'),
      utc: '2026-11-23T01:00Z',
      local: '2026-11-23T02:00+01:00',
      timeZone: 'Europe/Berlin',
      blackout: undefined,
    });
  });

  it('gives the last and next slot of cron and interval schedules', () => {
    const now = at('2026-11-22T12:00Z');
    expect(formatUtc(lastSlot(nightly(), now, TICK_MINUTES))).toBe('2026-11-22T01:00Z');
    expect(formatUtc(nextSlot(nightly(), now, TICK_MINUTES))).toBe('2026-11-23T01:00Z');
    const hourly: App = { key: 'team-a/orders', enabled: true, intervalMinutes: 60 };
    expect(lastSlot(hourly, now, TICK_MINUTES)).toBe(slotStart('team-a/orders', 60, now, TICK_MINUTES));
    expect(nextSlot(hourly, now, TICK_MINUTES)).toBe(
      slotStart('team-a/orders', 60, now, TICK_MINUTES) + HOUR,
    );
  });

  it.each([
    [nightly(), 'At 02:00 AM, Europe/Berlin'],
    [
      nightly({ key: 't/x', schedule: cron('0 2 * * *', { jitterMinutes: 20, minIntervalMinutes: 60 }) }),
      `At 02:00 AM, UTC, ${jitterOffsetMinutes('t/x', 20)} minutes later for this application (jitter up to 20), at least 60 minutes apart`,
    ],
    [
      { key: 'team-a/orders', enabled: true, intervalMinutes: 360 },
      `Every 360 minutes, slots offset by ${phaseMinutes('team-a/orders', 360, TICK_MINUTES)} minutes for this application`,
    ],
  ])('describes %j as %s', (app, words) => {
    expect(describeSchedule(app, TICK_MINUTES)).toBe(words);
  });
});

// ---- Properties -------------------------------------------------------------------------------------------

interface Field {
  readonly text: string;
  readonly values: readonly number[];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const list = (values: number[]): Field => {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  return { text: sorted.join(','), values: sorted };
};
const minuteField: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 59 }).map((m) => list([m])),
  fc
    .constantFrom(10, 15, 20, 30)
    .map((k) => ({ text: `*/${k}`, values: range(0, 59).filter((m) => m % k === 0) })),
  fc.array(fc.integer({ min: 0, max: 59 }), { minLength: 2, maxLength: 3 }).map(list),
);
const hourField: fc.Arbitrary<Field> = fc.oneof(
  fc.constant({ text: '*', values: range(0, 23) }),
  fc.integer({ min: 0, max: 23 }).map((h) => list([h])),
  fc.tuple(fc.integer({ min: 0, max: 22 }), fc.integer({ min: 1, max: 4 })).map(([from, length]) => ({
    text: `${from}-${Math.min(23, from + length)}`,
    values: range(from, Math.min(23, from + length)),
  })),
  fc.constantFrom(2, 3).map((k) => ({ text: `*/${k}`, values: range(0, 23).filter((h) => h % k === 0) })),
);
/** A daily cron pattern whose runs are at least one tick apart, with an oracle for its wall-clock readings. */
const pattern = fc
  .tuple(minuteField, hourField)
  .map(([minute, hour]) => ({
    expression: `${minute.text} ${hour.text} * * *`,
    matches: (wall: number) => {
      const reading = new Date(wall);
      return minute.values.includes(reading.getUTCMinutes()) && hour.values.includes(reading.getUTCHours());
    },
  }))
  .filter(({ expression }) => cronShortestGapMinutes(expression) >= TICK_MINUTES);

/** Runs the dispatcher's loop on `ticks`: a due application gets `lastRunAt = tick`. Returns the ticks it ran on. */
function simulate(app: App, ticks: readonly number[]): number[] {
  const runs: number[] = [];
  for (const tick of ticks) {
    const plan = planTick([app], tick, TICK_MINUTES);
    if (plan.due.length + plan.skipped.length > 0) app.lastRunAt = tick;
    if (plan.due.length > 0) runs.push(tick);
  }
  return runs;
}

/** Ticks every 5 minutes over [from, to], some of them lost to outages. */
const ticksBetween = (from: number, to: number, lost: ReadonlySet<number> = new Set()) =>
  range(1, Math.floor((to - from) / TICK))
    .filter((i) => !lost.has(i))
    .map((i) => from + i * TICK);

/** Wall-clock readings of a zone, minute by minute, from Intl (not the code under test). */
function readings(timeZone: string, from: number, to: number): { instant: number; wall: number }[] {
  const out: { instant: number; wall: number }[] = [];
  for (let instant = from; instant <= to; instant += MINUTE) {
    const { year, month, day, hour, minute } = clockOf(instant, timeZone);
    out.push({ instant, wall: Date.UTC(year, month - 1, day, hour, minute) });
  }
  return out;
}

/**
 * The oracle's slots: every matching wall-clock reading, once, at its first instant; a reading the clocks
 * skip, at the first instant after the skip.
 */
function oracleSlots(
  timeZone: string,
  from: number,
  to: number,
  matches: (wall: number) => boolean,
): number[] {
  const scan = readings(timeZone, from - 3 * HOUR, to);
  const seen = new Set<number>();
  const slots = new Set<number>();
  scan.forEach(({ instant, wall }, i) => {
    const previous = scan[i - 1]?.wall ?? wall - MINUTE;
    for (let skipped = previous + MINUTE; skipped < wall; skipped += MINUTE) {
      if (matches(skipped)) slots.add(instant);
    }
    if (matches(wall) && !seen.has(wall)) slots.add(instant);
    seen.add(wall);
  });
  return [...slots].filter((s) => s > from && s <= to).sort((a, b) => a - b);
}

const CHANGES = [
  ['Europe/Berlin', '2026-03-29T01:00Z'],
  ['Europe/Berlin', '2026-10-25T01:00Z'],
  ['America/New_York', '2026-03-08T07:00Z'],
  ['America/New_York', '2026-11-01T06:00Z'],
  ['Australia/Lord_Howe', '2026-04-04T15:00Z'],
  ['Australia/Lord_Howe', '2026-10-03T15:30Z'],
  ['Asia/Kolkata', '2026-03-29T01:00Z'],
] as const;

describe('schedule properties (fast-check, 1000 runs each)', () => {
  it('the simulated windows do hold a daylight-saving change, but in Kolkata', () => {
    for (const [zone, change] of CHANGES) {
      const moved = offsetAt(at(change) - 2 * HOUR, zone) !== offsetAt(at(change) + 2 * HOUR, zone);
      expect(moved, zone).toBe(zone !== 'Asia/Kolkata');
    }
  });

  it('a cron schedule fires exactly once per slot across daylight-saving changes (Berlin, New York, Lord Howe, Kolkata)', () => {
    fc.assert(
      fc.property(pattern, fc.constantFrom(...CHANGES), ({ expression, matches }, [timeZone, change]) => {
        const from = at(change) - 2 * HOUR;
        const to = at(change) + 2 * HOUR;
        const app: App = {
          key: 't/dst',
          enabled: true,
          schedule: cron(expression, { timezone: timeZone }),
          lastRunAt: from,
        };
        const ticks = ticksBetween(from, to);
        const runs = simulate(app, ticks);
        const expected = new Set(
          oracleSlots(timeZone, from, to, matches).map((s) => ticks.find((t) => t >= s)),
        );
        expected.delete(undefined);
        expect(runs).toEqual([...expected]);
      }),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('missed ticks coalesce: at most one run per slot, and every slot is served by the first tick after it', () => {
    fc.assert(
      fc.property(
        pattern,
        fc.uniqueArray(fc.integer({ min: 1, max: 48 }), { maxLength: 30 }),
        ({ expression, matches }, lostTicks) => {
          const from = at('2026-11-22T00:00Z');
          const to = from + 4 * HOUR;
          const app: App = { key: 't/outage', enabled: true, schedule: cron(expression), lastRunAt: from };
          const ticks = ticksBetween(from, to, new Set(lostTicks));
          const runs = simulate(app, ticks);
          const slots = range(1, 4 * 60)
            .map((m) => from + m * MINUTE)
            .filter(matches);
          for (let i = 1; i < runs.length; i++) {
            // A run only follows a slot that came after the previous run: no burst.
            expect(slots.some((s) => s > (runs[i - 1] as number) && s <= (runs[i] as number))).toBe(true);
          }
          for (const s of slots) {
            const first = ticks.find((t) => t >= s);
            if (first !== undefined) expect(runs).toContain(first);
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('no run is ever due inside a blackout window', () => {
    const recurring = fc
      .tuple(
        fc.integer({ min: 0, max: 59 }),
        fc.option(fc.integer({ min: 0, max: 23 }), { nil: undefined }),
        fc.integer({ min: 1, max: 59 }),
        fc.constantFrom('defer', 'skip'),
      )
      .map(([minute, hour, length, action]) => ({
        blackout: window({
          cron: `${minute} ${hour ?? '*'} * * *`,
          durationMinutes: length,
          action: action as Blackout['action'],
        }),
        inside: (t: number) => {
          const reading = new Date(t);
          const minutes = (hour === undefined ? 0 : reading.getUTCHours() * 60) + reading.getUTCMinutes();
          const start = (hour ?? 0) * 60 + minute;
          const period = hour === undefined ? 60 : 1440;
          return (((minutes - start) % period) + period) % period < length;
        },
      }));
    const from = at('2026-11-22T00:00Z');
    const oneOff = fc
      .tuple(
        fc.integer({ min: 0, max: 4 * 60 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom('defer', 'skip'),
      )
      .map(([start, length, action]) => ({
        blackout: window({
          from: new Date(from + start * MINUTE).toISOString(),
          to: new Date(from + (start + length) * MINUTE).toISOString(),
          action: action as Blackout['action'],
        }),
        inside: (t: number) => t >= from + start * MINUTE && t < from + (start + length) * MINUTE,
      }));
    fc.assert(
      fc.property(
        fc.oneof(
          pattern.map(({ expression }) => ({ schedule: cron(expression) })),
          fc.constantFrom(5, 10, 15, 30, 60).map((intervalMinutes) => ({ intervalMinutes })),
        ),
        fc.array(fc.oneof(recurring, oneOff), { minLength: 1, maxLength: 2 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 36 }), { maxLength: 10 }),
        (when, windows, lostTicks) => {
          const app: App = {
            key: 't/blackout',
            enabled: true,
            ...when,
            lastRunAt: from,
            blackouts: windows.map((w) => w.blackout),
          };
          const runs = simulate(app, ticksBetween(from, from + 3 * HOUR, new Set(lostTicks)));
          for (const run of runs) {
            expect(
              windows.some((w) => w.inside(run)),
              new Date(run).toISOString(),
            ).toBe(false);
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('the oracle agrees with croner on plain UTC patterns', () => {
    fc.assert(
      fc.property(pattern, ({ expression, matches }) => {
        const from = at('2026-11-22T00:00Z');
        const next = nextCronRun(expression, 'UTC', from);
        const first = range(1, 3 * 1440)
          .map((m) => from + m * MINUTE)
          .find(matches);
        expect(next).toBe(first);
      }),
      { numRuns: 200 },
    );
  });
});
