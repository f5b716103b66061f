import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DEFAULT_WORKER_RESERVED_CONCURRENCY,
  DeploymentDescriptorSchema,
  deploymentParameterName,
  ENV,
  HANDLERS,
  METRICS_INSIGHTS_ALARM_WINDOW_MINUTES,
  METRICS_NAMESPACE,
  MetricName,
  MONITORING_ENV,
  MSF_HEALTH_METRICS,
  type MsfHealthKey,
  PIPELINE,
  RUNS_TABLE,
  roleNames,
  STAGE_ENV,
  scheduleExpression,
  serviceName,
  TENANT_TAG_KEY,
} from '@flink-snapshots/settings';
import { findReferee, requireReferee } from '@flink-snapshots/testkit';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import config from '../../sst.config';
import { alarmNamePrefix, SQS_MAX_DELAY_SECONDS, THRESHOLDS, TOP_N, WIDGETS } from '../../stacks/monitoring';
import { msfAlarmSuffix } from '../../stacks/msf-health';
import { MIN_VISIBILITY_TO_TIMEOUT_RATIO, MSF_ACTIONS, OPERATOR_MSF_ACTIONS } from '../../stacks/Pipeline';
import {
  asList,
  identityStatements,
  logicalId,
  permissionsOf,
  render,
  type Statement,
  type SynthesizedStage,
  synthesize,
  TEST_ACCOUNT,
  TEST_REGION,
} from './synth';

const PROD_EMAIL = 'oncall@example.com';
const PROD_ROLE_PATTERN = 'arn:aws:iam::*:role/msf-snapshotter-*';
/** prod also monitors this region (and lists its own, which it monitors anyway). */
const PROD_OTHER_REGION = 'us-east-1';
const PARTITION = ref('AWS::Partition');

let dev: SynthesizedStage;
let prod: SynthesizedStage;

beforeAll(async () => {
  // Synthesis bundles the handlers: once per stage, shared by every test below.
  dev = await synthesize('dev', {
    [STAGE_ENV.alertEmail]: undefined,
    [STAGE_ENV.assumeRoleArnPattern]: undefined,
    [MONITORING_ENV.monitoredRegions]: undefined,
    [MONITORING_ENV.crossAccountObservability]: undefined,
    [MONITORING_ENV.workerReservedConcurrency]: 'off',
  });
  prod = await synthesize('prod', {
    [STAGE_ENV.alertEmail]: PROD_EMAIL,
    [STAGE_ENV.assumeRoleArnPattern]: PROD_ROLE_PATTERN,
    [MONITORING_ENV.monitoredRegions]: `${TEST_REGION},${PROD_OTHER_REGION}`,
    [MONITORING_ENV.crossAccountObservability]: 'true',
    [MONITORING_ENV.workerReservedConcurrency]: undefined,
  });
});

const stages = () => [dev, prod];

function functionId(template: Template, handler: string): string {
  const found = template.findResources('AWS::Lambda::Function', { Properties: { Handler: handler } });
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`Expected one function with handler ${handler}, found ${ids.length}`);
  return ids[0] as string;
}

function resource(
  template: Template,
  id: string,
): { Properties: Record<string, unknown> } & Record<string, unknown> {
  const found = template.toJSON().Resources[id];
  if (found === undefined) throw new Error(`No resource ${id}`);
  return found;
}

function roleOf(template: Template, fnId: string): string {
  const role = render(resource(template, fnId).Properties.Role);
  const match = /^\$\{(\w+)\.Arn\}$/.exec(role);
  if (match?.[1] === undefined)
    throw new Error(`Function ${fnId} has role ${role}; expected a role of this stack`);
  return match[1];
}

/** How `render` shows a Ref (`ref('X')`) or a GetAtt (`ref('X.Arn')`). */
function ref(target: string): string {
  return `\${${target}}`;
}

function roleIdOf(template: Template, construct: 'MsfAccessRole' | 'OperatorRole'): string {
  const ids = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.includes(construct));
  if (ids.length !== 1) throw new Error(`Expected one ${construct}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

function msfAccessRoleId(template: Template): string {
  return roleIdOf(template, 'MsfAccessRole');
}

function logGroupOf(template: Template, handler: string): string {
  const fn = resource(template, functionId(template, handler)).Properties;
  const group = render((fn.LoggingConfig as { LogGroup: unknown }).LogGroup);
  const match = /^\$\{(\w+)\}$/.exec(group);
  if (match?.[1] === undefined)
    throw new Error(`Function ${handler} logs to ${group}; expected a log group of this stack`);
  return match[1];
}

describe('sst.config.ts', () => {
  it('names the app flink-snapshots and takes --region before AWS_REGION', async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'sa-east-1';
    try {
      expect(await config.config({ stage: 'dev', region: 'ap-south-1' })).toEqual({
        name: 'flink-snapshots',
        region: 'ap-south-1',
      });
      expect(await config.config({ stage: 'dev' })).toEqual({ name: 'flink-snapshots', region: 'sa-east-1' });
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });

  it('fails naming the remedies when no region is given anywhere', () => {
    const saved = { region: process.env.AWS_REGION, defaultRegion: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(() => config.config({ stage: 'dev' })).toThrow(
        /No region for stage "dev": pass --region, set AWS_REGION/,
      );
    } finally {
      if (saved.region !== undefined) process.env.AWS_REGION = saved.region;
      if (saved.defaultRegion !== undefined) process.env.AWS_DEFAULT_REGION = saved.defaultRegion;
    }
  });

  it('registers the Storage and Pipeline stacks, named after the stage, Pipeline importing from Storage', () => {
    for (const { stage, stackNames, pipeline } of stages()) {
      expect(stackNames).toEqual({
        storage: `${stage}-flink-snapshots-Storage`,
        pipeline: `${stage}-flink-snapshots-Pipeline`,
      });
      expect(JSON.stringify(pipeline.toJSON().Resources)).toContain(
        `"Fn::ImportValue":"${stackNames.storage}:`,
      );
    }
  });
});

