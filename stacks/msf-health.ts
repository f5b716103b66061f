/**
 * MSF health, fleet-wide: one alarm per health metric on a Metrics Insights query grouped by application,
 * so every application that publishes the metric is a contributor of the alarm, including the ones that
 * join after the deployment (by someone writing an SSM parameter) — nobody creates an alarm for them.
 *
 * Such an alarm reads the metrics of its own account and region (and, in a CloudWatch cross-account
 * observability monitoring account, of the source accounts linked in that region). SST v2 deploys every
 * stack of the app to one region, so the alarms of the other monitored regions travel in a CloudFormation
 * StackSet, and their state changes come back through EventBridge to the failures topic (an alarm's SNS
 * action must name a topic of its own region).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MSF_METRICS, type MsfHealthKey, type MsfHealthMetric } from '@flink-snapshots/settings';
import { App, CfnParameter, Duration, LegacyStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
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

/** EventBridge's events for state changes (ALARM, OK, INSUFFICIENT_DATA) of the stage's alarms. */
export function alarmStateChanges(alarmNamePrefix: string): {
  source: string[];
  'detail-type': string[];
  detail: { alarmName: { prefix: string }[] };
} {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { alarmName: [{ prefix: alarmNamePrefix }] },
  };
}

/** Parameters of the region template, given by the StackSet. */
export const REGION_TEMPLATE_PARAMETERS = {
  homeEventBusArn: 'HomeEventBusArn',
  forwarderRoleArn: 'ForwarderRoleArn',
} as const;

/**
 * The template a StackSet deploys to each other monitored region: the same health alarms (built by the
 * same construct) and a rule that sends their state changes to the home region's default event bus.
 * Synthesized by a throwaway CDK app into a temporary directory, removed afterwards.
 */
export function msfHealthRegionTemplate(props: MsfHealthAlarmsProps): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'flink-snapshots-msf-health-'));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    // No bootstrap resources: a StackSet instance has no CDK asset to fetch.
    const stack = new Stack(app, 'MsfHealthRegion', {
      synthesizer: new LegacyStackSynthesizer(),
      analyticsReporting: false,
      description: 'flink-snapshots: MSF health alarms of this region, forwarded to the home region',
    });
    new MsfHealthAlarms(stack, 'MsfHealth', props);
    const homeBus = new CfnParameter(stack, REGION_TEMPLATE_PARAMETERS.homeEventBusArn, {
      type: 'String',
      description: "The home region's default event bus, which sends the state changes to the failures topic",
    });
    const role = new CfnParameter(stack, REGION_TEMPLATE_PARAMETERS.forwarderRoleArn, {
      type: 'String',
      description: 'The role EventBridge uses to put the events on the home bus',
    });
    new events.CfnRule(stack, 'ForwardAlarmStates', {
      description:
        'Sends the state changes of these alarms to the home region, which notifies the failures topic',
      eventPattern: alarmStateChanges(props.alarmNamePrefix),
      targets: [{ id: 'home-region', arn: homeBus.valueAsString, roleArn: role.valueAsString }],
    });
    return app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
