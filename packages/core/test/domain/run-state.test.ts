import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src/domain/errors';
import {
  assertTransition,
  canTransition,
  isOwnSnapshotName,
  isRunId,
  isTerminal,
  operatorRunId,
  parseRunId,
  RUN_START,
  RUN_TRANSITIONS,
  RunIdSchema,
  type RunOrigin,
  RunState,
  RunStateSchema,
  RunTrigger,
  runIdFromSnapshotName,
  runIdFromTick,
  snapshotName,
  TERMINAL_STATES,
  tickFromRunId,
} from '../../src/domain/run-state';

const STATES = Object.values(RunState);
const ORIGINS: RunOrigin[] = [RUN_START, ...STATES];

/** The README's "A run" states, written out independently of the table under test. */
const ALLOWED = new Set([
  'NONE→DISPATCHED',
  'NONE→FAILED',
  'NONE→SKIPPED',
  'DISPATCHED→SNAPSHOT_REQUESTED',
  'DISPATCHED→SKIPPED',
  'DISPATCHED→FAILED',
  'SNAPSHOT_REQUESTED→SNAPSHOT_READY',
  'SNAPSHOT_REQUESTED→FAILED',
  'SNAPSHOT_REQUESTED→TIMED_OUT',
  'SNAPSHOT_READY→PRUNED',
  'SNAPSHOT_READY→FAILED',
  'PRUNED→COMPLETED',
  // A restore run: stopped (unless already READY), started from the snapshot.
  'DISPATCHED→STOPPING',
  'DISPATCHED→STARTING',
  'STOPPING→STARTING',
  'STOPPING→FAILED',
  'STARTING→COMPLETED',
  'STARTING→FAILED',
]);

const PAIRS = ORIGINS.flatMap((from) =>
  STATES.map((to) => ({ from, to, allowed: ALLOWED.has(`${from}→${to}`) })),
);

