import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const RESOLUTION_MS = 1;

export interface EventLoopDelay {
  maxMs: number;
  /** 99th percentile of the delay: how late the loop ran all but its worst 1% of ticks. */
  p99Ms: number;
}

/**
 * Starts watching how late the event loop runs a 1 ms timer; `stop()` returns the delay past
 * that interval. A fresh histogram each time: re-enabling one measures from its last tick,
 * so the gap while it was off (a fill, a setup) would count as a stall.
 */
export function watchEventLoop(): { stop(): EventLoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      // Values are whole timer intervals in ns; what the loop lost is the part past the interval.
      const late = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      if (histogram.count === 0) return { maxMs: 0, p99Ms: 0 };
      return { maxMs: late(histogram.max), p99Ms: late(histogram.percentile(99)) };
    },
  };
}

/**
 * Runs `fn` under a fresh watch. The watch ticks before `fn` starts, so it has a baseline, and
 * after it ends, so a stall `fn` caused is recorded by the late tick that follows it.
 */
export async function measureEventLoop<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; delay: EventLoopDelay }> {
  const watch = watchEventLoop();
  let delay: EventLoopDelay | undefined;
  try {
    await sleep(2 * RESOLUTION_MS);
    const value = await fn();
    await sleep(2 * RESOLUTION_MS);
    delay = watch.stop();
    return { value, delay };
  } finally {
    if (delay === undefined) watch.stop();
  }
}
