import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openWalkeeper, type SqliteDriver, type Walkeeper } from '@walkeeper/core';
import { afterEach, describe, expect, test } from 'vitest';
import { createDriver as createFaultyDriver } from './fixtures/faulty-driver.mjs';
import { caught, driverModule, evalArgs, newPath, open } from './support.js';

// A read that takes tens of milliseconds: a recursive count to `?`.
const SLOW =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) AS n FROM c';

const opened: Walkeeper[] = [];
async function pool(options: Parameters<typeof open>[0] = {}, path?: string): Promise<Walkeeper> {
  const wk = await open({ readers: { size: 2, mode: 'worker' }, ...options }, path);
  opened.push(wk);
  return wk;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((wk) => wk.destroy()));
});

describe('worker read pool', () => {
  test('200 concurrent reads while the writer commits each see a consistent snapshot', async () => {
    const wk = await pool({ readers: { size: 2, mode: 'worker' } });
    let writing = true;
    const writer = (async () => {
      let batch = 0;
      while (writing) {
        // Ten rows per transaction: a consistent snapshot always holds a multiple of ten.
        wk.write((tx) => {
          for (let i = 0; i < 10; i++) tx.run('INSERT INTO notes (body) VALUES (?)', [`b${batch}`]);
        });
        batch++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const reads = await Promise.all(
      Array.from({ length: 200 }, () =>
        wk.read<{ n: number; batches: number }>(
          'SELECT count(*) AS n, count(DISTINCT body) AS batches FROM notes',
        ),
      ),
    );
    writing = false;
    await writer;
    for (const [row] of reads) {
      expect(row!.n % 10).toBe(0);
      expect(row!.n).toBe(row!.batches * 10);
    }
    const stats = wk.stats();
    expect(stats.pool).toMatchObject({ mode: 'worker', max: 2, pending: 0, crashes: 0 });
    expect(stats.reads.count).toBe(200);
    expect(stats.pool.waitTimeMs.count).toBe(200);
  });

  test('reads return rows, take named parameters and report SQLite errors with their code', async () => {
    const wk = await pool();
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x']));
    expect(await wk.read('SELECT id, body FROM notes WHERE body = :body', { body: 'x' })).toEqual([
      { id: 1, body: 'x' },
    ]);
    expect((await caught(() => wk.read('SELECT * FROM missing_table'))).code).toBe('SQLITE_ERROR');
    expect((await caught(() => wk.read('DELETE FROM notes'))).code).toBe('E_NOT_A_QUERY');
    expect((await caught(() => wk.read('SELECT ?', [() => 1]))).code).toBe('E_CONFIG');
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 1 }]);
    expect(wk.prepareRead('SELECT body FROM notes').get()).toEqual({ body: 'x' });
  });

  test('a full queue rejects at once with E_POOL_QUEUE_FULL', async () => {
    const wk = await pool({ readers: { size: 1, mode: 'worker', maxQueue: 5 } });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => wk.read(SLOW, [1000])),
    );
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(rejected).toHaveLength(15);
    for (const r of rejected) expect(r.reason.code).toBe('E_POOL_QUEUE_FULL');
  });

  test('a read past its time limit rejects with E_TIMEOUT and is counted', async () => {
    const wk = await pool({ readers: { size: 1, mode: 'worker' } });
    const error = await caught(() => wk.read(SLOW, [3_000_000], { timeoutMs: 20 }));
    expect(error.code).toBe('E_TIMEOUT');
    expect(wk.stats().pool.timeouts).toBe(1);
    expect(await wk.read('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  test('aborting drops a queued read and discards a running one', async () => {
    const wk = await pool({ readers: { size: 1, mode: 'worker' } });
    const running = new AbortController();
    const queued = new AbortController();
    const first = wk.read(SLOW, [2_000_000], { signal: running.signal });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = wk.read(SLOW, [10], { signal: queued.signal });
    queued.abort();
    running.abort(new Error('user went away'));
    expect((await caught(() => first)).code).toBe('E_ABORTED');
    expect((await caught(() => second)).code).toBe('E_ABORTED');
    expect(wk.stats().pool.aborted).toBe(2);
    expect(await wk.read(SLOW, [10])).toEqual([{ n: 10 }]);
  });

  test('close() under load drains every read in flight, then refuses new ones', async () => {
    const wk = await pool();
    const reads = Array.from({ length: 100 }, (_, i) => wk.read<{ n: number }>(SLOW, [1000 + i]));
    const closing = wk.close();
    expect((await caught(() => wk.read('SELECT 1'))).code).toBe('E_CLOSED');
    const rows = await Promise.all(reads);
    expect(rows.map((r) => r[0]!.n)).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    await closing;
  });

  test('destroy() stops at once and rejects what was pending with E_CLOSED', async () => {
    const wk = await pool({ readers: { size: 1, mode: 'worker' } });
    const reads = Array.from({ length: 5 }, () => caught(() => wk.read(SLOW, [2_000_000])));
    await wk.destroy();
    for (const read of reads) expect((await read).code).toBe('E_CLOSED');
  });
});