describe('Storage: the runs table', () => {
  it('has the keys and the byRun index the pipeline uses, billed on demand, with TTL and PITR', () => {
    for (const { storage } of stages()) {
      storage.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: RUNS_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: RUNS_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: RUNS_TABLE.byRunIndex.name,
            KeySchema: [
              { AttributeName: RUNS_TABLE.byRunIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: RUNS_TABLE.byRunIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: RUNS_TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('is deletion-protected and retained in prod', () => {
    prod.storage.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('is neither protected nor retained in dev, so `sst remove` cleans up', () => {
    dev.storage.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  it('encrypts the table with the AWS managed key, keeping its logical ID so the table is updated, not replaced', () => {
    for (const { storage } of stages()) {
      // A renamed construct ID would replace the table: the runs (the audit trail) would be lost.
      expect(logicalId(storage, 'AWS::DynamoDB::Table')).toBe('RunsTable9D121A51');
      const table = resource(storage, 'RunsTable9D121A51').Properties;
      expect(table.SSESpecification).toEqual({ SSEEnabled: true });
    }
  });
});

describe('Storage: the failures topic and the dead-letter queue', () => {
  it('encrypts the topic with a rotated customer managed key', () => {
    for (const { storage } of stages()) {
      const keyId = logicalId(storage, 'AWS::KMS::Key');
      storage.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const topic = resource(storage, logicalId(storage, 'AWS::SNS::Topic'));
      expect(render(topic.Properties.KmsMasterKeyId)).toBe(ref(`${keyId}.Arn`));
    }
  });

  it("lets CloudWatch publish and use the key for this stage's alarms only", () => {
    for (const { stage, storage } of stages()) {
      const fromOurAlarms = {
        StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
        ArnLike: {
          'aws:SourceArn': `arn:${PARTITION}:cloudwatch:${TEST_REGION}:${TEST_ACCOUNT}:alarm:${alarmNamePrefix(stage)}*`,
        },
      };
      const key = resource(storage, logicalId(storage, 'AWS::KMS::Key'));
      const keyStatements = asList((key.Properties.KeyPolicy as { Statement: Statement[] }).Statement);
      const cloudwatchOnKey = keyStatements.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch'));
      expect(cloudwatchOnKey).toHaveLength(1);
      expect(asList(cloudwatchOnKey[0]?.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(renderConditions(cloudwatchOnKey[0]?.Condition)).toEqual(fromOurAlarms);

      const topicPolicy = resource(storage, logicalId(storage, 'AWS::SNS::TopicPolicy'));
      const topicStatements = asList(
        (topicPolicy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      const cloudwatchOnTopic = topicStatements.filter((s) =>
        JSON.stringify(s.Principal).includes('cloudwatch'),
      );
      expect(cloudwatchOnTopic).toHaveLength(1);
      expect(cloudwatchOnTopic[0]?.Action).toBe('sns:Publish');
      expect(renderConditions(cloudwatchOnTopic[0]?.Condition)).toEqual(fromOurAlarms);
    }
  });

  it('subscribes the alert e-mail address of the stage settings, and none when unset', () => {
    prod.storage.resourceCountIs('AWS::SNS::Subscription', 1);
    prod.storage.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: PROD_EMAIL });
    dev.storage.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('encrypts the DLQ and keeps its messages longer than the work queue does', () => {
    for (const { storage } of stages()) {
      storage.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: PIPELINE.deadLetterQueue.retentionSeconds,
      });
    }
    expect(PIPELINE.deadLetterQueue.retentionSeconds).toBeGreaterThan(PIPELINE.workQueue.retentionSeconds);
  });

  it('retains the topic, its key, the DLQ and the tenant policy in prod and deletes them in dev', () => {
    for (const type of ['AWS::SNS::Topic', 'AWS::KMS::Key', 'AWS::SQS::Queue', 'AWS::IAM::ManagedPolicy']) {
      prod.storage.hasResource(type, { DeletionPolicy: 'Retain' });
      dev.storage.hasResource(type, { DeletionPolicy: 'Delete' });
    }
  });
});

describe('Pipeline: the work queue and the worker event source', () => {
  it('redrives to the DLQ after maxReceiveCount receives', () => {
    for (const { pipeline, storage } of stages()) {
      const queue = resource(pipeline, logicalId(pipeline, 'AWS::SQS::Queue'));
      const redrive = queue.Properties.RedrivePolicy as {
        deadLetterTargetArn: unknown;
        maxReceiveCount: number;
      };
      expect(render(redrive.deadLetterTargetArn, storage)).toBe(
        ref(`${logicalId(storage, 'AWS::SQS::Queue')}.Arn`),
      );
      expect(redrive.maxReceiveCount).toBe(PIPELINE.workQueue.maxReceiveCount);
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
  });

  it("keeps the visibility timeout at least 6 × the worker's timeout", () => {
    for (const { pipeline } of stages()) {
      const queue = resource(pipeline, logicalId(pipeline, 'AWS::SQS::Queue'));
      const worker = resource(pipeline, functionId(pipeline, HANDLERS.worker));
      const visibility = queue.Properties.VisibilityTimeout as number;
      const timeout = worker.Properties.Timeout as number;
      expect(timeout).toBe(PIPELINE.worker.timeoutSeconds);
      expect(visibility).toBeGreaterThanOrEqual(MIN_VISIBILITY_TO_TIMEOUT_RATIO * timeout);
    }
  });

  it('feeds the worker batches with ReportBatchItemFailures and MaximumConcurrency from settings', () => {
    for (const { pipeline } of stages()) {
      const queueId = logicalId(pipeline, 'AWS::SQS::Queue');
      const workerId = functionId(pipeline, HANDLERS.worker);
      const mapping = resource(pipeline, logicalId(pipeline, 'AWS::Lambda::EventSourceMapping'));
      expect(render(mapping.Properties.EventSourceArn)).toBe(ref(`${queueId}.Arn`));
      expect(render(mapping.Properties.FunctionName)).toBe(ref(workerId));
      expect(mapping.Properties.BatchSize).toBe(PIPELINE.worker.batchSize);
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.Properties.ScalingConfig).toEqual({
        MaximumConcurrency: PIPELINE.worker.maximumConcurrency,
      });
    }
  });
});

describe('Pipeline: the functions', () => {
  it('runs both handlers on nodejs22.x, arm64, with their timeout and memory from settings', () => {
    for (const { pipeline } of stages()) {
      for (const [handler, sizing] of [
        [HANDLERS.dispatcher, PIPELINE.dispatcher],
        [HANDLERS.worker, PIPELINE.worker],
      ] as const) {
        const fn = resource(pipeline, functionId(pipeline, handler)).Properties;
        expect(fn.Runtime).toBe('nodejs22.x');
        expect(fn.Architectures).toEqual(['arm64']);
        expect(fn.Timeout).toBe(sizing.timeoutSeconds);
        expect(fn.MemorySize).toBe(sizing.memoryMb);
        expect(fn.TracingConfig).toBeUndefined();
      }
    }
  });

  it('gives each handler the env it validates at cold start, and the Powertools settings', () => {
    for (const { stage, pipeline, storage } of stages()) {
      const queueId = logicalId(pipeline, 'AWS::SQS::Queue');
      for (const handler of [HANDLERS.dispatcher, HANDLERS.worker]) {
        const variables = (
          resource(pipeline, functionId(pipeline, handler)).Properties.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
        const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, render(v, storage)]));
        expect(env).toMatchObject({
          [ENV.stage]: stage,
          [ENV.runsTableName]: ref(logicalId(storage, 'AWS::DynamoDB::Table')),
          [ENV.workQueueUrl]: ref(queueId),
          [ENV.alertsTopicArn]: ref(logicalId(storage, 'AWS::SNS::Topic')),
          [ENV.tickMinutes]: String(PIPELINE.tickMinutes),
          [ENV.runTtlDays]: String(PIPELINE.runTtlDays),
          POWERTOOLS_SERVICE_NAME: serviceName(stage),
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_LOG_LEVEL: 'INFO',
        });
      }
    }
  });

  it('logs to its own log group with the retention of the stage', () => {
    for (const [{ pipeline }, days] of [
      [dev, 14],
      [prod, 90],
    ] as const) {
      for (const handler of [HANDLERS.dispatcher, HANDLERS.worker]) {
        const group = logGroupOf(pipeline, handler);
        expect(resource(pipeline, group).Properties.RetentionInDays).toBe(days);
      }
    }
  });

  it('keeps the log groups of a production stage when the stack is removed, and deletes them elsewhere', () => {
    for (const [{ pipeline }, policy] of [
      [dev, 'Delete'],
      [prod, 'Retain'],
    ] as const) {
      for (const handler of [HANDLERS.dispatcher, HANDLERS.worker]) {
        const group = pipeline.toJSON().Resources[logGroupOf(pipeline, handler)];
        expect(group.DeletionPolicy).toBe(policy);
        expect(group.UpdateReplacePolicy).toBe(policy);
      }
    }
  });

  it('reserves the concurrency the worker event source needs plus one, unless the stage turns reservation off', () => {
    const reserved = (stage: SynthesizedStage, handler: string) =>
      resource(stage.pipeline, functionId(stage.pipeline, handler)).Properties.ReservedConcurrentExecutions;
    expect(reserved(prod, HANDLERS.worker)).toBe(DEFAULT_WORKER_RESERVED_CONCURRENCY);
    expect(DEFAULT_WORKER_RESERVED_CONCURRENCY).toBe(PIPELINE.worker.maximumConcurrency + 1);
    // dev synthesizes with FLINK_SNAPSHOTS_WORKER_RESERVED_CONCURRENCY=off (an account without room).
    expect(reserved(dev, HANDLERS.worker)).toBeUndefined();
    for (const stage of stages()) expect(reserved(stage, HANDLERS.dispatcher)).toBeUndefined();
  });

  it('uses roles assumable by Lambda only, without AWS managed policies', () => {
    for (const { pipeline } of stages()) {
      for (const handler of [HANDLERS.dispatcher, HANDLERS.worker]) {
        const role = resource(pipeline, roleOf(pipeline, functionId(pipeline, handler))).Properties;
        expect(role.ManagedPolicyArns).toBeUndefined();
        expect(role.AssumeRolePolicyDocument).toEqual({
          Statement: [
            { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
          ],
          Version: '2012-10-17',
        });
      }
    }
  });
});

describe('Pipeline: the schedule', () => {
  it('invokes the dispatcher on the tick from settings', () => {
    for (const { pipeline } of stages()) {
      const dispatcherId = functionId(pipeline, HANDLERS.dispatcher);
      const rules = Object.values(pipeline.findResources('AWS::Events::Rule')).filter(
        (r) => r.Properties.ScheduleExpression !== undefined,
      );
      expect(rules).toHaveLength(1);
      const rule = rules[0]?.Properties as Record<string, unknown>;
      expect(rule.ScheduleExpression).toBe(scheduleExpression(PIPELINE.tickMinutes));
      expect(rule.ScheduleExpression).toBe('rate(5 minutes)');
      expect(rule.State).toBe('ENABLED');
      const targets = rule.Targets as { Arn: unknown }[];
      expect(targets.map((t) => render(t.Arn))).toEqual([ref(`${dispatcherId}.Arn`)]);
      pipeline.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [dispatcherId, 'Arn'] },
      });
    }
  });
});

describe('least privilege', () => {
  it('has no wildcard action in any identity policy of either stack', () => {
    for (const { storage, pipeline } of stages()) {
      const statements = [...identityStatements(storage), ...identityStatements(pipeline)];
      expect(statements.length).toBeGreaterThan(0);
      for (const { owner, statement } of statements) {
        for (const action of asList(statement.Action)) {
          expect(action, `${owner}: ${action}`).not.toContain('*');
        }
      }
    }
  });

  it('has no Resource "*" in any identity policy (no action we use lacks resource-level permissions)', () => {
    for (const { storage, pipeline } of stages()) {
      for (const { owner, statement } of [...identityStatements(storage), ...identityStatements(pipeline)]) {
        for (const resourceValue of asList(statement.Resource)) {
          expect(render(resourceValue), `${owner}: ${JSON.stringify(statement.Action)}`).not.toBe('*');
        }
      }
    }
  });

  it('allows wildcard actions in resource policies only to deny insecure transport, or in the default key policy', () => {
    for (const { storage, pipeline } of stages()) {
      for (const template of [storage, pipeline]) {
        for (const [type, property] of [
          ['AWS::SQS::QueuePolicy', 'PolicyDocument'],
          ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
          ['AWS::KMS::Key', 'KeyPolicy'],
        ] as const) {
          for (const found of Object.values(template.findResources(type))) {
            for (const statement of asList(found.Properties[property].Statement as Statement[])) {
              const wildcard = asList(statement.Action).some((action) => action.includes('*'));
              if (!wildcard) continue;
              if (statement.Effect === 'Deny') {
                expect(statement.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
              } else {
                // The default key policy: the account may govern the key through IAM (without it the
                // key can become unmanageable); it grants nothing by itself.
                expect(type).toBe('AWS::KMS::Key');
                expect(statement.Action).toBe('kms:*');
                expect(render(statement.Principal && (statement.Principal as { AWS: unknown }).AWS)).toBe(
                  `arn:${PARTITION}:iam::${TEST_ACCOUNT}:root`,
                );
              }
            }
          }
        }
      }
    }
  });

  it("lets the dispatcher read only its stage's parameters, send work, write runs and publish alerts", () => {
    for (const { stage, pipeline, storage } of stages()) {
      const role = roleOf(pipeline, functionId(pipeline, HANDLERS.dispatcher));
      const ssm = `arn:${PARTITION}:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/flink-snapshots/${stage}/apps`;
      const registry = `arn:${PARTITION}:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/flink-snapshots/${stage}/tenants`;
      const table = ref(`${logicalId(storage, 'AWS::DynamoDB::Table')}.Arn`);
      const logStreams = [ref(`${logGroupOf(pipeline, HANDLERS.dispatcher)}.Arn`)];
      expect(Object.fromEntries(permissionsOf(pipeline, role, storage))).toEqual({
        'logs:CreateLogStream': logStreams,
        'logs:PutLogEvents': logStreams,
        'ssm:GetParametersByPath': [ssm, `${ssm}/*`, registry, `${registry}/*`].sort(),
        'ssm:GetParameter': [
          `${ssm}/*`,
          `arn:${PARTITION}:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/flink-snapshots/${stage}/defaults`,
        ].sort(),
        'sqs:SendMessage': [ref(`${logicalId(pipeline, 'AWS::SQS::Queue')}.Arn`)],
        'dynamodb:GetItem': [table],
        'dynamodb:PutItem': [table],
        'dynamodb:UpdateItem': [table],
        'dynamodb:DeleteItem': [table],
        'dynamodb:Query': [table, `${table}/index/${RUNS_TABLE.byRunIndex.name}`],
        'sns:Publish': [ref(logicalId(storage, 'AWS::SNS::Topic'))],
        'kms:GenerateDataKey': [ref(`${logicalId(storage, 'AWS::KMS::Key')}.Arn`)],
        'kms:Decrypt': [ref(`${logicalId(storage, 'AWS::KMS::Key')}.Arn`)],
      });
    }
  });

  it('lets the worker call no MSF action itself, only assume the MSF access role or a tenant role, tagged', () => {
    for (const [{ stage, pipeline, storage }, rolePattern] of [
      [dev, `arn:${PARTITION}:iam::*:role/flink-snapshots-*`],
      [prod, PROD_ROLE_PATTERN],
    ] as const) {
      const msfAccess = `arn:${PARTITION}:iam::${TEST_ACCOUNT}:role/${roleNames(stage, TEST_REGION).msfAccess}`;
      const sessions = [msfAccess, rolePattern].sort();
      const role = roleOf(pipeline, functionId(pipeline, HANDLERS.worker));
      const queue = ref(`${logicalId(pipeline, 'AWS::SQS::Queue')}.Arn`);
      const table = ref(`${logicalId(storage, 'AWS::DynamoDB::Table')}.Arn`);
      const tableAndIndex = [table, `${table}/index/${RUNS_TABLE.byRunIndex.name}`];
      const logStreams = [ref(`${logGroupOf(pipeline, HANDLERS.worker)}.Arn`)];
      expect(Object.fromEntries(permissionsOf(pipeline, role, storage))).toEqual({
        'logs:CreateLogStream': logStreams,
        'logs:PutLogEvents': logStreams,
        'sts:AssumeRole': sessions,
        'sts:TagSession': sessions,
        'sqs:SendMessage': [queue],
        'sqs:ReceiveMessage': [queue],
        'sqs:DeleteMessage': [queue],
        'sqs:ChangeMessageVisibility': [queue],
        'sqs:GetQueueAttributes': [queue],
        'sqs:GetQueueUrl': [queue],
        'dynamodb:GetItem': tableAndIndex,
        'dynamodb:PutItem': tableAndIndex,
        'dynamodb:UpdateItem': tableAndIndex,
        'dynamodb:Query': tableAndIndex,
        'sns:Publish': [ref(logicalId(storage, 'AWS::SNS::Topic'))],
        'kms:GenerateDataKey': [ref(`${logicalId(storage, 'AWS::KMS::Key')}.Arn`)],
        'kms:Decrypt': [ref(`${logicalId(storage, 'AWS::KMS::Key')}.Arn`)],
      });
    }
  });

  it("gives the worker and the MSF access role fixed names per stage and region, so trust policies survive a stack's replacement", () => {
    for (const { stage, pipeline } of stages()) {
      const names = roleNames(stage, TEST_REGION);
      const worker = resource(pipeline, roleOf(pipeline, functionId(pipeline, HANDLERS.worker))).Properties;
      expect(worker.RoleName).toBe(names.worker);
      expect(resource(pipeline, msfAccessRoleId(pipeline)).Properties.RoleName).toBe(names.msfAccess);
    }
  });

  it('lets the MSF access role act only on applications whose tenant tag equals its session’s', () => {
    for (const { pipeline } of stages()) {
      const id = msfAccessRoleId(pipeline);
      const statements = identityStatements(pipeline).filter(
        (s) => s.owner.startsWith(id) || s.owner.includes('MsfAccessRoleDefaultPolicy'),
      );
      expect(
        statements.map(({ statement }) => ({
          actions: asList(statement.Action).sort(),
          resources: asList(statement.Resource).map((r) => render(r)),
          condition: statement.Condition,
        })),
      ).toEqual([
        {
          actions: [...MSF_ACTIONS].sort(),
          resources: [`arn:${PARTITION}:kinesisanalytics:*:${TEST_ACCOUNT}:application/*`],
          condition: {
            StringEquals: { [`aws:ResourceTag/${TENANT_TAG_KEY}`]: `\${aws:PrincipalTag/${TENANT_TAG_KEY}}` },
          },
        },
      ]);
    }
  });

  it('lets only the worker assume the MSF access role, and tag the session with exactly one tenant', () => {
    for (const { pipeline } of stages()) {
      const trust = resource(pipeline, msfAccessRoleId(pipeline)).Properties.AssumeRolePolicyDocument as {
        Statement: Statement[];
      };
      const worker = ref(`${roleOf(pipeline, functionId(pipeline, HANDLERS.worker))}.Arn`);
      expect(
        trust.Statement.map((s) => ({
          actions: asList(s.Action),
          principal: render((s.Principal as { AWS: unknown }).AWS),
          condition: s.Condition,
        })),
      ).toEqual([
        { actions: ['sts:AssumeRole'], principal: worker, condition: undefined },
        {
          actions: ['sts:TagSession'],
          principal: worker,
          condition: {
            StringLike: { [`aws:RequestTag/${TENANT_TAG_KEY}`]: '?*' },
            'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY] },
          },
        },
      ]);
    }
  });

  it('gives operators their own role: the tenant condition, the stop and start a restore needs, trusted by the account', () => {
    for (const { stage, pipeline } of stages()) {
      const id = roleIdOf(pipeline, 'OperatorRole');
      const role = resource(pipeline, id).Properties;
      expect(role.RoleName).toBe(roleNames(stage, TEST_REGION).operator);
      const statements = identityStatements(pipeline).filter(
        (s) => s.owner.startsWith(id) || s.owner.includes('OperatorRoleDefaultPolicy'),
      );
      expect(
        statements.map(({ statement }) => ({
          actions: asList(statement.Action).sort(),
          resources: asList(statement.Resource).map((r) => render(r)),
          condition: statement.Condition,
        })),
      ).toEqual([
        {
          actions: [...MSF_ACTIONS, ...OPERATOR_MSF_ACTIONS].sort(),
          resources: [`arn:${PARTITION}:kinesisanalytics:*:${TEST_ACCOUNT}:application/*`],
          condition: {
            StringEquals: { [`aws:ResourceTag/${TENANT_TAG_KEY}`]: `\${aws:PrincipalTag/${TENANT_TAG_KEY}}` },
          },
        },
      ]);
      const trust = (role.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
      expect(trust.map((s) => asList(s.Action))).toEqual([['sts:AssumeRole'], ['sts:TagSession']]);
      for (const statement of trust) {
        expect(render((statement.Principal as { AWS: unknown }).AWS)).toContain(`:iam::${TEST_ACCOUNT}:root`);
      }
      expect(trust[1]?.Condition).toEqual({
        StringLike: { [`aws:RequestTag/${TENANT_TAG_KEY}`]: '?*' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY] },
      });
    }
  });

  it('lets no identity policy of either stack reach an MSF application without the tenant condition', () => {
    for (const { pipeline, storage } of stages()) {
      for (const { owner, statement } of [...identityStatements(pipeline), ...identityStatements(storage)]) {
        if (!asList(statement.Action).some((action) => action.startsWith('kinesisanalytics:'))) continue;
        expect(statement.Condition, `${owner}: ${JSON.stringify(statement)}`).toEqual({
          StringEquals: { [`aws:ResourceTag/${TENANT_TAG_KEY}`]: `\${aws:PrincipalTag/${TENANT_TAG_KEY}}` },
        });
      }
    }
  });

  it("gives the worker the stage's role pattern in the stack's partition, and the MSF access role's ARN", () => {
    for (const [{ stage, pipeline }, pattern] of [
      [dev, `arn:${PARTITION}:iam::*:role/flink-snapshots-*`],
      [prod, PROD_ROLE_PATTERN],
    ] as const) {
      const variables = (
        resource(pipeline, functionId(pipeline, HANDLERS.worker)).Properties.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(render(variables[ENV.roleArnPattern])).toBe(pattern);
      expect(render(variables[ENV.msfAccessRoleArn])).toBe(
        `arn:${PARTITION}:iam::${TEST_ACCOUNT}:role/${roleNames(stage, TEST_REGION).msfAccess}`,
      );
      expect(render(variables[ENV.accountId])).toBe(TEST_ACCOUNT);
      expect(variables[ENV.tenantMode]).toBe('required');
    }
  });

  it("offers tenants a managed policy that writes only their own subtree, chosen by the principal's tag", () => {
    for (const { stage, storage } of stages()) {
      const policy = resource(storage, logicalId(storage, 'AWS::IAM::ManagedPolicy')).Properties;
      expect(policy.ManagedPolicyName).toBe(`flink-snapshots-${stage}-${TEST_REGION}-tenant-config-writer`);
      const tenant = ref(`aws:PrincipalTag/${TENANT_TAG_KEY}`);
      const subtree = `arn:${PARTITION}:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/flink-snapshots/${stage}/apps/${tenant}`;
      const statements = asList((policy.PolicyDocument as { Statement: Statement[] }).Statement).map((s) => ({
        effect: s.Effect,
        actions: asList(s.Action).sort(),
        resources: asList(s.Resource).map((r) => render(r)),
        condition: s.Condition,
      }));
      const condition = {
        StringLike: { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: '?*' },
        StringNotLike: { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: '*/*' },
      };
      expect(statements).toEqual([
        {
          effect: 'Allow',
          actions: [
            'ssm:DeleteParameter',
            'ssm:DeleteParameters',
            'ssm:GetParameter',
            'ssm:GetParameterHistory',
            'ssm:GetParameters',
            'ssm:PutParameter',
          ],
          resources: [`${subtree}/*`],
          condition,
        },
        {
          effect: 'Allow',
          actions: ['ssm:GetParametersByPath'],
          resources: [subtree, `${subtree}/*`],
          condition,
        },
      ]);
      expect(render(storage.toJSON().Outputs.TenantConfigWriterPolicyArn.Value)).toBe(
        ref(logicalId(storage, 'AWS::IAM::ManagedPolicy')),
      );
    }
  });
});

describe('deployment parameter', () => {
  it('publishes where the stage is, as the command line reads it, outside every tenant’s subtree', () => {
    for (const { stage, pipeline, storage } of stages()) {
      const [parameterId] = Object.keys(
        pipeline.findResources('AWS::SSM::Parameter', {
          Properties: { Name: deploymentParameterName(stage) },
        }),
      );
      const parameter = resource(pipeline, parameterId as string).Properties;
      expect(parameter.Name).toBe(deploymentParameterName(stage));
      expect(parameter.Type).toBe('String');
      // Tokens render as `${Id}` / `${Id.Attr}`; every field of the schema is there.
      const descriptor = JSON.parse(render(parameter.Value, storage)) as Record<string, unknown>;
      expect(Object.keys(descriptor).sort()).toEqual(Object.keys(DeploymentDescriptorSchema.shape).sort());
      const queueId = logicalId(pipeline, 'AWS::SQS::Queue');
      expect(descriptor).toMatchObject({
        version: 1,
        stage,
        accountId: TEST_ACCOUNT,
        region: TEST_REGION,
        tenantMode: 'required',
        tickMinutes: PIPELINE.tickMinutes,
        runTtlDays: PIPELINE.runTtlDays,
        maxReceiveCount: PIPELINE.workQueue.maxReceiveCount,
        runsTableName: ref(logicalId(storage, 'AWS::DynamoDB::Table')),
        workQueueUrl: ref(queueId),
        workQueueArn: ref(`${queueId}.Arn`),
        alertsTopicArn: ref(logicalId(storage, 'AWS::SNS::Topic')),
        msfAccessRoleArn: `arn:${PARTITION}:iam::${TEST_ACCOUNT}:role/${roleNames(stage, TEST_REGION).msfAccess}`,
        operatorRoleArn: ref(`${roleIdOf(pipeline, 'OperatorRole')}.Arn`),
      });
      // The tenants' policy writes `apps/<tenant>/*` only: the descriptor lies outside `apps/`.
      expect(deploymentParameterName(stage).startsWith(`/flink-snapshots/${stage}/apps/`)).toBe(false);
    }
  });
});

const alarmsOf = (template: Template) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (a) => a.Properties as Record<string, unknown>,
  );
const byName = (template: Template, stage: string, suffix: string) => {
  const found = alarmsOf(template).find((a) => a.AlarmName === `${alarmNamePrefix(stage)}${suffix}`);
  if (found === undefined) throw new Error(`No alarm ${alarmNamePrefix(stage)}${suffix}`);
  return found;
};
const HEALTH_KEYS = Object.keys(MSF_HEALTH_METRICS) as MsfHealthKey[];

interface MetricQuery {
  readonly Id: string;
  readonly Expression?: string;
  readonly Period?: number;
  readonly ReturnData?: boolean;
  readonly MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
    Stat: string;
    Period: number;
  };
}

describe('alarms', () => {
  it('has the alarms of the pipeline, the freshness objective and every MSF health metric, named under the stage prefix', () => {
    for (const { stage, pipeline } of stages()) {
      expect(alarmsOf(pipeline).map((a) => a.AlarmName)).toEqual(
        expect.arrayContaining(
          [
            'dlq-not-empty',
            'dlq-arrivals',
            'work-queue-oldest-message',
            'steps-retried',
            'worker-errors',
            'dispatcher-errors',
            'dispatcher-not-invoked',
            'applications-stale',
            'runs-failed',
            'runs-timed-out',
            'msf-downtime',
            'msf-checkpoint-duration',
            'msf-failed-checkpoints',
            'msf-restarts',
          ].map((suffix) => `${alarmNamePrefix(stage)}${suffix}`),
        ),
      );
      expect(alarmsOf(pipeline)).toHaveLength(14);
    }
  });

  it('notifies the failures topic from every alarm both when it fires and when it returns to OK', () => {
    for (const { pipeline, storage } of stages()) {
      const topic = [ref(logicalId(storage, 'AWS::SNS::Topic'))];
      for (const alarm of alarmsOf(pipeline)) {
        const targets = (actions: unknown) => asList(actions as unknown[]).map((a) => render(a, storage));
        expect(targets(alarm.AlarmActions), String(alarm.AlarmName)).toEqual(topic);
        expect(targets(alarm.OKActions), String(alarm.AlarmName)).toEqual(topic);
      }
    }
  });

  it('fires when any message is visible in the DLQ', () => {
    for (const { stage, pipeline, storage } of stages()) {
      const alarm = byName(pipeline, stage, 'dlq-not-empty');
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
      const dimensions = alarm.Dimensions as { Name: string; Value: unknown }[];
      expect(dimensions.map((d) => [d.Name, render(d.Value, storage)])).toEqual([
        ['QueueName', ref(`${logicalId(storage, 'AWS::SQS::Queue')}.QueueName`)],
      ]);
    }
  });

  it('fires again for each arrival in the DLQ, from the rise of its visible messages (what the redrive policy moves is not in NumberOfMessagesSent)', () => {
    for (const { stage, pipeline, storage } of stages()) {
      const alarm = byName(pipeline, stage, 'dlq-arrivals');
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
      });
      const queries = alarm.Metrics as MetricQuery[];
      const watched = queries.find((q) => q.ReturnData === true);
      expect(watched?.Expression).toBe('DIFF(FILL(FILL(visible, REPEAT), 0))');
      const visible = queries.find((q) => q.Id === 'visible')?.MetricStat;
      expect(visible?.Metric.Namespace).toBe('AWS/SQS');
      expect(visible?.Metric.MetricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(visible?.Period).toBe(60);
      expect(visible?.Metric.Dimensions.map((d) => render(d.Value, storage))).toEqual([
        ref(`${logicalId(storage, 'AWS::SQS::Queue')}.QueueName`),
      ]);
    }
  });

  it('fires when the oldest work message has waited longer than any poll delay plus two visibility timeouts', () => {
    for (const { stage, pipeline } of stages()) {
      const alarm = byName(pipeline, stage, 'work-queue-oldest-message');
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: THRESHOLDS.oldestWorkMessageSeconds,
        TreatMissingData: 'notBreaching',
      });
      expect((alarm.Dimensions as { Value: unknown }[]).map((d) => render(d.Value))).toEqual([
        ref(`${logicalId(pipeline, 'AWS::SQS::Queue')}.QueueName`),
      ]);
      expect(THRESHOLDS.oldestWorkMessageSeconds).toBe(
        SQS_MAX_DELAY_SECONDS + 2 * PIPELINE.workQueue.visibilityTimeoutSeconds,
      );
    }
  });

  it('fires within two 5-minute periods when many work steps keep failing retryably (StepRetried)', () => {
    for (const { stage, pipeline } of stages()) {
      expect(byName(pipeline, stage, 'steps-retried')).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: MetricName.STEP_RETRIED,
        Dimensions: [{ Name: 'service', Value: serviceName(stage) }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: THRESHOLDS.stepsRetriedPerPeriod,
      });
    }
    // One failing message is retried at most once per visibility timeout, so once per period at most.
    expect(PIPELINE.workQueue.visibilityTimeoutSeconds).toBeGreaterThan(300);
  });

  it('fires on worker errors and on dispatcher errors', () => {
    for (const { stage, pipeline } of stages()) {
      for (const [suffix, handler] of [
        ['worker-errors', HANDLERS.worker],
        ['dispatcher-errors', HANDLERS.dispatcher],
      ] as const) {
        const alarm = byName(pipeline, stage, suffix);
        expect(alarm).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Statistic: 'Sum',
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
        });
        expect((alarm.Dimensions as { Value: unknown }[]).map((d) => render(d.Value))).toEqual([
          ref(functionId(pipeline, handler)),
        ]);
      }
    }
  });

  it('fires when the dispatcher was not invoked for two ticks, counting missing data as breaching', () => {
    for (const { stage, pipeline } of stages()) {
      expect(byName(pipeline, stage, 'dispatcher-not-invoked')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Statistic: 'Sum',
        Period: PIPELINE.tickMinutes * 60,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
      });
    }
  });

  it('fires when an enabled application is stale, and when nobody measures freshness (missing data is breaching)', () => {
    for (const { stage, pipeline } of stages()) {
      expect(byName(pipeline, stage, 'applications-stale')).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: MetricName.STALE_APPLICATIONS,
        Dimensions: [{ Name: 'service', Value: serviceName(stage) }],
        Statistic: 'Maximum',
        Period: PIPELINE.tickMinutes * 60,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        TreatMissingData: 'breaching',
      });
    }
  });

  it('fires on FAILED and TIMED_OUT runs from the EMF metrics of the stage', () => {
    for (const { stage, pipeline } of stages()) {
      for (const [suffix, metricName] of [
        ['runs-failed', MetricName.RUN_FAILED],
        ['runs-timed-out', MetricName.RUN_TIMED_OUT],
      ] as const) {
        expect(byName(pipeline, stage, suffix)).toMatchObject({
          Namespace: METRICS_NAMESPACE,
          MetricName: metricName,
          Dimensions: [{ Name: 'service', Value: serviceName(stage) }],
          Statistic: 'Sum',
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          TreatMissingData: 'notBreaching',
        });
      }
    }
  });
});

