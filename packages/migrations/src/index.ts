export { migrationChecksum, normaliseSql } from './checksum.js';
export type { MigrateOptions } from './migrate.js';
export { migrate } from './migrate.js';
export type { MigrationDefinition, MigrationFunction, MigrationSource } from './migration.js';
export type { MigrationPlan, PlannedMigration, PlanOptions } from './plan.js';
export { plan } from './plan.js';
export type { MigrationsPlugin, MigrationsPluginOptions } from './plugin.js';
export { MIGRATIONS_PLUGIN, migrations } from './plugin.js';
export type { MigrationDirection, MigrationEvent } from './progress-event.js';
export type { RepairedMigration, RepairOptions, RepairResult } from './repair.js';
export { repair } from './repair.js';
export type { MigrateResult, MigrationOutcome, MigrationStatus } from './result.js';
export type {
  MigrationState,
  MigrationStatusEntry,
  MigrationStatusReport,
  StatusOptions,
} from './status.js';
export { status } from './status.js';
export type { DatabaseTarget, MigrationTarget, WalkeeperTarget } from './target.js';
