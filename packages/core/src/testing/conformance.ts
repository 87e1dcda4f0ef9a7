import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { SqliteConnection, SqliteDriver, SqliteDriverModule } from '../driver.js';
import { isSqliteError } from '../driver.js';
import { tempDatabasePath } from './temp-database.js';

/**
 * The test functions of whatever runner runs the suite: vitest's, `bun:test`'s or
 * `node:test`'s all fit, so one suite serves every runtime.
 */
export interface ConformanceApi {
  describe(name: string, fn: () => void): void;
  test(name: string, fn: () => void | Promise<void>): void;
}

function expectSqliteError(fn: () => unknown, code: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught !== undefined,
    `expected a SqliteError matching ${code}, but nothing was thrown`,
  );
  if (!isSqliteError(caught)) assert.fail(`expected a SqliteError, got ${String(caught)}`);
  assert.match(caught.code, code);
}

/**
 * The shared conformance suite every driver adapter passes (as db0's `testConnector`):
 * `testDriver(betterSqlite3(), { describe, test })` is an adapter's whole test file.
 */
export function testDriver(driver: SqliteDriver, { describe, test }: ConformanceApi): void {
  const open = (): { db: SqliteConnection; path: string } => {
    const path = tempDatabasePath('walkeeper-conformance-');
    const db = driver.open(path);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, data BLOB)');
    return { db, path };
  };

  describe(`driver conformance: ${driver.name}`, () => {
    test('declares specification v1, a name and a worker module', async () => {
      assert.equal(driver.specificationVersion, 'v1');
      assert.equal(typeof driver.name, 'string');
      const mod = (await import(driver.module)) as SqliteDriverModule;
      assert.equal(typeof mod.createDriver, 'function');
      const rebuilt = mod.createDriver(structuredClone(driver.options));
      assert.equal(rebuilt.name, driver.name);
      assert.equal(rebuilt.specificationVersion, 'v1');
    });

    test('run() reports changes and lastInsertRowid', () => {
      const { db } = open();
      const result = db.prepare('INSERT INTO t (name) VALUES (?)').run(['a']);
      assert.equal(result.changes, 1);
      assert.equal(Number(result.lastInsertRowid), 1);
      db.close();
    });

    test('get() returns undefined, not null, when there is no row', () => {
      const { db } = open();
      assert.equal(db.prepare('SELECT * FROM t WHERE id = ?').get([42]), undefined);
      db.close();
    });

    test('binds positional arrays and bare named objects for @, : and $ prefixes', () => {
      const { db } = open();
      db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').run([1, 'one']);
      db.prepare('INSERT INTO t (id, name) VALUES (@id, @name)').run({ id: 2, name: 'two' });
      db.prepare('INSERT INTO t (id, name) VALUES (:id, :name)').run({ id: 3, name: 'three' });
      db.prepare('INSERT INTO t (id, name) VALUES ($id, $name)').run({ id: 4, name: 'four' });
      const rows = db.prepare('SELECT id, name FROM t ORDER BY id').all();
      assert.deepEqual(rows, [
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
        { id: 3, name: 'three' },
        { id: 4, name: 'four' },
      ]);
      assert.deepEqual(db.prepare('SELECT name FROM t WHERE id = :id').get({ id: 3 }), {
        name: 'three',
      });
      db.close();
    });

    test('round-trips text, integers, reals, null and blobs', () => {
      const { db } = open();
      const blob = new Uint8Array([0, 1, 2, 255]);
      db.prepare('INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?)').run([
        7,
        'héllo ✓',
        1.5,
        blob,
      ]);
      db.prepare('INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?)').run([
        8,
        '',
        null,
        null,
      ]);
      const [first, second] = db.prepare('SELECT * FROM t ORDER BY id').all();
      assert.equal(first?.name, 'héllo ✓');
      assert.equal(first?.score, 1.5);
      assert.deepEqual(new Uint8Array(first?.data as Uint8Array), blob);
      assert.equal(second?.score, null);
      assert.equal(second?.data, null);
      db.close();
    });

    test('iterate() yields every row lazily', () => {
      const { db } = open();
      const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
      for (const name of ['a', 'b', 'c']) insert.run([name]);
      const names: unknown[] = [];
      for (const row of db.prepare('SELECT name FROM t ORDER BY id').iterate())
        names.push(row.name);
      assert.deepEqual(names, ['a', 'b', 'c']);
      db.close();
    });

    test('returnsData tells queries from statements', () => {
      const { db } = open();
      assert.equal(db.prepare('SELECT 1').returnsData, true);
      assert.equal(db.prepare('INSERT INTO t (name) VALUES (?)').returnsData, false);
      assert.equal(db.prepare('INSERT INTO t (name) VALUES (?) RETURNING id').returnsData, true);
      db.close();
    });

    test('pragma() returns rows', () => {
      const { db } = open();
      assert.deepEqual(db.pragma('journal_mode = WAL'), [{ journal_mode: 'wal' }]);
      assert.deepEqual(db.pragma('user_version'), [{ user_version: 0 }]);
      db.pragma('user_version = 5');
      assert.deepEqual(db.pragma('user_version'), [{ user_version: 5 }]);
      const checkpoint = db.pragma('wal_checkpoint(PASSIVE)')[0];
      assert.deepEqual(Object.keys(checkpoint ?? {}).sort(), ['busy', 'checkpointed', 'log']);
      db.close();
    });

    test('inTransaction follows BEGIN, COMMIT and ROLLBACK', () => {
      const { db } = open();
      assert.equal(db.inTransaction, false);
      db.exec('BEGIN IMMEDIATE');
      assert.equal(db.inTransaction, true);
      db.exec('COMMIT');
      assert.equal(db.inTransaction, false);
      db.exec('BEGIN');
      db.exec('ROLLBACK');
      assert.equal(db.inTransaction, false);
      db.close();
    });

    test('errors are SqliteError with SQLite code names', () => {
      const { db } = open();
      db.prepare('INSERT INTO t (id, name) VALUES (1, ?)').run(['x']);
      expectSqliteError(
        () => db.prepare('INSERT INTO t (id, name) VALUES (1, ?)').run(['y']),
        /^SQLITE_CONSTRAINT/,
      );
      expectSqliteError(
        () => db.prepare('INSERT INTO t (id) VALUES (2)').run(),
        /^SQLITE_CONSTRAINT/,
      );
      expectSqliteError(() => db.prepare('SELEC nonsense'), /^SQLITE_ERROR/);
      db.close();
    });

    test('a second writer gets SQLITE_BUSY when the lock is held', () => {
      const { db, path } = open();
      db.pragma('journal_mode = WAL');
      const other = driver.open(path);
      other.pragma('busy_timeout = 0');
      db.exec('BEGIN IMMEDIATE');
      expectSqliteError(() => other.exec('BEGIN IMMEDIATE'), /^SQLITE_BUSY/);
      db.exec('COMMIT');
      other.close();
      db.close();
    });

    test('readonly connections refuse writes with SQLITE_READONLY', () => {
      const { db, path } = open();
      db.pragma('journal_mode = WAL');
      const reader = driver.open(path, { readonly: true });
      assert.deepEqual(reader.prepare('SELECT count(*) AS n FROM t').get(), { n: 0 });
      expectSqliteError(
        () => reader.prepare('INSERT INTO t (name) VALUES (?)').run(['x']),
        /^SQLITE_READONLY/,
      );
      reader.close();
      db.close();
    });

    test('fileMustExist refuses to create a database', () => {
      const path = tempDatabasePath('walkeeper-conformance-');
      expectSqliteError(() => driver.open(path, { fileMustExist: true }), /^SQLITE_CANTOPEN/);
      assert.equal(existsSync(path), false);
    });

    test('raw is the native handle and close() closes it', () => {
      const { db } = open();
      assert.equal(typeof db.raw, 'object');
      assert.notEqual(db.raw, null);
      db.close();
      assert.throws(() => db.prepare('SELECT 1').get());
    });
  });
}