describe('alarms: MSF health of every application, without an alarm per application', () => {
  const queryOf = (alarm: Record<string, unknown>): MetricQuery => {
    const queries = alarm.Metrics as MetricQuery[];
    expect(queries).toHaveLength(1);
    return queries[0] as MetricQuery;
  };

  it('watches downtime of every application with one Metrics Insights query grouped by application, worst first', () => {
    expect(queryOf(byName(dev.pipeline, 'dev', 'msf-downtime')).Expression).toBe(
      'SELECT MAX(downtime) FROM SCHEMA("AWS/KinesisAnalytics", Application) GROUP BY Application ORDER BY MAX() DESC',
    );
  });

  it('tells applications of the same name in two accounts apart where the account monitors others (cross-account observability)', () => {
    expect(queryOf(byName(prod.pipeline, 'prod', 'msf-downtime')).Expression).toBe(
      'SELECT MAX(downtime) FROM SCHEMA("AWS/KinesisAnalytics", Application) GROUP BY AWS.AccountId, Application ORDER BY MAX() DESC',
    );
  });

  it('covers downtime, checkpoint duration, failed checkpoints and restarts, each query naming no application, so one that joins later is a contributor too', () => {
    expect(HEALTH_KEYS.map((key) => MSF_HEALTH_METRICS[key].metricName)).toEqual([
      'downtime',
      'lastCheckpointDuration',
      'numberOfFailedCheckpoints',
      'fullRestarts',
    ]);
    for (const { stage, pipeline } of stages()) {
      for (const key of HEALTH_KEYS) {
        const metric = MSF_HEALTH_METRICS[key];
        const alarm = byName(pipeline, stage, msfAlarmSuffix(key));
        const query = queryOf(alarm);
        expect(query.ReturnData).toBe(true);
        expect(query.Period).toBe(metric.periodMinutes * 60);
        expect(query.Expression).toMatch(
          new RegExp(
            `^SELECT ${metric.statistic}\\(${metric.metricName}\\) FROM SCHEMA\\("AWS/KinesisAnalytics", Application\\) GROUP BY (AWS\\.AccountId, )?Application ORDER BY ${metric.statistic}\\(\\) DESC$`,
          ),
        );
        expect(alarm).toMatchObject({
          Threshold: metric.threshold,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: metric.periods,
          DatapointsToAlarm: metric.periods,
          TreatMissingData: 'notBreaching',
        });
        // A Metrics Insights alarm evaluates the latest 3 hours at most.
        expect(metric.periodMinutes * metric.periods).toBeLessThanOrEqual(
          METRICS_INSIGHTS_ALARM_WINDOW_MINUTES,
        );
      }
    }
  });

  it('says in the description of a counter alarm that it counts since the job started, not a rate', () => {
    for (const key of HEALTH_KEYS.filter((k) => MSF_HEALTH_METRICS[k].kind === 'counter')) {
      expect(String(byName(dev.pipeline, 'dev', msfAlarmSuffix(key)).AlarmDescription)).toMatch(
        /since its job last started \(a total, not a rate/,
      );
    }
  });
});

describe('alarms: the other monitored regions', () => {
  const stackSetOf = (template: Template) =>
    resource(template, logicalId(template, 'AWS::CloudFormation::StackSet')).Properties as {
      PermissionModel: string;
      StackInstancesGroup: { DeploymentTargets: { Accounts: string[] }; Regions: string[] }[];
      Parameters: { ParameterKey: string; ParameterValue: unknown }[];
      TemplateBody: string;
    };
  const regionTemplate = (template: Template) =>
    JSON.parse(stackSetOf(template).TemplateBody) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
  const forwardingRole = (template: Template) => {
    const ids = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) =>
      id.includes('AlarmEventsRole'),
    );
    if (ids.length !== 1)
      throw new Error(`Expected one alarm events role, found ${ids.join(', ') || 'none'}`);
    return ids[0] as string;
  };

  it('deploys the health alarms to the other monitored regions of this account with a StackSet, not to its own region', () => {
    const stackSet = stackSetOf(prod.pipeline);
    expect(stackSet.PermissionModel).toBe('SELF_MANAGED');
    expect(stackSet.StackInstancesGroup).toEqual([
      { DeploymentTargets: { Accounts: [TEST_ACCOUNT] }, Regions: [PROD_OTHER_REGION] },
    ]);
  });

  it('sends the same alarms there, without actions of their own', () => {
    const home = alarmsOf(prod.pipeline).filter((a) => String(a.AlarmName).includes('-msf-'));
    const there = Object.values(regionTemplate(prod.pipeline).Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties);
    // SST tags the home stack's resources; the StackSet instance carries no tags.
    const withoutActions = ({ AlarmActions, OKActions, Tags, ...rest }: Record<string, unknown>) => rest;
    expect(there).toEqual(home.map(withoutActions));
    for (const alarm of there) {
      expect(alarm.AlarmActions).toBeUndefined();
      expect(alarm.OKActions).toBeUndefined();
    }
  });

  it("brings their state changes, ALARM and OK alike, to this region's bus and from there to the failures topic", () => {
    const prefix = alarmNamePrefix('prod');
    const stateChanges = {
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [{ prefix }] },
    };
    const remote = Object.values(regionTemplate(prod.pipeline).Resources).filter(
      (r) => r.Type === 'AWS::Events::Rule',
    );
    expect(remote.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        EventPattern: stateChanges,
        Targets: [
          { Id: 'home-region', Arn: { Ref: 'HomeEventBusArn' }, RoleArn: { Ref: 'ForwarderRoleArn' } },
        ],
      }),
    ]);
    const role = forwardingRole(prod.pipeline);
    const parameters = Object.fromEntries(
      stackSetOf(prod.pipeline).Parameters.map((p) => [p.ParameterKey, render(p.ParameterValue)]),
    );
    expect(parameters).toEqual({
      HomeEventBusArn: `arn:${PARTITION}:events:${TEST_REGION}:${TEST_ACCOUNT}:event-bus/default`,
      ForwarderRoleArn: ref(`${role}.Arn`),
    });
    const home = Object.values(prod.pipeline.findResources('AWS::Events::Rule')).filter(
      (r) => r.Properties.EventPattern !== undefined,
    );
    expect(home).toHaveLength(1);
    const rule = home[0]?.Properties as {
      EventPattern: unknown;
      Targets: { Arn: unknown; RoleArn: unknown }[];
    };
    expect(rule.EventPattern).toEqual({ ...stateChanges, region: [PROD_OTHER_REGION] });
    expect(rule.Targets.map((t) => [render(t.Arn, prod.storage), render(t.RoleArn)])).toEqual([
      [ref(logicalId(prod.storage, 'AWS::SNS::Topic')), ref(`${role}.Arn`)],
    ]);
  });

  it('lets EventBridge, for this account only, put events on the home bus and publish to the encrypted topic, nothing else', () => {
    const role = forwardingRole(prod.pipeline);
    const trust = resource(prod.pipeline, role).Properties.AssumeRolePolicyDocument as {
      Statement: Statement[];
    };
    expect(trust.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT } },
      },
    ]);
    expect(Object.fromEntries(permissionsOf(prod.pipeline, role, prod.storage))).toEqual({
      'events:PutEvents': [`arn:${PARTITION}:events:${TEST_REGION}:${TEST_ACCOUNT}:event-bus/default`],
      'sns:Publish': [ref(logicalId(prod.storage, 'AWS::SNS::Topic'))],
      'kms:GenerateDataKey': [ref(`${logicalId(prod.storage, 'AWS::KMS::Key')}.Arn`)],
      'kms:Decrypt': [ref(`${logicalId(prod.storage, 'AWS::KMS::Key')}.Arn`)],
    });
  });

  it('monitors its own region only when the stage lists no other', () => {
    dev.pipeline.resourceCountIs('AWS::CloudFormation::StackSet', 0);
    expect(
      Object.keys(dev.pipeline.findResources('AWS::IAM::Role')).filter((id) =>
        id.includes('AlarmEventsRole'),
      ),
    ).toEqual([]);
  });
});

