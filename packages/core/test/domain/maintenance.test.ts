import { describe, expect, it } from 'vitest';
import { maintenanceDeferral, maintenanceWindowOf } from '../../src/domain/maintenance';

const at = (iso: string) => Date.parse(iso);
const night = { startTime: '22:00', endTime: '06:00' };
const morning = { startTime: '02:00', endTime: '10:00' };

describe('maintenanceWindowOf', () => {
  it.each([
    [
      { ApplicationMaintenanceWindowStartTime: '02:00', ApplicationMaintenanceWindowEndTime: '10:00' },
      morning,
    ],
    [{ ApplicationMaintenanceWindowStartTime: '02:00' }, undefined],
    [
      { ApplicationMaintenanceWindowStartTime: '2:00', ApplicationMaintenanceWindowEndTime: '10:00' },
      undefined,
    ],
    [
      { ApplicationMaintenanceWindowStartTime: '24:00', ApplicationMaintenanceWindowEndTime: '10:00' },
      undefined,
    ],
    [undefined, undefined],
  ])('reads %j as %j', (description, window) => {
    expect(maintenanceWindowOf(description)).toEqual(window);
  });
});

describe('maintenanceDeferral', () => {
  it.each([
    {
      when: 'outside the window',
      now: '2026-11-22T12:00Z',
      window: morning,
      slotEnd: undefined,
      expected: { inside: false, reason: 'outside the MSF maintenance window 02:00–10:00 UTC' },
    },
    {
      when: 'inside the window: wait for its end',
      now: '2026-11-22T03:00Z',
      window: morning,
      slotEnd: at('2026-11-23T00:00Z'),
      expected: {
        inside: true,
        resumeAt: at('2026-11-22T10:00Z'),
        reason:
          'MSF maintenance window 02:00–10:00 UTC is open: the snapshot waits until 2026-11-22T10:00:00.000Z',
      },
    },
    {
      when: 'inside a window that began yesterday and wraps midnight',
      now: '2026-11-22T05:59Z',
      window: night,
      slotEnd: undefined,
      expected: {
        inside: true,
        resumeAt: at('2026-11-22T06:00Z'),
        reason:
          'MSF maintenance window 22:00–06:00 UTC is open: the snapshot waits until 2026-11-22T06:00:00.000Z',
      },
    },
    {
      when: 'at the end of the window',
      now: '2026-11-22T06:00Z',
      window: night,
      slotEnd: undefined,
      expected: { inside: false, reason: 'outside the MSF maintenance window 22:00–06:00 UTC' },
    },
    {
      when: 'inside a window that outlasts the slot: leave the slot',
      now: '2026-11-22T03:00Z',
      window: morning,
      slotEnd: at('2026-11-22T04:00Z'),
      expected: {
        inside: true,
        reason:
          'MSF maintenance window 02:00–10:00 UTC lasts until 2026-11-22T10:00:00.000Z, past the end of this slot (2026-11-22T04:00:00.000Z): no snapshot this slot',
      },
    },
    {
      when: 'an empty window',
      now: '2026-11-22T02:00Z',
      window: { startTime: '02:00', endTime: '02:00' },
      slotEnd: undefined,
      expected: { inside: false, reason: 'the MSF maintenance window 02:00–02:00 UTC is empty' },
    },
    {
      when: 'no window reported',
      now: '2026-11-22T02:00Z',
      window: undefined,
      slotEnd: undefined,
      expected: { inside: false, reason: 'MSF reports no maintenance window' },
    },
  ])('$when', ({ now, window, slotEnd, expected }) => {
    expect(maintenanceDeferral(at(now), window, slotEnd)).toEqual(expected);
  });

  it('treats the minutes before the window opens as inside it, given a lead time', () => {
    expect(maintenanceDeferral(at('2026-11-22T21:40Z'), night, undefined, 30)).toEqual({
      inside: true,
      resumeAt: at('2026-11-23T06:00Z'),
      reason:
        'MSF maintenance window 22:00–06:00 UTC opens within 30 minutes: the snapshot waits until 2026-11-23T06:00:00.000Z',
    });
    expect(maintenanceDeferral(at('2026-11-22T21:20Z'), night, undefined, 30).inside).toBe(false);
  });
});
