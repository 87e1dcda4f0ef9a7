import { describe, expect, test } from 'vitest';
import { type AlertState, evaluateAlerts } from '../src/index.js';
import { healthyState, latency, thresholds } from './samples.js';

const MiB = 2 ** 20;
const healthy = healthyState;

const codes = (state: Partial<AlertState>, minimum?: 'info' | 'warning' | 'critical') =>
  evaluateAlerts({ ...healthy, ...state }, thresholds, minimum).map((a) => [a.code, a.severity]);

describe('alerts({ severity })', () => {
  test('a healthy state has none', () => {
    expect(evaluateAlerts(healthy, thresholds)).toEqual([]);
  });

  test('slow queries: info when a few, warning past p95, critical past p50', () => {
    const few = latency([...Array.from({ length: 98 }, () => 1), 150, 200]);
    const many = latency([
      ...Array.from({ length: 90 }, () => 1),
      ...Array.from({ length: 10 }, () => 300),
    ]);
    const most = latency([1, 300, 300]);
    expect(codes({ recent: { reads: few, writes: latency([]) } })).toEqual([
      ['SLOW_READS', 'info'],
    ]);
    expect(codes({ recent: { reads: many, writes: latency([]) } })).toEqual([
      ['SLOW_READS', 'warning'],
    ]);
    expect(codes({ recent: { reads: latency([]), writes: most } })).toEqual([
      ['SLOW_WRITES', 'critical'],
    ]);
    const [alert] = evaluateAlerts(
      { ...healthy, recent: { reads: many, writes: latency([]) } },
      thresholds,
    );
    expect(alert!.message).toMatch(
      /^10 of 100 reads in the last 60 s took over 100 ms \(p95 \d+ ms, max 300 ms\)$/,
    );
    expect(alert!.advice).toMatch(/EXPLAIN QUERY PLAN/);
  });

  test('the WAL past its cap: info nearing it, warning over it, critical at twice it', () => {
    expect(codes({ walBytes: 50 * MiB })).toEqual([['WAL_OVER_CAP', 'info']]);
    expect(codes({ walBytes: 65 * MiB })).toEqual([['WAL_OVER_CAP', 'warning']]);
    expect(codes({ walBytes: 129 * MiB })).toEqual([['WAL_OVER_CAP', 'critical']]);
  });

  test('busy streaks: info from one, warning at the threshold, critical at three times it', () => {
    expect(codes({ busyStreak: 1 })).toEqual([['CHECKPOINT_BUSY_STREAK', 'info']]);
    expect(codes({ busyStreak: 3 })).toEqual([['CHECKPOINT_BUSY_STREAK', 'warning']]);
    expect(codes({ busyStreak: 9 })).toEqual([['CHECKPOINT_BUSY_STREAK', 'critical']]);
  });

  test('a checkpoint not completed for too long, only while frames wait', () => {
    expect(codes({ checkpointAgeMs: 400_000 })).toEqual([]);
    expect(codes({ checkpointAgeMs: 400_000, frames: 20 })).toEqual([
      ['CHECKPOINT_STALE', 'warning'],
    ]);
    expect(codes({ checkpointAgeMs: 1_300_000, frames: 20 })).toEqual([
      ['CHECKPOINT_STALE', 'critical'],
    ]);
  });

  test('the pool queue near full', () => {
    expect(codes({ pending: 400 })).toEqual([]);
    expect(codes({ pending: 500 })).toEqual([['POOL_QUEUE_NEAR_FULL', 'info']]);
    expect(codes({ pending: 800 })).toEqual([['POOL_QUEUE_NEAR_FULL', 'warning']]);
    expect(codes({ pending: 1000 })).toEqual([['POOL_QUEUE_NEAR_FULL', 'critical']]);
    expect(codes({ pending: 1000, maxQueue: 0 })).toEqual([]);
  });

  test('most severe first, filtered by the least severity asked for, each with advice', () => {
    const state = { walBytes: 65 * MiB, busyStreak: 9, pending: 500 };
    expect(codes(state)).toEqual([
      ['CHECKPOINT_BUSY_STREAK', 'critical'],
      ['WAL_OVER_CAP', 'warning'],
      ['POOL_QUEUE_NEAR_FULL', 'info'],
    ]);
    expect(codes(state, 'warning').map(([code]) => code)).toEqual([
      'CHECKPOINT_BUSY_STREAK',
      'WAL_OVER_CAP',
    ]);
    expect(codes(state, 'critical').map(([code]) => code)).toEqual(['CHECKPOINT_BUSY_STREAK']);
    for (const alert of evaluateAlerts({ ...healthy, ...state }, thresholds)) {
      expect(alert.advice.length).toBeGreaterThan(40);
      expect(alert.advice).not.toMatch(/\n/);
    }
  });
});
