import { resolve } from 'node:path';

/** Databases this process has open through walkeeper, by absolute path, with a count. */
const open = new Map<string, number>();

/**
 * Records an open of `path` and returns the function that forgets it. A second walkeeper on
 * the same file in one process works, but its writer competes with the first for SQLite's
 * write lock: a write from one inside the other's `write()` can only end in E_BUSY after the
 * busy timeout, with the event loop blocked. That is almost always a mistake, so it warns.
 */
export function claimPath(path: string): () => void {
  const key = resolve(path);
  const count = open.get(key) ?? 0;
  if (count > 0) {
    process.emitWarning(
      `${path} is already open through walkeeper in this process; two writers on one file wait on each other (E_BUSY). Share one walkeeper instead.`,
      { code: 'WALKEEPER_ALREADY_OPEN' },
    );
  }
  open.set(key, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (open.get(key) ?? 1) - 1;
    if (left === 0) open.delete(key);
    else open.set(key, left);
  };
}
