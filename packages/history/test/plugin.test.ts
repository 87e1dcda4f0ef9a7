import { tempDatabasePath } from '@walkeeper/core/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { metricsHistory } from '../src/index.js';
import { HOUR, T0 } from './samples.js';
import { clock, closeOpened, open } from './support.js';

afterEach(closeOpened);

describe('metricsHistory()', () => {
  test('samples what happened in each interval, stamped by the injected clock', async () => {
    const time = clock();
    // A resolution no test waits for: samples are taken by hand with the fake clock.
    const history = metricsHistory({ resolutionMs: 3_600_000, now: time.now });
    const path = tempDatabasePath('walkeeper-history-');
    const wk = await open(history, path);

    for (let i = 1; i <= 10; i++)
      wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', [`n${i}`]));
    const byId = wk.prepareRead('SELECT body FROM notes WHERE id = ?');
    for (let i = 1; i <= 40; i++) byId.get([(i % 10) + 1]);
    expect(() => byId.get(['x', 'y'])).toThrow();
    await wk.checkpoint('PASSIVE');
    time.advance(10_000);
    const first = history.sample()!;
    expect(first).toMatchObject({
      at: T0 + 10_000,
      intervalMs: 10_000,
      busyStreak: 0,
      health: { status: expect.any(String) },
      checkpoints: [{ mode: 'PASSIVE', outcome: 'complete', count: 1 }],
    });
    expect(first.reads).toMatchObject({ count: 41, errors: 1 });
    // The schema, then ten inserts.
    expect(first.writes).toMatchObject({ count: 11, errors: 0 });
    expect(first.reads.p99Ms).toBeGreaterThan(0);

    // A busy TRUNCATE: another connection holds a read transaction in the WAL.
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['more']));
    const other = new Database(path, { readonly: true });
    other.exec('BEGIN');
    other.prepare('SELECT count(*) FROM notes').get();
    try {
      expect((await wk.checkpoint('TRUNCATE', { maxStallMs: 10 })).busy).toBe(true);
      wk.sampleWal();
      const alerts = history.alerts();
      expect(alerts.map((a) => [a.code, a.severity])).toContainEqual([
        'CHECKPOINT_BUSY_STREAK',
        'info',
      ]);
      expect(history.alerts({ severity: 'warning' })).toEqual([]);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    time.advance(10_000);
    const second = history.sample()!;
    expect(second).toMatchObject({
      at: T0 + 20_000,
      busyStreak: 1,
      busy: { checkpoints: 1 },
      checkpoints: [{ mode: 'TRUNCATE', outcome: 'busy', count: 1 }],
    });
    expect(second.reads.count).toBe(0);
    expect(second.writes.count).toBe(1);
    expect(second.wal.frames).toBeGreaterThan(0);

    const report = history.report({ hours: 1 });
    expect(report).toMatchObject({
      samples: 2,
      checkpoints: {
        total: 2,
        byMode: { PASSIVE: { complete: 1 }, TRUNCATE: { busy: 1 } },
      },
      busiestMinute: { at: T0, reads: 41, writes: 12 },
      busy: { checkpoints: 1 },
    });
    expect(report.latency.reads.count).toBe(41);

    // An hour later the window is empty; the samples are still in memory.
    time.advance(2 * HOUR);
    expect(history.report({ hours: 1 }).samples).toBe(0);
    expect(history.samples()).toHaveLength(2);
    expect(history.samples({ hours: 3 })).toHaveLength(2);
  });

  test('slow queries are alerts while they are recent', async () => {
    const time = clock();
    const history = metricsHistory({
      resolutionMs: 3_600_000,
      now: time.now,
      slowQueryMs: 0.000_001,
    });
    const wk = await open(history);
    await wk.read('SELECT count(*) FROM notes');
    expect(history.alerts().map((a) => a.code)).toContain('SLOW_READS');
    time.advance(10_000);
    history.sample();
    expect(history.alerts().map((a) => a.code)).toContain('SLOW_READS');
    // Past the 60 s window nothing recent is slow.
    time.advance(61_000);
    history.sample();
    expect(history.alerts().map((a) => a.code)).not.toContain('SLOW_READS');
  });

  test('memory is bounded: the ring keeps `capacity` samples, the newest', async () => {
    const time = clock();
    const history = metricsHistory({ resolutionMs: 3_600_000, capacity: 3, now: time.now });
    await open(history);
    for (let i = 1; i <= 5; i++) {
      time.advance(10_000);
      history.sample();
    }
    expect(history.samples().map((s) => s.at)).toEqual([T0 + 30_000, T0 + 40_000, T0 + 50_000]);
  });

  test('the timer samples every resolutionMs', async () => {
    const history = metricsHistory({ resolutionMs: 100 });
    await open(history);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(history.samples().length).toBeGreaterThanOrEqual(2);
  });

  test('options are checked', () => {
    expect(() => metricsHistory({ resolutionMs: 5 })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => metricsHistory({ capacity: 0 })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => metricsHistory({ slowQueryMs: -1 })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => metricsHistory({ alerts: { busystreak: 2 } } as never)).toThrow(/Unknown option/);
    expect(() => metricsHistory().alerts({ severity: 'loud' as never })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(metricsHistory().alerts()).toEqual([]);
  });
});
