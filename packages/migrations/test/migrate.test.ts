import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { migrate, plan, repair, status } from '../src/index.js';
import { caught, query, sha256, snapshot, workspace } from './support.js';

const NOTES = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n';
const TAGS = 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL);\n';
const INDEX = 'CREATE INDEX notes_body ON notes (body);\n';

const base = () =>
  workspace({
    '0001_notes.sql': NOTES,
    '0001_notes.down.sql': 'DROP TABLE notes;\n',
    '0002_tags.sql': TAGS,
    '0002_tags.down.sql': 'DROP TABLE tags;\n',
    'README.md': 'not a migration',
  });

const tables = (path: string) =>
  query<{ name: string }>(
    path,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name",
  ).map((r) => r.name);

describe('migrate up', () => {
  test('applies files in order and records version, name, checksum, time and duration', async () => {
    const w = base();
    const before = Date.now();
    const result = await migrate(w.target, { dir: w.dir });
    expect(result).toMatchObject({ ok: true, dryRun: false, direction: 'up', from: 0, to: 2 });
    expect(result.migrations.map((m) => [m.version, m.name, m.direction, m.status])).toEqual([
      [1, 'notes', 'up', 'applied'],
      [2, 'tags', 'up', 'applied'],
    ]);
    expect(result.migrations[0]!.durationMs).toBeGreaterThan(0);
    expect(tables(w.path)).toEqual(['notes', 'tags']);
    const rows = query<Record<string, unknown>>(w.path, 'SELECT * FROM _walkeeper_migrations');
    expect(rows.map((r) => [r.version, r.name, r.checksum])).toEqual([
      [1, 'notes', sha256(NOTES)],
      [2, 'tags', sha256(TAGS)],
    ]);
    for (const row of rows) {
      const at = Date.parse(String(row.applied_at));
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(Date.now());
      expect(row.duration_ms).toBeTypeOf('number');
    }
    expect(query(w.path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  test('a second run has nothing to do and changes nothing', async () => {
    const w = base();
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    const again = await migrate(w.target, { dir: w.dir });
    expect(again).toMatchObject({ ok: true, direction: 'none', from: 2, to: 2, migrations: [] });
    expect(snapshot(w.path)).toBe(before);
  });

  test('to stops at a version; a later run carries on', async () => {
    const w = base();
    const first = await migrate(w.target, { dir: w.dir, to: 1 });
    expect(first.migrations.map((m) => m.version)).toEqual([1]);
    expect(tables(w.path)).toEqual(['notes']);
    const rest = await migrate(w.target, { dir: w.dir });
    expect(rest).toMatchObject({ from: 1, to: 2 });
    expect(tables(w.path)).toEqual(['notes', 'tags']);
  });

  test('gaps in the numbering are allowed', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0010_tags.sql': TAGS,
      '0200_index.sql': INDEX,
    });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.migrations.map((m) => m.version)).toEqual([1, 10, 200]);
    expect(result.to).toBe(200);
  });

  test('a failing migration rolls back completely; the result names it and why', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0002_broken.sql': `${TAGS}INSERT INTO tags (label) VALUES ('kept?');\nINSERT INTO missing_table VALUES (1);\n`,
      '0003_index.sql': INDEX,
    });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.ok).toBe(false);
    expect(result.to).toBe(1);
    expect(result.migrations.map((m) => [m.version, m.status])).toEqual([
      [1, 'applied'],
      [2, 'failed'],
      [3, 'pending'],
    ]);
    const error = result.error!;
    expect(error).toBe(result.migrations[1]!.error);
    expect(error.code).toBe('E_MIGRATION_FAILED');
    expect(error.sqliteCode).toBe('SQLITE_ERROR');
    expect(error.message).toContain('0002_broken.sql');
    expect(error.message).toContain('no such table: missing_table');
    expect(error.details).toMatchObject({ version: 2, name: 'broken', direction: 'up' });
    // Nothing of migration 2 is left: no table, no row, no record.
    expect(tables(w.path)).toEqual(['notes']);
    expect(query(w.path, 'SELECT version FROM _walkeeper_migrations')).toEqual([{ version: 1 }]);
    // Fixed, it runs on the next call with no repair needed.
    w.write({ '0002_broken.sql': TAGS });
    const fixed = await migrate(w.target, { dir: w.dir });
    expect(fixed.migrations.map((m) => [m.version, m.status])).toEqual([
      [2, 'applied'],
      [3, 'applied'],
    ]);
  });

  test('a file with only comments applies as an empty migration', async () => {
    const w = workspace({ '0001_placeholder.sql': '-- reserved\n/* nothing yet */\n' });
    expect((await migrate(w.target, { dir: w.dir })).migrations[0]!.status).toBe('applied');
  });
});

