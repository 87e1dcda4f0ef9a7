import type * as NodeSqlite from 'node:sqlite';
import { WalkeeperError } from '@walkeeper/core';

export type NodeSqliteModule = typeof NodeSqlite;

/**
 * node:sqlite is unflagged since Node 22.13 and 23.4, but this driver also needs
 * `StatementSync#columns()`, `#setReturnArrays()` and `DatabaseSync#isTransaction`, which came
 * in Node 22.16 and 24.0. Node 24's SQLite (3.53) also has the WAL-reset fix of 3.51.3.
 */
export const REQUIRED_NODE = 'Node 22.16 or later (Node 24 recommended)';

let cached: NodeSqliteModule | undefined;

/**
 * node:sqlite, or a WalkeeperError `E_DRIVER_UNAVAILABLE` naming the Node version it needs.
 * `process.getBuiltinModule` returns undefined for a built-in this runtime lacks, where a static
 * import would crash the importing module (Node 20), so the package always imports.
 */
export function loadNodeSqlite(): NodeSqliteModule {
  if (cached !== undefined) return cached;
  // Optional call: runtimes older than Node 20.16 have no getBuiltinModule (nor node:sqlite).
  const mod = process.getBuiltinModule?.('node:sqlite') as NodeSqliteModule | undefined;
  if (mod === undefined) throw unavailable('has no node:sqlite module');
  const missing = missingFeatures(mod);
  if (missing.length > 0) throw unavailable(`has a node:sqlite without ${missing.join(', ')}`);
  cached = mod;
  return mod;
}

function missingFeatures({ DatabaseSync, StatementSync }: NodeSqliteModule): string[] {
  const missing: string[] = [];
  for (const method of ['columns', 'setReturnArrays'] as const) {
    if (typeof StatementSync.prototype[method] !== 'function')
      missing.push(`StatementSync#${method}()`);
  }
  // isTransaction is an accessor of each instance, not of the prototype.
  const probe = new DatabaseSync(':memory:');
  if (!('isTransaction' in probe)) missing.push('DatabaseSync#isTransaction');
  probe.close();
  return missing;
}

function unavailable(what: string): WalkeeperError {
  const runtime =
    process.versions.bun === undefined
      ? `Node ${process.versions.node}`
      : `Bun ${process.versions.bun}`;
  return new WalkeeperError(
    'E_DRIVER_UNAVAILABLE',
    `nodeSqlite() needs ${REQUIRED_NODE}: this runtime (${runtime}) ${what}. ` +
      'Use @walkeeper/driver-better-sqlite3 on older Node.',
    { details: { runtime, required: '>=22.16' } },
  );
}
