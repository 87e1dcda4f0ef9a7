import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Debian's prometheus package. */
export const PROMETHEUS = '/usr/bin/prometheus';

/**
 * Why the Prometheus test cannot run here, or undefined when it can. It is skipped only where
 * the package cannot be installed (no apt, or no candidate for it); a machine that could
 * install it but has not fails instead, so CI (which installs it) never skips it.
 */
export function prometheusUnavailable(): string | undefined {
  if (existsSync(PROMETHEUS)) return undefined;
  const policy = spawnSync('apt-cache', ['policy', 'prometheus'], { encoding: 'utf8' });
  const candidate = /Candidate: (\S+)/.exec(policy.stdout ?? '')?.[1];
  if (policy.error !== undefined || candidate === undefined || candidate === '(none)')
    return `the prometheus package cannot be installed here (no ${PROMETHEUS}, no apt candidate)`;
  return undefined;
}

/** A free loopback port, from the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RunningPrometheus {
  url: string;
  /** What it printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus server on a loopback port, scraping `target` (host:port) every second, with
 * its config and storage in `dir`.
 */
export async function startPrometheus(dir: string, target: string): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS))
    throw new Error(
      `no ${PROMETHEUS}: install Debian's prometheus package (apt-get install prometheus)`,
    );
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  const storage = join(dir, 'tsdb');
  mkdirSync(storage, { recursive: true });
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: observatory',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready in 20 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, output: () => output, stop };
}
