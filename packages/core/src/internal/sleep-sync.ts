const cell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the thread for `ms`. `write()` is synchronous by contract, so its retry backoff
 * cannot yield; SQLite's own busy handler blocks the same way.
 */
export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, ms);
}
