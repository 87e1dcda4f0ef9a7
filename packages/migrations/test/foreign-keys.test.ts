import { openWalkeeper } from '@walkeeper/core';
import { describe, expect, test } from 'vitest';
import { migrate, migrations } from '../src/index.js';
import { caught, driver, query, snapshot, workspace } from './support.js';

const SCHEMA = `CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
  title TEXT NOT NULL
);
INSERT INTO authors (id, name) VALUES (1, 'Le Guin'), (2, 'Lem');
INSERT INTO books (author_id, title) VALUES (1, 'The Dispossessed'), (1, 'Lathe of Heaven'), (2, 'Solaris');
`;

/** SQLite's 12-step rebuild of `authors`, the table `books` points at. */
const REBUILD = `CREATE TABLE new_authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born INTEGER);
INSERT INTO new_authors (id, name) SELECT id, name FROM authors;
DROP TABLE authors;
ALTER TABLE new_authors RENAME TO authors;
`;

const fkOff = (sql: string) => `-- walkeeper:foreign-keys=off\n${sql}`;

describe('-- walkeeper:foreign-keys=off: the 12-step table rebuild', () => {
  test('on an open Walkeeper with foreign keys on: children survive, keys still enforced', async () => {
    const w = workspace({ '0001_schema.sql': SCHEMA, '0002_rebuild_authors.sql': fkOff(REBUILD) });
    const wk = await openWalkeeper({ path: w.path, driver, plugins: [migrations({ dir: w.dir })] });
    try {
      const books = wk.write((tx) => tx.all('SELECT author_id, title FROM books ORDER BY id'));
      expect(books).toHaveLength(3);
      const columns = wk.write((tx) => tx.all<{ name: string }>('PRAGMA table_info(authors)'));
      expect(columns.map((c) => c.name)).toEqual(['id', 'name', 'born']);
      // The writer's own setting was never touched, and the key still points at the new table.
      expect(wk.write((tx) => tx.get('PRAGMA foreign_keys'))).toEqual({ foreign_keys: 1 });
      const orphan = await caught(() =>
        wk.write((tx) => tx.run("INSERT INTO books (author_id, title) VALUES (99, 'x')")),
      );
      expect(orphan.code).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
      wk.write((tx) => tx.run('DELETE FROM authors WHERE id = 2'));
      expect(wk.write((tx) => tx.all('SELECT title FROM books'))).toHaveLength(2);
    } finally {
      await wk.close();
    }
  });

  test('without the directive the same file silently wipes the child table', async () => {
    // Why the directive exists: with foreign keys on, DROP TABLE deletes the parent's rows
    // first, and ON DELETE CASCADE deletes every book with them.
    const w = workspace({ '0001_schema.sql': SCHEMA, '0002_rebuild_authors.sql': REBUILD });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.ok).toBe(true);
    expect(query(w.path, 'SELECT count(*) AS n FROM books')).toEqual([{ n: 0 }]);
  });

  test('on a plain connection: foreign keys are back on for the next migration', async () => {
    const w = workspace({
      '0001_schema.sql': SCHEMA,
      '0002_rebuild_authors.sql': fkOff(REBUILD),
      '0003_orphan.sql': "INSERT INTO books (author_id, title) VALUES (99, 'orphan');",
    });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.migrations.map((m) => [m.version, m.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'failed'],
    ]);
    expect(result.error?.sqliteCode).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
    expect(query(w.path, 'SELECT count(*) AS n FROM books')).toEqual([{ n: 3 }]);
  });

  test('a rebuild that leaves broken keys fails the foreign key check and rolls back', async () => {
    const w = workspace({ '0001_schema.sql': SCHEMA });
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    w.write({
      '0002_rebuild_authors.sql': fkOff(`${REBUILD}DELETE FROM authors WHERE id = 1;\n`),
    });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.ok).toBe(false);
    const error = result.error!;
    expect(error.code).toBe('E_MIGRATION_FAILED');
    expect(error.message).toContain('0002_rebuild_authors.sql');
    expect(error.message).toContain('foreign_key_check found 2 row(s)');
    expect(error.details?.violations).toEqual([
      { table: 'books', rowid: 1, parent: 'authors', fkid: 0 },
      { table: 'books', rowid: 2, parent: 'authors', fkid: 0 },
    ]);
    expect(snapshot(w.path)).toBe(before);
  });

  test('a Walkeeper keeps foreign keys on after a failed rebuild', async () => {
    const w = workspace({ '0001_schema.sql': SCHEMA });
    await migrate(w.target, { dir: w.dir });
    w.write({ '0002_bad.sql': fkOff('DELETE FROM authors WHERE id = 2;') });
    const error = await caught(() =>
      openWalkeeper({ path: w.path, driver, plugins: [migrations({ dir: w.dir })] }),
    );
    expect(error.code).toBe('E_MIGRATION_FAILED');
    const wk = await openWalkeeper({ path: w.path, driver });
    try {
      // A function migration with foreignKeys: 'off' takes the same path. Migration 1 was
      // applied from a file; the same text given inline has the same checksum.
      const rebuilt = await migrate(wk, {
        migrations: [
          { version: 1, name: 'schema', up: SCHEMA },
          { version: 2, name: 'rebuild', foreignKeys: 'off', up: (tx) => tx.exec(REBUILD) },
        ],
      });
      expect(rebuilt.ok).toBe(true);
      expect(wk.write((tx) => tx.get('PRAGMA foreign_keys'))).toEqual({ foreign_keys: 1 });
      expect(wk.write((tx) => tx.get('SELECT count(*) AS n FROM books'))).toEqual({ n: 3 });
    } finally {
      await wk.close();
    }
  });

  test('a no-transaction file that turns them off leaves them on for the next migration', async () => {
    const w = workspace({
      '0001_schema.sql': SCHEMA,
      '0002_loose.sql': '-- walkeeper:no-transaction\nPRAGMA foreign_keys = OFF;\nSELECT 1;',
      '0003_orphan.sql': "INSERT INTO books (author_id, title) VALUES (99, 'orphan');",
    });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.migrations.map((m) => m.status)).toEqual(['applied', 'applied', 'failed']);
    expect(result.error?.sqliteCode).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
  });
});
