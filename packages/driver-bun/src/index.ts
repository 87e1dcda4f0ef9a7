export type { BunSqliteOptions } from './driver.js';
export { bunSqlite, createDriver } from './driver.js';
