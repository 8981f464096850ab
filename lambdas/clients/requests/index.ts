export * from './schema';
export * from './paging';
export * from './store';
export * from './deliveries';
export * from './answers';
export * from './run-ends';
