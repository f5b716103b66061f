/**
 * Alarms (each one notifies the failures topic when it enters ALARM and when it returns to OK) and the
 * dashboard of one stage. Every alarm name starts with `alarmNamePrefix(stage)`: the topic and key
 * policies let CloudWatch publish for those alarms only.
 */

import {
  APP_NAME,
  METRICS_NAMESPACE,
  MetricName,
  type MonitoringSettings,
  type MsfHealthMetric,
  PIPELINE,
  partitionOf,
} from '@flink-snapshots/settings';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allow } from './iam';
import {
  alarmStateChanges,
  enabledMetrics,
  MsfHealthAlarms,
  msfHealthQuery,
  msfHealthRegionTemplate,
  REGION_TEMPLATE_PARAMETERS,
} from './msf-health';

/** Every alarm of a stage is named `<stage>-flink-snapshots-…`. */
export function alarmNamePrefix(stage: string): string {
  return `${stage}-${APP_NAME}-`;
}

/** SQS delays a message by 15 minutes at most: the longest a poll step waits before it can be received. */
export const SQS_MAX_DELAY_SECONDS = 900;

/**
 * Alarm thresholds derived from the pipeline's numbers.
 * - The oldest work message: a delayed poll step is up to SQS_MAX_DELAY_SECONDS old when it becomes
 *   visible, and two failed receives add two visibility timeouts before SQS stops counting it (a message
 *   received three times drops out of ApproximateAgeOfOldestMessage). Older than that, nobody is receiving.
 * - Steps retried: one failing message is retried at most once per visibility timeout (360 s, longer than
 *   the 5-minute period), so more than 5 retries in each of two periods means many messages keep failing.
 */
export const THRESHOLDS = {
  oldestWorkMessageSeconds: SQS_MAX_DELAY_SECONDS + 2 * PIPELINE.workQueue.visibilityTimeoutSeconds,
  stepsRetriedPerPeriod: 5,
} as const;

/** Dashboard widget titles; the stack tests look them up by these. */
export const WIDGETS = {
  runsByFinalState: 'Runs by final state',
  snapshotDurations:
    'Snapshot duration (s): from the request to the poll that first saw it READY (polls bound the precision)',
  freshness: 'Freshness: oldest newest-READY snapshot (min, left), stale applications (right)',
  quota: "Snapshot quota used (% of MSF's 1,000 per application), highest per run",
  pruned: 'Snapshots pruned',
  throughput: 'Dispatched, created, ready, invalid config',
  workQueue: 'Work queue: depth and age of oldest message',
  deadLetterQueue: 'Dead-letter queue depth',
  functions: 'Dispatcher and worker: invocations, errors, throttles, steps retried',
  alarms: 'Alarms',
  /** One top-10 widget per health metric and monitored region. */
  msf: (metric: MsfHealthMetric, region: string): string =>
    `MSF ${metric.metricName} (${metric.unit}${metric.kind === 'counter' ? ', since the job started' : ''}), top 10 applications, ${region}`,
} as const;

/** How many applications a dashboard widget shows: its legend names each one. */
export const TOP_N = 10;