describe('dashboard', () => {
  interface Widget {
    title?: string;
    region?: unknown;
    metrics?: unknown[][];
    legend?: { position?: string };
  }
  const widgetsOf = (template: Template, storage: Template): Widget[] => {
    const dashboard = resource(template, logicalId(template, 'AWS::CloudWatch::Dashboard')).Properties;
    const body = JSON.parse(render(dashboard.DashboardBody, storage)) as {
      widgets: { properties: Widget }[];
    };
    return body.widgets.map((w) => w.properties);
  };
  const metricsOf = (widgets: Widget[], title: string) =>
    (widgets.find((w) => w.title === title)?.metrics ?? []).map((m) => m.slice(0, 4));
  const emf = (stage: string, name: string) => [METRICS_NAMESPACE, name, 'service', serviceName(stage)];

  it('has a widget for runs, durations, freshness, quota, pruned, queue, DLQ, functions, alarms and MSF health per region', () => {
    for (const [{ pipeline, storage }, regions] of [
      [dev, [TEST_REGION]],
      [prod, [TEST_REGION, PROD_OTHER_REGION]],
    ] as const) {
      const titles = widgetsOf(pipeline, storage).map((w) => w.title);
      const expected = [
        WIDGETS.runsByFinalState,
        WIDGETS.snapshotDurations,
        WIDGETS.freshness,
        WIDGETS.quota,
        WIDGETS.pruned,
        WIDGETS.throughput,
        WIDGETS.workQueue,
        WIDGETS.deadLetterQueue,
        WIDGETS.functions,
        WIDGETS.alarms,
        ...regions.flatMap((region) =>
          HEALTH_KEYS.map((key) => WIDGETS.msf(MSF_HEALTH_METRICS[key], region)),
        ),
      ];
      expect(titles.sort()).toEqual([...expected].sort());
    }
  });

  it('graphs runs by final state, durations and pruned from the EMF metrics of the stage', () => {
    for (const { stage, pipeline, storage } of stages()) {
      const widgets = widgetsOf(pipeline, storage);
      expect(metricsOf(widgets, WIDGETS.runsByFinalState)).toEqual([
        emf(stage, MetricName.RUN_COMPLETED),
        emf(stage, MetricName.RUN_SKIPPED),
        emf(stage, MetricName.RUN_FAILED),
        emf(stage, MetricName.RUN_TIMED_OUT),
      ]);
      expect(metricsOf(widgets, WIDGETS.snapshotDurations)[0]).toEqual(
        emf(stage, MetricName.SNAPSHOT_DURATION),
      );
      expect(metricsOf(widgets, WIDGETS.pruned)).toEqual([emf(stage, MetricName.SNAPSHOTS_PRUNED)]);
      const queue = JSON.stringify(widgets.find((w) => w.title === WIDGETS.workQueue));
      expect(queue).toContain('ApproximateNumberOfMessagesVisible');
      expect(queue).toContain('ApproximateAgeOfOldestMessage');
    }
  });

  it('says the snapshot duration runs from the request to the poll that first saw the snapshot READY', () => {
    expect(WIDGETS.snapshotDurations).toMatch(/from the request to the poll that first saw it READY/);
  });

  it('graphs freshness (oldest snapshot age, stale applications) and the highest quota share of the runs', () => {
    for (const { stage, pipeline, storage } of stages()) {
      const widgets = widgetsOf(pipeline, storage);
      expect(metricsOf(widgets, WIDGETS.freshness)).toEqual([
        emf(stage, MetricName.SNAPSHOT_AGE_MAX),
        emf(stage, MetricName.STALE_APPLICATIONS),
      ]);
      expect(metricsOf(widgets, WIDGETS.quota)).toEqual([emf(stage, MetricName.QUOTA_USED)]);
      expect(JSON.stringify(widgets.find((w) => w.title === WIDGETS.quota)?.metrics)).toContain(
        '"stat":"Maximum"',
      );
    }
  });

  it('shows the worst 10 applications of each MSF health metric and region with Metrics Insights, each named in the legend, and no SEARCH', () => {
    for (const [{ pipeline, storage }, regions] of [
      [dev, [TEST_REGION]],
      [prod, [TEST_REGION, PROD_OTHER_REGION]],
    ] as const) {
      const widgets = widgetsOf(pipeline, storage);
      expect(JSON.stringify(widgets)).not.toContain('SEARCH(');
      for (const region of regions) {
        for (const key of HEALTH_KEYS) {
          const metric = MSF_HEALTH_METRICS[key];
          const widget = widgets.find((w) => w.title === WIDGETS.msf(metric, region));
          expect(widget?.region).toBe(region);
          expect(widget?.legend).toEqual({ position: 'right' });
          const expression = (widget?.metrics?.[0]?.[0] as { expression?: string } | undefined)?.expression;
          expect(expression).toMatch(
            new RegExp(
              `^SELECT ${metric.statistic}\\(${metric.metricName}\\) FROM SCHEMA\\("AWS/KinesisAnalytics", Application\\) GROUP BY .*Application ORDER BY ${metric.statistic}\\(\\) DESC LIMIT ${TOP_N}$`,
            ),
          );
        }
      }
    }
  });
});

