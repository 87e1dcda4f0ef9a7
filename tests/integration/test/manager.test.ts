import { existsSync, statSync } from 'node:fs';
import { openWalkeeper } from '@walkeeper/core';
import { describe, expect, test } from 'vitest';
import { caught, connect, driver, newPath, open, writerPragma } from './support.js';

describe('openWalkeeper', () => {
  test('puts the database in WAL mode with the default preset', async () => {
    const wk = await open();
    const probe = connect(wk.path, { readonly: true });
    expect(probe.pragma('journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    probe.close();
    expect(writerPragma(wk, 'synchronous')).toBe(1);
    expect(writerPragma(wk, 'busy_timeout')).toBe(5000);
    expect(writerPragma(wk, 'journal_size_limit')).toBe(64 * 2 ** 20);
    expect(writerPragma(wk, 'foreign_keys')).toBe(1);
    expect(wk.options.preset).toBe('default');
    expect(Object.isFrozen(wk.options)).toBe(true);
    await wk.close();
  });

  test('the durable preset sets synchronous FULL, and pragmas override presets', async () => {
    const wk = await open({ preset: 'durable', pragmas: { busyTimeout: 250 } });
    expect(writerPragma(wk, 'synchronous')).toBe(2);
    expect(writerPragma(wk, 'busy_timeout')).toBe(250);
    await wk.close();
  });

  test('reports the SQLite version it runs on', async () => {
    const wk = await open();
    expect(wk.sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    await wk.close();
  });
});

describe('write()', () => {
  test('commits and returns what the callback returns', async () => {
    const wk = await open();
    const id = wk.write(
      (tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['hello']).lastInsertRowid,
    );
    expect(Number(id)).toBe(1);
    expect(await wk.read('SELECT body FROM notes')).toEqual([{ body: 'hello' }]);
    expect(wk.stats().writes.count).toBe(2);
    await wk.close();
  });

  test('rolls back everything when the callback throws, and rethrows SQLite errors with their code', async () => {
    const wk = await open();
    const error = await caught(() =>
      wk.write((tx) => {
        tx.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['a']);
        tx.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['b']);
      }),
    );
    expect(error.code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 0 }]);
    expect(wk.stats().writes.errors).toBe(1);
    await wk.close();
  });

  test('nested writes are savepoints: an inner failure rolls back only the inner part', async () => {
    const wk = await open();
    wk.write((tx) => {
      tx.run('INSERT INTO notes (body) VALUES (?)', ['outer']);
      expect(() =>
        wk.write((inner) => {
          inner.run('INSERT INTO notes (body) VALUES (?)', ['inner']);
          throw new Error('inner fails');
        }),
      ).toThrow('inner fails');
      wk.write((inner) => inner.run('INSERT INTO notes (body) VALUES (?)', ['inner ok']));
    });
    expect(await wk.read('SELECT body FROM notes ORDER BY id')).toEqual([
      { body: 'outer' },
      { body: 'inner ok' },
    ]);
    await wk.close();
  });

  test('an async callback is refused with E_ASYNC_WRITE and rolled back', async () => {
    const wk = await open();
    const error = await caught(() =>
      // @ts-expect-error: write()'s type refuses an async callback; this checks the run-time guard too.
      wk.write(async (tx) => {
        tx.run('INSERT INTO notes (body) VALUES (?)', ['never']);
      }),
    );
    expect(error.code).toBe('E_ASYNC_WRITE');
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 0 }]);
    await wk.close();
  });

  test('the transaction handle refuses use after its callback returned', async () => {
    const wk = await open();
    let leaked: { run(sql: string): unknown } | undefined;
    wk.write((tx) => {
      leaked = tx;
    });
    expect((await caught(() => leaked!.run('DELETE FROM notes'))).code).toBe(
      'E_TRANSACTION_FINISHED',
    );
    await wk.close();
  });

  test('BEGIN IMMEDIATE gives up with E_BUSY after its retries while another connection holds the lock', async () => {
    const wk = await open({ pragmas: { busyTimeout: 10 }, writeRetries: 2 });
    const other = connect(wk.path);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    const error = await caught(() =>
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x'])),
    );
    expect(error.code).toBe('E_BUSY');
    expect(error.sqliteCode).toMatch(/^SQLITE_BUSY/);
    expect(wk.stats().writes.busyRetries).toBe(2);
    other.exec('ROLLBACK');
    other.close();
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['after']));
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 1 }]);
    await wk.close();
  });

  test('the statement cache prepares each SQL text once', async () => {
    const wk = await open({ statementCacheSize: 2 });
    for (let i = 0; i < 5; i++)
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', [`n${i}`]));
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 5 }]);
    await wk.close();
  });
});