describe('refusals: nothing runs and the database is byte-for-byte unchanged', () => {
  const applied = async () => {
    const w = base();
    await migrate(w.target, { dir: w.dir });
    return { w, before: snapshot(w.path) };
  };

  test('an applied migration whose text changed: E_MIGRATION_CHECKSUM with file and both checksums', async () => {
    const { w, before } = await applied();
    const edited = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n';
    w.write({ '0001_notes.sql': edited, '0003_index.sql': INDEX });
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.code).toBe('E_MIGRATION_CHECKSUM');
    expect(error.message).toContain('0001_notes.sql');
    expect(error.message).toContain(sha256(NOTES));
    expect(error.message).toContain(sha256(edited));
    expect(error.details).toMatchObject({
      version: 1,
      applied: sha256(NOTES),
      current: sha256(edited),
    });
    expect(String(error.details?.file)).toMatch(/migrations\/0001_notes\.sql$/);
    expect(snapshot(w.path)).toBe(before);
  });

  test('a line-ending or BOM change is not a change', async () => {
    const { w } = await applied();
    w.write({
      '0001_notes.sql': `\uFEFF${NOTES.replaceAll('\n', '\r\n')}`,
      '0003_index.sql': INDEX,
    });
    const result = await migrate(w.target, { dir: w.dir });
    expect(result.migrations.map((m) => [m.version, m.status])).toEqual([[3, 'applied']]);
  });

  test('an applied migration missing from the directory: E_MIGRATION_MISSING', async () => {
    const { w, before } = await applied();
    w.remove('0002_tags.sql');
    w.remove('0002_tags.down.sql');
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.code).toBe('E_MIGRATION_MISSING');
    expect(error.details?.missing).toEqual([{ version: 2, name: 'tags' }]);
    expect(error.message).toContain('2 "tags"');
    expect(snapshot(w.path)).toBe(before);
  });

  test('a new migration numbered below an applied one: E_MIGRATION_INVALID out-of-order', async () => {
    const w = workspace({ '0001_notes.sql': NOTES, '0005_tags.sql': TAGS });
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    w.write({ '0003_index.sql': INDEX });
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.code).toBe('E_MIGRATION_INVALID');
    expect(error.details).toMatchObject({ reason: 'out-of-order', newest: 5, versions: [3] });
    expect(error.message).toContain('0003_index.sql');
    expect(snapshot(w.path)).toBe(before);
  });

  test('two files with one number: E_MIGRATION_INVALID duplicate-version', async () => {
    const { w, before } = await applied();
    w.write({ '003_index.sql': INDEX, '0003_other.sql': 'SELECT 1;' });
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.code).toBe('E_MIGRATION_INVALID');
    expect(error.details).toMatchObject({ reason: 'duplicate-version', version: 3 });
    expect(error.message).toContain('003_index.sql');
    expect(error.message).toContain('0003_other.sql');
    expect(snapshot(w.path)).toBe(before);
  });

  test.each([
    ['0003-index.sql', 'bad-file-name', INDEX],
    ['0_zero.sql', 'bad-file-name', INDEX],
    ['0003_index.down.sql', 'orphan-down', 'DROP INDEX notes_body;'],
    ['0003_index.sql', 'unknown-directive', '-- walkeeper:no-transactoin\nSELECT 1;'],
    ['0003_index.sql', 'pragma-in-transaction', 'PRAGMA foreign_keys = OFF;\nSELECT 1;'],
    ['0003_index.sql', 'pragma-in-transaction', 'PRAGMA journal_mode = DELETE;'],
    ['0003_index.sql', 'pragma-in-transaction', 'PRAGMA main.synchronous=FULL;'],
    ['0003_index.sql', 'transaction-control', `BEGIN;\n${INDEX}COMMIT;`],
    ['0003_index.sql', 'not-in-transaction', 'VACUUM;'],
    ['0003_index.sql', 'transaction-control', '-- walkeeper:no-transaction\nSELECT 1;\nCOMMIT;'],
  ])('%s: E_MIGRATION_INVALID %s', async (file, reason, text) => {
    const { w, before } = await applied();
    w.write({ [file]: text });
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.code).toBe('E_MIGRATION_INVALID');
    expect(error.details?.reason).toBe(reason);
    expect(error.message).toContain(file);
    expect(snapshot(w.path)).toBe(before);
  });

  test('a PRAGMA refusal says what to do instead', async () => {
    const { w } = await applied();
    w.write({ '0003_rebuild.sql': 'PRAGMA foreign_keys=OFF;\nSELECT 1;' });
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.message).toContain('0003_rebuild.sql, line 1');
    expect(error.message).toContain('-- walkeeper:foreign-keys=off');
  });

  test('bad options are E_CONFIG before anything opens', async () => {
    const w = base();
    const cases: unknown[] = [
      {},
      { dir: w.dir, migrations: [] },
      { dir: w.dir, to: -1 },
      { dir: w.dir, to: 1.5 },
      { dir: w.dir, dryRun: 'yes' },
      { dir: w.dir, table: 'bad name' },
      { dir: w.dir, onProgres: () => {} },
      { dir: `${w.dir}/nope` },
      { dir: w.dir, to: 7 },
    ];
    for (const options of cases) {
      const error = await caught(() => migrate(w.target, options as never));
      expect(error.code, JSON.stringify(options)).toBe('E_CONFIG');
    }
    const target = await caught(() =>
      migrate({ path: '', driver: w.target.driver }, { dir: w.dir }),
    );
    expect(target.code).toBe('E_CONFIG');
    expect(existsSync(w.path)).toBe(false);
  });
});

