/**
 * Stateless resources: the schedule, the work queue, the dispatcher and worker with their permissions,
 * the alarms and the dashboard. Removing this stack loses no data; the runs table is in Storage.
 */

import {
  configPathPrefix,
  type DeploymentDescriptor,
  deploymentParameterName,
  ENV,
  HANDLERS,
  METRICS_NAMESPACE,
  monitoringSettings,
  PIPELINE,
  RUNS_TABLE,
  resolveRolePattern,
  roleNames,
  scheduleExpression,
  serviceName,
  stageDefaultsParameterName,
  stageSettings,
  TENANT_TAG_KEY,
  tenantRegistryPrefix,
} from '@flink-snapshots/settings';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { Function as SstFunction, type StackContext, use } from 'sst/constructs';
import { allow, ssmParameterArn } from './iam';
import { Monitoring } from './monitoring';
import { Storage } from './Storage';

/** AWS's rule for an SQS event source: visibility timeout at least six times the function timeout. */
export const MIN_VISIBILITY_TO_TIMEOUT_RATIO = 6;

export function Pipeline({ app, stack }: StackContext) {
  const { runsTable, alertsKey, alertsTopic, deadLetterQueue } = use(Storage);
  const settings = stageSettings(app.stage, process.env);
  const monitored = monitoringSettings(app.stage, process.env);
  const { partition, account } = stack;
  const service = serviceName(app.stage);

  if (
    PIPELINE.workQueue.visibilityTimeoutSeconds <
    MIN_VISIBILITY_TO_TIMEOUT_RATIO * PIPELINE.worker.timeoutSeconds
  ) {
    throw new Error(
      `PIPELINE.workQueue.visibilityTimeoutSeconds is ${PIPELINE.workQueue.visibilityTimeoutSeconds}; expected at least ${MIN_VISIBILITY_TO_TIMEOUT_RATIO} × PIPELINE.worker.timeoutSeconds (${MIN_VISIBILITY_TO_TIMEOUT_RATIO * PIPELINE.worker.timeoutSeconds}) so SQS does not redeliver a batch the worker is still processing`,
    );
  }

  const workQueue = new sqs.Queue(stack, 'WorkQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(PIPELINE.workQueue.visibilityTimeoutSeconds),
    retentionPeriod: Duration.seconds(PIPELINE.workQueue.retentionSeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: PIPELINE.workQueue.maxReceiveCount },
  });

  const names = roleNames(app.stage, app.region);
  // Cross-account roles the worker may assume, in the stack's partition (aws, aws-cn, aws-us-gov).
  const rolePattern = resolveRolePattern(settings.assumeRoleArnPattern, app.region, partition);
  const msfAccessRoleArn = `arn:${partition}:iam::${account}:role/${names.msfAccess}`;
  const environment: Record<string, string> = {
    [ENV.stage]: app.stage,
    [ENV.tenantMode]: settings.tenantMode,
    [ENV.accountId]: account,
    [ENV.msfAccessRoleArn]: msfAccessRoleArn,
    [ENV.roleArnPattern]: rolePattern,
    [ENV.runsTableName]: runsTable.tableName,
    [ENV.workQueueUrl]: workQueue.queueUrl,
    [ENV.alertsTopicArn]: alertsTopic.topicArn,
    [ENV.tickMinutes]: String(PIPELINE.tickMinutes),
    [ENV.runTtlDays]: String(PIPELINE.runTtlDays),
    POWERTOOLS_SERVICE_NAME: service,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // The bundle ships its source map: stack traces in the logs point at the TypeScript.
    NODE_OPTIONS: '--enable-source-maps',
  };

  const tableArn = runsTable.tableArn;
  const indexArn = `${runsTable.tableArn}/index/${RUNS_TABLE.byRunIndex.name}`;
  // Publishing to the encrypted topic needs the key: SNS encrypts the message with a data key.
  const publishAlerts = [
    allow(['sns:Publish'], [alertsTopic.topicArn]),
    allow(['kms:GenerateDataKey', 'kms:Decrypt'], [alertsKey.keyArn]),
  ];

  const parametersPath = configPathPrefix(app.stage).replace(/\/$/, '');
  const registryPath = tenantRegistryPrefix(app.stage).replace(/\/$/, '');
  const { fn: dispatcher } = pipelineFunction(stack, 'Dispatcher', {
    handler: HANDLERS.dispatcher,
    timeoutSeconds: PIPELINE.dispatcher.timeoutSeconds,
    memoryMb: PIPELINE.dispatcher.memoryMb,
    logRetentionDays: settings.logRetentionDays,
    production: settings.production,
    environment,
    statements: [
      // GetParametersByPath is authorized against the path in the request, not the parameters it
      // returns: the path itself (with or without its trailing slash) and what lies below it.
      allow(
        ['ssm:GetParametersByPath'],
        [
          ssmParameterArn(stack, parametersPath),
          ssmParameterArn(stack, `${parametersPath}/*`),
          ssmParameterArn(stack, registryPath),
          ssmParameterArn(stack, `${registryPath}/*`),
        ],
      ),
      // An application's parameter, and the stage defaults every configuration inherits.
      allow(
        ['ssm:GetParameter'],
        [
          ssmParameterArn(stack, `${parametersPath}/*`),
          ssmParameterArn(stack, stageDefaultsParameterName(app.stage)),
        ],
      ),
      allow(['sqs:SendMessage'], [workQueue.queueArn]),
      // GetItem: a repeated tick reads an invalid configuration's run to publish its pending alert.
      // DeleteItem: the pointer of an application whose parameter is gone.
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        [tableArn],
      ),
      // The scheduling pointers (one per application) are read through the byRun index.
      allow(['dynamodb:Query'], [tableArn, indexArn]),
      ...publishAlerts,
    ],
  });

  const { fn: worker, role: workerRole } = pipelineFunction(stack, 'Worker', {
    handler: HANDLERS.worker,
    // A fixed name: the MSF access role and every cross-account role trust it by ARN, and a generated
    // name would change (and break every trust policy) when the stack is replaced.
    roleName: names.worker,
    timeoutSeconds: PIPELINE.worker.timeoutSeconds,
    memoryMb: PIPELINE.worker.memoryMb,
    logRetentionDays: settings.logRetentionDays,
    production: settings.production,
    // Room the event source always finds (see DEFAULT_WORKER_RESERVED_CONCURRENCY); off in accounts whose
    // pool cannot spare it (Lambda keeps 100 unreserved).
    reservedConcurrency: monitored.workerReservedConcurrency,
    environment,
    statements: [
      // The worker itself may call no MSF action: it acts through a session tagged with the tenant of
      // the parameter, on the MSF access role of this account or a role of the tenant's other account.
      ...tenantSession([msfAccessRoleArn, rolePattern]),
      // Poll steps are re-enqueued with a delay; receiving and deleting come with the event source.
      allow(['sqs:SendMessage'], [workQueue.queueArn]),
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        [tableArn, indexArn],
      ),
      ...publishAlerts,
    ],
  });
  // Reaches this account's applications for one tenant at a time: only those whose tenant tag equals the
  // session's (MSF authorizes these actions on the application with aws:ResourceTag).
  const msfAccessRole = new iam.Role(stack, 'MsfAccessRole', {
    roleName: names.msfAccess,
    description: `${app.stage} ${app.name}: the worker's MSF access, one tenant per session`,
    assumedBy: new iam.ArnPrincipal(workerRole.roleArn),
    maxSessionDuration: Duration.hours(1),
  });
  msfAccessRole.assumeRolePolicy?.addStatements(
    new iam.PolicyStatement({
      effect: iam.Effect.ALLOW,
      principals: [new iam.ArnPrincipal(workerRole.roleArn)],
      actions: ['sts:TagSession'],
      conditions: tenantTagConditions,
    }),
  );
  msfAccessRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.ALLOW,
      actions: [...MSF_ACTIONS],
      resources: [`arn:${partition}:kinesisanalytics:*:${account}:application/*`],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${TENANT_TAG_KEY}`]: `\${aws:PrincipalTag/${TENANT_TAG_KEY}}`,
        },
      },
    }),
  );

  // The flink-snapshots command's way to an application (pin, snapshot now, restore): the same one
  // tenant per session and tag condition as the worker's, plus the stop and start a restore needs. Any
  // principal of this account whose own policy allows sts:AssumeRole on it (the account principal in
  // the trust policy delegates to IAM policies); the worker's role cannot stop or start applications.
  const operatorRole = new iam.Role(stack, 'OperatorRole', {
    roleName: names.operator,
    description: `${app.stage} ${app.name}: operators' MSF access (flink-snapshots command), one tenant per session`,
    assumedBy: new iam.AccountPrincipal(account),
    maxSessionDuration: Duration.hours(1),
  });
  operatorRole.assumeRolePolicy?.addStatements(
    new iam.PolicyStatement({
      effect: iam.Effect.ALLOW,
      principals: [new iam.AccountPrincipal(account)],
      actions: ['sts:TagSession'],
      conditions: tenantTagConditions,
    }),
  );
  operatorRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.ALLOW,
      actions: [...MSF_ACTIONS, ...OPERATOR_MSF_ACTIONS],
      resources: [`arn:${partition}:kinesisanalytics:*:${account}:application/*`],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${TENANT_TAG_KEY}`]: `\${aws:PrincipalTag/${TENANT_TAG_KEY}}`,
        },
      },
    }),
  );

  worker.addEventSource(
    new SqsEventSource(workQueue, {
      batchSize: PIPELINE.worker.batchSize,
      reportBatchItemFailures: true,
      // Caps concurrent worker invocations: the MSF control plane publishes no rate limits to stay under.
      maxConcurrency: PIPELINE.worker.maximumConcurrency,
    }),
  );

  new events.Rule(stack, 'Tick', {
    description: `${app.stage} ${app.name}: invokes the dispatcher every ${PIPELINE.tickMinutes} minutes`,
    schedule: events.Schedule.expression(scheduleExpression(PIPELINE.tickMinutes)),
    targets: [
      new targets.LambdaFunction(dispatcher, {
        // A tick missed for good is made up by the next one: applications are dispatched when due.
        retryAttempts: 2,
        maxEventAge: Duration.minutes(PIPELINE.tickMinutes),
      }),
    ],
  });

  const monitoring = new Monitoring(stack, 'Monitoring', {
    stage: app.stage,
    service,
    settings: monitored,
    alertsTopic,
    alertsKey,
    dispatcher,
    worker,
    workQueue,
    deadLetterQueue,
  });

  // Where the `flink-snapshots` command finds this stage. Outside `apps/`: no tenant's policy reaches it.
  const descriptor: DeploymentDescriptor = {
    version: 1,
    stage: app.stage,
    region: app.region,
    accountId: account,
    runsTableName: runsTable.tableName,
    workQueueUrl: workQueue.queueUrl,
    workQueueArn: workQueue.queueArn,
    deadLetterQueueUrl: deadLetterQueue.queueUrl,
    deadLetterQueueArn: deadLetterQueue.queueArn,
    alertsTopicArn: alertsTopic.topicArn,
    tenantMode: settings.tenantMode,
    msfAccessRoleArn,
    operatorRoleArn: operatorRole.roleArn,
    roleArnPattern: rolePattern,
    tickMinutes: PIPELINE.tickMinutes,
    runTtlDays: PIPELINE.runTtlDays,
    maxReceiveCount: PIPELINE.workQueue.maxReceiveCount,
  };
  new ssm.StringParameter(stack, 'DeploymentParameter', {
    parameterName: deploymentParameterName(app.stage),
    description: `${app.stage} ${app.name}: where the pipeline's table, queues and topic are (read by the flink-snapshots command)`,
    stringValue: stack.toJsonString(descriptor),
  });

  stack.addOutputs({
    WorkQueueUrl: workQueue.queueUrl,
    DispatcherFunctionName: dispatcher.functionName,
    WorkerFunctionName: worker.functionName,
    WorkerRoleArn: workerRole.roleArn,
    MsfAccessRoleArn: msfAccessRole.roleArn,
    OperatorRoleArn: operatorRole.roleArn,
    DashboardName: monitoring.dashboard.dashboardName,
  });

  return { workQueue, dispatcher, worker, monitoring };
}