describe('reads', () => {
  test('read() resolves rows with positional and named parameters', async () => {
    const wk = await open();
    wk.write((tx) => {
      for (const body of ['a', 'b', 'c']) tx.run('INSERT INTO notes (body) VALUES (?)', [body]);
    });
    expect(await wk.read('SELECT body FROM notes WHERE id > ? ORDER BY id', [1])).toEqual([
      { body: 'b' },
      { body: 'c' },
    ]);
    expect(await wk.read('SELECT body FROM notes WHERE id = :id', { id: 3 })).toEqual([
      { body: 'c' },
    ]);
    expect(wk.stats().reads.count).toBe(2);
    await wk.close();
  });

  test('prepareRead() is a synchronous handle on the reader', async () => {
    const wk = await open();
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x']));
    const byId = wk.prepareRead<{ body: string }>('SELECT body FROM notes WHERE id = ?');
    expect(byId.get([1])).toEqual({ body: 'x' });
    expect(byId.get([2])).toBeUndefined();
    expect(byId.all([1])).toEqual([{ body: 'x' }]);
    expect(wk.stats().reads.count).toBe(3);
    await wk.close();
    expect((await caught(() => byId.get([1]))).code).toBe('E_CLOSED');
  });

  test('read() refuses statements that return no rows, and a reader connection cannot write', async () => {
    const wk = await open();
    expect((await caught(() => wk.read('INSERT INTO notes (body) VALUES (1)'))).code).toBe(
      'E_NOT_A_QUERY',
    );
    expect((await caught(() => wk.prepareRead('DELETE FROM notes'))).code).toBe('E_NOT_A_QUERY');
    const error = await caught(() => wk.read('INSERT INTO notes (body) VALUES (1) RETURNING id'));
    expect(error.code).toBe('SQLITE_READONLY');
    expect(wk.stats().reads.errors).toBe(2);
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 0 }]);
    await wk.close();
  });

  test('an aborted signal rejects with E_ABORTED', async () => {
    const wk = await open();
    const error = await caught(() => wk.read('SELECT 1', [], { signal: AbortSignal.abort() }));
    expect(error.code).toBe('E_ABORTED');
    await wk.close();
  });
});

describe('checkpoint()', () => {
  test.each(['PASSIVE', 'FULL', 'RESTART', 'TRUNCATE'] as const)(
    '%s returns the result row',
    async (mode) => {
      const wk = await open({ pragmas: { walAutocheckpoint: 0 } });
      wk.write((tx) => {
        for (let i = 0; i < 200; i++)
          tx.run('INSERT INTO notes (body) VALUES (?)', ['x'.repeat(200)]);
      });
      const result = await wk.checkpoint(mode);
      expect(result.mode).toBe(mode);
      expect(result.busy).toBe(false);
      if (mode === 'TRUNCATE') {
        // SQLite reports the log after the reset: empty.
        expect(result).toMatchObject({ logFrames: 0, checkpointedFrames: 0 });
      } else {
        expect(result.logFrames).toBeGreaterThan(0);
        expect(result.checkpointedFrames).toBe(result.logFrames);
      }
      expect(result.walBytesBefore).toBeGreaterThan(0);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
      if (mode === 'TRUNCATE') {
        expect(result.walBytesAfter).toBe(0);
        expect(statSync(`${wk.path}-wal`).size).toBe(0);
      }
      expect(wk.stats().checkpoints.byMode[mode].complete).toBe(1);
      await wk.close();
    },
  );

  test('a reader outside walkeeper makes TRUNCATE report busy within maxStallMs, never success', async () => {
    const wk = await open({ pragmas: { walAutocheckpoint: 0 }, health: { busyStreak: 2 } });
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x']));
    const outsider = connect(wk.path, { readonly: true });
    outsider.exec('BEGIN');
    outsider.prepare('SELECT count(*) FROM notes').get();
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['y']));
    const started = performance.now();
    const first = await wk.checkpoint('TRUNCATE', { maxStallMs: 50 });
    const second = await wk.checkpoint('TRUNCATE', { maxStallMs: 50 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(first.busy).toBe(true);
    expect(second.busy).toBe(true);
    const stats = wk.stats();
    expect(stats.checkpoints.busyStreak).toBe(2);
    expect(stats.checkpoints.byMode.TRUNCATE.busy).toBe(2);
    expect(stats.checkpoints.lastCompleteAt).toBeUndefined();
    expect(wk.health().reasons.map((r) => r.code)).toContain('CHECKPOINT_BUSY_STREAK');
    outsider.exec('COMMIT');
    outsider.close();
    expect((await wk.checkpoint('TRUNCATE')).busy).toBe(false);
    expect(wk.stats().checkpoints.busyStreak).toBe(0);
    await wk.close();
  });

  test('a bad mode is E_CONFIG', async () => {
    const wk = await open();
    // @ts-expect-error: testing a mode the types forbid
    const error = await caught(() => wk.checkpoint('SOMETIMES'));
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toContain('SOMETIMES');
    expect((await caught(() => wk.checkpoint('PASSIVE', { maxStallMs: -1 }))).code).toBe(
      'E_CONFIG',
    );
    await wk.close();
  });
});

