export * from './aws';
export * from './eventually';
export * from './failures';
export * from './proxy';
export * from './python';
export * from './referees';
export * from './target';
