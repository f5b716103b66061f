/**
 * The numbers the local runtime plays AWS with: PIPELINE from the shared settings module (what the stacks
 * deploy), optionally overridden (tests shrink the visibility timeout and maxReceiveCount to stay fast).
 */
import { PIPELINE } from '../../../../stacks/settings';

export interface WorkerSettings {
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** SQS event source: records per invocation (1 to 10, what one ReceiveMessage returns at most). */
  readonly batchSize: number;
  /** SQS event source: concurrent invocations at most. */
  readonly maximumConcurrency: number;
}

export interface DispatcherSettings {
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export interface WorkQueueSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly retentionSeconds: number;
}

export interface DeadLetterQueueSettings {
  readonly retentionSeconds: number;
}

export interface RuntimeSettings {
  readonly tickMinutes: number;
  readonly dispatcher: DispatcherSettings;
  readonly worker: WorkerSettings;
  readonly workQueue: WorkQueueSettings;
  readonly deadLetterQueue: DeadLetterQueueSettings;
}

/** Any subset of the settings; what is absent comes from PIPELINE. */
export interface RuntimeSettingsOverrides {
  readonly tickMinutes?: number;
  readonly dispatcher?: Partial<DispatcherSettings>;
  readonly worker?: Partial<WorkerSettings>;
  readonly workQueue?: Partial<WorkQueueSettings>;
  readonly deadLetterQueue?: Partial<DeadLetterQueueSettings>;
}

/** Where a setting must lie: AWS's own limits for each (SQS attributes, Lambda function and event source). */
const LIMITS = {
  tickMinutes: [1, 1440],
  'dispatcher.timeoutSeconds': [1, 900],
  'dispatcher.memoryMb': [128, 10_240],
  'worker.timeoutSeconds': [1, 900],
  'worker.memoryMb': [128, 10_240],
  'worker.batchSize': [1, 10],
  'worker.maximumConcurrency': [2, 1000],
  'workQueue.visibilityTimeoutSeconds': [0, 43_200],
  'workQueue.maxReceiveCount': [1, 1000],
  'workQueue.retentionSeconds': [60, 1_209_600],
  'deadLetterQueue.retentionSeconds': [60, 1_209_600],
} as const satisfies Record<string, readonly [number, number]>;

/** PIPELINE with `overrides` applied; throws a RangeError naming a setting outside AWS's limits. */
export function resolveSettings(overrides: RuntimeSettingsOverrides = {}): RuntimeSettings {
  const settings: RuntimeSettings = {
    tickMinutes: overrides.tickMinutes ?? PIPELINE.tickMinutes,
    dispatcher: {
      timeoutSeconds: PIPELINE.dispatcher.timeoutSeconds,
      memoryMb: PIPELINE.dispatcher.memoryMb,
      ...overrides.dispatcher,
    },
    worker: {
      timeoutSeconds: PIPELINE.worker.timeoutSeconds,
      memoryMb: PIPELINE.worker.memoryMb,
      batchSize: PIPELINE.worker.batchSize,
      maximumConcurrency: PIPELINE.worker.maximumConcurrency,
      ...overrides.worker,
    },
    workQueue: {
      visibilityTimeoutSeconds: PIPELINE.workQueue.visibilityTimeoutSeconds,
      maxReceiveCount: PIPELINE.workQueue.maxReceiveCount,
      retentionSeconds: PIPELINE.workQueue.retentionSeconds,
      ...overrides.workQueue,
    },
    deadLetterQueue: {
      retentionSeconds: PIPELINE.deadLetterQueue.retentionSeconds,
      ...overrides.deadLetterQueue,
    },
  };
  for (const [path, [min, max]] of Object.entries(LIMITS)) {
    const value = path
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], settings);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `Runtime setting ${path} is ${JSON.stringify(value)}; expected a whole number from ${min} to ${max}`,
      );
    }
  }
  return settings;
}