describe('stats(), health(), optimize()', () => {
  test('stats() counts writes and reads and samples the WAL', async () => {
    const wk = await open({ pragmas: { walAutocheckpoint: 0 } });
    for (let i = 0; i < 10; i++)
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', [`n${i}`]));
    await wk.read('SELECT * FROM notes');
    const sample = wk.sampleWal();
    const stats = wk.stats();
    expect(stats.writes.count).toBe(11);
    expect(stats.writes.latencyMs.count).toBe(11);
    expect(stats.writes.latencyMs.p99Ms).toBeGreaterThan(0);
    expect(stats.reads.count).toBe(1);
    expect(sample.walBytes).toBe(statSync(`${wk.path}-wal`).size);
    expect(sample.frames).toBeGreaterThanOrEqual(11);
    expect(sample.backfilledFrames).toBe(0);
    expect(stats.wal.frames).toBe(sample.frames);
    expect(stats.pool).toMatchObject({ mode: 'inline', max: 1, pending: 0 });
    await wk.checkpoint('PASSIVE');
    expect(wk.stats().wal.backfilledFrames).toBe(wk.stats().wal.frames);
    await wk.close();
  });

  test('health() is ok on a fresh database and degraded when the WAL passes its cap', async () => {
    const wk = await open({
      pragmas: { walAutocheckpoint: 0 },
      health: { walCapBytes: 64 * 1024 },
    });
    expect(wk.health()).toMatchObject({ status: 'ok', reasons: [] });
    wk.write((tx) => {
      for (let i = 0; i < 60; i++)
        tx.run('INSERT INTO notes (body) VALUES (?)', ['x'.repeat(1000)]);
    });
    expect(wk.sampleWal().walBytes).toBeGreaterThan(64 * 1024);
    expect(wk.sampleWal().walBytes).toBeLessThan(128 * 1024);
    expect(wk.health()).toMatchObject({
      status: 'degraded',
      reasons: [{ code: 'WAL_OVER_CAP', severity: 'degraded' }],
    });
    wk.write((tx) => {
      for (let i = 0; i < 100; i++)
        tx.run('INSERT INTO notes (body) VALUES (?)', ['x'.repeat(1000)]);
    });
    wk.sampleWal();
    expect(wk.health()).toMatchObject({
      status: 'critical',
      reasons: [{ code: 'WAL_OVER_CAP', severity: 'critical' }],
    });
    await wk.checkpoint('TRUNCATE');
    expect(wk.health().status).toBe('ok');
    await wk.close();
  });

  test('optimize() analyses with a limit and vacuums incrementally where enabled', async () => {
    const wk = await open({ pragmas: { autoVacuum: 'INCREMENTAL' } });
    wk.write((tx) => {
      tx.exec('CREATE INDEX notes_body ON notes (body)');
      for (let i = 0; i < 2000; i++)
        tx.run('INSERT INTO notes (body) VALUES (?)', [`n${i % 10}${'x'.repeat(500)}`]);
    });
    wk.write((tx) => tx.run('DELETE FROM notes'));
    const result = await wk.optimize();
    expect(result.analysisLimit).toBe(400);
    expect(result.vacuumedPages).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    await wk.close();
  });
});

describe('close()', () => {
  test('removes -wal and -shm and refuses every later call with E_CLOSED', async () => {
    const wk = await open();
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['kept']));
    await wk.close();
    await wk.close();
    expect(existsSync(`${wk.path}-wal`)).toBe(false);
    expect(existsSync(`${wk.path}-shm`)).toBe(false);
    for (const call of [
      () => wk.write(() => undefined),
      () => wk.read('SELECT 1'),
      () => wk.checkpoint(),
      () => wk.optimize(),
      () => wk.prepareRead('SELECT 1'),
      () => wk.sampleWal(),
      () => wk.raw,
    ]) {
      expect((await caught(call)).code).toBe('E_CLOSED');
    }
    const reopened = connect(wk.path, { readonly: true });
    expect(reopened.prepare('SELECT body FROM notes').all()).toEqual([{ body: 'kept' }]);
    reopened.close();
  });

  test('Symbol.asyncDispose closes', async () => {
    const wk = await open();
    await wk[Symbol.asyncDispose]();
    expect(existsSync(`${wk.path}-wal`)).toBe(false);
    expect((await caught(() => wk.read('SELECT 1'))).code).toBe('E_CLOSED');
  });

  test('data written survives close and reopen', async () => {
    const path = newPath();
    const wk = await openWalkeeper({ path, driver });
    wk.write((tx) => tx.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)'));
    wk.write((tx) => tx.run('INSERT INTO kv VALUES (?, ?)', ['a', '1']));
    await wk.close();
    const again = await openWalkeeper({ path, driver });
    expect(await again.read('SELECT * FROM kv')).toEqual([{ k: 'a', v: '1' }]);
    await again.close();
  });
});
