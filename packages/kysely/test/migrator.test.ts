import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDatabasePath } from '@walkeeper/core/testing';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/migrate.mjs', import.meta.url));

function migrate(path: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [child, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code) => resolve({ code, out, err }));
  });
}

test("Kysely's Migrator from two processes at once applies each migration once", async () => {
  const path = tempDatabasePath('walkeeper-kysely-migrate-');
  const [a, b] = await Promise.all([migrate(path), migrate(path)]);
  expect(a.err + b.err).toBe('');
  expect([a.code, b.code]).toEqual([0, 0]);
  const db = new Database(path, { readonly: true });
  const applied = db.prepare('SELECT name FROM applied ORDER BY name').all();
  expect(applied).toEqual([{ name: '001_applied' }, { name: '002_notes' }, { name: '003_index' }]);
  expect(db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()).toEqual([
    '001_applied',
    '002_notes',
    '003_index',
  ]);
  db.close();
  // Twice more, one after the other: nothing left to apply.
  const again = await migrate(path);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.out).results).toEqual([]);
});