describe('worker failures', () => {
  function faulty(options: Record<string, unknown> = {}): SqliteDriver {
    return createFaultyDriver(options) as SqliteDriver;
  }

  test('a worker that exits mid-read is replaced; its reads reject with E_READER_CRASHED', async () => {
    const wk = await pool({ driver: faulty(), readers: { size: 1, mode: 'worker' } });
    const error = await caught(() => wk.read('SELECT 1 AS CRASH_WORKER'));
    expect(error.code).toBe('E_READER_CRASHED');
    expect(await wk.read('SELECT 2 AS two')).toEqual([{ two: 2 }]);
    expect(wk.stats().pool.crashes).toBe(1);
    expect(wk.health().reasons.map((r) => r.code)).toContain('READER_CRASHES');
  });

  test('an uncaught error in a worker is a crash too, and the pool keeps serving', async () => {
    const wk = await pool({ driver: faulty(), readers: { size: 1, mode: 'worker' } });
    await wk
      .read('SELECT 1 AS THROW_UNCAUGHT')
      .catch((e: { code?: string }) => expect(e.code).toBe('E_READER_CRASHED'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await wk.read('SELECT 3 AS three')).toEqual([{ three: 3 }]);
    expect(wk.stats().pool.crashes).toBe(1);
  });

  test('a driver that cannot open in a worker fails the open with its cause', async () => {
    const path = newPath();
    const marker = join(dirname(path), 'broken');
    writeFileSync(marker, '');
    const error = await caught(() =>
      openWalkeeper({
        path,
        driver: faulty({ failOpenMarker: marker }),
        readers: { size: 1, mode: 'worker' },
      }),
    );
    expect(error.message).toContain('opening is broken on purpose');
  });

  test('a worker that exits before it reports anything fails the open instead of hanging', async () => {
    const error = await caught(() =>
      openWalkeeper({
        path: newPath(),
        driver: faulty({ exitOnOpen: true }),
        readers: { size: 2, mode: 'worker' },
      }),
    );
    expect(error.code).toBe('E_READER_CRASHED');
    expect(error.message).toContain('code 4');
  });

  test('repeated start failures back off instead of looping, and the pool recovers', async () => {
    const path = newPath();
    const marker = join(dirname(path), 'broken');
    const wk = await pool(
      { driver: faulty({ failOpenMarker: marker }), readers: { size: 1, mode: 'worker' } },
      path,
    );
    writeFileSync(marker, '');
    const crashed = wk.read('SELECT 1 AS CRASH_WORKER');
    expect((await caught(() => crashed)).code).toBe('E_READER_CRASHED');
    const waiting = wk.read('SELECT 4 AS four', [], { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const attempts = readFileSync(marker, 'utf8').split('\n').filter(Boolean).length;
    // Backoff 0, 50, 200, 1000 ms: a handful of attempts in 1.2 s, not hundreds.
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(5);
    rmSync(marker);
    expect(await waiting).toEqual([{ four: 4 }]);
  });
});

describe('the checkpoint barrier', () => {
  test('a barrier does not wait for whole batches: workers hand back the reads they have not started', async () => {
    const wk = await pool({ readers: { size: 1, mode: 'worker' } });
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x']));
    // 128 slow reads fill the single worker's two batches of 64.
    const slow =
      'WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000) SELECT count(*) AS n FROM c';
    let done = 0;
    const reads = Array.from({ length: 128 }, () =>
      wk.read<{ n: number }>(slow).then((rows) => {
        done++;
        return rows[0]!.n;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await wk.checkpoint('RESTART', { maxStallMs: 60_000 });
    const doneAtBarrier = done;
    expect(result.busy).toBe(false);
    // Had the barrier waited for both batches, all 128 would be done by now.
    expect(doneAtBarrier).toBeLessThan(64);
    // The handed-back reads run after the barrier, and none fails.
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 128 }, () => 300000));
    expect(wk.stats().reads.errors).toBe(0);
  }, 60_000);

  test('RESTART and TRUNCATE with readers in flight complete, and no read fails', async () => {
    const wk = await pool({ pragmas: { walAutocheckpoint: 0 } });
    wk.write((tx) => {
      for (let i = 0; i < 1000; i++)
        tx.run('INSERT INTO notes (body) VALUES (?)', ['x'.repeat(100)]);
    });
    let running = true;
    let reads = 0;
    const clients = Array.from({ length: 100 }, async () => {
      while (running) {
        await wk.read('SELECT count(*) AS n FROM notes WHERE id > ?', [reads % 500]);
        reads++;
      }
    });
    const results = [];
    for (let i = 0; i < 10; i++) {
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['more']));
      results.push(await wk.checkpoint(i % 2 === 0 ? 'RESTART' : 'TRUNCATE', { maxStallMs: 1000 }));
    }
    running = false;
    await Promise.all(clients);
    expect(results.every((r) => !r.busy)).toBe(true);
    expect(reads).toBeGreaterThan(100);
    expect(wk.stats().reads.errors).toBe(0);
    expect(wk.stats().pool.paused).toBe(false);
  });

  test('a reader in another process makes RESTART give up within maxStallMs and report busy', async () => {
    const wk = await pool({ pragmas: { walAutocheckpoint: 0 } });
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['before']));
    const holder = spawn(
      process.execPath,
      evalArgs(
        `import { createDriver } from '${driverModule}';
         const db = createDriver({}).open(${JSON.stringify(wk.path)}, { readonly: true });
         db.exec('BEGIN'); db.prepare('SELECT count(*) FROM notes').get();
         console.log('holding');
         // The timer keeps a reference: a collected connection would let go of its snapshot.
         setInterval(() => db.inTransaction, 1000);`,
      ),
      { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['after']));
      const started = performance.now();
      const result = await wk.checkpoint('RESTART', { maxStallMs: 100 });
      const elapsed = performance.now() - started;
      expect(result.busy).toBe(true);
      expect(elapsed).toBeLessThan(2000);
      expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 2 }]);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('PASSIVE runs on the checkpointer thread and backfills the whole log', async () => {
    const wk = await pool({ pragmas: { walAutocheckpoint: 0 } });
    wk.write((tx) => {
      for (let i = 0; i < 500; i++)
        tx.run('INSERT INTO notes (body) VALUES (?)', ['x'.repeat(300)]);
    });
    const before = wk.sampleWal();
    const result = await wk.checkpoint('PASSIVE');
    expect(result).toMatchObject({
      mode: 'PASSIVE',
      busy: false,
      logFrames: before.frames,
      checkpointedFrames: before.frames,
    });
    expect(wk.sampleWal().backfilledFrames).toBe(before.frames);
  });
});

describe('process lifetime', () => {
  test('idle workers never keep a process alive, yet awaited work always finishes', async () => {
    // A script whose only pending work is walkeeper's: the process must not exit (code 13,
    // "unsettled top-level await") before the checkpoint and close() it awaits resolve, and
    // must exit by itself once walkeeper is closed.
    const script = `
      import { openWalkeeper } from '@walkeeper/core';
      import { createDriver } from '${driverModule}';
      const wk = await openWalkeeper({
        path: ${JSON.stringify(newPath())},
        driver: createDriver({}),
        readers: { size: 2, mode: 'worker' },
        checkpoint: { offThread: true },
      });
      wk.write((tx) => tx.exec('CREATE TABLE t (x)'));
      wk.write((tx) => tx.run('INSERT INTO t VALUES (1)'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [row] = await wk.read('SELECT count(*) AS n FROM t');
      const result = await wk.checkpoint('PASSIVE');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await wk.close();
      console.log(JSON.stringify({ n: row.n, busy: result.busy }));
    `;
    const child = spawnSync(process.execPath, evalArgs(script), {
      cwd: new URL('..', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual({ n: 1, busy: false });
  });
});
