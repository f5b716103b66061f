import { describe, expect, it } from 'vitest';
import * as domain from '../../src/domain';

describe('the domain entry point', () => {
  it.each([
    'parseAppConfig',
    'configParameterName',
    'configPathPrefix',
    'planRetention',
    'canTransition',
    'assertTransition',
    'isTerminal',
    'runIdFromTick',
    'tickFromRunId',
    'isRunId',
    'snapshotName',
    'isOwnSnapshotName',
    'runIdFromSnapshotName',
    'buildSnapshotMessage',
    'buildPollMessage',
    'parseWorkMessage',
    'chunkSendBatches',
    'selectDue',
    'backoffDelaySeconds',
    'isRetryable',
    'planTick',
    'decideSchedule',
    'upcomingSlots',
    'describeSchedule',
    'maintenanceDeferral',
    'parseStageDefaults',
    'tenantDefaultsLayer',
    'nextCronRun',
    'calendarPeriods',
  ])('exports %s', (name) => {
    expect(typeof (domain as Record<string, unknown>)[name]).toBe('function');
  });
});
