import {
  DEFAULT_WORKER_RESERVED_CONCURRENCY,
  MONITORING_ENV,
  MSF_HEALTH_METRICS,
  monitoringSettings,
  PIPELINE,
} from '@flink-snapshots/settings';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { alarmNamePrefix } from '../../stacks/monitoring';
import { MsfHealthAlarms, msfAlarmSuffix, msfHealthQuery } from '../../stacks/msf-health';

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

  it('lets a stage on Flink 2.2 count restarts with numRestarts, keeping the alarm (its name and construct)', () => {
    const settings = monitoringSettings(
      'dev',
      {},
      { msfHealth: { restarts: { metricName: 'numRestarts' } } },
    );
    expect(settings.msfHealth.restarts).toEqual({
      ...MSF_HEALTH_METRICS.restarts,
      metricName: 'numRestarts',
    });
    expect(msfHealthQuery(settings.msfHealth.restarts, { groupByAccount: false })).toBe(
      'SELECT MAX(numRestarts) FROM SCHEMA("AWS/KinesisAnalytics", Application) GROUP BY Application ORDER BY MAX() DESC',
    );
    const template = healthAlarms(settings.msfHealth);
    const restarts = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: `${alarmNamePrefix('dev')}${msfAlarmSuffix('restarts')}` },
    });
    expect(Object.keys(restarts)).toEqual([expect.stringMatching(/^HealthRestarts[0-9A-F]{8}$/)]);
    expect(JSON.stringify(restarts)).toContain('numRestarts');
  });

  it('drops the alarm of a metric a stage switches off (one its Flink version does not publish)', () => {
    const settings = monitoringSettings('dev', {}, { msfHealth: { downtime: { enabled: false } } });
    const names = Object.values(healthAlarms(settings.msfHealth).findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName,
    );
    expect(names).toEqual(
      (['checkpointDuration', 'failedCheckpoints', 'restarts'] as const).map(
        (key) => `${alarmNamePrefix('dev')}${msfAlarmSuffix(key)}`,
      ),
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

function healthAlarms(metrics: typeof MSF_HEALTH_METRICS): Template {
  const stack = new Stack(new App(), 'Health');
  new MsfHealthAlarms(stack, 'Health', {
    alarmNamePrefix: alarmNamePrefix('dev'),
    metrics,
    groupByAccount: false,
  });
  return Template.fromStack(stack);
}
