import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RetentionPolicy } from '../../src/domain/config';
import {
  compareSnapshots,
  planRetention,
  type RetentionContext,
  type RetentionPlan,
  SNAPSHOT_QUOTA,
  type Snapshot,
  type SnapshotStatus,
} from '../../src/domain/retention';
import { isOwnSnapshotName, runIdFromTick, snapshotName } from '../../src/domain/run-state';
import { outcome } from './oracles';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 8, 30);

/** An own snapshot (name from a runId) created `daysAgo` before NOW. */
function own(daysAgo: number, status: SnapshotStatus = 'READY', version = 1): Snapshot {
  const createdAt = NOW - daysAgo * DAY;
  return { name: snapshotName(runIdFromTick(createdAt)), status, createdAt, applicationVersionId: version };
}

function foreign(name: string, daysAgo: number, status: SnapshotStatus = 'READY', version = 1): Snapshot {
  return { name, status, createdAt: NOW - daysAgo * DAY, applicationVersionId: version };
}

const POLICY: RetentionPolicy = { count: 3, minCount: 1, dryRun: false, manage: 'own' };

const n = (daysAgo: number) => own(daysAgo).name;

describe('planRetention rules', () => {
  const cases: {
    rule: string;
    snapshots: Snapshot[];
    policy?: Partial<RetentionPolicy>;
    context?: Partial<RetentionContext>;
    expected: Record<string, string>;
  }[] = [
    {
      rule: 'keeps the newest count READY own snapshots and deletes older ones as beyond-count',
      snapshots: [own(1), own(2), own(3), own(4), own(5)],
      expected: {
        [n(1)]: 'keep:newest-ready',
        [n(2)]: 'keep:within-count',
        [n(3)]: 'keep:within-count',
        [n(4)]: 'delete:beyond-count',
        [n(5)]: 'delete:beyond-count',
      },
    },
    {
      rule: 'counts own snapshots across every application version',
      snapshots: [own(1, 'READY', 7), own(2, 'READY', 6), own(3, 'READY', 2), own(4, 'READY', 1)],
      policy: { count: 2 },
      expected: {
        [n(1)]: 'keep:newest-ready',
        [n(2)]: 'keep:within-count',
        [n(3)]: 'delete:beyond-count',
        [n(4)]: 'delete:beyond-count',
      },
    },
    {
      rule: 'never deletes a CREATING snapshot, even beyond count',
      snapshots: [own(1), own(2, 'CREATING'), own(9, 'CREATING')],
      policy: { count: 1 },
      expected: { [n(1)]: 'keep:newest-ready', [n(2)]: 'keep:in-progress', [n(9)]: 'keep:in-progress' },
    },
    {
      rule: 'never deletes a DELETING snapshot',
      snapshots: [own(1), own(2, 'DELETING')],
      policy: { count: 1 },
      expected: { [n(1)]: 'keep:newest-ready', [n(2)]: 'keep:in-progress' },
    },
    {
      rule: 'keeps the newest READY snapshot even when maxAge has passed',
      snapshots: [own(40), own(50)],
      policy: { maxAgeDays: 30, minCount: 0 },
      expected: { [n(40)]: 'keep:newest-ready', [n(50)]: 'delete:older-than-max-age' },
    },
    {
      rule: 'keeps the newest READY snapshot even when a foreign one, and does not count it',
      snapshots: [foreign('manual-1', 1), own(2), own(3)],
      policy: { count: 1 },
      expected: {
        'manual-1': 'keep:newest-ready',
        [n(2)]: 'keep:within-count',
        [n(3)]: 'delete:beyond-count',
      },
    },
    {
      rule: 'the newest READY snapshot ignores newer CREATING and FAILED ones',
      snapshots: [own(1, 'CREATING'), own(2, 'FAILED'), own(3), own(4)],
      policy: { count: 1, maxAgeDays: 1, minCount: 0 },
      expected: {
        [n(1)]: 'keep:in-progress',
        [n(2)]: 'delete:failed-snapshot',
        [n(3)]: 'keep:newest-ready',
        [n(4)]: 'delete:beyond-count',
      },
    },
    {
      rule: 'never deletes the restore-configuration snapshot, even beyond count and maxAge',
      snapshots: [own(1), own(2), own(300)],
      policy: { count: 1, maxAgeDays: 30, minCount: 0 },
      context: { restoreSnapshotName: n(300) },
      expected: {
        [n(1)]: 'keep:newest-ready',
        [n(2)]: 'delete:beyond-count',
        [n(300)]: 'keep:restore-snapshot',
      },
    },
    {
      rule: 'the restore snapshot keeps its rank: protecting it frees no count slot',
      snapshots: [own(1), own(2), own(3)],
      policy: { count: 2 },
      context: { restoreSnapshotName: n(2) },
      expected: {
        [n(1)]: 'keep:newest-ready',
        [n(2)]: 'keep:restore-snapshot',
        [n(3)]: 'delete:beyond-count',
      },
    },
    {
      rule: 'leaves foreign snapshots alone when manage is own',
      snapshots: [own(1), foreign('manual-old', 500), foreign('flink-snapshots-foo', 400, 'FAILED')],
      policy: { count: 1, maxAgeDays: 1, minCount: 0 },
      expected: {
        [n(1)]: 'keep:newest-ready',
        'manual-old': 'keep:foreign',
        'flink-snapshots-foo': 'keep:foreign',
      },
    },
    {
      rule: 'manages foreign snapshots too when manage is all',
      snapshots: [foreign('manual-a', 1), foreign('manual-b', 2), foreign('svc-c', 3, 'FAILED'), own(4)],
      policy: { count: 2, manage: 'all' },
      expected: {
        'manual-a': 'keep:newest-ready',
        'manual-b': 'keep:within-count',
        'svc-c': 'delete:failed-snapshot',
        [n(4)]: 'delete:beyond-count',
      },
    },
    {
      rule: 'deletes FAILED own snapshots',
      snapshots: [own(1), own(2, 'FAILED')],
      expected: { [n(1)]: 'keep:newest-ready', [n(2)]: 'delete:failed-snapshot' },
    },
    {
      rule: 'deletes READY snapshots older than maxAge beyond the minCount floor',
      snapshots: [own(1), own(10), own(40), own(50), own(60)],
      policy: { count: 5, maxAgeDays: 30, minCount: 3 },
      expected: {
        [n(1)]: 'keep:newest-ready',
        [n(10)]: 'keep:within-count',
        [n(40)]: 'keep:min-count-floor',
        [n(50)]: 'delete:older-than-max-age',
        [n(60)]: 'delete:older-than-max-age',
      },
    },
    {
      rule: 'keeps a snapshot exactly maxAge old (only older ones expire)',
      snapshots: [own(1), own(30)],
      policy: { maxAgeDays: 30, minCount: 0 },
      expected: { [n(1)]: 'keep:newest-ready', [n(30)]: 'keep:within-count' },
    },
    {
      rule: 'breaks createdAt ties by name, the greater name being newer',
      snapshots: [foreign('b', 1), foreign('a', 1), foreign('c', 1)],
      policy: { count: 2, manage: 'all' },
      expected: { c: 'keep:newest-ready', b: 'keep:within-count', a: 'delete:beyond-count' },
    },
    {
      rule: 'decides ownership with a custom isOwn',
      snapshots: [foreign('team-1', 1), foreign('team-2', 2), own(3)],
      policy: { count: 1 },
      context: { isOwn: (name) => name.startsWith('team-') },
      expected: { 'team-1': 'keep:newest-ready', 'team-2': 'delete:beyond-count', [n(3)]: 'keep:foreign' },
    },
    {
      rule: 'plans nothing for an application without snapshots',
      snapshots: [],
      expected: {},
    },
  ];

  it.each(cases)('$rule', ({ snapshots, policy, context, expected }) => {
    const plan = planRetention(snapshots, { ...POLICY, ...policy }, { now: NOW, ...context });
    expect(outcome(plan)).toEqual(expected);
  });

  it('reports the dry-run flag and the same plan when dryRun is set', () => {
    const snapshots = [own(1), own(2), own(3), own(4, 'FAILED'), own(5)];
    const wet = planRetention(snapshots, POLICY, { now: NOW });
    const dry = planRetention(snapshots, { ...POLICY, dryRun: true }, { now: NOW });
    expect(wet.dryRun).toBe(false);
    expect(dry.dryRun).toBe(true);
    expect({ ...dry, dryRun: false }).toEqual(wet);
    expect(dry.delete.map((d) => d.reason)).toEqual(['beyond-count', 'failed-snapshot']);
  });

  it('orders deletions oldest first and keeps oldest first too', () => {
    const plan = planRetention(
      [own(3), own(9), own(1), own(7), own(5)],
      { ...POLICY, count: 2 },
      { now: NOW },
    );
    expect(plan.delete.map((d) => d.snapshot.name)).toEqual([n(9), n(7), n(5)]);
    expect(plan.keep.map((d) => d.snapshot.name)).toEqual([n(3), n(1)]);
  });

  it('explains each decision with the numbers that decided it', () => {
    const plan = planRetention(
      [own(1), own(2), own(40), own(50)],
      { ...POLICY, count: 3, maxAgeDays: 30, minCount: 3 },
      { now: NOW },
    );
    expect(plan.delete.map((d) => d.detail)).toEqual(['READY #4 newest, beyond retention.count 3']);
    expect(plan.keep.map((d) => d.detail)).toEqual([
      '40.0 days old, past retention.maxAgeDays 30, but READY #3 newest is within retention.minCount 3',
      'READY #2 newest of retention.count 3',
      'the newest READY snapshot of the application is never deleted',
    ]);
  });

  it('keeps every entry of duplicated input exactly once per occurrence', () => {
    const twin = own(2);
    const plan = planRetention([own(1), twin, { ...twin }], { ...POLICY, count: 2 }, { now: NOW });
    expect(plan.keep.length + plan.delete.length).toBe(3);
  });

  it.each([
    { total: 0, used: 0, warning: false, full: false },
    { total: 799, used: 0.799, warning: false, full: false },
    { total: 800, used: 0.8, warning: true, full: false },
    { total: 999, used: 0.999, warning: true, full: false },
    { total: 1000, used: 1, warning: true, full: true },
  ])('reports quota $total of 1000 as used $used, warning $warning, full $full', ({ total, ...status }) => {
    const snapshots = Array.from({ length: total }, (_, i) => foreign(`manual-${i}`, i / 100));
    const plan = planRetention(snapshots, POLICY, { now: NOW });
    expect(plan.quota).toEqual({ total, limit: SNAPSHOT_QUOTA, afterPrune: total, ...status });
  });

  it('reports the snapshot count once the planned deletions are done', () => {
    const plan = planRetention([own(1), own(2), own(3), own(4), own(5)], POLICY, { now: NOW });
    expect(plan.quota).toMatchObject({ total: 5, afterPrune: 3 });
  });
});

