import { measureRate, settle } from './timing.js';

/** One contender in a throughput comparison: `op(i)` does one operation, i counts up. */
export interface Contender {
  name: string;
  op: (i: number) => void;
  /** Operations between clock reads: large for microsecond ops, 1 for fsync-bound ones. */
  batch: number;
}

/** A contender whose measurement is asynchronous: `measure(ms)` runs for about `ms`. */
export interface AsyncContender<T> {
  name: string;
  measure: (ms: number) => Promise<T>;
}

export interface InterleaveOptions {
  rounds: number;
  sliceMs: number;
  /** Untimed run of each contender first, so the JIT and the page cache are warm for both. */
  warmupMs: number;
}

/**
 * Measures each contender once per round, back to back, rotating who goes first, so machine
 * noise (another tenant, a write-back burst) lands on every contender alike instead of on
 * whichever ran during it. Returns each contender's measurements, one per round.
 */
export async function interleaved<T>(
  contenders: readonly AsyncContender<T>[],
  { rounds, sliceMs, warmupMs }: InterleaveOptions,
): Promise<Map<string, T[]>> {
  const samples = new Map(contenders.map((c): [string, T[]] => [c.name, []]));
  for (const contender of contenders) {
    await contender.measure(warmupMs);
    await settle();
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!;
      samples.get(contender.name)!.push(await contender.measure(sliceMs));
      await settle();
    }
  }
  return samples;
}

/** `interleaved` for synchronous operations: each contender's ops/s, one sample per round. */
export function interleavedRates(
  contenders: readonly Contender[],
  options: InterleaveOptions,
): Promise<Map<string, number[]>> {
  return interleaved(
    contenders.map(({ name, op, batch }) => {
      // Each contender's i keeps counting across slices, so no slice repeats another's rows.
      let next = 0;
      return {
        name,
        measure: async (ms: number) => {
          const { ops, rate } = measureRate(op, ms, batch, next);
          next += ops;
          return rate;
        },
      };
    }),
    options,
  );
}
