export type { ConformanceApi } from './conformance.js';
export { testDriver } from './conformance.js';
export type { SchedulerHandle } from './handles.js';
export { schedulerOf } from './handles.js';
export { tempDatabasePath } from './temp-database.js';
export { testWalkeeper } from './walkeeper-conformance.js';
