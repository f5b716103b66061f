export { SimClock } from './common/clock';
export { type CounterSnapshot, Counters } from './control/counters';
export { FAULT_KINDS, type FaultRule, type FaultRuleInput, FaultRuleSchema, Faults } from './control/faults';
export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_REGION,
  type LocalAws,
  type LocalAwsOptions,
  type LocalAwsServices,
  seededRandom,
  startLocalAws,
} from './local-aws';
export {
  AwsError,
  type CallerSession,
  type JsonService,
  type QueryResult,
  type QueryService,
  type ServiceContext,
  type ServiceOptions,
  type SessionDirectory,
} from './protocol/service';
export * from './runtime';
export { DynamoDbService } from './services/dynamodb';
export {
  type ApplicationView,
  type KinesisAnalyticsOptions,
  KinesisAnalyticsService,
  type SnapshotEvent,
  type SnapshotOrigin,
  type SnapshotView,
} from './services/kinesis-analytics';
export * from './services/kinesis-analytics/fleet';
export { type PublishedMessage, SnsService } from './services/sns';
export { queueArnFromUrl, queueUrlFromArn, SqsService } from './services/sqs';
export { type SsmOptions, SsmService } from './services/ssm';
export { type RoleRequirement, type StsOptions, StsService, type StsSession } from './services/sts';
