import { describe, expect, it } from 'vitest';
import { freshnessObjectiveMinutes, judgeFreshness } from '../../src/domain/freshness';

const NOW = Date.UTC(2026, 10, 29, 12, 0);
const HOUR = 3_600_000;

describe('freshnessObjectiveMinutes', () => {
  it('is twice the interval unless maxSnapshotAgeMinutes says otherwise', () => {
    expect(freshnessObjectiveMinutes({ intervalMinutes: 1440 }, NOW)).toBe(2880);
    expect(freshnessObjectiveMinutes({ intervalMinutes: 1440, maxSnapshotAgeMinutes: 90 }, NOW)).toBe(90);
    expect(freshnessObjectiveMinutes({}, NOW)).toBe(2880);
  });

  it('is twice the longest gap of a cron schedule: a weekend for weekdays at 02:00', () => {
    const schedule = { cron: '0 2 * * MON-FRI', timezone: 'Europe/Berlin', jitterMinutes: 0 };
    expect(freshnessObjectiveMinutes({ schedule }, NOW)).toBe(2 * 3 * 1440);
  });
});

describe('judgeFreshness', () => {
  it.each([
    {
      what: 'a snapshot within the objective',
      record: { lastReadyAt: NOW - 1 * HOUR, firstSeenAt: NOW - 100 * HOUR },
      state: 'fresh',
      transition: undefined,
    },
    {
      what: 'a snapshot older than the objective',
      record: { lastReadyAt: NOW - 3 * HOUR, firstSeenAt: NOW - 100 * HOUR },
      state: 'stale',
      transition: 'became-stale',
    },
    {
      what: 'a stale application still stale on the next tick',
      record: { lastReadyAt: NOW - 3 * HOUR, firstSeenAt: NOW - 100 * HOUR, staleSince: NOW - HOUR },
      state: 'stale',
      transition: undefined,
    },
    {
      what: 'a stale application with a fresh snapshot again',
      record: { lastReadyAt: NOW - 0.5 * HOUR, firstSeenAt: NOW - 100 * HOUR, staleSince: NOW - HOUR },
      state: 'fresh',
      transition: 'recovered',
    },
    {
      what: 'a new application without a snapshot yet, within its grace period',
      record: { firstSeenAt: NOW - 1 * HOUR },
      state: 'grace',
      transition: undefined,
    },
    {
      what: 'a new application holding only old snapshots, within its grace period',
      record: { lastReadyAt: NOW - 50 * HOUR, firstSeenAt: NOW - 1 * HOUR },
      state: 'grace',
      transition: undefined,
    },
    {
      what: 'an application that never had a snapshot, past its grace period',
      record: { firstSeenAt: NOW - 3 * HOUR },
      state: 'stale',
      transition: 'became-stale',
    },
    {
      what: 'an application seen for the first time on this tick',
      record: {},
      state: 'grace',
      transition: undefined,
    },
  ])('judges $what $state', ({ record, state, transition }) => {
    const verdict = judgeFreshness(record, 120, NOW);
    expect(verdict).toMatchObject({ state, transition, objectiveMs: 2 * HOUR });
    expect(verdict.ageMs).toBe(record.lastReadyAt === undefined ? undefined : NOW - record.lastReadyAt);
  });
});
