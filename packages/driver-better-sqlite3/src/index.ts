export type { BetterSqlite3Options } from './driver.js';
export { betterSqlite3, createDriver } from './driver.js';