describe('repair', () => {
  test('accepts a changed checksum on purpose, and only that', async () => {
    const w = base();
    await migrate(w.target, { dir: w.dir });
    const edited = `-- reformatted\n${NOTES}`;
    w.write({ '0001_notes.sql': edited });
    expect((await caught(() => migrate(w.target, { dir: w.dir }))).code).toBe(
      'E_MIGRATION_CHECKSUM',
    );
    const repaired = await repair(w.target, { dir: w.dir });
    expect(repaired.repaired).toEqual([
      { version: 1, name: 'notes', kind: 'applied', from: sha256(NOTES), to: sha256(edited) },
    ]);
    expect(query(w.path, 'SELECT checksum FROM _walkeeper_migrations WHERE version = 1')).toEqual([
      { checksum: sha256(edited) },
    ]);
    const after = await migrate(w.target, { dir: w.dir });
    expect(after).toMatchObject({ ok: true, direction: 'none' });
    // It ran nothing: the schema is what migration 1 made the first time.
    expect(tables(w.path)).toEqual(['notes', 'tags']);
  });

  test('versions limits what it accepts', async () => {
    const w = base();
    await migrate(w.target, { dir: w.dir });
    w.write({ '0001_notes.sql': `${NOTES}\n`, '0002_tags.sql': `${TAGS}\n` });
    const result = await repair(w.target, { dir: w.dir, versions: [2] });
    expect(result.repaired.map((r) => r.version)).toEqual([2]);
    const error = await caught(() => migrate(w.target, { dir: w.dir }));
    expect(error.details?.version).toBe(1);
  });
});

describe('migrate down', () => {
  test('undoes migrations above `to`, newest first, with their down files', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0001_notes.down.sql': 'DROP TABLE notes;',
      '0002_tags.sql': TAGS,
      '0002_tags.down.sql': 'DROP TABLE tags;',
      '0003_index.sql': INDEX,
      '0003_index.down.sql': 'DROP INDEX notes_body;',
    });
    await migrate(w.target, { dir: w.dir });
    const down = await migrate(w.target, { dir: w.dir, to: 1 });
    expect(down).toMatchObject({ ok: true, direction: 'down', from: 3, to: 1 });
    expect(down.migrations.map((m) => [m.version, m.direction, m.status])).toEqual([
      [3, 'down', 'applied'],
      [2, 'down', 'applied'],
    ]);
    expect(tables(w.path)).toEqual(['notes']);
    expect(query(w.path, "SELECT name FROM sqlite_master WHERE type = 'index'")).toEqual([]);
    expect(query(w.path, 'SELECT version FROM _walkeeper_migrations')).toEqual([{ version: 1 }]);
    const none = await migrate(w.target, { dir: w.dir, to: 0 });
    expect(none.to).toBe(0);
    expect(tables(w.path)).toEqual([]);
    // And up again.
    expect((await migrate(w.target, { dir: w.dir })).to).toBe(3);
  });

  test('a migration without a down step is irreversible: refused, nothing runs', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0001_notes.down.sql': 'DROP TABLE notes;',
      '0002_tags.sql': TAGS,
      '0003_index.sql': INDEX,
      '0003_index.down.sql': 'DROP INDEX notes_body;',
    });
    await migrate(w.target, { dir: w.dir });
    const before = snapshot(w.path);
    const error = await caught(() => migrate(w.target, { dir: w.dir, to: 0 }));
    expect(error.code).toBe('E_MIGRATION_INVALID');
    expect(error.details).toMatchObject({ reason: 'irreversible', to: 0, versions: [2] });
    expect(error.message).toContain('0002_tags.sql');
    expect(snapshot(w.path)).toBe(before);
    // Down to 2 needs only 3's down file.
    expect((await migrate(w.target, { dir: w.dir, to: 2 })).ok).toBe(true);
  });

  test('a failing down step rolls back and the migration stays applied', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0001_notes.down.sql': 'DROP TABLE notes;\nDROP TABLE no_such_table;',
    });
    await migrate(w.target, { dir: w.dir });
    const result = await migrate(w.target, { dir: w.dir, to: 0 });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('E_MIGRATION_FAILED');
    expect(result.error?.message).toContain('0001_notes.sql (down)');
    expect(result.error?.message).toContain('stays applied');
    expect(tables(w.path)).toEqual(['notes']);
    expect(query(w.path, 'SELECT version FROM _walkeeper_migrations')).toEqual([{ version: 1 }]);
  });
});

