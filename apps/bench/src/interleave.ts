import { measureRate, settle } from './timing.js';

/** One contender in a throughput comparison: `op(i)` does one operation, i counts up. */
export interface Contender {
  name: string;
  op: (i: number) => void;
  /** Operations between clock reads: large for microsecond ops, 1 for fsync-bound ones. */
  batch: number;
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
 * whichever ran during it. Returns each contender's ops/s, one sample per round.
 */
export async function interleavedRates(
  contenders: readonly Contender[],
  { rounds, sliceMs, warmupMs }: InterleaveOptions,
): Promise<Map<string, number[]>> {
  const next = new Map(contenders.map((c) => [c.name, 0]));
  const rates = new Map(contenders.map((c): [string, number[]] => [c.name, []]));
  const run = (contender: Contender, ms: number) => {
    const start = next.get(contender.name)!;
    const { ops, rate } = measureRate(contender.op, ms, contender.batch, start);
    next.set(contender.name, start + ops);
    return rate;
  };
  for (const contender of contenders) {
    run(contender, warmupMs);
    await settle();
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!;
      rates.get(contender.name)!.push(run(contender, sliceMs));
      await settle();
    }
  }
  return rates;
}
