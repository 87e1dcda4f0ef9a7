export type { WalkeeperDialectConfig } from './dialect.js';
export { WalkeeperDialect } from './dialect.js';
