import type { SqliteRow, WriteTransaction } from '@walkeeper/core';

/** What both tables say of a migration. */
interface MigrationRow {
  version: number;
  name: string;
  checksum: string | null;
}

/** A row of the migrations table: one applied migration. */
export interface AppliedRow extends MigrationRow {
  appliedAt: string;
  durationMs: number;
}

/** A no-transaction migration part way through: statements before `statementsDone` are in. */
export interface ProgressRow extends MigrationRow {
  statementsDone: number;
  /** SHA-256 of the statements already run, so a resume knows they have not changed. */
  doneChecksum: string;
  startedAt: string;
  updatedAt: string;
}

export interface HistoryState {
  applied: AppliedRow[];
  progress: ProgressRow[];
}

/**
 * The migrations table (`version, name, checksum, applied_at, duration_ms`) and, created only
 * when a no-transaction migration first runs, its `_progress` companion. The table name is
 * validated (letters, digits, _) before it gets here.
 */
export class History {
  readonly table: string;
  readonly progressTable: string;
  readonly #sql: HistorySql;

  constructor(table: string) {
    this.table = table;
    this.progressTable = `${table}_progress`;
    this.#sql = historySql(table, this.progressTable);
  }

  /** What is applied and what is part way, without creating anything. */
  readState(tx: WriteTransaction): HistoryState {
    const { main, progress } = this.#existing(tx);
    return {
      applied: main ? tx.all(this.#sql.applied).map(toApplied) : [],
      progress: progress ? tx.all(this.#sql.progress).map(toProgress) : [],
    };
  }

  ensure(tx: WriteTransaction): void {
    tx.run(this.#sql.create);
  }

  ensureProgress(tx: WriteTransaction): void {
    tx.run(this.#sql.createProgress);
  }

  /** The applied row of `version`; the table must exist (call `ensure` first). */
  applied(tx: WriteTransaction, version: number): AppliedRow | undefined {
    const row = tx.get(this.#sql.appliedOne, [version]);
    return row ? toApplied(row) : undefined;
  }

  /** The applied row of `version`, or undefined when the table does not even exist. */
  appliedIfAny(tx: WriteTransaction, version: number): AppliedRow | undefined {
    return this.#existing(tx).main ? this.applied(tx, version) : undefined;
  }

  newest(tx: WriteTransaction): number {
    return Number(tx.get(this.#sql.newest)?.version ?? 0);
  }

  record(tx: WriteTransaction, row: AppliedRow): void {
    tx.run(this.#sql.insert, [
      ...migrationParams(row),
      row.appliedAt,
      Math.round(row.durationMs * 1000) / 1000,
    ]);
  }

  remove(tx: WriteTransaction, version: number): void {
    tx.run(this.#sql.delete, [version]);
  }

  repair(tx: WriteTransaction, version: number, name: string, checksum: string | null): void {
    tx.run(this.#sql.repair, [name, checksum, version]);
  }

  progress(tx: WriteTransaction, version: number): ProgressRow | undefined {
    if (!this.#existing(tx).progress) return undefined;
    const row = tx.get(this.#sql.progressOne, [version]);
    return row ? toProgress(row) : undefined;
  }

  saveProgress(tx: WriteTransaction, row: ProgressRow): void {
    tx.run(this.#sql.saveProgress, [
      ...migrationParams(row),
      row.statementsDone,
      row.doneChecksum,
      row.startedAt,
      row.updatedAt,
    ]);
  }

  clearProgress(tx: WriteTransaction, version: number): void {
    if (this.#existing(tx).progress) tx.run(this.#sql.deleteProgress, [version]);
  }

  #existing(tx: WriteTransaction): { main: boolean; progress: boolean } {
    const names = tx.all(this.#sql.exists, [this.table, this.progressTable]).map((r) => r.name);
    return { main: names.includes(this.table), progress: names.includes(this.progressTable) };
  }
}

type HistorySql = ReturnType<typeof historySql>;

function historySql(table: string, progressTable: string) {
  const t = `"${table}"`;
  const p = `"${progressTable}"`;
  return {
    exists: "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
    create:
      `CREATE TABLE IF NOT EXISTS ${t} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, ` +
      'checksum TEXT, applied_at TEXT NOT NULL, duration_ms REAL NOT NULL)',
    createProgress:
      `CREATE TABLE IF NOT EXISTS ${p} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, ` +
      'checksum TEXT, statements_done INTEGER NOT NULL, done_checksum TEXT NOT NULL, ' +
      'started_at TEXT NOT NULL, updated_at TEXT NOT NULL)',
    applied: `SELECT version, name, checksum, applied_at, duration_ms FROM ${t} ORDER BY version`,
    appliedOne: `SELECT version, name, checksum, applied_at, duration_ms FROM ${t} WHERE version = ?`,
    newest: `SELECT max(version) AS version FROM ${t}`,
    insert: `INSERT INTO ${t} (version, name, checksum, applied_at, duration_ms) VALUES (?, ?, ?, ?, ?)`,
    delete: `DELETE FROM ${t} WHERE version = ?`,
    repair: `UPDATE ${t} SET name = ?, checksum = ? WHERE version = ?`,
    progress:
      'SELECT version, name, checksum, statements_done, done_checksum, started_at, updated_at ' +
      `FROM ${p} ORDER BY version`,
    progressOne:
      'SELECT version, name, checksum, statements_done, done_checksum, started_at, updated_at ' +
      `FROM ${p} WHERE version = ?`,
    saveProgress:
      `INSERT OR REPLACE INTO ${p} (version, name, checksum, statements_done, done_checksum, ` +
      'started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    deleteProgress: `DELETE FROM ${p} WHERE version = ?`,
  } as const;
}

/** The first three columns of both tables. */
function migrationParams(row: MigrationRow): [number, string, string | null] {
  return [row.version, row.name, row.checksum];
}

function toMigration(row: SqliteRow): MigrationRow {
  return {
    version: Number(row.version),
    name: String(row.name),
    checksum: row.checksum === null ? null : String(row.checksum),
  };
}

function toApplied(row: SqliteRow): AppliedRow {
  return {
    ...toMigration(row),
    appliedAt: String(row.applied_at),
    durationMs: Number(row.duration_ms),
  };
}

function toProgress(row: SqliteRow): ProgressRow {
  return {
    ...toMigration(row),
    statementsDone: Number(row.statements_done),
    doneChecksum: String(row.done_checksum),
    startedAt: String(row.started_at),
    updatedAt: String(row.updated_at),
  };
}
