export type { ConformanceApi } from './conformance.js';
export { testDriver } from './conformance.js';
export { tempDatabasePath } from './temp-database.js';
