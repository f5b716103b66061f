/**
 * Stateful resources, and what others depend on: the runs table (the audit trail), the failures topic,
 * the dead-letter queue, and the tenant policy that people outside this app attach. Production stages
 * keep them when the stack is removed, and the table cannot be deleted by accident.
 */

import { PIPELINE, RUNS_TABLE, stageSettings } from '@flink-snapshots/settings';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { StackContext } from 'sst/constructs';
import { alarmNamePrefix } from './monitoring';
import { TenantAccess } from './tenant-access';

export function Storage({ app, stack }: StackContext) {
  const settings = stageSettings(app.stage, process.env);
  const removalPolicy = settings.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  // CloudWatch acts for this stage's alarms only (confused deputy): this account, these alarm names.
  const fromOurAlarms = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${alarmNamePrefix(app.stage)}*`,
    },
  };

  const runsTable = new dynamodb.Table(stack, 'RunsTable', {
    partitionKey: { name: RUNS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: RUNS_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: RUNS_TABLE.ttlAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // The AWS managed key (aws/dynamodb): every use of it is in CloudTrail, and only this account's
    // principals that IAM lets use the table can use it. No key policy to get wrong, no monthly key fee;
    // a customer managed key would add what nobody here needs (other accounts reading the table, or
    // disabling the key to lock the data). Changing from the default encryption updates in place.
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    deletionProtection: settings.production,
    removalPolicy,
  });
  runsTable.addGlobalSecondaryIndex({
    indexName: RUNS_TABLE.byRunIndex.name,
    partitionKey: { name: RUNS_TABLE.byRunIndex.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: RUNS_TABLE.byRunIndex.sortKey, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.ALL,
  });

  // A customer managed key, because CloudWatch alarms cannot publish to a topic encrypted with the AWS
  // managed key (aws/sns): its key policy cannot be changed to let cloudwatch.amazonaws.com use it.
  const alertsKey = new kms.Key(stack, 'AlertsKey', {
    description: `${app.stage} ${app.name}: encrypts the failures topic`,
    enableKeyRotation: true,
    removalPolicy,
  });
  alertsKey.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      // In a key policy "*" means this key.
      resources: ['*'],
      conditions: fromOurAlarms,
    }),
  );

  const alertsTopic = new sns.Topic(stack, 'AlertsTopic', {
    displayName: `${app.stage} ${app.name} failures`,
    masterKey: alertsKey,
    enforceSSL: true,
  });
  alertsTopic.applyRemovalPolicy(removalPolicy);
  // The topic policy replaces SNS's default one, so the alarms' publisher must be named here.
  alertsTopic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [alertsTopic.topicArn],
      conditions: fromOurAlarms,
    }),
  );
  if (settings.alertEmail !== undefined) {
    alertsTopic.addSubscription(new subscriptions.EmailSubscription(settings.alertEmail));
  }

  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.seconds(PIPELINE.deadLetterQueue.retentionSeconds),
    removalPolicy,
  });

  // Tenants' roles and permission sets attach it: it must not come and go with the pipeline.
  const tenantAccess = new TenantAccess(stack, 'TenantAccess', { stage: app.stage });
  tenantAccess.policy.applyRemovalPolicy(removalPolicy);

  stack.addOutputs({
    RunsTableName: runsTable.tableName,
    AlertsTopicArn: alertsTopic.topicArn,
    DeadLetterQueueUrl: deadLetterQueue.queueUrl,
    TenantConfigWriterPolicyArn: tenantAccess.policy.managedPolicyArn,
  });

  return { runsTable, alertsKey, alertsTopic, deadLetterQueue, tenantAccess };
}
