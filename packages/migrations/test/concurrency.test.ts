import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { type MigrationEvent, migrate } from '../src/index.js';
import { CHILD, childEnv } from './child.js';
import { query, workspace } from './support.js';

interface ChildReport {
  ok: boolean;
  error?: string;
  steps: { version: number; status: string }[];
}

const COUNT = 40;

/** Some work per migration (about 5 ms), so that the two processes overlap for real. */
const FILL = (v: number) =>
  `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) INSERT INTO t${v} SELECT i FROM c;`;

/**
 * 40 migrations, each logging itself with an INSERT: a migration applied twice would log twice.
 * Number 20 is a no-transaction one whose statements each log too.
 */
function raceFiles(): Record<string, string> {
  const files: Record<string, string> = {
    '0001_log.sql':
      'CREATE TABLE log (version INTEGER NOT NULL, statement INTEGER NOT NULL DEFAULT 0);\n',
  };
  for (let v = 2; v <= COUNT; v++) {
    const name = `${String(v).padStart(4, '0')}_step.sql`;
    files[name] =
      v === 20
        ? `-- walkeeper:no-transaction\n${[1, 2, 3, 4, 5].map((s) => `INSERT INTO log VALUES (20, ${s});`).join('\n')}\n`
        : `CREATE TABLE t${v} (x INTEGER);\n${FILL(v)}\nINSERT INTO log (version) VALUES (${v});\n`;
  }
  return files;
}

function start(mode: string, path: string, dir: string) {
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    process.execPath,
    [CHILD, mode, path, dir],
    { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const ready = new Promise<void>((resolve) => {
    const check = () => (out.includes('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
  });
  const done = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`child exited with ${String(code)}: ${err}`);
    return JSON.parse(out.split('\n').filter(Boolean).at(-1)!) as ChildReport;
  });
  return { child, ready, done };
}

async function race(mode: string) {
  const w = workspace(raceFiles());
  const a = start(mode, w.path, w.dir);
  const b = start(mode, w.path, w.dir);
  await Promise.all([a.ready, b.ready]);
  // Both are loaded and waiting: release them together.
  a.child.stdin.end('go\n');
  b.child.stdin.end('go\n');
  const reports = await Promise.all([a.done, b.done]);
  return { w, reports };
}

function assertEachAppliedOnce(path: string, reports: ChildReport[]) {
  for (const report of reports) expect(report, report.error).toMatchObject({ ok: true });
  // Both planned before the other was done: the overlap this test is about.
  for (const report of reports) expect(report.steps.length).toBeGreaterThan(0);
  const appliedBy = reports.map((r) =>
    r.steps.filter((s) => s.status === 'applied').map((s) => s.version),
  );
  // Between them, every migration was applied, and none by both.
  const all = appliedBy.flat().sort((x, y) => x - y);
  expect(all).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  // What one applied after the other planned it, the other skipped inside its transaction.
  const skipped = reports.flatMap((r) => r.steps.filter((s) => s.status === 'skipped'));
  const planned = reports[0]!.steps.length + reports[1]!.steps.length;
  expect(skipped.length).toBe(planned - COUNT);
  expect(skipped.length).toBeGreaterThan(0);
  const recorded = query<{ version: number }>(path, 'SELECT version FROM _walkeeper_migrations');
  expect(recorded.map((r) => r.version)).toEqual(all);
  const logged = query<{ version: number; n: number }>(
    path,
    'SELECT version, count(*) AS n FROM log GROUP BY version ORDER BY version',
  );
  expect(logged).toEqual(
    Array.from({ length: COUNT - 1 }, (_, i) => ({ version: i + 2, n: i + 2 === 20 ? 5 : 1 })),
  );
  expect(query(path, 'SELECT statement FROM log WHERE version = 20 ORDER BY statement')).toEqual(
    [1, 2, 3, 4, 5].map((statement) => ({ statement })),
  );
}

describe('several processes migrating one database at once', () => {
  test('two processes with migrate(): each migration applied exactly once', async () => {
    const { w, reports } = await race('race-plain');
    assertEachAppliedOnce(w.path, reports);
  });

  test('two applications opening with the migrations plugin: each applied exactly once', async () => {
    const { w, reports } = await race('race-plugin');
    assertEachAppliedOnce(w.path, reports);
  });

  test('what another process applies after the plan is skipped, inside the transaction', async () => {
    const w = workspace(raceFiles());
    const events: MigrationEvent[] = [];
    const result = await migrate(w.target, {
      dir: w.dir,
      onProgress(event) {
        events.push(event);
        if (events.length !== 1) return;
        // This run has planned all 40; before its first BEGIN IMMEDIATE, another process
        // applies every one of them.
        const other = spawnSync(process.execPath, [CHILD, 'plain', w.path, w.dir], {
          env: childEnv(),
          encoding: 'utf8',
        });
        expect(other.status, other.stderr).toBe(0);
      },
    });
    expect(result.ok).toBe(true);
    expect(result.migrations).toHaveLength(COUNT);
    for (const outcome of result.migrations) {
      expect(outcome).toMatchObject({
        status: 'skipped',
        reason: 'another process applied it after this run planned it',
      });
    }
    expect(events.filter((e) => e.type === 'applied')).toEqual([]);
    expect(query(w.path, 'SELECT count(*) AS n FROM log')).toEqual([{ n: COUNT - 2 + 5 }]);
  });
});
