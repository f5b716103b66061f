export type { EndpointOptions, StaticCredentials } from './aws';
export {
  type EnsureResourcesOptions,
  ensureResources,
  type LocalEnvOptions,
  type LocalResources,
  localEnv,
  type ResourceNames,
  resourceNames,
} from './bootstrap';
export {
  type IdleOptions,
  type SqsBatchHandler,
  SqsEventSource,
  type SqsEventSourceOptions,
  type SqsEventSourceStats,
  type SqsInvocation,
  type StopOptions,
} from './event-source';
export {
  createLambdaContext,
  type InvocationOutcome,
  type InvocationTiming,
  invokeLambda,
  type LambdaFunction,
  type RuntimeClock,
} from './lambda-context';
export { LocalSchedule, type LocalScheduleOptions, type ScheduledHandler, type Tick } from './schedule';
export {
  type DeadLetterQueueSettings,
  type DispatcherSettings,
  type RuntimeSettings,
  type RuntimeSettingsOverrides,
  resolveSettings,
  type WorkerSettings,
  type WorkQueueSettings,
} from './settings';
