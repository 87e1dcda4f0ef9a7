import { statSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import {
  driver,
  envNumber,
  exited,
  LONG,
  MiB,
  newPath,
  percentile,
  removeTempDirs,
  runSeed,
  runtime,
  spawnFixture,
} from './support.js';

const PROCESSES = 4;
const SECONDS = envNumber('WALKEEPER_CONTENTION_SECONDS', LONG ? 60 : 15);
const CAP = 4 * MiB;
const SEED = runSeed();

interface Done {
  t: 'done';
  proc: number;
  committed: number;
  writes: number;
  reads: number;
  errors: { where: string; code?: string; sqliteCode?: string; message?: string }[];
  busyRetries: number;
  checkpoints: { count: number; byMode: Record<string, Record<string, number>> };
}
type Message = Done | { t: 'ready' } | { t: 'fatal'; code?: string; message: string };

afterAll(removeTempDirs);

describe('contention', () => {
  test(`${PROCESSES} processes writing and reading one database for ${SECONDS} s: no busy error, no lost row, WAL under its cap`, {
    timeout: (SECONDS + 60) * 1000,
  }, async () => {
    const path = newPath('walkeeper-contention-');
    console.log(
      `contention: runtime ${runtime}, seed ${SEED}, ${PROCESSES} processes, ${SECONDS} s, ${path}`,
    );
    const walSamples: number[] = [];
    const sampler = setInterval(() => {
      walSamples.push(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    }, 10);
    const results: Done[] = [];
    const failures: string[] = [];
    // All open the new file at once: creating it, WAL mode and the schema race on purpose.
    const children = Array.from({ length: PROCESSES }, (_, proc) => {
      const child = spawnFixture('contender.mjs', [
        JSON.stringify({ path, proc, seconds: SECONDS, seed: SEED + proc, maxWalBytes: CAP }),
      ]);
      child.on('message', (message: Message) => {
        if (message.t === 'done') results.push(message);
        else if (message.t === 'fatal') failures.push(`process ${proc}: ${message.message}`);
      });
      return child;
    });
    const exits = await Promise.all(children.map((child) => exited(child)));
    clearInterval(sampler);
    expect(failures).toEqual([]);
    expect(exits).toEqual(children.map(() => ({ code: 0, signal: null })));
    expect(results).toHaveLength(PROCESSES);

    // Every row each process committed is there, and nothing else.
    const connection = driver.open(path, { readonly: true, fileMustExist: true });
    try {
      expect(connection.prepare('PRAGMA integrity_check').all()).toEqual([
        { integrity_check: 'ok' },
      ]);
      for (const result of results) {
        const row = connection
          .prepare(
            'SELECT count(*) AS n, min(seq) AS low, max(seq) AS high FROM rows WHERE proc = ?',
          )
          .get([result.proc]);
        expect(row, `process ${result.proc}`).toEqual({
          n: result.committed,
          low: result.committed > 0 ? 1 : null,
          high: result.committed > 0 ? result.committed : null,
        });
      }
    } finally {
      connection.close();
    }

    const errors = results.flatMap((r) => r.errors.map((e) => ({ proc: r.proc, ...e })));
    const walMax = Math.max(...walSamples);
    const figures = {
      runtime,
      seed: SEED,
      seconds: SECONDS,
      rows: results.reduce((n, r) => n + r.committed, 0),
      writes: results.reduce((n, r) => n + r.writes, 0),
      reads: results.reduce((n, r) => n + r.reads, 0),
      busyRetries: results.reduce((n, r) => n + r.busyRetries, 0),
      checkpoints: results.map((r) => r.checkpoints.byMode),
      errors: errors.length,
      walMaxMiB: +(walMax / MiB).toFixed(2),
      walP99MiB: +(percentile(walSamples, 99) / MiB).toFixed(2),
      capMiB: CAP / MiB,
    };
    console.log(`contention figures: ${JSON.stringify(figures)}`);
    expect(errors).toEqual([]);
    expect(figures.rows).toBeGreaterThan(PROCESSES * 100);
    expect(walMax).toBeLessThanOrEqual(CAP);
  });
});
