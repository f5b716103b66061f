import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelaySeconds,
  hashKey,
  phaseMinutes,
  type ScheduledApp,
  selectDue,
  slotStart,
} from '../../src/domain/schedule';

const MINUTE = 60_000;
const TICK_MINUTES = 5;
const TICK = TICK_MINUTES * MINUTE;
const T0 = Date.UTC(2026, 10, 22, 0, 0);

interface App extends ScheduledApp {
  readonly intervalMinutes: number;
  lastRunAt?: number | undefined;
}

/** Runs the dispatcher's loop: every due or disabled-due app gets `lastRunAt = tick`. Returns runs per key. */
function simulate(apps: App[], ticks: readonly number[]) {
  const due = new Map<string, number[]>();
  const skipped = new Map<string, number[]>();
  for (const tick of ticks) {
    const selection = selectDue(apps, tick, TICK_MINUTES);
    for (const [list, record] of [
      [selection.due, due],
      [selection.disabled, skipped],
    ] as const) {
      for (const app of list) {
        record.set(app.key, [...(record.get(app.key) ?? []), tick]);
        app.lastRunAt = tick;
      }
    }
  }
  return { due, skipped };
}

const ticksOver = (minutes: number, start = T0) =>
  Array.from({ length: minutes / TICK_MINUTES }, (_, i) => start + i * TICK);

