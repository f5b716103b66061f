/**
 * Alarms (each one notifies the failures topic) and the dashboard of one stage. Every alarm name starts
 * with `alarmNamePrefix(stage)`: the topic and key policies let CloudWatch publish for those alarms only.
 */

import { APP_NAME, METRICS_NAMESPACE, MetricName, PIPELINE } from '@flink-snapshots/settings';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Every alarm of a stage is named `<stage>-flink-snapshots-…`. */
export function alarmNamePrefix(stage: string): string {
  return `${stage}-${APP_NAME}-`;
}

/** The MSF metrics that tell snapshot health, read fleet-wide with a SEARCH over the Application dimension. */
export const FLEET_METRICS = ['lastCheckpointDuration', 'numberOfFailedCheckpoints', 'downtime'] as const;

/** Dashboard widget titles; the stack tests look them up by these. */
export const WIDGETS = {
  runsByFinalState: 'Runs by final state',
  snapshotDurations: 'Snapshot duration (seconds)',
  pruned: 'Snapshots pruned',
  throughput: 'Dispatched, created, ready, invalid config',
  workQueue: 'Work queue: depth and age of oldest message',
  deadLetterQueue: 'Dead-letter queue depth',
  functions: 'Dispatcher and worker: invocations, errors, throttles',
  fleet: {
    lastCheckpointDuration: 'MSF fleet: lastCheckpointDuration (ms), per application',
    numberOfFailedCheckpoints: 'MSF fleet: numberOfFailedCheckpoints, per application',
    downtime: 'MSF fleet: downtime (ms), per application',
  },
  alarms: 'Alarms',
} as const;