/** What the worker does to an application, on this account's (MSF access role) or another's. */
export const MSF_ACTIONS = [
  'kinesisanalytics:DescribeApplication',
  'kinesisanalytics:ListTagsForResource',
  'kinesisanalytics:CreateApplicationSnapshot',
  'kinesisanalytics:DescribeApplicationSnapshot',
  'kinesisanalytics:ListApplicationSnapshots',
  'kinesisanalytics:DeleteApplicationSnapshot',
] as const;

/** What a restore adds, for operators only: a graceful stop, and a start from a chosen snapshot. */
export const OPERATOR_MSF_ACTIONS = [
  'kinesisanalytics:StopApplication',
  'kinesisanalytics:StartApplication',
] as const;

/** A session's tags must be exactly the tenant tag, with a value: no session for no tenant. */
const tenantTagConditions = {
  StringLike: { [`aws:RequestTag/${TENANT_TAG_KEY}`]: '?*' },
  'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY] },
};

/** AssumeRole on these roles, with the tenant tag on the session (TagSession). */
function tenantSession(roles: string[]): iam.PolicyStatement[] {
  return [
    allow(['sts:AssumeRole'], roles),
    new iam.PolicyStatement({
      effect: iam.Effect.ALLOW,
      actions: ['sts:TagSession'],
      resources: roles,
      conditions: tenantTagConditions,
    }),
  ];
}

