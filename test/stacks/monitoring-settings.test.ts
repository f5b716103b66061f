import {
  DEFAULT_WORKER_RESERVED_CONCURRENCY,
  MONITORING_ENV,
  MSF_HEALTH_METRICS,
  monitoringSettings,
  PIPELINE,
} from '@flink-snapshots/settings';
import { describe, expect, it } from 'vitest';

describe('monitoring settings of a stage', () => {
  it('monitors its own region only, without cross-account grouping, reserving the worker one more than its event source', () => {
    expect(monitoringSettings('dev', {}, {})).toEqual({
      monitoredRegions: [],
      crossAccountObservability: false,
      workerReservedConcurrency: PIPELINE.worker.maximumConcurrency + 1,
      msfHealth: MSF_HEALTH_METRICS,
    });
    expect(DEFAULT_WORKER_RESERVED_CONCURRENCY).toBe(PIPELINE.worker.maximumConcurrency + 1);
  });

  it('takes the variables before the committed choices, trimmed and without repeated regions', () => {
    const settings = monitoringSettings(
      'prod',
      {
        [MONITORING_ENV.monitoredRegions]: ' us-east-1, ap-southeast-2 ,us-east-1',
        [MONITORING_ENV.crossAccountObservability]: 'true',
        [MONITORING_ENV.workerReservedConcurrency]: 'off',
      },
      { monitoredRegions: ['eu-central-1'], crossAccountObservability: false, workerReservedConcurrency: 20 },
    );
    expect(settings).toMatchObject({
      monitoredRegions: ['us-east-1', 'ap-southeast-2'],
      crossAccountObservability: true,
      workerReservedConcurrency: undefined,
    });
    expect(
      monitoringSettings('prod', {}, { monitoredRegions: ['eu-central-1'], workerReservedConcurrency: 20 }),
    ).toMatchObject({ monitoredRegions: ['eu-central-1'], workerReservedConcurrency: 20 });
  });

  it('refuses a reservation below the event source’s maximum concurrency, which would throttle the pollers', () => {
    expect(() =>
      monitoringSettings('dev', {
        [MONITORING_ENV.workerReservedConcurrency]: String(PIPELINE.worker.maximumConcurrency - 1),
      }),
    ).toThrow(
      `Stage "dev": FLINK_SNAPSHOTS_WORKER_RESERVED_CONCURRENCY is "${PIPELINE.worker.maximumConcurrency - 1}"; expected off, or a whole number of at least ${PIPELINE.worker.maximumConcurrency}`,
    );
    expect(() => monitoringSettings('dev', {}, { workerReservedConcurrency: 2.5 })).toThrow(
      'MONITORING_STAGES.dev.workerReservedConcurrency is 2.5',
    );
  });

  it('refuses a region that is not a region name, and a cross-account flag that is not true or false', () => {
    expect(() =>
      monitoringSettings('dev', { [MONITORING_ENV.monitoredRegions]: 'us-east-1,Frankfurt' }),
    ).toThrow(
      'FLINK_SNAPSHOTS_MONITORED_REGIONS is ["us-east-1","Frankfurt"]; expected region names such as us-east-1',
    );
    expect(() => monitoringSettings('dev', { [MONITORING_ENV.crossAccountObservability]: 'yes' })).toThrow(
      'FLINK_SNAPSHOTS_CROSS_ACCOUNT_OBSERVABILITY is "yes"; expected true or false',
    );
  });

  it('refuses a metric name that cannot stand in a query, and an alarm longer than the 3 hours Metrics Insights evaluates', () => {
    expect(() =>
      monitoringSettings('dev', {}, { msfHealth: { downtime: { metricName: 'downtime") OR ("x' } } }),
    ).toThrow('MONITORING_STAGES.dev.msfHealth.downtime.metricName is "downtime\\") OR (\\"x"');
    expect(() =>
      monitoringSettings('dev', {}, { msfHealth: { checkpointDuration: { periodMinutes: 60, periods: 4 } } }),
    ).toThrow('expected periodMinutes × periods of at most 180');
  });
});