describe('compareSnapshots', () => {
  it.each([
    { a: foreign('x', 2), b: foreign('a', 1), expected: -1 },
    { a: foreign('a', 1), b: foreign('b', 1), expected: -1 },
    { a: foreign('b', 1), b: foreign('a', 1), expected: 1 },
    { a: foreign('a', 1), b: foreign('a', 1), expected: 0 },
  ])('orders $a.name against $b.name as $expected', ({ a, b, expected }) => {
    expect(Math.sign(compareSnapshots(a, b))).toBe(expected);
  });
});

// ---- properties -------------------------------------------------------------------------------------

const STATUSES: SnapshotStatus[] = ['CREATING', 'READY', 'DELETING', 'FAILED'];
const BASE = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** Names: own ones from a small set of runIds, foreign manual/service ones, and look-alikes. */
const nameArb = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((h) => snapshotName(runIdFromTick(BASE + h * HOUR))),
  fc.integer({ min: 0, max: 60 }).map((i) => `manual-${i}`),
  fc.constantFrom('flink-snapshots-foo', 'flink-snapshots-20260101T000030Z', 'pre-update-snapshot'),
);

/** createdAt from a coarse grid (6 h steps over 30 days) so ties are frequent. */
const snapshotArb = fc.record({
  name: nameArb,
  status: fc.constantFrom(...STATUSES),
  createdAt: fc.integer({ min: 0, max: 120 }).map((k) => BASE + k * 6 * HOUR),
  applicationVersionId: fc.integer({ min: 1, max: 6 }),
});