/** cfn-lint, which none of us wrote, reads every template: the two stacks of each stage and the other regions' one. */
const cfnLint = findReferee('cfn-lint', () => {
  try {
    execFileSync('cfn-lint', ['--version'], { stdio: 'ignore', timeout: 60_000 });
    return undefined;
  } catch {
    return 'cfn-lint is not on PATH (pip install cfn-lint)';
  }
});
/** W3005: the DependsOn that CDK writes next to a GetAtt of the same resource; harmless, not ours. */
const CFN_LINT_IGNORED = ['W3005'];

describe.runIf(requireReferee(cfnLint))('cfn-lint, as referee of the templates', () => {
  it('finds no error and no warning (but the ignored W3005) in any template', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flink-snapshots-cfn-lint-'));
    try {
      const files: string[] = [];
      for (const { stage, storage, pipeline } of stages()) {
        const templates: [string, unknown][] = [
          ['storage', storage.toJSON()],
          ['pipeline', pipeline.toJSON()],
        ];
        for (const stackSet of Object.values(pipeline.findResources('AWS::CloudFormation::StackSet'))) {
          templates.push(['msf-health-region', JSON.parse(stackSet.Properties.TemplateBody as string)]);
        }
        for (const [name, template] of templates) {
          const file = join(dir, `${stage}-${name}.json`);
          await writeFile(file, JSON.stringify(template, null, 1));
          files.push(file);
        }
      }
      expect(files.length).toBeGreaterThanOrEqual(5);
      const args = [
        '--format',
        'json',
        '--regions',
        TEST_REGION,
        PROD_OTHER_REGION,
        '--ignore-checks',
        ...CFN_LINT_IGNORED,
      ];
      // cfn-lint exits non-zero when it finds anything; the findings are on stdout either way.
      const stdout = await promisify(execFile)('cfn-lint', [...args, '--', ...files], {
        timeout: 120_000,
      }).then(
        (result) => result.stdout,
        (error: { stdout?: string }) => error.stdout ?? '',
      );
      const findings = JSON.parse(stdout || '[]') as {
        Level: string;
        Rule: { Id: string };
        Message: string;
        Filename: string;
        Location: { Path: unknown[] };
      }[];
      expect(
        findings
          .filter((f) => f.Level === 'Error' || f.Level === 'Warning')
          .map(
            (f) =>
              `${f.Rule.Id} ${f.Filename.slice(dir.length + 1)} ${f.Location.Path.join('/')}: ${f.Message}`,
          ),
      ).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function renderConditions(condition: Statement['Condition']): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(condition ?? {}).map(([operator, entries]) => [
      operator,
      Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, render(value)])),
    ]),
  );
}
