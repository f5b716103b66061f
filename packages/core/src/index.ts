export * from './domain';
export * from './ports';
export * from './use-cases';
