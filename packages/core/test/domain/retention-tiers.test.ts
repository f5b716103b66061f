import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RetentionPolicy, RetentionTier, type RetentionTiers } from '../../src/domain/config';
import { planRetention, type Snapshot, type SnapshotStatus } from '../../src/domain/retention';
import { isOwnSnapshotName, runIdFromTick, snapshotName } from '../../src/domain/run-state';
import { formatInZone } from '../../src/domain/time-zone';
import { clockOf, outcome } from './oracles';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 22, 8, 30);

function own(createdAt: number, status: SnapshotStatus = 'READY', version = 1): Snapshot {
  return { name: snapshotName(runIdFromTick(createdAt)), status, createdAt, applicationVersionId: version };
}

const POLICY: RetentionPolicy = { count: 2, minCount: 1, dryRun: false, manage: 'own' };

describe('pins and the rollback target', () => {
  const [a, b, c, d] = [
    own(NOW - HOUR, 'READY', 3),
    own(NOW - 2 * HOUR, 'READY', 3),
    own(NOW - 3 * HOUR, 'READY', 2),
    own(NOW - 4 * HOUR, 'READY', 2),
  ] as [Snapshot, Snapshot, Snapshot, Snapshot];

  it.each([
    {
      rule: 'keeps the newest READY snapshot of an older version as the rollback target',
      policy: { count: 1 },
      context: { currentApplicationVersionId: 3 },
      expected: {
        [a.name]: 'keep:newest-ready',
        [b.name]: 'delete:beyond-count',
        [c.name]: 'keep:previous-version',
        [d.name]: 'delete:beyond-count',
      },
    },
    {
      rule: 'does not when the policy opts out',
      policy: { count: 1, keepPreviousVersion: false },
      context: { currentApplicationVersionId: 3 },
      expected: {
        [a.name]: 'keep:newest-ready',
        [b.name]: 'delete:beyond-count',
        [c.name]: 'delete:beyond-count',
        [d.name]: 'delete:beyond-count',
      },
    },
    {
      rule: 'does not when the current version is unknown',
      policy: { count: 1 },
      context: {},
      expected: {
        [a.name]: 'keep:newest-ready',
        [b.name]: 'delete:beyond-count',
        [c.name]: 'delete:beyond-count',
        [d.name]: 'delete:beyond-count',
      },
    },
    {
      rule: 'keeps a pinned snapshot whatever its rank, failed or not',
      policy: { count: 1 },
      context: { pinned: new Set([d.name, 'no-such-snapshot']) },
      expected: {
        [a.name]: 'keep:newest-ready',
        [b.name]: 'delete:beyond-count',
        [c.name]: 'delete:beyond-count',
        [d.name]: 'keep:pinned',
      },
    },
  ])('$rule', ({ policy, context, expected }) => {
    expect(outcome(planRetention([a, b, c, d], { ...POLICY, ...policy }, { now: NOW, ...context }))).toEqual(
      expected,
    );
  });

  it('says which version the rollback target is of', () => {
    const plan = planRetention(
      [a, b, c, d],
      { ...POLICY, count: 1 },
      { now: NOW, currentApplicationVersionId: 3 },
    );
    expect(plan.keep.find((k) => k.reason === 'previous-version')?.detail).toBe(
      'the rollback target: the newest READY snapshot of a version below the current 3 (version 2)',
    );
    const failed = own(NOW - 5 * HOUR, 'FAILED');
    expect(
      outcome(planRetention([a, failed], POLICY, { now: NOW, pinned: new Set([failed.name]) }))[failed.name],
    ).toBe('keep:pinned');
  });
});

