import { isSqliteError, type SqliteConnection } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { nodeSqlite } from '../src/index.js';
import { resultCodeName } from '../src/result-codes.js';

const opened: SqliteConnection[] = [];
function open(driver = nodeSqlite()): SqliteConnection {
  const db = driver.open(tempDatabasePath('walkeeper-node-sqlite-'));
  opened.push(db);
  db.exec(`
    PRAGMA journal_mode = WAL;
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score INTEGER);
    CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER, body TEXT);
  `);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isSqliteError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a SqliteError');
}

describe('readonly', () => {
  // What sqlite3_stmt_readonly answers for each, as better-sqlite3's `statement.readonly`
  // reported it (SQLite 3.53.2): the EXPLAIN reading must agree on every one.
  const CASES: [string, boolean][] = [
    ['SELECT id, name, score FROM items WHERE id = ?', true],
    ['SELECT 1', true],
    ['INSERT INTO events (at, body) VALUES (?, ?)', false],
    [
      "WITH x(a) AS (SELECT 1) INSERT INTO events (at, body) SELECT a, 'b' FROM x RETURNING id",
      false,
    ],
    ['DELETE FROM events WHERE id = ?', false],
    ['CREATE TABLE IF NOT EXISTS items (id)', false],
    ['PRAGMA foreign_keys = ON', true],
    ['PRAGMA user_version', true],
    ['PRAGMA user_version = 5', false],
    ['PRAGMA journal_mode = WAL', false],
    ['PRAGMA wal_checkpoint(PASSIVE)', false],
    ['PRAGMA optimize', true],
    ['BEGIN', true],
    ['BEGIN IMMEDIATE', false],
    ['COMMIT', true],
    ['SAVEPOINT a', true],
    ["ATTACH ':memory:' AS aux", true],
    ['ANALYZE', false],
    ['VACUUM', false],
  ];
  for (const [sql, readonly] of CASES) {
    test(`${sql} → ${readonly}`, () => {
      expect(open().prepare(sql).readonly).toBe(readonly);
    });
  }

  test('a statement that cannot be explained counts as a writer', () => {
    expect(open().prepare('EXPLAIN SELECT 1').readonly).toBe(false);
  });
});

describe('rows', () => {
  test('are plain objects, as better-sqlite3 and bun:sqlite give them', () => {
    const db = open();
    db.prepare('INSERT INTO items (name, score) VALUES (?, ?)').run(['a', 1]);
    const row = db.prepare('SELECT * FROM items').get();
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(row).toStrictEqual({ id: 1, name: 'a', score: 1 });
    expect(Object.getPrototypeOf(db.pragma('user_version')[0])).toBe(Object.prototype);
  });

  test('follow a cached SELECT * when a column is added', () => {
    const db = open();
    db.prepare('INSERT INTO items (name, score) VALUES (?, ?)').run(['a', 1]);
    const select = db.prepare('SELECT * FROM items');
    expect(select.get()).toEqual({ id: 1, name: 'a', score: 1 });
    db.exec('ALTER TABLE items ADD COLUMN note TEXT');
    expect(select.all()).toEqual([{ id: 1, name: 'a', score: 1, note: null }]);
  });

  test('integers are numbers by default and bigints with readBigInts', () => {
    const big = 2n ** 60n;
    const plain = open();
    plain.prepare('INSERT INTO items (id, score) VALUES (?, ?)').run([1, 7]);
    expect(plain.prepare('SELECT score FROM items').get()).toEqual({ score: 7 });
    const db = open(nodeSqlite({ readBigInts: true }));
    const result = db.prepare('INSERT INTO items (id, score) VALUES (?, ?)').run([5, big]);
    expect(result).toEqual({ changes: 1, lastInsertRowid: 5n });
    expect(db.prepare('SELECT id, score FROM items').get()).toEqual({ id: 5n, score: big });
  });
});

describe('errors', () => {
  test('carry the extended result code by name', () => {
    const db = open();
    db.prepare('INSERT INTO items (name) VALUES (?)').run(['a']);
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    expect(codeOf(() => insert.run(['a']))).toBe('SQLITE_CONSTRAINT_UNIQUE');
    db.exec('CREATE TABLE strict_t (n INTEGER NOT NULL) STRICT');
    expect(codeOf(() => db.prepare('INSERT INTO strict_t VALUES (NULL)').run())).toBe(
      'SQLITE_CONSTRAINT_NOTNULL',
    );
    expect(codeOf(() => db.prepare('INSERT INTO strict_t VALUES (?)').run(['x']))).toBe(
      'SQLITE_CONSTRAINT_DATATYPE',
    );
    expect(codeOf(() => db.exec('SELECT * FROM missing'))).toBe('SQLITE_ERROR');
  });

  test('that are not SQLite’s pass through as they are', () => {
    const db = open();
    const statement = db.prepare('SELECT ? AS v');
    let caught: unknown;
    try {
      statement.get([Symbol('not bindable')]);
    } catch (error) {
      caught = error;
    }
    expect(isSqliteError(caught)).toBe(false);
    expect((caught as { code?: unknown }).code).toMatch(/^ERR_/);
  });

  test('names map from sqlite3.h, with the primary name for an unknown extension', () => {
    expect(resultCodeName(5)).toBe('SQLITE_BUSY');
    expect(resultCodeName(517)).toBe('SQLITE_BUSY_SNAPSHOT');
    expect(resultCodeName(2067)).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(resultCodeName(4874)).toBe('SQLITE_IOERR_SHMSIZE');
    expect(resultCodeName(19 | (99 << 8))).toBe('SQLITE_CONSTRAINT');
  });
});
