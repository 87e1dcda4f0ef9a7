import { coreOf } from './internal/core-registry.js';
import { openReader } from './readers.js';
import type { Walkeeper } from './walkeeper.js';

/** Where a statement outside a transaction belongs, as SQLite itself describes it. */
export interface StatementRoute {
  /** True when the read pool may run it: read-only, returns rows, and means the same on a reader. */
  pool: boolean;
  /** The statement returns rows (a SELECT, RETURNING, most pragmas). */
  returnsData: boolean;
}

/** Routes remembered per walkeeper; a bounded map, cleared when full (SQL texts of an app are few). */
const routes = new WeakMap<object, Map<string, StatementRoute>>();
const MAX_ROUTES = 2048;
/** Pragmas read or set connection state, so a reader's answer could differ from the writer's. */
const PRAGMA = /^\s*pragma\b/i;

/**
 * Decides where a statement runs for a router such as an ORM dialect, never by matching SQL
 * text for read-only: it is prepared on a main-thread reader connection and goes to the pool
 * only if SQLite says it is read-only (`sqlite3_stmt_readonly`) and returns rows. Everything
 * else goes to the writer: writes, transaction control (read-only by SQLite's definition, but
 * it returns nothing), pragmas (connection state; the keyword only ever sends a statement to
 * the writer), and anything a reader cannot prepare, such as the writer's temp tables or
 * attached databases.
 */
export function routeStatement(walkeeper: Walkeeper, sql: string): StatementRoute {
  const core = coreOf(walkeeper);
  let known = routes.get(core);
  if (known === undefined) {
    known = new Map();
    routes.set(core, known);
  }
  const cached = known.get(sql);
  if (cached !== undefined) return cached;
  if (core.syncReader === undefined) {
    core.syncReader = openReader(core.options);
    core.ownsSyncReader = true;
  }
  let route: StatementRoute;
  try {
    const statement = core.syncReader.prepare(sql);
    route = {
      pool: statement.readonly && statement.returnsData && !PRAGMA.test(sql),
      returnsData: statement.returnsData,
    };
    statement.finalize?.();
  } catch {
    // Not preparable on a reader (a temp table, an attached database, a table not created
    // yet): the writer runs it, or reports the real error. Not remembered: a table created
    // later makes the same text a pool read.
    return { pool: false, returnsData: writerReturnsData(core.writer.connection, sql) };
  }
  if (known.size >= MAX_ROUTES) known.clear();
  known.set(sql, route);
  return route;
}

function writerReturnsData(
  connection: { prepare(sql: string): { returnsData: boolean; finalize?(): void } },
  sql: string,
): boolean {
  try {
    const statement = connection.prepare(sql);
    statement.finalize?.();
    return statement.returnsData;
  } catch {
    return false;
  }
}
