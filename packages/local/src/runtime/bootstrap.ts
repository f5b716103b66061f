/**
 * Creates, idempotently and with the real SDK clients, what the Storage and Pipeline stacks deploy and the
 * handlers need locally: the work queue with its dead-letter queue, the runs table and the failures topic,
 * plus an inbox queue subscribed to the topic so the CLI can show alerts, and the deployment parameter the
 * `flink-snapshots` command finds them by. The stacks name their resources through SST; locally the names
 * are a pure function of the stage.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createRunsTable, partitionOf, type TenantMode } from '@flink-snapshots/core';
import type { Env } from '@flink-snapshots/functions';
import {
  APP_NAME,
  type DeploymentDescriptor,
  DeploymentDescriptorSchema,
  deploymentParameterName,
  PIPELINE,
  resolveRolePattern,
  roleNames,
  stageSettings,
} from '@flink-snapshots/settings';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../local-aws';
import { clientConfig, type EndpointOptions } from './aws';
import { type RuntimeSettingsOverrides, resolveSettings } from './settings';

export interface ResourceNames {
  readonly workQueue: string;
  readonly deadLetterQueue: string;
  readonly runsTable: string;
  readonly failuresTopic: string;
  readonly inboxQueue: string;
  readonly dispatcherFunction: string;
  readonly workerFunction: string;
  readonly tickRule: string;
}

/** SST stage names: a letter, then letters, digits and hyphens; short enough for every resource name. */
const STAGE = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;

/** Names of a stage's local resources: `flink-snapshots-<stage>-<part>`. */
export function resourceNames(stage: string): ResourceNames {
  if (!STAGE.test(stage)) {
    throw new RangeError(
      `Stage is ${JSON.stringify(stage)}; expected a letter then up to 39 letters, digits or hyphens (e.g. local)`,
    );
  }
  const name = (part: string) => `${APP_NAME}-${stage}-${part}`;
  return {
    workQueue: name('work'),
    deadLetterQueue: name('dlq'),
    runsTable: name('runs'),
    failuresTopic: name('failures'),
    inboxQueue: name('inbox'),
    dispatcherFunction: name('dispatcher'),
    workerFunction: name('worker'),
    tickRule: name('tick'),
  };
}

export interface EnsureResourcesOptions extends EndpointOptions {
  readonly stage: string;
  /** Queue settings other than PIPELINE's (tests: a short visibility timeout, a small maxReceiveCount). */
  readonly settings?: Pick<RuntimeSettingsOverrides, 'workQueue' | 'deadLetterQueue'>;
  /** What the deployment parameter says of the handlers' environment (default: the stage's). */
  readonly env?: Omit<LocalEnvOptions, 'region'>;
}

export interface LocalResources {
  readonly workQueueUrl: string;
  readonly workQueueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly tableName: string;
  readonly topicArn: string;
  readonly inboxQueueUrl: string;
  readonly inboxQueueArn: string;
}

/**
 * Creates the stage's queues, table, topic and alert inbox where missing, and brings existing queues to
 * the settings (SetQueueAttributes), so running it twice, or after a test changed them, is harmless.
 */