interface PipelineFunctionProps {
  readonly handler: string;
  /** A fixed role name (for roles that trust policies name); default a generated one. */
  readonly roleName?: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly logRetentionDays: number;
  /** Production stages keep their logs when the stack is removed (the audit trail of what ran). */
  readonly production: boolean;
  /** Reserved concurrent executions; undefined: none (the account's unreserved pool). */
  readonly reservedConcurrency?: number | undefined;
  readonly environment: Record<string, string>;
  readonly statements: iam.PolicyStatement[];
}

/**
 * A Lambda function with its own role and log group. Every permission is in the template: no AWS managed
 * policy (AWSLambdaBasicExecutionRole grants logs on `*`) and no log-retention custom resource.
 */
function pipelineFunction(
  scope: Construct,
  id: string,
  props: PipelineFunctionProps,
): { fn: SstFunction; role: iam.Role } {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: retentionDays(props.logRetentionDays),
    removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    ...(props.roleName === undefined ? {} : { roleName: props.roleName }),
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `${id} of ${Stack.of(scope).stackName}`,
  });
  // The log group's ARN ends in `:*`, which covers its log streams.
  role.addToPrincipalPolicy(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup.logGroupArn]));
  const fn = new SstFunction(scope, id, {
    handler: props.handler,
    runtime: 'nodejs22.x',
    architecture: 'arm_64',
    timeout: props.timeoutSeconds,
    memorySize: props.memoryMb,
    ...(props.reservedConcurrency === undefined
      ? {}
      : { reservedConcurrentExecutions: props.reservedConcurrency }),
    // Tracing needs xray:PutTraceSegments on "*"; logs and EMF metrics are what we read.
    tracing: 'disabled',
    nodejs: { format: 'esm', sourcemap: true },
    environment: props.environment,
    role,
    logGroup,
    permissions: props.statements,
  });
  return { fn, role };
}

function retentionDays(days: number): logs.RetentionDays {
  const match = Object.values(logs.RetentionDays).find((value) => value === days);
  if (match === undefined) {
    throw new Error(`logRetentionDays is ${days}; expected one of CloudWatch Logs' retention periods`);
  }
  return match as logs.RetentionDays;
}
