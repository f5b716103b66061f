import { APP_NAME, stageSettings } from '@flink-snapshots/settings';
import type { SSTConfig } from 'sst';
import { Pipeline } from './stacks/Pipeline';
import { Storage } from './stacks/Storage';

export default {
  config(input) {
    const stage = input.stage ?? process.env.SST_STAGE;
    // `--region` first, then the region the stage is pinned to, then the usual AWS variables.
    const region =
      input.region ??
      (stage === undefined ? undefined : stageSettings(stage, process.env).region) ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION;
    if (region === undefined) {
      throw new Error(
        `No region for stage ${JSON.stringify(stage ?? '(personal)')}: pass --region, set AWS_REGION, or pin the stage in STAGES of packages/settings/src/index.ts`,
      );
    }
    return { name: APP_NAME, region };
  },
  stacks(app) {
    // Storage is stateful (table, topic, DLQ), Pipeline stateless: Pipeline can be replaced at will.
    app.stack(Storage).stack(Pipeline);
  },
} satisfies SSTConfig;
