import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
/** Each process runs sizeCapped with this cap: the WAL file must never pass it. */
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
  resets: { busy: number; atOnce: number };
  checkpoints: { count: number; byMode: Record<string, Record<string, number>> };
}
type Message = Done | { t: 'ready' } | { t: 'fatal'; code?: string; message: string };

interface Run {
  path: string;
  results: Done[];
  failures: string[];
  exits: { code: number | null; signal: NodeJS.Signals | null }[];
  walSamples: number[];
}

afterAll(removeTempDirs);

/** Starts the processes at once on a new file and waits until all have closed and exited. */
async function contend(): Promise<Run> {
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
  return { path, results, failures, exits, walSamples };
}

describe(`contention: ${PROCESSES} processes writing and reading one database for ${SECONDS} s`, () => {
  let run: Run;
  beforeAll(
    async () => {
      run = await contend();
      const sum = (pick: (r: Done) => number) => run.results.reduce((n, r) => n + pick(r), 0);
      const walMax = Math.max(0, ...run.walSamples);
      console.log(
        `contention figures: ${JSON.stringify({
          runtime,
          seed: SEED,
          seconds: SECONDS,
          rows: sum((r) => r.committed),
          writes: sum((r) => r.writes),
          reads: sum((r) => r.reads),
          errors: sum((r) => r.errors.length),
          busyRetries: sum((r) => r.busyRetries),
          busyResets: sum((r) => r.resets.busy),
          busyResetsAtOnce: sum((r) => r.resets.atOnce),
          walMaxMiB: +(walMax / MiB).toFixed(2),
          walP99MiB: +(percentile(run.walSamples, 99) / MiB).toFixed(2),
          capMiB: CAP / MiB,
        })}`,
      );
    },
    (SECONDS + 60) * 1000,
  );

  test('every process opened, ran and closed cleanly', () => {
    expect(run.failures).toEqual([]);
    expect(run.exits).toEqual(run.exits.map(() => ({ code: 0, signal: null })));
    expect(run.results).toHaveLength(PROCESSES);
    // The run tested something: every process committed rows.
    for (const result of run.results) expect(result.committed).toBeGreaterThan(100);
  });

  test('no SQLITE_BUSY, nor any other error, reached a caller', () => {
    const errors = run.results.flatMap((r) => r.errors.map((e) => ({ proc: r.proc, ...e })));
    expect(errors).toEqual([]);
  });

  test('every row each process committed is there, and nothing else', () => {
    const connection = driver.open(run.path, { readonly: true, fileMustExist: true });
    try {
      expect(connection.prepare('PRAGMA integrity_check').all()).toEqual([
        { integrity_check: 'ok' },
      ]);
      const [total] = connection.prepare('SELECT count(*) AS n FROM rows').all();
      expect(total?.n).toBe(run.results.reduce((n, r) => n + r.committed, 0));
      for (const result of run.results) {
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
  });

  // Each process holds its own writer at the cap while its own checkpoint runs, but another
  // process's checkpoint is invisible to it: a reset can wait on that one while the others
  // write (2.35 to 3.93 MiB measured for 4 MiB; 4.4 to 57 MiB before resets waited for the
  // checkpoint lock and writers were held at the cap). So the maximum is held to the
  // starvation bench's bound, a quarter over the cap, and the median to the cap itself.
  test('the WAL stayed near its cap: the median under it, the maximum within a quarter over', () => {
    expect(percentile(run.walSamples, 50)).toBeLessThanOrEqual(CAP);
    expect(Math.max(0, ...run.walSamples)).toBeLessThanOrEqual(CAP * 1.25);
  });
});
