import { existsSync } from 'node:fs';
import { openWalkeeper, type WalkeeperPlugin } from '@walkeeper/core';
import { describe, expect, test } from 'vitest';
import {
  MIGRATIONS_PLUGIN,
  type MigrationEvent,
  migrate,
  migrations,
  status,
} from '../src/index.js';
import { caught, driver, query, snapshot, workspace } from './support.js';

const NOTES = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n';

describe('the migrations() plugin', () => {
  test('migrates before other plugins and before reads open, and keeps its result', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0002_seed.sql': "INSERT INTO notes (body) VALUES ('hi');",
    });
    const seen: unknown[] = [];
    const app: WalkeeperPlugin = {
      name: 'app',
      dependencies: [MIGRATIONS_PLUGIN],
      setup: ({ walkeeper }) => {
        seen.push(walkeeper.write((tx) => tx.all('SELECT body FROM notes')));
      },
    };
    const events: string[] = [];
    const plugin = migrations({
      dir: w.dir,
      onProgress: (e: MigrationEvent) => events.push(`${e.type} ${e.version}`),
    });
    expect(plugin).toMatchObject({ name: 'migrations', enforce: 'pre' });
    expect(plugin.result).toBeUndefined();
    // Registered after the app: enforce 'pre' still puts it first.
    const wk = await openWalkeeper({ path: w.path, driver, plugins: [app, plugin] });
    try {
      expect(seen).toEqual([[{ body: 'hi' }]]);
      expect(events).toEqual(['start 1', 'applied 1', 'start 2', 'applied 2']);
      expect(plugin.result).toMatchObject({ ok: true, from: 0, to: 2 });
      expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 1 }]);
      // The API works on the open Walkeeper too.
      expect(await status(wk, { dir: w.dir })).toMatchObject({ current: 2, upToDate: true });
    } finally {
      await wk.close();
    }
    // Opening again finds nothing to do.
    const again = migrations({ dir: w.dir });
    await (await openWalkeeper({ path: w.path, driver, plugins: [again] })).close();
    expect(again.result).toMatchObject({ ok: true, direction: 'none', migrations: [] });
  });

  test('a failing migration fails the open and leaves the database byte-for-byte as it was', async () => {
    const w = workspace({ '0001_notes.sql': NOTES });
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    w.write({ '0002_bad.sql': 'CREATE TABLE tags (id INTEGER);\nINSERT INTO nowhere VALUES (1);' });
    const plugin = migrations({ dir: w.dir });
    const error = await caught(() => openWalkeeper({ path: w.path, driver, plugins: [plugin] }));
    expect(error.code).toBe('E_MIGRATION_FAILED');
    expect(error.message).toContain('0002_bad.sql');
    expect(error.details).toMatchObject({ version: 2, causeCode: 'SQLITE_ERROR' });
    expect(plugin.result).toMatchObject({ ok: false, to: 1 });
    expect(snapshot(w.path)).toBe(before);
  });

  test('a refusal fails the open with its code and changes nothing', async () => {
    const w = workspace({ '0001_notes.sql': NOTES });
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    w.write({ '0001_notes.sql': `${NOTES}-- edited\n` });
    const error = await caught(() =>
      openWalkeeper({ path: w.path, driver, plugins: [migrations({ dir: w.dir })] }),
    );
    expect(error.code).toBe('E_MIGRATION_CHECKSUM');
    expect(snapshot(w.path)).toBe(before);
  });

  test('bad options throw E_CONFIG when the plugin is made', async () => {
    for (const options of [
      {},
      { dir: 1 },
      { dir: 'x', table: '1x' },
      { dir: 'x', to: 1 },
      { dir: 'x', onProgress: 1 },
    ]) {
      expect((await caught(() => migrations(options as never))).code).toBe('E_CONFIG');
    }
  });

  test('another table keeps a separate set, under its own plugin name', async () => {
    const w = workspace({ '0001_notes.sql': NOTES });
    const extra = migrations({
      migrations: [{ version: 1, name: 'audit', up: 'CREATE TABLE audit (at INTEGER);' }],
      table: 'audit_migrations',
    });
    expect(extra.name).toBe('migrations:audit_migrations');
    const wk = await openWalkeeper({
      path: w.path,
      driver,
      plugins: [migrations({ dir: w.dir }), extra],
    });
    await wk.close();
    expect(query(w.path, 'SELECT version, name FROM _walkeeper_migrations')).toEqual([
      { version: 1, name: 'notes' },
    ]);
    expect(query(w.path, 'SELECT version, name FROM audit_migrations')).toEqual([
      { version: 1, name: 'audit' },
    ]);
  });
});