describe('tiered retention', () => {
  it('keeps the newest READY snapshot of each of the last N periods that hold one, in the policy’s zone', () => {
    // 22:30Z and 20:00Z on 21 November are that evening in Berlin, but already the 22nd in Kolkata.
    const late = own(Date.UTC(2026, 10, 21, 22, 30));
    const earlier = own(Date.UTC(2026, 10, 21, 20, 0));
    const dayBefore = own(Date.UTC(2026, 10, 20, 12, 0));
    const older = own(Date.UTC(2026, 10, 19, 12, 0));
    const newest = own(NOW - MINUTE);
    const snapshots = [newest, late, earlier, dayBefore, older];
    const policy: RetentionPolicy = { ...POLICY, count: 1, tiers: { daily: 3 } };
    expect(outcome(planRetention(snapshots, { ...policy, timezone: 'Europe/Berlin' }, { now: NOW }))).toEqual(
      {
        [newest.name]: 'keep:newest-ready',
        [late.name]: 'keep:tier-daily',
        [earlier.name]: 'delete:beyond-count',
        [dayBefore.name]: 'keep:tier-daily',
        [older.name]: 'delete:beyond-count',
      },
    );
    expect(outcome(planRetention(snapshots, { ...policy, timezone: 'Asia/Kolkata' }, { now: NOW }))).toEqual({
      [newest.name]: 'keep:newest-ready',
      [late.name]: 'delete:beyond-count',
      [earlier.name]: 'delete:beyond-count',
      [dayBefore.name]: 'keep:tier-daily',
      [older.name]: 'keep:tier-daily',
    });
  });

  it('explains a tier keep with its period, and says when no tier keeps a snapshot', () => {
    const snapshots = [own(NOW - MINUTE), own(NOW - DAY), own(NOW - DAY - HOUR)];
    const plan = planRetention(
      snapshots,
      { ...POLICY, count: 1, tiers: { daily: 2, weekly: 1 } },
      { now: NOW },
    );
    expect(plan.keep.map((k) => k.detail)).toEqual([
      'the newest READY of day 2026-11-21 (UTC), 2 of the last 2 (retention.tiers.daily)',
      'the newest READY snapshot of the application is never deleted',
    ]);
    expect(plan.delete[0]?.detail).toBe(
      'READY #3 newest, beyond retention.count 1; no retention tier keeps it',
    );
  });

  it('keeps past maxAgeDays what a tier keeps: the rules keep their union', () => {
    const snapshots = [own(NOW - MINUTE), own(NOW - 40 * DAY), own(NOW - 41 * DAY)];
    const plan = planRetention(
      snapshots,
      { ...POLICY, count: 10, maxAgeDays: 30, tiers: { monthly: 2 } },
      { now: NOW },
    );
    expect(outcome(plan)).toEqual({
      [(snapshots[0] as Snapshot).name]: 'keep:newest-ready',
      [(snapshots[1] as Snapshot).name]: 'keep:tier-monthly',
      [(snapshots[2] as Snapshot).name]: 'delete:older-than-max-age',
    });
    expect(plan.delete[0]?.detail).toBe(
      '41.0 days old, past retention.maxAgeDays 30, and READY #3 newest is beyond retention.minCount 1; no retention tier keeps it',
    );
  });

  it('README example: a month of hourly runs in Berlin keeps 32 snapshots', () => {
    const policy: RetentionPolicy = {
      ...POLICY,
      count: 24,
      tiers: { daily: 7, weekly: 4, monthly: 3 },
      timezone: 'Europe/Berlin',
    };
    // Hourly from 1 October 00:00 to 31 October 23:00, Berlin time: 745 hours (the clocks go back on the 25th).
    let held: Snapshot[] = [];
    let plan = planRetention([], policy, { now: 0 });
    let taken = 0;
    let deleted = 0;
    for (let at = Date.UTC(2026, 8, 30, 22); at <= Date.UTC(2026, 9, 31, 22); at += HOUR) {
      held.push(own(at));
      taken++;
      plan = planRetention(held, policy, { now: at + 10 * MINUTE });
      const gone = new Set(plan.delete.map((d) => d.snapshot.name));
      deleted += gone.size;
      held = held.filter((s) => !gone.has(s.name));
    }
    const kept = plan.keep.map(
      (k) => `${formatInZone(k.snapshot.createdAt, 'Europe/Berlin').slice(5, 16)} ${k.reason}`,
    );
    expect({ taken, deleted, kept: kept.length }).toEqual({ taken: 745, deleted: 713, kept: 32 });
    expect(kept.slice(0, 8)).toEqual([
      '10-11T23:00 tier-weekly',
      '10-18T23:00 tier-weekly',
      '10-25T23:00 tier-daily',
      '10-26T23:00 tier-daily',
      '10-27T23:00 tier-daily',
      '10-28T23:00 tier-daily',
      '10-29T23:00 tier-daily',
      '10-30T23:00 tier-daily',
    ]);
    expect(kept.slice(8, 31).every((k) => k.startsWith('10-31') && k.endsWith('within-count'))).toBe(true);
    expect(kept.at(-1)).toBe('10-31T23:00 newest-ready');
    // Planning once over the whole month keeps the same snapshots as pruning after every run.
    const month: Snapshot[] = [];
    for (let at = Date.UTC(2026, 8, 30, 22); at <= Date.UTC(2026, 9, 31, 22); at += HOUR) month.push(own(at));
    const once = planRetention(month, policy, { now: Date.UTC(2026, 9, 31, 22, 10) });
    expect(once.keep.map((k) => k.snapshot.name)).toEqual(plan.keep.map((k) => k.snapshot.name));
  });
});

// ---- Properties -------------------------------------------------------------------------------------------

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'] as const;
const pad = (n: number) => String(n).padStart(2, '0');

/** Period keys from Intl and calendar arithmetic on the local date, not from the code under test. */
function oracleKey(ms: number, timeZone: string, tier: string): string {
  const { year: y, month: m, day: d, hour: h, offset } = clockOf(ms, timeZone);
  const day = Date.UTC(y, m - 1, d) / DAY;
  const monday = day - ((new Date(day * DAY).getUTCDay() + 6) % 7);
  switch (tier) {
    case 'hourly':
      return `${y}-${m}-${d}T${h}${offset}`;
    case 'daily':
      return `${y}-${m}-${d}`;
    case 'weekly':
      return `week of ${monday}`;
    case 'monthly':
      return `${y}-${pad(m)}`;
    default:
      return String(y);
  }
}

const snapshotsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 400 * 24 * 4 }), { minLength: 1, maxLength: 40 })
  .chain((quarters) =>
    fc.tuple(
      ...quarters.map((q) =>
        fc.record({
          createdAt: fc.constant(NOW - q * 15 * MINUTE),
          status: fc.constantFrom<SnapshotStatus>(
            'READY',
            'READY',
            'READY',
            'READY',
            'FAILED',
            'CREATING',
            'DELETING',
          ),
          version: fc.integer({ min: 1, max: 4 }),
          foreign: fc.boolean(),
        }),
      ),
    ),
  )
  .map((specs) =>
    specs.map(({ createdAt, status, version, foreign }) =>
      foreign
        ? { name: `manual-${createdAt}`, status, createdAt, applicationVersionId: version }
        : own(createdAt, status, version),
    ),
  );

const tiersArb: fc.Arbitrary<RetentionTiers> = fc.record(
  {
    hourly: fc.integer({ min: 1, max: 10 }),
    daily: fc.integer({ min: 1, max: 10 }),
    weekly: fc.integer({ min: 1, max: 6 }),
    monthly: fc.integer({ min: 1, max: 6 }),
    yearly: fc.integer({ min: 1, max: 3 }),
  },
  { requiredKeys: [] },
);

describe('tiered retention properties (fast-check, 1000 runs each)', () => {
  it('keeps, for each of a tier’s last N periods holding a managed READY snapshot, its newest one', () => {
    fc.assert(
      fc.property(
        snapshotsArb,
        tiersArb,
        fc.constantFrom(...ZONES),
        fc.constantFrom('own' as const, 'all' as const),
        (snapshots, tiers, timezone, manage) => {
          const policy: RetentionPolicy = { count: 1, minCount: 0, dryRun: false, manage, tiers, timezone };
          const plan = planRetention(snapshots, policy, { now: NOW });
          const kept = new Set(plan.keep.map((k) => k.snapshot.name));
          const managedReady = snapshots
            .filter((s) => s.status === 'READY' && (manage === 'all' || isOwnSnapshotName(s.name)))
            .sort((x, y) => y.createdAt - x.createdAt);
          for (const tier of Object.values(RetentionTier)) {
            const n = tiers[tier];
            if (n === undefined) continue;
            const newestOf = new Map<string, Snapshot>();
            for (const s of managedReady) {
              const key = oracleKey(s.createdAt, timezone, tier);
              if (!newestOf.has(key)) newestOf.set(key, s);
            }
            for (const s of [...newestOf.values()].slice(0, n)) {
              expect(kept.has(s.name), `${tier} ${s.name} in ${timezone}`).toBe(true);
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('holds every invariant with tiers, pins and the previous-version rule together', () => {
    fc.assert(
      fc.property(
        snapshotsArb,
        fc.option(tiersArb, { nil: undefined }),
        fc.record({
          count: fc.integer({ min: 1, max: 5 }),
          maxAgeDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
          manage: fc.constantFrom('own' as const, 'all' as const),
          keepPreviousVersion: fc.option(fc.boolean(), { nil: undefined }),
          timezone: fc.constantFrom(...ZONES),
        }),
        fc.nat(),
        fc.nat(),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        (snapshots, tiers, settings, pinSeed, restoreSeed, currentApplicationVersionId) => {
          const policy: RetentionPolicy = { ...settings, minCount: 1, dryRun: false, tiers };
          const pinned = new Set(snapshots.filter((_, i) => (pinSeed >> i) % 3 === 0).map((s) => s.name));
          const restoreSnapshotName = snapshots[restoreSeed % (snapshots.length + 1)]?.name;
          const plan = planRetention(snapshots, policy, {
            now: NOW,
            pinned,
            restoreSnapshotName,
            currentApplicationVersionId,
          });
          expect(plan.keep.length + plan.delete.length).toBe(snapshots.length);
          const deleted = plan.delete.map((d) => d.snapshot);
          const byAge = [...snapshots].sort((x, y) => y.createdAt - x.createdAt);
          const newestReady = byAge.find((s) => s.status === 'READY');
          for (const s of deleted) {
            expect(s.status === 'READY' || s.status === 'FAILED').toBe(true);
            expect(s).not.toBe(newestReady);
            expect(s.name).not.toBe(restoreSnapshotName);
            expect(pinned.has(s.name)).toBe(false);
            expect(settings.manage === 'all' || isOwnSnapshotName(s.name)).toBe(true);
          }
          const older = byAge.filter(
            (s) =>
              s.status === 'READY' &&
              currentApplicationVersionId !== undefined &&
              s.applicationVersionId < currentApplicationVersionId,
          );
          if (older.length > 0 && settings.keepPreviousVersion !== false) {
            expect(deleted).not.toContain(older[0]);
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 120_000);
});
