import { percentile } from './stats.js';

export interface ClientsMeasurement {
  /** Reads answered per second, from the first call until the last client has stopped. */
  qps: number;
  /** Median latency of one read, from the call to the caller resuming, in ms. */
  p50Ms: number;
  /** 99th percentile of one read's latency, from the call to the caller resuming, in ms. */
  p99Ms: number;
}

/**
 * Runs `clients` concurrent callers for `ms`: each is an async loop awaiting one read at a
 * time, as request handlers sharing one database do. `read(i)` gets a number unique to the
 * read (client k issues k, k + clients, k + 2 * clients, ...).
 *
 * The clock, not a timer, ends the run: a read that runs synchronously (an inline
 * connection) resumes its caller on the microtask queue, which never yields to timers.
 * No read starts after the deadline; those in flight then finish and count, over the time
 * they took. (Counting only reads answered before the deadline would be wrong for an
 * inline connection: with 100 clients each caller resumes only after the other 99 reads
 * have run, so a short window of heavy reads would answer none.)
 */
export async function runClients(
  read: (i: number) => Promise<unknown>,
  clients: number,
  ms: number,
): Promise<ClientsMeasurement> {
  const latencies: number[] = [];
  const began = performance.now();
  const deadline = began + ms;
  const client = async (first: number) => {
    for (let i = first; ; i += clients) {
      const called = performance.now();
      if (called >= deadline) return;
      await read(i);
      latencies.push(performance.now() - called);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, k) => client(k)));
  const elapsedMs = performance.now() - began;
  return {
    qps: (latencies.length * 1000) / elapsedMs,
    p50Ms: latencies.length === 0 ? 0 : percentile(latencies, 50),
    p99Ms: latencies.length === 0 ? 0 : percentile(latencies, 99),
  };
}
