export { SimClock } from './clock';
export { type CounterSnapshot, Counters } from './counters';
export { DynamoDbService } from './dynamodb';
export { FAULT_KINDS, type FaultRule, type FaultRuleInput, FaultRuleSchema, Faults } from './faults';
export * from './fleet';
export {
  type ApplicationView,
  type KinesisAnalyticsOptions,
  KinesisAnalyticsService,
  type SnapshotEvent,
  type SnapshotOrigin,
  type SnapshotView,
} from './kinesis-analytics';
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
export * from './runtime';
export {
  AwsError,
  type JsonService,
  type QueryResult,
  type QueryService,
  type ServiceContext,
  type ServiceOptions,
} from './service';
export { type PublishedMessage, SnsService } from './sns';
export { queueArnFromUrl, queueUrlFromArn, SqsService } from './sqs';
export { type SsmOptions, SsmService } from './ssm';
export { StsService } from './sts';
