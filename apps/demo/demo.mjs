// A tour of walkeeper in one file: it opens a database in WAL mode, writes, reads through
// the pool and the synchronous light path, checkpoints, and prints stats() and health().
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWalkeeper } from '@walkeeper/core';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';

const quiet = process.argv.includes('--quiet');
const log = (...args) => quiet || console.log(...args);
const dir = mkdtempSync(join(tmpdir(), 'walkeeper-demo-'));
const path = join(dir, 'demo.db');

const wk = await openWalkeeper({
  path,
  driver: betterSqlite3(),
  pragmas: { walAutocheckpoint: 0 },
});
log(`opened ${path} (SQLite ${wk.sqliteVersion}) in WAL mode`);

wk.write((tx) => tx.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));
for (let batch = 0; batch < 20; batch++) {
  wk.write((tx) => {
    for (let i = 0; i < 100; i++)
      tx.run('INSERT INTO notes (body) VALUES (?)', [`note ${batch * 100 + i}`]);
  });
}
log('wrote 2,000 notes in 20 transactions');

const latest = await wk.read('SELECT id, body FROM notes ORDER BY id DESC LIMIT ?', [3]);
log('newest three (read pool):', latest);
const byId = wk.prepareRead('SELECT body FROM notes WHERE id = ?');
log('note 42 (synchronous light read):', byId.get([42]));

const before = wk.sampleWal();
log(`WAL before checkpoint: ${before.walBytes} bytes, ${before.frames} frames`);
const result = await wk.checkpoint('TRUNCATE');
log('checkpoint(TRUNCATE):', result);

const stats = wk.stats();
log('stats():', {
  writes: stats.writes.count,
  writeP99Ms: stats.writes.latencyMs.p99Ms.toFixed(3),
  reads: stats.reads.count,
  wal: { bytes: stats.wal.walBytes, frames: stats.wal.frames },
  checkpoints: stats.checkpoints.count,
});
const health = wk.health();
log('health():', health);

await wk.close();
const clean = !existsSync(`${path}-wal`) && !existsSync(`${path}-shm`);
log(`closed; -wal and -shm removed: ${clean}`);
rmSync(dir, { recursive: true, force: true });

if (result.busy || health.status !== 'ok' || !clean || latest.length !== 3) {
  console.error('demo failed: expected a complete checkpoint, ok health and a clean close');
  process.exit(1);
}
if (quiet) console.log('demo ok');