const snapshotsArb = fc.uniqueArray(snapshotArb, { maxLength: 40, selector: (s) => s.name });

const policyArb: fc.Arbitrary<RetentionPolicy> = fc.integer({ min: 1, max: 12 }).chain((count) =>
  fc.record(
    {
      count: fc.constant(count),
      minCount: fc.integer({ min: 0, max: count }),
      maxAgeDays: fc.integer({ min: 1, max: 30 }),
      dryRun: fc.boolean(),
      manage: fc.constantFrom('own' as const, 'all' as const),
    },
    { requiredKeys: ['count', 'minCount', 'dryRun', 'manage'] },
  ),
);

/** Snapshots, a policy, `now` within or after their span, and maybe a restore snapshot name. */
const scenarioArb = snapshotsArb.chain((snapshots) =>
  fc.record({
    snapshots: fc.constant(snapshots),
    policy: policyArb,
    now: fc.integer({ min: 0, max: 60 }).map((d) => BASE + d * 24 * HOUR),
    restoreSnapshotName: fc.option(
      snapshots.length === 0 ? nameArb : fc.oneof(fc.constantFrom(...snapshots.map((s) => s.name)), nameArb),
      { nil: undefined },
    ),
  }),
);

const RUNS = { numRuns: 1000 };

interface Scenario {
  snapshots: Snapshot[];
  policy: RetentionPolicy;
  now: number;
  restoreSnapshotName: string | undefined;
}

