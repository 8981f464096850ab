export * from './schema';
export * from './paging';
export * from './store';
export { START_FAILED } from './start-writes';
export * from './deliveries';
export * from './answers';
export * from './run-ends';