describe('selectDue', () => {
  const app = (lastRunAt?: number, enabled = true): App => ({
    key: 'team-a/orders',
    intervalMinutes: 60,
    lastRunAt,
    enabled,
  });
  const start = slotStart('team-a/orders', 60, T0, TICK_MINUTES);

  it.each([
    { when: 'it never ran', lastRunAt: undefined, due: true },
    { when: 'its last run was before the current slot began', lastRunAt: start - 1, due: true },
    { when: 'its last run was days ago', lastRunAt: start - 3 * 24 * 60 * MINUTE, due: true },
    { when: 'it ran at the start of the current slot', lastRunAt: start, due: false },
    { when: 'it ran later in the current slot', lastRunAt: start + TICK, due: false },
  ])('is due: $due when $when', ({ lastRunAt, due }) => {
    const selection = selectDue([app(lastRunAt)], T0, TICK_MINUTES);
    expect(selection.due.length).toBe(due ? 1 : 0);
    expect(selection.disabled).toEqual([]);
  });

  it('reports a disabled app apart, when its slot comes due, and never as due', () => {
    expect(selectDue([app(undefined, false)], T0, TICK_MINUTES)).toEqual({
      due: [],
      disabled: [app(undefined, false)],
    });
    expect(selectDue([app(start, false)], T0, TICK_MINUTES)).toEqual({ due: [], disabled: [] });
  });

  it('returns the callers own app objects', () => {
    const apps = [app(), app(start)];
    expect(selectDue(apps, T0, TICK_MINUTES).due[0]).toBe(apps[0]);
  });

  it.each([0, -5, Number.NaN])('refuses a tick of %s minutes', (tickMinutes) => {
    expect(() => selectDue([], T0, tickMinutes)).toThrow(
      `tickMinutes must be a positive number of minutes, received ${tickMinutes}`,
    );
  });

  it('coalesces a long outage into exactly one run, then resumes on the app phase', () => {
    const apps = [app(T0 - 3 * 24 * 60 * MINUTE)];
    const { due } = simulate(apps, ticksOver(180, T0));
    const runs = due.get('team-a/orders') ?? [];
    expect(runs[0]).toBe(T0);
    expect(runs.slice(1).map((t) => (t - start) % (60 * MINUTE))).toEqual([0, 0, 0]);
  });

  it('spreads 1000 apps of the same interval over the ticks of the interval', () => {
    const apps: App[] = Array.from({ length: 1000 }, (_, i) => ({
      key: `tenant-${i % 7}/app-${i}`,
      intervalMinutes: 60,
      enabled: true,
    }));
    const { due } = simulate(apps, ticksOver(120, T0 - 60 * MINUTE)); // the first hour settles never-run apps
    const secondHour = ticksOver(60);
    const perTick = secondHour.map((tick) => [...due.values()].filter((runs) => runs.includes(tick)).length);
    expect(perTick.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.max(...perTick)).toBeLessThanOrEqual(125); // 1000 / 12 ticks ≈ 83
    expect(Math.min(...perTick)).toBeGreaterThanOrEqual(50);
  });

  it('runs every app about 1440 / interval times over a simulated day', () => {
    const intervals = [5, 7, 10, 15, 30, 45, 60, 120, 360, 720, 1440];
    const apps: App[] = intervals.flatMap((intervalMinutes) =>
      Array.from({ length: 20 }, (_, i) => ({
        key: `t/app-${intervalMinutes}-${i}`,
        intervalMinutes,
        enabled: true,
      })),
    );
    const { due } = simulate(apps, ticksOver(1440));
    for (const a of apps) {
      const runs = due.get(a.key)?.length ?? 0;
      expect(Math.abs(runs - 1440 / a.intervalMinutes), `${a.key} ran ${runs} times`).toBeLessThanOrEqual(
        1.5,
      );
    }
  });

  it('reports a disabled app once per interval, so SKIPPED runs keep its cadence', () => {
    const { due, skipped } = simulate(
      [{ key: 't/off', intervalMinutes: 60, enabled: false }],
      ticksOver(1440),
    );
    expect(due.size).toBe(0);
    expect(Math.abs((skipped.get('t/off')?.length ?? 0) - 24)).toBeLessThanOrEqual(1);
  });

  it('is due at most once per slot, on the first tick of every slot that has one, whatever the history (property)', () => {
    const gap = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 2 }).map((k) => k * TICK) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 * 24 * 60 }).map((m) => m * MINUTE) },
      { weight: 1, arbitrary: fc.integer({ min: TICK - 59_000, max: TICK + 59_000 }) },
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.integer({ min: TICK_MINUTES, max: 7 * 24 * 60 }),
        fc.option(fc.integer({ min: 0, max: 10 * 24 * 60 }), { nil: undefined }),
        fc.array(gap, { minLength: 1, maxLength: 60 }),
        (key, intervalMinutes, lastRunMinutesAgo, gaps) => {
          const ticks: number[] = [];
          for (const g of gaps) ticks.push((ticks.at(-1) ?? T0) + g);
          const app: App = {
            key,
            intervalMinutes,
            enabled: true,
            lastRunAt: lastRunMinutesAgo === undefined ? undefined : T0 - lastRunMinutesAgo * MINUTE,
          };
          const slotOf = (t: number) => slotStart(key, intervalMinutes, t, TICK_MINUTES);
          const initialRun = app.lastRunAt;
          const runs = simulate([app], ticks).due.get(key) ?? [];
          const slots = runs.map(slotOf);
          expect(new Set(slots).size).toBe(runs.length);
          ticks.forEach((tick, i) => {
            const previous = i === 0 ? initialRun : ticks[i - 1];
            const firstOfSlot = previous === undefined || slotOf(previous) < slotOf(tick);
            expect(runs.includes(tick)).toBe(firstOfSlot);
          });
          for (let i = 2; i < runs.length; i++) {
            expect((runs[i] as number) - (runs[i - 2] as number)).toBeGreaterThan(intervalMinutes * MINUTE);
          }
          const phase = phaseMinutes(key, intervalMinutes, TICK_MINUTES);
          for (const tick of ticks) {
            const s = slotOf(tick);
            expect(s).toBeLessThanOrEqual(tick);
            expect(tick - s).toBeLessThan(intervalMinutes * MINUTE);
            expect((((s / MINUTE - phase) % intervalMinutes) + intervalMinutes) % intervalMinutes).toBe(0);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('phases', () => {
  it('hashes keys deterministically, the same on every runtime', () => {
    // Pinned: a change here moves every application's phase on the next deployment.
    expect([hashKey(''), hashKey('team-a/orders'), hashKey('é/ü')]).toEqual([
      2872998923, 958588318, 555027498,
    ]);
  });

  it('puts every phase on a whole tick below the interval', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 10_080 }), (key, intervalMinutes) => {
        const phase = phaseMinutes(key, intervalMinutes, TICK_MINUTES);
        expect(phase % TICK_MINUTES).toBe(0);
        expect(phase).toBeLessThan(Math.max(intervalMinutes, TICK_MINUTES));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('backoffDelaySeconds', () => {
  it.each([
    { attempt: 0, base: 2, cap: 900, random: 0.999_999, delay: 2 },
    { attempt: 3, base: 2, cap: 900, random: 0.999_999, delay: 16 },
    { attempt: 3, base: 2, cap: 900, random: 0, delay: 0 },
    { attempt: 3, base: 2, cap: 900, random: 0.5, delay: 8 },
    { attempt: 20, base: 2, cap: 900, random: 0.999_999, delay: 900 },
    { attempt: 5000, base: 2, cap: 900, random: 0.999_999, delay: 900 },
    { attempt: 5000, base: 0, cap: 900, random: 0.999_999, delay: 0 },
    { attempt: 2, base: 1.5, cap: 900, random: 0.999_999, delay: 6 },
    { attempt: 1, base: 10, cap: 15, random: 1, delay: 15 },
  ])(
    'waits $delay s on attempt $attempt (base $base, cap $cap, random $random)',
    ({ attempt, base, cap, random, delay }) => {
      expect(backoffDelaySeconds(attempt, base, cap, () => random)).toBe(delay);
    },
  );

  it.each([
    [-1, 1, 1],
    [1.5, 1, 1],
    [0, -1, 1],
    [0, 1, -1],
  ])('refuses attempt %s, base %s, cap %s', (attempt, base, cap) => {
    expect(() => backoffDelaySeconds(attempt, base, cap, Math.random)).toThrow(RangeError);
  });

  it('stays a whole number of seconds within [0, min(cap, base × 2^attempt)] (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 900 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, cap, r) => {
          const delay = backoffDelaySeconds(attempt, base, cap, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(cap, base * 2 ** attempt));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
