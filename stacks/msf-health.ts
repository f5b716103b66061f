/**
 * MSF health, fleet-wide: one alarm per health metric on a Metrics Insights query grouped by application,
 * so every application that publishes the metric is a contributor of the alarm, including the ones that
 * join after the deployment (by someone writing an SSM parameter) — nobody creates an alarm for them.
 */

import { MSF_METRICS, type MsfHealthKey, type MsfHealthMetric } from '@flink-snapshots/settings';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** The alarm name of a health metric, after the stage prefix: `msf-downtime`, `msf-failed-checkpoints`. */
export function msfAlarmSuffix(key: MsfHealthKey): string {
  return `msf-${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

export interface MsfQueryOptions {
  /** Group by account too: in a monitoring account, applications of the same name in two accounts. */
  readonly groupByAccount: boolean;
  /** Top N (dashboards); absent: every application (alarms, up to Metrics Insights' 500 series). */
  readonly limit?: number;
}

/**
 * The Metrics Insights query of one health metric, one series per application. Ordered by the alarmed
 * aggregate, worst first: when more than 500 applications match, the 500 that are evaluated are the worst.
 */
export function msfHealthQuery(metric: MsfHealthMetric, options: MsfQueryOptions): string {
  const { namespace, applicationDimension } = MSF_METRICS;
  const groups = options.groupByAccount ? `AWS.AccountId, ${applicationDimension}` : applicationDimension;
  const limit = options.limit === undefined ? '' : ` LIMIT ${options.limit}`;
  return (
    `SELECT ${metric.statistic}(${metric.metricName}) FROM SCHEMA("${namespace}", ${applicationDimension}) ` +
    `GROUP BY ${groups} ORDER BY ${metric.statistic}() DESC${limit}`
  );
}

/** What an alarm of this metric means, for its description. */
function meaning(metric: MsfHealthMetric): string {
  const window = `${metric.periods} period(s) of ${metric.periodMinutes} min`;
  const seen = `${metric.statistic}(${metric.metricName}) above ${metric.threshold} ${metric.unit}`;
  return metric.kind === 'counter'
    ? `An MSF application has ${seen} since its job last started (a total, not a rate: Metrics Insights has no RATE); it returns to OK when a restart resets the counter. One contributor per application.`
    : `An MSF application has ${seen} for ${window}. One contributor per application.`;
}

export interface MsfHealthAlarmsProps {
  /** `alarmNamePrefix(stage)`: the topic and key policies let CloudWatch publish for these names only. */
  readonly alarmNamePrefix: string;
  readonly metrics: Readonly<Record<MsfHealthKey, MsfHealthMetric>>;
  readonly groupByAccount: boolean;
}

/** The health alarms of one region (the stack's). Construct IDs derive from the keys, never the metric names. */
export class MsfHealthAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MsfHealthAlarmsProps) {
    super(scope, id);
    for (const [key, metric] of enabledMetrics(props.metrics)) {
      const alarm = new cloudwatch.Alarm(this, key.charAt(0).toUpperCase() + key.slice(1), {
        alarmName: `${props.alarmNamePrefix}${msfAlarmSuffix(key)}`,
        alarmDescription: meaning(metric),
        metric: new cloudwatch.MathExpression({
          expression: msfHealthQuery(metric, { groupByAccount: props.groupByAccount }),
          usingMetrics: {},
          label: metric.metricName,
          period: Duration.minutes(metric.periodMinutes),
        }),
        threshold: metric.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: metric.periods,
        datapointsToAlarm: metric.periods,
        // An application that stops publishing (stopped, deleted) leaves the alarm; it is not unhealthy.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.alarms.push(alarm);
    }
  }
}

/** The enabled health metrics, in the settings' order. */
export function enabledMetrics(
  metrics: Readonly<Record<MsfHealthKey, MsfHealthMetric>>,
): [MsfHealthKey, MsfHealthMetric][] {
  return (Object.entries(metrics) as [MsfHealthKey, MsfHealthMetric][]).filter(([, m]) => m.enabled);
}
