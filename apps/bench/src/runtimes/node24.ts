import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runChild } from '../under-bun.js';

/**
 * The Node 24 executable of the `node` npm package, a devDependency of
 * @walkeeper/driver-node-sqlite (whose tests run on it). The bench does not depend on `node`
 * itself: that would put Node 24 first on the PATH of `pnpm bench`, where better-sqlite3's
 * addon, built for the workspace's Node 20, does not load. Read from the package's `bin`
 * field, as bunBinary() reads Bun's.
 */
export function node24Binary(): string {
  const require = createRequire(import.meta.url);
  const driver = require.resolve('@walkeeper/driver-node-sqlite/package.json');
  const manifestPath = createRequire(driver).resolve('node/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.node;
  if (bin === undefined) throw new Error(`${manifestPath} names no "node" executable.`);
  return join(dirname(manifestPath), bin);
}

/** Runs `entry` under Node 24 with tsx, as `pnpm bench` runs it under Node 20. */
export function runUnderNode24(entry: string, args: readonly string[]): Promise<number> {
  return runChild(node24Binary(), ['--import', 'tsx', entry, ...args]);
}
