import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Litestream v0.3.13 binary shipped by `@flydotio/litestream-linux-x64` (run bit set here). */
export function litestreamBinary(): string {
  const require = createRequire(import.meta.url);
  const binary = join(
    dirname(require.resolve('@flydotio/litestream-linux-x64/package.json')),
    'litestream',
  );
  // Some installs leave the run bit off.
  if ((statSync(binary).mode & 0o111) === 0) chmodSync(binary, 0o755);
  return binary;
}

export interface LitestreamConfig {
  /** The config file for `-config`. */
  path: string;
  database: string;
  replica: string;
  /** Litestream's own PASSIVE threshold (`min-checkpoint-page-count`). */
  minCheckpointPages: number;
  /** Its forced checkpoint threshold (`max-checkpoint-page-count`). */
  maxCheckpointPages: number;
}

/** A config that replicates `database` to a `file` replica in `dir`. */
export function writeConfig(dir: string, database: string): LitestreamConfig {
  const config: LitestreamConfig = {
    path: join(dir, 'litestream.yml'),
    database,
    replica: join(dir, 'replica'),
    minCheckpointPages: 1000,
    maxCheckpointPages: 10_000,
  };
  writeFileSync(
    config.path,
    [
      'dbs:',
      `  - path: ${database}`,
      '    monitor-interval: 100ms',
      `    min-checkpoint-page-count: ${config.minCheckpointPages}`,
      `    max-checkpoint-page-count: ${config.maxCheckpointPages}`,
      '    replicas:',
      '      - type: file',
      `        path: ${config.replica}`,
      '        sync-interval: 100ms',
      '',
    ].join('\n'),
  );
  return config;
}

/** `litestream replicate` running until `stop()`; its output is kept for failure messages. */
export class Replicator {
  readonly #process: ChildProcess;
  #log = '';
  readonly #exited: Promise<number | null>;

  constructor(config: LitestreamConfig) {
    this.#process = spawn(litestreamBinary(), ['replicate', '-config', config.path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#process.stdout?.on('data', (chunk) => (this.#log += chunk));
    this.#process.stderr?.on('data', (chunk) => (this.#log += chunk));
    this.#exited = new Promise((resolve) => this.#process.once('exit', (code) => resolve(code)));
  }

  get log(): string {
    return this.#log;
  }

  /** Resolves once Litestream has started replicating the database (it holds its read lock). */
  async ready(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!/initialized db|replicating/i.test(this.#log)) {
      if (Date.now() > deadline) throw new Error(`litestream did not start:\n${this.#log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM: Litestream syncs what it has and exits. */
  async stop(): Promise<void> {
    if (this.#process.exitCode === null) this.#process.kill('SIGTERM');
    await this.#exited;
  }
}

/** `litestream restore -o out`: the replica's latest state as a new database file. */
export async function restore(config: LitestreamConfig, out: string): Promise<void> {
  await run(litestreamBinary(), ['restore', '-config', config.path, '-o', out, config.database]);
}

/** The generations Litestream has for the database (a new one means a full snapshot). */
export async function generations(config: LitestreamConfig): Promise<string[]> {
  const { stdout } = await run(litestreamBinary(), [
    'generations',
    '-config',
    config.path,
    config.database,
  ]);
  // A header line, then one line per generation: name, generation, lag, start, end.
  return stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[1]!)
    .filter((generation, i, all) => all.indexOf(generation) === i);
}
