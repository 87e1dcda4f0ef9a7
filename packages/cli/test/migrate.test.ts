import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { filesBeside, newPath, rollbackDatabase, walkeeper } from './support.js';

/** A database and a directory of two reversible migrations beside it. */
function project(): {
  db: string;
  dir: string;
  args: (command: string, ...rest: string[]) => string[];
} {
  const db = newPath();
  rollbackDatabase(db);
  const dir = join(dirname(db), 'migrations');
  mkdirSync(dir);
  writeFileSync(
    join(dir, '0001_notes.sql'),
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n',
  );
  writeFileSync(join(dir, '0001_notes.down.sql'), 'DROP TABLE notes;\n');
  writeFileSync(join(dir, '0002_tags.sql'), 'CREATE TABLE tags (note_id INTEGER, label TEXT);\n');
  writeFileSync(join(dir, '0002_tags.down.sql'), 'DROP TABLE tags;\n');
  return {
    db,
    dir,
    args: (command, ...rest) => ['migrate', command, '--db', db, '--dir', dir, ...rest],
  };
}

function tables(db: string): string[] {
  const connection = new Database(db, { readonly: true });
  try {
    return connection
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name",
      )
      .pluck()
      .all() as string[];
  } finally {
    connection.close();
  }
}

describe('walkeeper migrate', () => {
  test('status and plan change nothing; up applies; then status is up to date', () => {
    const { db, args } = project();
    const pending = walkeeper(args('status'));
    expect(pending.code).toBe(1);
    expect(pending.stdout).toMatch(/version 0, newest 2, 2 pending/);
    expect(pending.stdout).toMatch(/pending +1 notes/);

    const plan = walkeeper(args('plan'));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('up from version 0 to 2');
    expect(plan.stdout).toMatch(/up +1 notes \(0001_notes\.sql\)/);
    expect(tables(db)).toEqual(['t']);

    const up = walkeeper(args('up'));
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^migrate up .*: version 0 -> 2, 2 applied, in /);
    expect(up.stdout).toMatch(/applied +up +1 notes \(0001_notes\.sql\)/);
    expect(tables(db)).toEqual(['notes', 't', 'tags']);

    const current = walkeeper(args('status', '--json'));
    expect(current.code).toBe(0);
    expect(JSON.parse(current.stdout)).toMatchObject({
      current: 2,
      latest: 2,
      pending: 0,
      upToDate: true,
    });
    expect(walkeeper(args('plan')).stdout).toContain('nothing to do, at version 2');
  });

  test('down undoes the newest by default, --to 0 undoes all; --json has the structured result', () => {
    const { db, args } = project();
    expect(walkeeper(args('up')).code).toBe(0);
    const down = walkeeper(args('down', '--json'));
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({
      ok: true,
      direction: 'down',
      from: 2,
      to: 1,
      migrations: [{ version: 2, name: 'tags', direction: 'down', status: 'applied' }],
    });
    expect(tables(db)).toEqual(['notes', 't']);
    const all = walkeeper(args('down', '--to', '0'));
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/version 1 -> 0, 1 applied/);
    expect(tables(db)).toEqual(['t']);
    const nothing = walkeeper(args('down'));
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('nothing to do');
  });

  test('up --to stops at a version; --dry-run changes nothing', () => {
    const { db, args } = project();
    const dry = JSON.parse(walkeeper(args('up', '--dry-run', '--json')).stdout);
    expect(dry).toMatchObject({ ok: true, dryRun: true, to: 2 });
    expect(dry.migrations.map((m: { status: string }) => m.status)).toEqual(['pending', 'pending']);
    expect(tables(db)).toEqual(['t']);
    expect(walkeeper(args('up', '--to', '1')).code).toBe(0);
    expect(tables(db)).toEqual(['notes', 't']);
  });

  test('a failing migration is rolled back and reported: exit 1', () => {
    const { db, dir, args } = project();
    writeFileSync(join(dir, '0003_broken.sql'), 'CREATE TABLE ok (x);\nCREATE TABLEE nope (x);\n');
    const run = walkeeper(args('up'));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/2 applied, 1 failed/);
    expect(run.stdout).toMatch(/failed +up +3 broken \(0003_broken\.sql\)/);
    expect(run.stdout).toContain('E_MIGRATION_FAILED');
    expect(run.stdout).toMatch(/rolled back.*near "TABLEE": syntax error/);
    expect(tables(db)).toEqual(['notes', 't', 'tags']);
    const json = JSON.parse(walkeeper(args('up', '--json')).stdout);
    expect(json).toMatchObject({
      ok: false,
      error: {
        code: 'E_MIGRATION_FAILED',
        cause: { message: expect.stringContaining('syntax error') },
      },
    });
  });

  test('a changed applied migration is refused: exit 1, nothing runs', () => {
    const { dir, args } = project();
    expect(walkeeper(args('up', '--to', '1')).code).toBe(0);
    writeFileSync(join(dir, '0001_notes.sql'), 'CREATE TABLE notes (id INTEGER PRIMARY KEY);\n');
    const status = walkeeper(args('status'));
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/changed +1 notes/);
    expect(status.stdout).toContain('E_MIGRATION_CHECKSUM');
    const up = walkeeper(args('up', '--json'));
    expect(up.code).toBe(1);
    expect(JSON.parse(up.stdout)).toMatchObject({
      ok: false,
      error: { code: 'E_MIGRATION_CHECKSUM' },
    });
    expect(up.stderr).toMatch(/^walkeeper: .*0001_notes\.sql/);
  });

  test('bad targets are usage errors: exit 2', () => {
    const { db, dir, args } = project();
    expect(walkeeper(args('up', '--to', '7')).code).toBe(2);
    expect(walkeeper(args('up')).code).toBe(0);
    const below = walkeeper(args('up', '--to', '1'));
    expect(below.code).toBe(2);
    expect(below.stderr).toBe(
      'walkeeper: --to 1 is below the current version 2: use `walkeeper migrate down --to 1`\n',
    );
    const above = walkeeper(['migrate', 'down', '--db', db, '--dir', dir, '--to', '5']);
    expect(above.code).toBe(2);
    expect(above.stderr).toContain('--to 5 is above the current version 2');
    const noDir = walkeeper(['migrate', 'status', '--db', db, '--dir', join(dir, 'nope')]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toBe(
      `walkeeper: the migrations directory ${join(dir, 'nope')} does not exist\n`,
    );
    const fileAsDir = walkeeper(['migrate', 'plan', '--db', db, '--dir', db]);
    expect(fileAsDir.code).toBe(2);
    expect(fileAsDir.stderr).toBe(`walkeeper: ${db} is not a directory\n`);
    expect(filesBeside(db)).toEqual(['migrations', 'test.db']);
  });
});