describe('run transitions', () => {
  it.each(PAIRS)('$from → $to is allowed: $allowed', ({ from, to, allowed }) => {
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
  });

  it('names the run, the states and the allowed targets when a transition is illegal', () => {
    let thrown: unknown;
    try {
      assertTransition(RunState.DISPATCHED, RunState.COMPLETED, { appKey: 't/a', runId: '20261122T083000Z' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    expect(thrown).toMatchObject({
      from: 'DISPATCHED',
      to: 'COMPLETED',
      allowed: ['SNAPSHOT_REQUESTED', 'SKIPPED', 'FAILED', 'STOPPING', 'STARTING'],
      appKey: 't/a',
      runId: '20261122T083000Z',
      message:
        'illegal run transition DISPATCHED → COMPLETED (run t/a 20261122T083000Z); expected one of SNAPSHOT_REQUESTED, SKIPPED, FAILED, STOPPING, STARTING',
    });
  });

  it.each(STATES.map((state) => ({ state, terminal: RUN_TRANSITIONS[state].length === 0 })))(
    '$state is terminal: $terminal',
    ({ state, terminal }) => {
      expect(isTerminal(state)).toBe(terminal);
      expect(TERMINAL_STATES.includes(state)).toBe(terminal);
    },
  );

  it('has exactly the terminal states the README names', () => {
    expect([...TERMINAL_STATES].sort()).toEqual(['COMPLETED', 'FAILED', 'SKIPPED', 'TIMED_OUT']);
  });

  it('reaches a terminal state from every state', () => {
    const reachesTerminal = (state: RunOrigin): boolean =>
      RUN_TRANSITIONS[state].length === 0 || RUN_TRANSITIONS[state].some((next) => reachesTerminal(next));
    for (const origin of ORIGINS) expect(reachesTerminal(origin)).toBe(true);
  });

  it('validates states with a schema', () => {
    expect(RunStateSchema.parse('PRUNED')).toBe('PRUNED');
    expect(RunStateSchema.safeParse('NONE').success).toBe(false);
  });
});

describe('run ids', () => {
  it.each([
    [Date.UTC(2026, 10, 22, 8, 30, 0, 0), '20261122T083000Z'],
    [Date.UTC(2026, 10, 22, 8, 30, 59, 999), '20261122T083000Z'],
    [Date.UTC(2024, 1, 29, 23, 59, 1), '20240229T235900Z'],
    [0, '19700101T000000Z'],
    [253_402_300_799_999, '99991231T235900Z'],
  ])('names tick %i as %s, floored to the minute', (tick, runId) => {
    expect(runIdFromTick(tick)).toBe(runId);
    expect(tickFromRunId(runId)).toBe(Math.floor(tick / 60_000) * 60_000);
    expect(isRunId(runId)).toBe(true);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 253_402_300_800_000])('refuses tick %s', (tick) => {
    expect(() => runIdFromTick(tick)).toThrow(/tick must be epoch milliseconds between 0 and .*, received/);
  });

  it.each([
    '',
    '20261122T083000',
    '20261122T0830Z',
    '2026-11-22T08:30:00Z',
    '20261322T083000Z',
    '20260230T083000Z',
    '20261122T243000Z',
    '20261122T083001Z',
    '20261122T086000Z',
    '20261100T083000Z',
    '20260022T083000Z',
    '19691231T235900Z',
    '00990101T000000Z',
    ' 20261122T083000Z',
  ])('rejects %j as a run id', (value) => {
    expect(isRunId(value)).toBe(false);
    expect(RunIdSchema.safeParse(value).success).toBe(false);
    expect(() => tickFromRunId(value)).toThrow(`runId ${JSON.stringify(value)} is not a run id`);
  });

  it('round-trips every tick and sorts run ids as time sorts ticks', () => {
    const tick = fc.integer({ min: 0, max: 253_402_300_799_999 });
    fc.assert(
      fc.property(tick, tick, (a, b) => {
        const [ra, rb] = [runIdFromTick(a), runIdFromTick(b)];
        expect(tickFromRunId(ra)).toBe(a - (a % 60_000));
        const byCodeUnits = ra < rb ? -1 : ra > rb ? 1 : 0;
        expect(byCodeUnits).toBe(Math.sign(tickFromRunId(ra) - tickFromRunId(rb)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('operator run ids', () => {
  const at = Date.UTC(2026, 10, 22, 8, 30, 12, 345);

  it('names a manual run and a restore run by their second and trigger, never as a tick', () => {
    expect(operatorRunId(RunTrigger.MANUAL, at)).toBe('20261122T083012Z-now');
    expect(operatorRunId(RunTrigger.RESTORE, at)).toBe('20261122T083012Z-restore');
    expect(operatorRunId(RunTrigger.MANUAL, Date.UTC(2026, 10, 22, 8, 30))).not.toBe(
      runIdFromTick(Date.UTC(2026, 10, 22, 8, 30)),
    );
  });

  it.each([
    ['20261122T083012Z-now', { at: Date.UTC(2026, 10, 22, 8, 30, 12), trigger: 'manual' }],
    ['20261122T083012Z-restore', { at: Date.UTC(2026, 10, 22, 8, 30, 12), trigger: 'restore' }],
    ['20261122T083000Z', { at: Date.UTC(2026, 10, 22, 8, 30), trigger: 'schedule' }],
    ['20261122T083012Z', undefined],
    ['20261122T083060Z-now', undefined],
    ['20261122T083012Z-manual', undefined],
  ])('reads %j as %o', (runId, parsed) => {
    expect(parseRunId(runId)).toEqual(parsed);
    expect(isRunId(runId)).toBe(parsed !== undefined);
    expect(RunIdSchema.safeParse(runId).success).toBe(parsed !== undefined);
  });

  it('sorts a manual run between the ticks around it, and is no tick', () => {
    const manual = operatorRunId(RunTrigger.MANUAL, at);
    expect(runIdFromTick(at) < manual && manual < runIdFromTick(at + 60_000)).toBe(true);
    expect(() => tickFromRunId(manual)).toThrow(RangeError);
    expect(snapshotName(manual)).toBe('flink-snapshots-20261122T083012Z-now');
  });
});

describe('snapshot names', () => {
  it('derives the snapshot name from the run id, within MSF naming rules', () => {
    const name = snapshotName('20261122T083000Z');
    expect(name).toBe('flink-snapshots-20261122T083000Z');
    expect(name).toMatch(/^[a-zA-Z0-9_.-]{1,256}$/);
    expect(runIdFromSnapshotName(name)).toBe('20261122T083000Z');
  });

  it('refuses to name a snapshot after something that is not a run id', () => {
    expect(() => snapshotName('today')).toThrow(RangeError);
  });

  it.each([
    ['flink-snapshots-20261122T083000Z', true],
    ['flink-snapshots-foo', false],
    ['flink-snapshots-20261122T083000Z-manual', false],
    ['flink-snapshots-20261122T083030Z', false],
    ['flink-snapshots-20261122T083012Z-now', true],
    ['flink-snapshots-20261122T083012Z-restore', false],
    ['flink-snapshots-20261122T086012Z-now', false],
    ['flink-snapshots-', false],
    ['other-20261122T083000Z', false],
    ['FLINK-SNAPSHOTS-20261122T083000Z', false],
    ['', false],
  ])('recognises %j as ours: %s', (name, ours) => {
    expect(isOwnSnapshotName(name)).toBe(ours);
    expect(runIdFromSnapshotName(name) !== undefined).toBe(ours);
  });
});
