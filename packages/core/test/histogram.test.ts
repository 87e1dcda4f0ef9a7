import { describe, expect, test } from 'vitest';
import {
  bucketBoundsMs,
  bucketIndex,
  EXPONENTIAL_INDEX_OFFSET,
  EXPONENTIAL_SCALE,
  Histogram,
} from '../src/histogram.js';

describe('Histogram', () => {
  test('percentiles land within a bucket (about 9%) of the exact value', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms, uniform
    const s = h.snapshot();
    expect(s.count).toBe(1000);
    expect(s.minMs).toBe(0.1);
    expect(s.maxMs).toBe(100);
    expect(s.p50Ms / 50).toBeGreaterThan(0.91);
    expect(s.p50Ms / 50).toBeLessThan(1.09);
    expect(s.p99Ms / 99).toBeGreaterThan(0.91);
    expect(s.p99Ms / 99).toBeLessThan(1.09);
    expect(s.sumMs).toBeCloseTo(50050, 5);
  });

  test('an empty histogram reports zeros, and extremes are clamped into range', () => {
    expect(new Histogram().snapshot()).toEqual({
      count: 0,
      sumMs: 0,
      minMs: 0,
      maxMs: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
    });
    const h = new Histogram();
    h.record(0);
    h.record(1e12);
    expect(h.quantile(0)).toBe(0);
    expect(h.quantile(1)).toBe(1e12);
    const pairs = h.sparseBuckets();
    expect(pairs.filter((_, i) => i % 2 === 1).reduce((n, c) => n + c, 0)).toBe(2);
  });
});

describe('buckets as OpenTelemetry exponential buckets at scale 3', () => {
  test('a value lies in (2^(i/8), 2^((i+1)/8)] seconds, i = bucket + offset', () => {
    expect(EXPONENTIAL_SCALE).toBe(3);
    for (const ms of [0.0025, 0.01, 0.3, 1, 7.5, 250, 60_000]) {
      const i = bucketIndex(ms) + EXPONENTIAL_INDEX_OFFSET;
      const seconds = ms / 1000;
      expect(2 ** (i / 8)).toBeLessThan(seconds);
      expect(2 ** ((i + 1) / 8)).toBeGreaterThanOrEqual(seconds);
      const { lowerMs, upperMs } = bucketBoundsMs(bucketIndex(ms));
      expect(lowerMs).toBeLessThan(ms);
      expect(upperMs).toBeGreaterThanOrEqual(ms);
    }
    // An upper edge belongs to its bucket, as in OpenTelemetry.
    const edge = 1000 * 2 ** (-10 + 3 / 8);
    expect(bucketIndex(edge) + EXPONENTIAL_INDEX_OFFSET).toBe(-80 + 2);
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(-1)).toBe(0);
  });

  test('add() merges another histogram exactly', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 1; i <= 10; i++) a.record(i);
    for (let i = 11; i <= 30; i++) b.record(i / 3);
    const merged = new Histogram();
    merged.add(a);
    merged.add(b);
    merged.add(new Histogram());
    expect(merged.count).toBe(30);
    expect(merged.sumMs).toBeCloseTo(a.sumMs + b.sumMs, 12);
    expect(merged.minMs).toBe(1);
    expect(merged.maxMs).toBe(10);
    const expected = new Histogram();
    for (let i = 1; i <= 10; i++) expected.record(i);
    for (let i = 11; i <= 30; i++) expected.record(i / 3);
    expect([...merged.sparseBuckets()]).toEqual([...expected.sparseBuckets()]);
  });
});
