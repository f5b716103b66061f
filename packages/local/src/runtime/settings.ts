/**
 * The numbers the local runtime plays AWS with: PIPELINE from the shared settings (what the stacks
 * deploy), optionally overridden (tests shrink the visibility timeout and maxReceiveCount to stay fast),
 * validated by the same schema as what is deployed.
 */
import {
  type PipelineSettings,
  type PipelineSettingsOverrides,
  resolvePipelineSettings,
} from '@flink-snapshots/settings';

export type RuntimeSettings = PipelineSettings;
export type WorkerSettings = PipelineSettings['worker'];
export type DispatcherSettings = PipelineSettings['dispatcher'];
export type WorkQueueSettings = PipelineSettings['workQueue'];
export type DeadLetterQueueSettings = PipelineSettings['deadLetterQueue'];
/** Any subset of the settings; what is absent comes from PIPELINE. */
export type RuntimeSettingsOverrides = PipelineSettingsOverrides;

/** PIPELINE with `overrides` applied; throws a RangeError naming a setting outside AWS's limits. */
export const resolveSettings: (overrides?: RuntimeSettingsOverrides) => RuntimeSettings =
  resolvePipelineSettings;
