export type { NodeSqliteOptions } from './driver.js';
export { createDriver, nodeSqlite } from './driver.js';
