export * from './call-timing';
export * from './deps';
export * as dispatcher from './dispatcher';
export * from './env';
export type { RecordReport } from './worker';
export * as worker from './worker';
