import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The Bun executable of the `bun` npm package this app depends on, not whatever `bun` is on
 * the PATH: the figures are for the Bun version the repository pins and tests. Read from the
 * package's own `bin` field rather than `node_modules/.bin/bun`, which is a shell wrapper.
 */
export function bunBinary(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('bun/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.bun;
  if (bin === undefined) throw new Error(`${manifestPath} names no "bun" executable.`);
  return join(dirname(manifestPath), bin);
}

/**
 * Runs `entry` (a TypeScript file: Bun runs it as it is, as tsx does for Node) under Bun with
 * `args`, sharing this process's stdio, and resolves to its exit code.
 */
export function runUnderBun(entry: string, args: readonly string[]): Promise<number> {
  return runChild(bunBinary(), [entry, ...args]);
}

/**
 * Runs `command` with `args`, sharing this process's stdio, and resolves to its exit code.
 * A signal sent to this process alone is passed on, so the child still deletes its temp
 * directory; a child killed by a signal exits as a shell reports it (128 + its number).
 */
export function runChild(command: string, args: readonly string[]): Promise<number> {
  const child = spawn(command, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const name of FORWARDED_SIGNALS) process.off(name, forward);
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
