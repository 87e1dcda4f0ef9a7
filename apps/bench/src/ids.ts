/**
 * A fixed pseudo-random sequence of row ids (a xorshift generator with a fixed seed), so the
 * baseline and walkeeper look up the same rows in the same order, and no `Math.random()`
 * call sits in either hot loop.
 */
export function randomIds(count: number, maxId: number, seed = 0x9e3779b9): Uint32Array {
  const ids = new Uint32Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    ids[i] = 1 + (x % maxId);
  }
  return ids;
}
