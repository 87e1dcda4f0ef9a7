import type { SqliteRow } from '@walkeeper/core';
import {
  checksum,
  MIGRATION_ROWS,
  NT_CHUNK,
  NT_STATEMENTS,
  payload,
} from './fixtures/crash-schema.mjs';

/** Runs a query on whatever connection the check was given (read-only, or walkeeper's pool). */
export type Query = (sql: string) => Promise<SqliteRow[]>;

export interface CheckReport {
  /** Everything wrong, in words; empty when the database is as it must be. */
  problems: string[];
  /** Reported (committed) transaction ids that are neither present nor deleted by a later one. */
  lost: number[];
  /** Transactions whose rows are there in part, or differ from what was written. */
  partial: number;
  /** Rows compared against what their transaction wrote (items, transaction rows, tombstones, migration rows). */
  rowsChecked: number;
  /** Migration versions applied, and no-transaction ones part way. */
  applied: number[];
  inProgress: number[];
}

function bytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length);
  throw new Error(`expected a BLOB, got ${typeof value}`);
}

async function tableNames(query: Query): Promise<Set<string>> {
  const rows = await query("SELECT name FROM sqlite_master WHERE type = 'table'");
  return new Set(rows.map((row) => String(row.name)));
}

/**
 * Checks a database the crash loop wrote, after a kill: SQLite's own integrity check, every
 * reported transaction present (or deleted by a later committed one, which left a tombstone),
 * every transaction whole (all its rows, byte for byte, and its checksum), the counters
 * consistent with the rows, and every migration applied entirely or not at all (no-transaction
 * ones exactly to their recorded position).
 */
export async function checkCrashDatabase(
  query: Query,
  reported: ReadonlySet<number>,
  migrationCount: number,
): Promise<CheckReport> {
  const problems: string[] = [];
  let rowsChecked = 0;
  let partial = 0;

  const integrity = await query('PRAGMA integrity_check');
  if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok') {
    problems.push(`integrity_check: ${JSON.stringify(integrity.slice(0, 5))}`);
  }

  const tables = await tableNames(query);
  const applied = tables.has('_walkeeper_migrations')
    ? (await query('SELECT version FROM _walkeeper_migrations ORDER BY version')).map((r) =>
        Number(r.version),
      )
    : [];
  const progress = new Map<number, number>();
  if (tables.has('_walkeeper_migrations_progress')) {
    for (const row of await query(
      'SELECT version, statements_done FROM _walkeeper_migrations_progress',
    ))
      progress.set(Number(row.version), Number(row.statements_done));
  }
  const appliedSet = new Set(applied);

  if (!appliedSet.has(1)) {
    // The very first child died before its base migration committed: nothing may be there.
    if (tables.has('txn')) problems.push('base tables exist but migration 1 is not recorded');
    const lost = [...reported];
    if (lost.length > 0) problems.push(`${lost.length} reported ids but no base schema`);
    return { problems, lost, partial, rowsChecked, applied, inProgress: [...progress.keys()] };
  }

  // Transactions: whole, or not there.
  const txns = await query('SELECT id, rows, checksum FROM txn ORDER BY id');
  const items = await query('SELECT txn_id, seq, payload FROM item ORDER BY txn_id, seq');
  const tombstones = await query('SELECT id, deleted_by FROM tombstone');
  const [counter] = await query('SELECT committed, live, items FROM counter');
  const itemsByTxn = new Map<number, SqliteRow[]>();
  for (const item of items) {
    const id = Number(item.txn_id);
    const list = itemsByTxn.get(id);
    if (list) list.push(item);
    else itemsByTxn.set(id, [item]);
  }
  const present = new Set<number>();
  for (const txn of txns) {
    const id = Number(txn.id);
    present.add(id);
    const own = itemsByTxn.get(id) ?? [];
    itemsByTxn.delete(id);
    const expected = Array.from({ length: Number(txn.rows) }, (_, i) => payload(id, i + 1));
    let whole = own.length === expected.length && checksum(expected) === txn.checksum;
    for (let i = 0; whole && i < own.length; i++) {
      whole = Number(own[i]!.seq) === i + 1 && bytes(own[i]!.payload).equals(expected[i]!);
    }
    rowsChecked += 1 + own.length;
    if (!whole) {
      partial++;
      problems.push(`transaction ${id}: ${own.length} of ${txn.rows} rows, or rows that differ`);
    }
  }
  for (const [id, orphans] of itemsByTxn) {
    partial++;
    problems.push(`transaction ${id}: ${orphans.length} rows visible without its transaction row`);
  }
  const deletedBy = new Map<number, number>();
  for (const tombstone of tombstones) {
    const id = Number(tombstone.id);
    deletedBy.set(id, Number(tombstone.deleted_by));
    rowsChecked++;
    if (present.has(id)) problems.push(`transaction ${id} is both present and deleted`);
  }
  for (const [id, by] of deletedBy) {
    // The deleting transaction wrote the tombstone, so it must be there itself (or deleted later).
    if (!present.has(by) && !deletedBy.has(by))
      problems.push(`tombstone of ${id} written by ${by}, which is not there`);
  }
  const lost = [...reported].filter((id) => !present.has(id) && !deletedBy.has(id));
  if (lost.length > 0) {
    problems.push(
      `${lost.length} committed transactions lost, e.g. ${lost.slice(0, 10).join(', ')}`,
    );
  }
  if (
    counter === undefined ||
    Number(counter.live) !== txns.length ||
    Number(counter.items) !== items.length ||
    Number(counter.committed) !== txns.length + tombstones.length
  ) {
    problems.push(
      `counter ${JSON.stringify(counter)} disagrees with ${txns.length} transactions, ` +
        `${items.length} items and ${tombstones.length} tombstones`,
    );
  }

  // Migrations: all or nothing, no-transaction ones exactly to their recorded position.
  for (let version = 2; version <= migrationCount; version++) {
    if (version % 2 === 0) {
      const table = `m_${version}`;
      const exists = tables.has(table);
      if (exists !== appliedSet.has(version)) {
        const recorded = appliedSet.has(version) ? 'applied' : 'not applied';
        problems.push(`migration ${version}: table ${exists ? 'exists' : 'missing'}, ${recorded}`);
      } else if (exists) {
        const [row] = await query(`SELECT count(*) AS n FROM ${table}`);
        rowsChecked += Number(row?.n);
        if (Number(row?.n) !== MIGRATION_ROWS)
          problems.push(`migration ${version}: ${row?.n} of ${MIGRATION_ROWS} rows`);
      }
    } else {
      const table = `nt_${version}`;
      const exists = tables.has(table);
      const done = appliedSet.has(version) ? NT_STATEMENTS + 1 : (progress.get(version) ?? 0);
      if (appliedSet.has(version) && progress.has(version))
        problems.push(`migration ${version}: applied and still in progress`);
      if (exists !== done >= 1) {
        problems.push(
          `migration ${version}: table ${exists ? 'exists' : 'missing'} after ${done} statements`,
        );
      } else if (exists) {
        const [row] = await query(`SELECT count(*) AS n FROM ${table}`);
        rowsChecked += Number(row?.n);
        if (Number(row?.n) !== (done - 1) * NT_CHUNK)
          problems.push(
            `migration ${version}: ${row?.n} rows after ${done} statements (expected ${(done - 1) * NT_CHUNK})`,
          );
      }
    }
  }
  return { problems, lost, partial, rowsChecked, applied, inProgress: [...progress.keys()] };
}
