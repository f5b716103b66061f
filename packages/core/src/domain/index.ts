export * from './config';
export * from './errors';
export * from './issues';
export * from './retention';
export * from './run-state';
export * from './schedule';
export * from './work-message';