export interface MonitoringProps {
  readonly stage: string;
  /** POWERTOOLS_SERVICE_NAME of the handlers: the `service` dimension of the EMF metrics. */
  readonly service: string;
  readonly alertsTopic: sns.ITopic;
  readonly dispatcher: lambda.IFunction;
  readonly worker: lambda.IFunction;
  readonly workQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { stage, service, alertsTopic, dispatcher, worker, workQueue, deadLetterQueue } = props;
    const fiveMinutes = Duration.minutes(5);
    const emf = (metricName: string, statistic: string, label?: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: fiveMinutes,
        ...(label === undefined ? {} : { label }),
      });
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(new actions.SnsAction(alertsTopic));
      this.alarms.push(created);
      return created;
    };
    const name = (suffix: string): string => `${alarmNamePrefix(stage)}${suffix}`;

    // Invariant 1: a message the worker could not finish lands here, and someone must look.
    alarm('DeadLetterQueueNotEmpty', {
      alarmName: name('dlq-not-empty'),
      alarmDescription:
        'Work messages reached the dead-letter queue after maxReceiveCount attempts. See the DLQ runbook in the README.',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('WorkerErrors', {
      alarmName: name('worker-errors'),
      alarmDescription:
        'The worker failed whole invocations (crash, timeout); per-message failures are retried.',
      metric: worker.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('DispatcherErrors', {
      alarmName: name('dispatcher-errors'),
      alarmDescription: 'The dispatcher failed; applications due on that tick were not dispatched.',
      metric: dispatcher.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // No data means no invocation: the schedule is disabled, deleted or failing to invoke.
    alarm('DispatcherNotInvoked', {
      alarmName: name('dispatcher-not-invoked'),
      alarmDescription: `The dispatcher was not invoked for two ticks (${2 * PIPELINE.tickMinutes} minutes): no snapshots are being scheduled.`,
      metric: dispatcher.metricInvocations({
        statistic: 'Sum',
        period: Duration.minutes(PIPELINE.tickMinutes),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm('RunsFailed', {
      alarmName: name('runs-failed'),
      alarmDescription:
        'Snapshot runs ended FAILED (snapshot FAILED or a permanent error); see the runs table.',
      metric: emf(MetricName.RUN_FAILED, 'Sum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('RunsTimedOut', {
      alarmName: name('runs-timed-out'),
      alarmDescription: 'Snapshot runs ended TIMED_OUT (still CREATING at the deadline); see the runs table.',
      metric: emf(MetricName.RUN_TIMED_OUT, 'Sum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const region = Stack.of(this).region;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${alarmNamePrefix(stage)}${region}`,
      defaultInterval: Duration.days(1),
    });
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      extra: Partial<cloudwatch.GraphWidgetProps> = {},
    ) => new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, ...extra });
    // MSF publishes in each application's region; this covers the stage's region. Per-application metrics
    // stay out of our namespace (cardinality): SEARCH reads them where MSF already publishes them.
    const fleet = (metricName: (typeof FLEET_METRICS)[number], statistic: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{AWS/KinesisAnalytics,Application} MetricName="${metricName}"', '${statistic}', 300)`,
        usingMetrics: {},
        label: '',
        period: fiveMinutes,
      });

    this.dashboard.addWidgets(
      graph(
        WIDGETS.runsByFinalState,
        [
          emf(MetricName.RUN_COMPLETED, 'Sum', 'COMPLETED'),
          emf(MetricName.RUN_SKIPPED, 'Sum', 'SKIPPED'),
          emf(MetricName.RUN_FAILED, 'Sum', 'FAILED'),
          emf(MetricName.RUN_TIMED_OUT, 'Sum', 'TIMED_OUT'),
        ],
        { stacked: true },
      ),
      graph(WIDGETS.snapshotDurations, [
        emf(MetricName.SNAPSHOT_DURATION, 'p50', 'p50'),
        emf(MetricName.SNAPSHOT_DURATION, 'p90', 'p90'),
        emf(MetricName.SNAPSHOT_DURATION, 'Maximum', 'max'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(WIDGETS.pruned, [emf(MetricName.SNAPSHOTS_PRUNED, 'Sum', 'pruned')]),
      graph(WIDGETS.throughput, [
        emf(MetricName.DISPATCHED, 'Sum', 'dispatched'),
        emf(MetricName.SNAPSHOT_CREATED, 'Sum', 'created'),
        emf(MetricName.SNAPSHOT_READY, 'Sum', 'ready'),
        emf(MetricName.CONFIG_INVALID, 'Sum', 'invalid config'),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        WIDGETS.workQueue,
        [
          workQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'visible' }),
          workQueue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', label: 'in flight' }),
          workQueue.metricApproximateNumberOfMessagesDelayed({
            statistic: 'Maximum',
            label: 'delayed (polls)',
          }),
        ],
        {
          right: [
            workQueue.metricApproximateAgeOfOldestMessage({
              statistic: 'Maximum',
              label: 'age of oldest (s)',
            }),
          ],
        },
      ),
      graph(WIDGETS.deadLetterQueue, [
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'messages' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(WIDGETS.functions, [
        dispatcher.metricInvocations({ statistic: 'Sum', label: 'dispatcher invocations' }),
        dispatcher.metricErrors({ statistic: 'Sum', label: 'dispatcher errors' }),
        worker.metricInvocations({ statistic: 'Sum', label: 'worker invocations' }),
        worker.metricErrors({ statistic: 'Sum', label: 'worker errors' }),
        worker.metricThrottles({ statistic: 'Sum', label: 'worker throttles' }),
      ]),
      new cloudwatch.AlarmStatusWidget({ title: WIDGETS.alarms, alarms: this.alarms, width: 12, height: 6 }),
    );
    this.dashboard.addWidgets(
      graph(WIDGETS.fleet.lastCheckpointDuration, [fleet('lastCheckpointDuration', 'Maximum')], {
        width: 8,
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
      }),
      graph(WIDGETS.fleet.numberOfFailedCheckpoints, [fleet('numberOfFailedCheckpoints', 'Maximum')], {
        width: 8,
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
      }),
      graph(WIDGETS.fleet.downtime, [fleet('downtime', 'Maximum')], {
        width: 8,
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
      }),
    );
  }
}
