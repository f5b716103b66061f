export * from './concurrency';
export * from './dispatch';
export * from './end-run';
export * from './notify';
export * from './poll-step';
export * from './process-work';
export * from './prune';
export * from './snapshot-step';