export async function ensureResources(options: EnsureResourcesOptions): Promise<LocalResources> {
  const names = resourceNames(options.stage);
  const settings = resolveSettings(options.settings);
  const config = clientConfig(options);
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const dynamodb = new DynamoDBClient(config);
  const ssm = new SSMClient(config);
  try {
    const dlq = await ensureQueue(sqs, names.deadLetterQueue, {
      MessageRetentionPeriod: String(settings.deadLetterQueue.retentionSeconds),
    });
    const work = await ensureQueue(sqs, names.workQueue, {
      VisibilityTimeout: String(settings.workQueue.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(settings.workQueue.retentionSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: settings.workQueue.maxReceiveCount,
      }),
    });
    const [inbox, topicArn] = await Promise.all([
      ensureQueue(sqs, names.inboxQueue, {}),
      createTopic(sns, names.failuresTopic),
      createRunsTable(dynamodb, names.runsTable),
    ]);
    // Subscribe returns the existing subscription when the same one is asked for again.
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: inbox.arn,
        Attributes: { RawMessageDelivery: 'false' },
        ReturnSubscriptionArn: true,
      }),
    );
    const resources: LocalResources = {
      workQueueUrl: work.url,
      workQueueArn: work.arn,
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
      tableName: names.runsTable,
      topicArn,
      inboxQueueUrl: inbox.url,
      inboxQueueArn: inbox.arn,
    };
    const env = localEnv(options.stage, resources, { ...options.env, region: config.region });
    await ssm.send(
      new PutParameterCommand({
        Name: deploymentParameterName(options.stage),
        Type: 'String',
        Overwrite: true,
        Value: JSON.stringify(deploymentDescriptor(env, resources, settings.workQueue.maxReceiveCount)),
      }),
    );
    return resources;
  } finally {
    ssm.destroy();
    sqs.destroy();
    sns.destroy();
    dynamodb.destroy();
  }
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  } catch (error) {
    if (!(error instanceof QueueNameExists)) throw error;
    // It exists with other attributes (another run's settings): bring it to these.
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    if (url !== undefined && Object.keys(attributes).length > 0) {
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    }
  }
  if (url === undefined)
    throw new Error(`CreateQueue ${name} returned no QueueUrl; expected the queue's URL`);
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
    .Attributes?.QueueArn;
  if (arn === undefined)
    throw new Error(`GetQueueAttributes of ${url} returned no QueueArn; expected its ARN`);
  return { url, arn };
}

async function createTopic(sns: SNSClient, name: string): Promise<string> {
  const arn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn;
  if (arn === undefined)
    throw new Error(`CreateTopic ${name} returned no TopicArn; expected the topic's ARN`);
  return arn;
}

/** What the handlers' environment holds on the local AWS besides the resources (defaults: the stage's). */
export interface LocalEnvOptions {
  readonly region?: string;
  readonly accountId?: string;
  readonly tickMinutes?: number;
  readonly tenantMode?: TenantMode;
}

/**
 * The handlers' environment for a stage on the local AWS, as the stacks set it when deployed: the
 * resources, the deployment's account, the fixed-name MSF access role, the stage's role pattern in the
 * partition of the region, and the stage's tenant mode.
 */
export function localEnv(stage: string, resources: LocalResources, options: LocalEnvOptions = {}): Env {
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const partition = partitionOf(region);
  const stageChoices = stageSettings(stage);
  return {
    stage,
    runsTableName: resources.tableName,
    workQueueUrl: resources.workQueueUrl,
    alertsTopicArn: resources.topicArn,
    tickMinutes: options.tickMinutes ?? PIPELINE.tickMinutes,
    runTtlDays: PIPELINE.runTtlDays,
    region,
    tenantMode: options.tenantMode ?? stageChoices.tenantMode,
    accountId,
    partition,
    roleArnPattern: resolveRolePattern(stageChoices.assumeRoleArnPattern, region),
    msfAccessRoleArn: `arn:${partition}:iam::${accountId}:role/${roleNames(stage, region).msfAccess}`,
  };
}

/** The deployment parameter's value for a stage on the local AWS, as the Pipeline stack writes it. */
export function deploymentDescriptor(
  env: Env,
  resources: LocalResources,
  maxReceiveCount: number,
): DeploymentDescriptor {
  return DeploymentDescriptorSchema.parse({
    version: 1,
    stage: env.stage,
    region: env.region,
    accountId: env.accountId,
    runsTableName: env.runsTableName,
    workQueueUrl: resources.workQueueUrl,
    workQueueArn: resources.workQueueArn,
    deadLetterQueueUrl: resources.dlqUrl,
    deadLetterQueueArn: resources.dlqArn,
    alertsTopicArn: env.alertsTopicArn,
    tenantMode: env.tenantMode,
    msfAccessRoleArn: env.msfAccessRoleArn,
    operatorRoleArn: `arn:${env.partition}:iam::${env.accountId}:role/${roleNames(env.stage, env.region).operator}`,
    roleArnPattern: env.roleArnPattern,
    tickMinutes: env.tickMinutes,
    runTtlDays: env.runTtlDays,
    maxReceiveCount,
  });
}
