import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { migrate, plan, repair, status } from '../src/index.js';
import { CHILD, childEnv } from './child.js';
import { caught, query, snapshot, workspace } from './support.js';

const LOG = 'CREATE TABLE log (step INTEGER NOT NULL);\n';

/** A no-transaction migration of `n` statements, each logging its number. */
const steps = (n: number, broken?: number) =>
  [
    '-- walkeeper:no-transaction',
    ...Array.from({ length: n }, (_, i) =>
      i + 1 === broken
        ? `INSERT INTO no_such_table VALUES (${i + 1});`
        : `INSERT INTO log (step) VALUES (${i + 1});`,
    ),
  ].join('\n');

const logged = (path: string) =>
  query<{ step: number }>(path, 'SELECT step FROM log ORDER BY rowid').map((r) => r.step);

describe('-- walkeeper:no-transaction', () => {
  test('runs statement by statement, VACUUM and PRAGMA included', async () => {
    const w = workspace({
      '0001_log.sql': LOG,
      '0002_compact.sql': `-- walkeeper:no-transaction
-- VACUUM cannot run in a transaction; PRAGMA foreign_keys only works outside one.
INSERT INTO log (step) VALUES (1);
DELETE FROM log;
VACUUM;
PRAGMA foreign_keys = OFF;
INSERT INTO log (step) VALUES (2);
`,
    });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.ok).toBe(true);
    expect(result.migrations[1]).toMatchObject({
      version: 2,
      status: 'applied',
      statements: 5,
      resumedAt: 1,
    });
    expect(logged(w.path)).toEqual([2]);
    expect(query(w.path, 'SELECT version FROM _walkeeper_migrations')).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    expect(query(w.path, 'SELECT * FROM _walkeeper_migrations_progress')).toEqual([]);
  });

  test('a failing statement keeps the ones before; the fixed file resumes at it', async () => {
    const w = workspace({ '0001_log.sql': LOG, '0002_fill.sql': steps(4, 3) });
    const failed = await migrate(w.target, { dir: w.dir });
    expect(failed.ok).toBe(false);
    expect(failed.error?.code).toBe('E_MIGRATION_FAILED');
    expect(failed.error?.details).toMatchObject({
      version: 2,
      statement: 3,
      statements: 4,
      line: 4,
    });
    expect(failed.error?.message).toContain('statement 3 of 4');
    expect(failed.error?.message).toContain('statements 1-2 are applied and recorded');
    expect(logged(w.path)).toEqual([1, 2]);

    const report = await status(w.target, { dir: w.dir });
    expect(report.migrations[1]).toMatchObject({
      version: 2,
      state: 'partial',
      statementsDone: 2,
      statements: 4,
    });
    expect((await plan(w.target, { dir: w.dir })).steps[0]).toMatchObject({ resumeAt: 3 });

    // Statements not run yet may be edited: the fix needs no repair.
    w.write({ '0002_fill.sql': steps(4) });
    const resumed = await migrate(w.target, { dir: w.dir });
    expect(resumed.migrations).toMatchObject([{ version: 2, status: 'applied', resumedAt: 3 }]);
    expect(logged(w.path)).toEqual([1, 2, 3, 4]);
    expect((await status(w.target, { dir: w.dir })).upToDate).toBe(true);
  });

  test('editing a statement that already ran is refused: E_MIGRATION_CHECKSUM, unless repaired', async () => {
    const w = workspace({ '0001_log.sql': LOG, '0002_fill.sql': steps(3, 3) });
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    w.write({ '0002_fill.sql': steps(3).replace('VALUES (1)', 'VALUES (10)') });
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.code).toBe('E_MIGRATION_CHECKSUM');
    expect(error.details).toMatchObject({
      reason: 'partial-changed',
      version: 2,
      statementsDone: 2,
    });
    expect(snapshot(w.path)).toBe(before);
    // Removing the directive from a part-way file is a change too.
    w.write({ '0002_fill.sql': steps(3).replace('-- walkeeper:no-transaction\n', '') });
    expect((await caught(() => migrate(w.target, { dir: w.dir }))).code).toBe(
      'E_MIGRATION_CHECKSUM',
    );
    expect(snapshot(w.path)).toBe(before);

    w.write({ '0002_fill.sql': steps(3).replace('VALUES (1)', 'VALUES (10)') });
    const repaired = await repair(w.target, { dir: w.dir });
    expect(repaired.repaired).toMatchObject([{ version: 2, kind: 'partial' }]);
    const resumed = await migrate(w.target, { dir: w.dir });
    expect(resumed.migrations).toMatchObject([{ version: 2, status: 'applied', resumedAt: 3 }]);
    expect(logged(w.path)).toEqual([1, 2, 3]);
  });

  test('a process killed part way leaves a position the next run resumes from', async () => {
    const w = workspace({ '0001_log.sql': LOG, '0002_fill.sql': steps(6) });
    const child = spawnSync(process.execPath, [CHILD, 'crash', w.path, w.dir, '3'], {
      env: childEnv(),
      encoding: 'utf8',
    });
    expect(child.signal).toBe('SIGKILL');
    // Killed after statement 3 committed; the -wal it left holds that commit.
    expect(logged(w.path)).toEqual([1, 2, 3]);
    expect(
      query(w.path, 'SELECT version, statements_done FROM _walkeeper_migrations_progress'),
    ).toEqual([{ version: 2, statements_done: 3 }]);
    const resumed = await migrate(w.target, { dir: w.dir });
    expect(resumed.migrations).toMatchObject([
      { version: 2, status: 'applied', statements: 6, resumedAt: 4 },
    ]);
    // Every statement ran exactly once.
    expect(logged(w.path)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(query(w.path, 'SELECT * FROM _walkeeper_migrations_progress')).toEqual([]);
  });

  test('a part-way migration blocks going down until it is finished', async () => {
    const w = workspace({
      '0001_log.sql': LOG,
      '0001_log.down.sql': 'DROP TABLE log;',
      '0002_fill.sql': steps(2, 2),
    });
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    const error = await caught(() => migrate(w.target, { dir: w.dir, to: 0 }));
    expect(error.code).toBe('E_MIGRATION_INVALID');
    expect(error.details).toMatchObject({ reason: 'partial', versions: [2] });
    expect(snapshot(w.path)).toBe(before);
  });

  test('down files and foreign-keys=off cannot be no-transaction', async () => {
    const w = workspace({
      '0001_log.sql': LOG,
      '0001_log.down.sql': '-- walkeeper:no-transaction\nDROP TABLE log;',
    });
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.details?.reason).toBe('no-transaction-down');
    const inline = await caught(() =>
      migrate(w.target, {
        migrations: [{ version: 1, name: 'x', foreignKeys: 'off', up: steps(1) }],
      }),
    );
    expect(inline.details?.reason).toBe('conflicting-directives');
    expect(existsSync(w.path)).toBe(false);
  });
});