describe('migrations as objects', () => {
  test('up as SQL text or a function of the write transaction, down likewise', async () => {
    const w = workspace();
    const list = [
      { version: 1, name: 'notes', up: NOTES, down: 'DROP TABLE notes;' },
      {
        version: 2,
        name: 'seed',
        up: (tx: { run(sql: string, params?: unknown[]): unknown }) => {
          for (const body of ['a', 'b']) tx.run('INSERT INTO notes (body) VALUES (?)', [body]);
        },
        down: (tx: { run(sql: string): unknown }) => tx.run('DELETE FROM notes'),
      },
    ];
    const wk = await openWalkeeper({
      path: w.path,
      driver,
      plugins: [migrations({ migrations: list })],
    });
    try {
      expect(await wk.read('SELECT body FROM notes ORDER BY id')).toEqual([
        { body: 'a' },
        { body: 'b' },
      ]);
      const recorded = wk.write((tx) =>
        tx.all('SELECT version, checksum FROM _walkeeper_migrations'),
      );
      // A function has no text to checksum.
      expect(recorded).toEqual([
        { version: 1, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { version: 2, checksum: null },
      ]);
      const down = await migrate(wk, { migrations: list, to: 1 });
      expect(down.migrations).toMatchObject([{ version: 2, direction: 'down', status: 'applied' }]);
      expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 0 }]);
    } finally {
      await wk.close();
    }
  });

  test('a function is held to the same rules as a file, and may not be async', async () => {
    const w = workspace();
    const pragma = await migrate(w.target, {
      migrations: [
        {
          version: 1,
          name: 'sneaky',
          up: (tx) => {
            tx.exec('CREATE TABLE t (x INTEGER)');
            tx.exec('PRAGMA foreign_keys = OFF');
          },
        },
      ],
    });
    expect(pragma.error).toMatchObject({
      code: 'E_MIGRATION_FAILED',
      details: { version: 1, causeCode: 'E_MIGRATION_INVALID' },
    });
    expect(pragma.error?.message).toContain('PRAGMA foreign_keys');
    const asynchronous = await migrate(w.target, {
      migrations: [
        {
          version: 1,
          name: 'later',
          up: ((tx: { exec(sql: string): void }) => {
            tx.exec('CREATE TABLE t (x INTEGER)');
            return Promise.resolve();
          }) as never,
        },
      ],
    });
    expect(asynchronous.error?.details?.causeCode).toBe('E_ASYNC_WRITE');
    // Both rolled back: no table t, not even the migrations table the first step created.
    expect(query(w.path, 'SELECT name FROM sqlite_master')).toEqual([]);
  });

  test('invalid objects and duplicate versions are E_MIGRATION_INVALID', async () => {
    const w = workspace();
    const bad: unknown[] = [
      [{ version: 0, name: 'a', up: 'SELECT 1;' }],
      [{ version: 1, name: '', up: 'SELECT 1;' }],
      [{ version: 1, name: 'a' }],
      [{ version: 1, name: 'a', up: 42 }],
      [{ version: 1, name: 'a', up: 'SELECT 1;', foreignKeys: 'on' }],
      [{ version: 1, name: 'a', up: 'SELECT 1;', extra: true }],
      [
        { version: 1, name: 'a', up: 'SELECT 1;' },
        { version: 1, name: 'b', up: 'SELECT 2;' },
      ],
    ];
    for (const list of bad) {
      const error = await caught(() => migrate(w.target, { migrations: list as never }));
      expect(error.code, JSON.stringify(list)).toBe('E_MIGRATION_INVALID');
    }
    expect(existsSync(w.path)).toBe(false);
  });
});
