import { describe, expect, test } from 'vitest';
import { Histogram } from '../src/histogram.js';

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
