import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface Measured {
  ops: number;
  elapsedMs: number;
  /** Operations per second over the time actually spent. */
  rate: number;
}

/**
 * Runs `op(start + i)` for about `budgetMs`. The clock is read once per `batch` operations,
 * so reading it costs next to nothing against the work; the rate divides by the time actually
 * spent, so overshooting the budget by part of a batch does not bias it.
 */
export function measureRate(
  op: (i: number) => void,
  budgetMs: number,
  batch: number,
  start = 0,
): Measured {
  const began = performance.now();
  const deadline = began + budgetMs;
  let ops = 0;
  let now = began;
  do {
    const end = start + ops + batch;
    for (let i = start + ops; i < end; i++) op(i);
    ops += batch;
    now = performance.now();
  } while (now < deadline);
  const elapsedMs = now - began;
  return { ops, elapsedMs, rate: (ops * 1000) / elapsedMs };
}

/**
 * Lets timers and I/O callbacks run between measured slices (walkeeper's WAL sampler among
 * them), so their cost lands in the run as it would in an application, not all at the end.
 */
export async function settle(): Promise<void> {
  await yieldToLoop();
}