describe('dry run, plan and status', () => {
  test('a dry run plans, checks, and changes nothing', async () => {
    const w = base();
    await migrate(w.target, { dir: w.dir, to: 1 });
    const before = snapshot(w.path);
    const dry = await migrate(w.target, { dir: w.dir, dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true, direction: 'up', from: 1, to: 2 });
    expect(dry.migrations.map((m) => [m.version, m.status])).toEqual([[2, 'pending']]);
    expect(snapshot(w.path)).toBe(before);
    // Refusals are the same as a real run's.
    w.write({ '0001_notes.sql': `${NOTES}-- edited\n` });
    expect((await caught(() => migrate(w.target, { dir: w.dir, dryRun: true }))).code).toBe(
      'E_MIGRATION_CHECKSUM',
    );
  });

  test('plan, status and a dry run never create a database that does not exist', async () => {
    const w = base();
    expect((await plan(w.target, { dir: w.dir })).steps.map((s) => s.version)).toEqual([1, 2]);
    expect((await status(w.target, { dir: w.dir })).pending).toBe(2);
    expect((await migrate(w.target, { dir: w.dir, dryRun: true })).migrations).toHaveLength(2);
    expect(existsSync(w.path)).toBe(false);
  });

  test('plan shows each step, up or down, with how it runs', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0001_notes.down.sql': 'DROP TABLE notes;',
      '0002_rebuild.sql': '-- walkeeper:foreign-keys=off\nSELECT 1;',
      '0003_vacuum.sql': '-- walkeeper:no-transaction\nSELECT 1;\nVACUUM;',
    });
    expect(await plan(w.target, { dir: w.dir })).toEqual({
      table: '_walkeeper_migrations',
      direction: 'up',
      from: 0,
      to: 3,
      steps: [
        {
          version: 1,
          name: 'notes',
          direction: 'up',
          file: `${w.dir}/0001_notes.sql`,
          transaction: true,
          foreignKeys: 'unchanged',
        },
        {
          version: 2,
          name: 'rebuild',
          direction: 'up',
          file: `${w.dir}/0002_rebuild.sql`,
          transaction: true,
          foreignKeys: 'off',
        },
        {
          version: 3,
          name: 'vacuum',
          direction: 'up',
          file: `${w.dir}/0003_vacuum.sql`,
          transaction: false,
          foreignKeys: 'unchanged',
          statements: 2,
          resumeAt: 1,
        },
      ],
    });
    await migrate(w.target, { dir: w.dir, to: 1 });
    const down = await plan(w.target, { dir: w.dir, to: 0 });
    expect(down).toMatchObject({ direction: 'down', from: 1, to: 0 });
    expect(down.steps.map((s) => [s.version, s.direction])).toEqual([[1, 'down']]);
  });

  test('status lists every migration, given or applied, and the problems', async () => {
    const w = workspace({
      '0001_notes.sql': NOTES,
      '0002_tags.sql': TAGS,
      '0002_tags.down.sql': 'DROP TABLE tags;',
      '0004_gone.sql': 'SELECT 1;',
    });
    await migrate(w.target, { dir: w.dir });
    w.write({
      '0002_tags.sql': `${TAGS}-- edited\n`,
      '0003_late.sql': 'SELECT 1;',
      '0005_next.sql': 'SELECT 2;',
    });
    w.remove('0004_gone.sql');
    const before = snapshot(w.path);
    const report = await status(w.target, { dir: w.dir });
    expect(report).toMatchObject({
      table: '_walkeeper_migrations',
      current: 4,
      latest: 5,
      upToDate: false,
    });
    expect(report.migrations.map((m) => [m.version, m.state, m.reversible])).toEqual([
      [1, 'applied', false],
      [2, 'changed', true],
      [3, 'out-of-order', false],
      [4, 'missing', false],
      [5, 'pending', false],
    ]);
    expect(report.migrations[0]).toMatchObject({
      checksum: sha256(NOTES),
      appliedChecksum: sha256(NOTES),
    });
    expect(report.problems.map((p) => p.code)).toEqual([
      'E_MIGRATION_MISSING',
      'E_MIGRATION_CHECKSUM',
      'E_MIGRATION_INVALID',
    ]);
    expect(snapshot(w.path)).toBe(before);
  });
});