export interface MonitoringProps {
  readonly stage: string;
  /** POWERTOOLS_SERVICE_NAME of the handlers: the `service` dimension of the EMF metrics. */
  readonly service: string;
  readonly settings: MonitoringSettings;
  readonly alertsTopic: sns.ITopic;
  /** The key of the failures topic: EventBridge encrypts what it publishes from other regions with it. */
  readonly alertsKey: kms.IKey;
  readonly dispatcher: lambda.IFunction;
  readonly worker: lambda.IFunction;
  readonly workQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  /** The other regions' health alarms, when the stage monitors other regions. */
  readonly regions?: cloudformation.CfnStackSet;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { stage, service, settings, alertsTopic, dispatcher, worker, workQueue, deadLetterQueue } = props;
    const fiveMinutes = Duration.minutes(5);
    const oneMinute = Duration.minutes(1);
    const emf = (metricName: string, statistic: string, label?: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: fiveMinutes,
        ...(label === undefined ? {} : { label }),
      });
    // Both transitions reach the topic: whoever was paged learns when it is over.
    const notify = (created: cloudwatch.Alarm): cloudwatch.Alarm => {
      created.addAlarmAction(new actions.SnsAction(alertsTopic));
      created.addOkAction(new actions.SnsAction(alertsTopic));
      this.alarms.push(created);
      return created;
    };
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm =>
      notify(new cloudwatch.Alarm(this, alarmId, alarmProps));
    const name = (suffix: string): string => `${alarmNamePrefix(stage)}${suffix}`;
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const quietWhenMissing = cloudwatch.TreatMissingData.NOT_BREACHING;

    // Invariant 1: a message the worker could not finish lands here, and someone must look.
    alarm('DeadLetterQueueNotEmpty', {
      alarmName: name('dlq-not-empty'),
      alarmDescription:
        'Work messages reached the dead-letter queue after maxReceiveCount attempts. See the DLQ runbook in the README.',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: oneMinute,
      }),
      threshold: 0,
      comparisonOperator: above,
      evaluationPeriods: 1,
      treatMissingData: quietWhenMissing,
    });
    // dlq-not-empty stays in ALARM while anything is there; this one fires again for each new arrival.
    // Not NumberOfMessagesSent: SQS does not count there what its redrive policy moves into a DLQ. The
    // visible count rises with each arrival; interior gaps keep the last value, a leading gap (an idle
    // queue reports nothing) counts as empty.
    alarm('DeadLetterArrivals', {
      alarmName: name('dlq-arrivals'),
      alarmDescription:
        'New messages arrived in the dead-letter queue (fires for each arrival, also while it is not empty). See the DLQ runbook in the README.',
      metric: new cloudwatch.MathExpression({
        expression: 'DIFF(FILL(FILL(visible, REPEAT), 0))',
        usingMetrics: {
          visible: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
        },
        label: 'messages that arrived in the DLQ',
        period: oneMinute,
      }),
      threshold: 0,
      comparisonOperator: above,
      evaluationPeriods: 1,
      treatMissingData: quietWhenMissing,
    });
    alarm('WorkQueueOldestMessage', {
      alarmName: name('work-queue-oldest-message'),
      alarmDescription: `A work message has waited over ${THRESHOLDS.oldestWorkMessageSeconds} s (the longest poll delay plus two visibility timeouts) for 3 minutes: nothing is receiving (worker throttled, disabled or failing to start).`,
      metric: workQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: oneMinute }),
      threshold: THRESHOLDS.oldestWorkMessageSeconds,
      comparisonOperator: above,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: quietWhenMissing,
    });
    alarm('StepsRetried', {
      alarmName: name('steps-retried'),
      alarmDescription: `More than ${THRESHOLDS.stepsRetriedPerPeriod} work steps failed retryably in each of two 5-minute periods: many applications are failing (permissions, throttling, an outage), long before their messages reach the DLQ.`,
      metric: emf(MetricName.STEP_RETRIED, 'Sum'),
      threshold: THRESHOLDS.stepsRetriedPerPeriod,
      comparisonOperator: above,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: quietWhenMissing,
    });
    alarm('WorkerErrors', {
      alarmName: name('worker-errors'),
      alarmDescription:
        'The worker failed whole invocations (crash, timeout); per-message failures are retried.',
      metric: worker.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 0,
      comparisonOperator: above,
      evaluationPeriods: 1,
      treatMissingData: quietWhenMissing,
    });
    alarm('DispatcherErrors', {
      alarmName: name('dispatcher-errors'),
      alarmDescription: 'The dispatcher failed; applications due on that tick were not dispatched.',
      metric: dispatcher.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 0,
      comparisonOperator: above,
      evaluationPeriods: 1,
      treatMissingData: quietWhenMissing,
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
    // Recoverable, and known to be: the dispatcher measures every tick, zeros included, so no value
    // means nobody is measuring, which is not known recoverable. Two ticks, so one tick landing in the
    // neighbouring period does not page.
    alarm('ApplicationsStale', {
      alarmName: name('applications-stale'),
      alarmDescription:
        'Enabled applications have no READY snapshot within their freshness objective, or the dispatcher published no freshness measure for two ticks (missing data counts as stale). See the runs table for those applications.',
      metric: emf(MetricName.STALE_APPLICATIONS, 'Maximum'),
      threshold: 0,
      comparisonOperator: above,
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
      comparisonOperator: above,
      evaluationPeriods: 1,
      treatMissingData: quietWhenMissing,
    });
    alarm('RunsTimedOut', {
      alarmName: name('runs-timed-out'),
      alarmDescription: 'Snapshot runs ended TIMED_OUT (still CREATING at the deadline); see the runs table.',
      metric: emf(MetricName.RUN_TIMED_OUT, 'Sum'),
      threshold: 0,
      comparisonOperator: above,
      evaluationPeriods: 1,
      treatMissingData: quietWhenMissing,
    });

    const health = {
      alarmNamePrefix: alarmNamePrefix(stage),
      metrics: settings.msfHealth,
      groupByAccount: settings.crossAccountObservability,
    };
    new MsfHealthAlarms(this, 'MsfHealth', health).alarms.forEach(notify);
    const region = Stack.of(this).region;
    const otherRegions = settings.monitoredRegions.filter((r) => r !== region);
    if (otherRegions.length > 0) {
      this.regions = this.otherRegions(stage, otherRegions, props, health);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${alarmNamePrefix(stage)}${region}`,
      defaultInterval: Duration.days(1),
    });
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      extra: Partial<cloudwatch.GraphWidgetProps> = {},
    ) => new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, ...extra });

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
      graph(WIDGETS.freshness, [emf(MetricName.SNAPSHOT_AGE_MAX, 'Maximum', 'oldest newest-READY (min)')], {
        right: [emf(MetricName.STALE_APPLICATIONS, 'Maximum', 'stale applications')],
      }),
      graph(WIDGETS.quota, [emf(MetricName.QUOTA_USED, 'Maximum', 'highest share of the quota (%)')], {
        leftYAxis: { min: 0, max: 100 },
        leftAnnotations: [{ value: 80, label: 'quota-warning from 800 snapshots' }],
      }),
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
        emf(MetricName.STEP_RETRIED, 'Sum', 'steps retried'),
      ]),
      new cloudwatch.AlarmStatusWidget({ title: WIDGETS.alarms, alarms: this.alarms, width: 12, height: 6 }),
    );
    // MSF's metrics stay in MSF's namespace (no per-application metric of ours): Metrics Insights reads
    // them there, the worst TOP_N of each region, each named in the legend.
    for (const widgetRegion of [region, ...otherRegions]) {
      this.dashboard.addWidgets(
        ...enabledMetrics(settings.msfHealth).map(
          ([, metric]) =>
            new cloudwatch.GraphWidget({
              title: WIDGETS.msf(metric, widgetRegion),
              region: widgetRegion,
              left: [
                new cloudwatch.MathExpression({
                  expression: msfHealthQuery(metric, {
                    groupByAccount: settings.crossAccountObservability,
                    limit: TOP_N,
                  }),
                  usingMetrics: {},
                  label: '',
                  period: fiveMinutes,
                }),
              ],
              leftAnnotations: [{ value: metric.threshold, label: 'alarm threshold' }],
              legendPosition: cloudwatch.LegendPosition.RIGHT,
              width: 24 / Math.max(1, enabledMetrics(settings.msfHealth).length),
              height: 6,
            }),
        ),
      );
    }
  }

  /**
   * The health alarms of the other monitored regions: a StackSet (self-managed permissions, this account)
   * deploys the same alarms there, whose state changes an EventBridge rule sends to this region's default
   * bus, where a rule publishes them to the failures topic.
   */
  private otherRegions(
    stage: string,
    regions: string[],
    props: MonitoringProps,
    health: { alarmNamePrefix: string; metrics: MonitoringSettings['msfHealth']; groupByAccount: boolean },
  ): cloudformation.CfnStackSet {
    const stack = Stack.of(this);
    const crossPartition = regions.filter((r) => partitionOf(r) !== partitionOf(stack.region));
    if (crossPartition.length > 0) {
      throw new Error(
        `Stage "${stage}": monitored regions ${crossPartition.join(', ')} are not in partition ${partitionOf(stack.region)} (of ${stack.region}); expected regions of the stack's partition (a StackSet and EventBridge cannot cross partitions)`,
      );
    }
    const homeBus = `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`;
    // Assumed by EventBridge only, for rules of this account: the other regions' rules put their events
    // on this region's bus with it, and this region's rule publishes them to the encrypted topic.
    const role = new iam.Role(this, 'AlarmEventsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: `${stage} ${APP_NAME}: brings the other regions' alarm state changes to the failures topic`,
    });
    role.addToPrincipalPolicy(allow(['events:PutEvents'], [homeBus]));
    role.addToPrincipalPolicy(allow(['sns:Publish'], [props.alertsTopic.topicArn]));
    role.addToPrincipalPolicy(allow(['kms:GenerateDataKey', 'kms:Decrypt'], [props.alertsKey.keyArn]));

    const stackSet = new cloudformation.CfnStackSet(this, 'MsfHealthRegions', {
      stackSetName: `${alarmNamePrefix(stage)}msf-health-${stack.region}`,
      description: `${stage} ${APP_NAME}: MSF health alarms of the monitored regions other than ${stack.region}`,
      // The account's AWSCloudFormationStackSetAdministrationRole and ...ExecutionRole (README).
      permissionModel: 'SELF_MANAGED',
      managedExecution: { Active: true },
      operationPreferences: { regionConcurrencyType: 'PARALLEL', maxConcurrentPercentage: 100 },
      parameters: [
        { parameterKey: REGION_TEMPLATE_PARAMETERS.homeEventBusArn, parameterValue: homeBus },
        { parameterKey: REGION_TEMPLATE_PARAMETERS.forwarderRoleArn, parameterValue: role.roleArn },
      ],
      stackInstancesGroup: [{ deploymentTargets: { accounts: [stack.account] }, regions }],
      templateBody: JSON.stringify(msfHealthRegionTemplate(health)),
    });

    const pattern = alarmStateChanges(health.alarmNamePrefix);
    const field = (path: string) => events.EventField.fromPath(path);
    new events.Rule(this, 'OtherRegionsAlarmStates', {
      description: `${stage} ${APP_NAME}: state changes of the MSF health alarms of ${regions.join(', ')}, to the failures topic`,
      eventPattern: {
        source: pattern.source,
        detailType: pattern['detail-type'],
        region: regions,
        detail: pattern.detail,
      },
      targets: [
        {
          bind: () => ({
            arn: props.alertsTopic.topicArn,
            role,
            input: events.RuleTargetInput.fromText(
              `${stage} ${APP_NAME}: alarm ${field('$.detail.alarmName')} in ${field('$.region')} is ${field('$.detail.state.value')}: ${field('$.detail.state.reason')}`,
            ),
          }),
        },
      ],
    });
    return stackSet;
  }
}