function plan(s: Scenario): RetentionPlan {
  return planRetention(s.snapshots, s.policy, { now: s.now, restoreSnapshotName: s.restoreSnapshotName });
}

/** The test's own reading of the rules, independent of the implementation's loop. */
function model(s: Scenario) {
  const managed = (x: Snapshot) => s.policy.manage === 'all' || isOwnSnapshotName(x.name);
  const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const newestFirst = [...s.snapshots].sort(
    (a, b) => b.createdAt - a.createdAt || byCodeUnits(b.name, a.name),
  );
  const newestReady = newestFirst.find((x) => x.status === 'READY');
  const managedReady = newestFirst.filter((x) => x.status === 'READY' && managed(x));
  return { managed, newestReady, managedReady };
}

const deleted = (p: RetentionPlan) => new Set(p.delete.map((d) => d.snapshot));
const kept = (p: RetentionPlan) => new Set(p.keep.map((d) => d.snapshot));

describe('planRetention properties (fast-check, 1000 runs each)', () => {
  it('puts every input snapshot exactly once in keep or delete', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const p = plan(s);
        const all = [...p.keep, ...p.delete].map((d) => d.snapshot);
        expect(all).toHaveLength(s.snapshots.length);
        expect(new Set(all)).toEqual(new Set(s.snapshots));
      }),
      RUNS,
    );
  });

  it('invariant 3: never deletes a CREATING or DELETING snapshot, the newest READY, or the restore snapshot', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const p = plan(s);
        const { newestReady } = model(s);
        for (const { snapshot } of p.delete) {
          expect(['READY', 'FAILED']).toContain(snapshot.status);
          expect(snapshot).not.toBe(newestReady);
          expect(snapshot.name).not.toBe(s.restoreSnapshotName);
        }
      }),
      RUNS,
    );
  });

  // Invariant 4, exactly: after deleting, the managed READY snapshots left are among the newest `count`
  // managed READY ones, plus at most the restore snapshot when it is ranked beyond `count`. Hence
  // |kept managed READY| <= count + (restore snapshot is managed READY beyond count ? 1 : 0). The newest
  // READY never adds one: when managed it is ranked first, and count >= 1.
  it('invariant 4: keeps no more managed READY snapshots than count, bar a restore snapshot beyond it', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const p = plan(s);
        const { managedReady } = model(s);
        const newestCount = new Set(managedReady.slice(0, s.policy.count));
        const keptManagedReady = managedReady.filter((x) => kept(p).has(x));
        const restoreBeyond = managedReady
          .slice(s.policy.count)
          .some((x) => x.name === s.restoreSnapshotName);
        for (const x of keptManagedReady) {
          expect(newestCount.has(x) || x.name === s.restoreSnapshotName).toBe(true);
        }
        expect(keptManagedReady.length).toBeLessThanOrEqual(s.policy.count + (restoreBeyond ? 1 : 0));
      }),
      RUNS,
    );
  });

  it('respects the minCount floor: the newest minCount managed READY snapshots are kept', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const p = plan(s);
        const { managedReady } = model(s);
        for (const x of managedReady.slice(0, s.policy.minCount)) expect(kept(p).has(x)).toBe(true);
        const keptManagedReady = managedReady.filter((x) => kept(p).has(x)).length;
        expect(keptManagedReady).toBeGreaterThanOrEqual(Math.min(s.policy.minCount, managedReady.length));
      }),
      RUNS,
    );
  });

  it('deletes nothing foreign unless manage is all', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const p = plan({ ...s, policy: { ...s.policy, manage: 'own' } });
        for (const { snapshot } of p.delete) expect(isOwnSnapshotName(snapshot.name)).toBe(true);
      }),
      RUNS,
    );
  });

  it('justifies every deletion by its rule', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const p = plan(s);
        const { managed, managedReady } = model(s);
        for (const { snapshot, reason } of p.delete) {
          expect(managed(snapshot)).toBe(true);
          const rank = managedReady.indexOf(snapshot) + 1;
          if (reason === 'failed-snapshot') expect(snapshot.status).toBe('FAILED');
          if (reason === 'beyond-count') expect(rank).toBeGreaterThan(s.policy.count);
          if (reason === 'older-than-max-age') {
            expect(rank).toBeGreaterThan(s.policy.minCount);
            expect(s.now - snapshot.createdAt).toBeGreaterThan((s.policy.maxAgeDays ?? 0) * DAY);
          }
        }
      }),
      RUNS,
    );
  });

  it('plans the same with dryRun, only flagged', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const wet = plan({ ...s, policy: { ...s.policy, dryRun: false } });
        const dry = plan({ ...s, policy: { ...s.policy, dryRun: true } });
        expect(dry.dryRun).toBe(true);
        expect({ ...dry, dryRun: false }).toEqual(wet);
      }),
      RUNS,
    );
  });

  it('plans the same whatever the input order, deleting oldest first', () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) =>
          fc.tuple(fc.constant(s), fc.shuffledSubarray(s.snapshots, { minLength: s.snapshots.length })),
        ),
        ([s, shuffled]) => {
          const p = plan(s);
          expect(plan({ ...s, snapshots: shuffled })).toEqual(p);
          const order = p.delete.map((d) => d.snapshot);
          expect(order).toEqual([...order].sort(compareSnapshots));
          expect(deleted(p).size).toBe(p.delete.length);
        },
      ),
      RUNS,
    );
  });
});
