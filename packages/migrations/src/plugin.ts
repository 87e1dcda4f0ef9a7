import type { PluginContext, WalkeeperPlugin } from '@walkeeper/core';
import { DEFAULT_TABLE, resolveCommon, resolveFunction } from './internal/options.js';
import { migrate } from './migrate.js';
import type { MigrationSource } from './migration.js';
import type { MigrationEvent } from './progress-event.js';
import type { MigrateResult } from './result.js';

export type MigrationsPluginOptions = MigrationSource & {
  /** The migrations table. Default `_walkeeper_migrations`; another one keeps a separate set. */
  table?: string;
  onProgress?: (event: MigrationEvent) => void;
};

/** The plugin `migrations()` returns: a walkeeper plugin that remembers its last run. */
export interface MigrationsPlugin extends WalkeeperPlugin {
  /** The run at the last open, or undefined before one. */
  readonly result: MigrateResult | undefined;
}

/** The plugin name for the default table: what other plugins list in `dependencies`. */
export const MIGRATIONS_PLUGIN = 'migrations';

const KNOWN = ['dir', 'migrations', 'table', 'onProgress'];

/**
 * Migrates up to the newest migration while the database opens, before the read pool (and,
 * with `enforce: 'pre'`, before other plugins). A refusal or a failed migration fails the
 * open with its coded error, so an application never starts on a half-migrated schema.
 * Options are checked here, so a mistake throws `E_CONFIG` before anything opens.
 */
export function migrations(options: MigrationsPluginOptions): MigrationsPlugin {
  const { input, table } = resolveCommon(options, KNOWN);
  resolveFunction('onProgress', input.onProgress);
  const settings = { ...options };
  let last: MigrateResult | undefined;
  return {
    name: table === DEFAULT_TABLE ? MIGRATIONS_PLUGIN : `${MIGRATIONS_PLUGIN}:${table}`,
    specificationVersion: 'v1',
    enforce: 'pre',
    async setup({ walkeeper }: PluginContext) {
      const result = await migrate(walkeeper, settings);
      last = result;
      if (!result.ok) throw result.error;
    },
    get result() {
      return last;
    },
  };
}
