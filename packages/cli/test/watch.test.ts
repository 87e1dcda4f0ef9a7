import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CLI,
  closedWalDatabase,
  filesBeside,
  fingerprint,
  insertRows,
  newPath,
  walDatabase,
  walkeeper,
} from './support.js';

async function waitFor<T>(
  probe: () => T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('walkeeper watch, not on a terminal', () => {
  test('--count prints a line per sample, exits 0, and changes no byte on disk', () => {
    const path = newPath();
    const db = walDatabase(path, 20);
    const before = fingerprint(path);
    const run = walkeeper(['watch', path, '--count', '3', '--interval', '50']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatch(
        /^\d{4}-\d\d-\d\dT\S+Z wal [\d.]+ KiB frames \d+\/0 checkpoints 0 health ok$/,
      );
    }
    expect(fingerprint(path)).toEqual(before);
    db.close();
  });

  test('a WAL database no one has open: no -wal or -shm appears', () => {
    const path = newPath();
    closedWalDatabase(path);
    const before = fingerprint(path);
    const run = walkeeper(['watch', path, '--count', '2', '--interval', '50', '--json']);
    expect(run.code).toBe(0);
    const samples = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(samples).toHaveLength(2);
    expect(samples[0]).toMatchObject({
      walBytes: 0,
      frames: null,
      backfilledFrames: null,
      checkpointsSeen: 0,
      resetsSeen: 0,
      health: { status: 'ok' },
    });
    expect(fingerprint(path)).toEqual(before);
  });

  test('SIGINT ends it with exit code 0', async () => {
    const path = newPath();
    closedWalDatabase(path);
    const child = spawn(process.execPath, [CLI, 'watch', path, '--interval', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    await waitFor(() => (stdout.includes('\n') ? true : undefined), 'the first sample');
    child.kill('SIGINT');
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  test('the reader of its output going away (| head) ends it quietly with exit code 0', async () => {
    const path = newPath();
    closedWalDatabase(path);
    const child = spawn(process.execPath, [CLI, 'watch', path, '--interval', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = await once(child, 'exit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  test('the database disappearing ends it with exit code 1 and one line', async () => {
    const path = newPath();
    closedWalDatabase(path);
    const child = spawn(process.execPath, [CLI, 'watch', path, '--interval', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    await waitFor(() => (stdout.includes('\n') ? true : undefined), 'the first sample');
    rmSync(path);
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toBe(`walkeeper: ${path} does not exist\n`);
  });
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** `node -e RECORD_EXIT <file> <script> ...args`: runs the script, writes its exit to <file>. */
const RECORD_EXIT = `
process.on('SIGINT', () => {});
const [file, ...args] = process.argv.slice(1);
const child = require('node:child_process').spawn(process.execPath, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => require('node:fs').writeFileSync(file, JSON.stringify({ code, signal })));
`;

// In CI tmux must be there (the test fails loudly); elsewhere it is skipped without it.
describe.skipIf(!hasTmux && !process.env.CI)('walkeeper watch in a terminal (tmux)', () => {
  const socket = `walkeeper-cli-test-${process.pid}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-u', '-L', socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
  const screen = () => tmux('capture-pane', '-p', '-t', 'watch');

  beforeAll(() => {
    if (!hasTmux) throw new Error('this test needs tmux: apt-get install -y tmux');
  });
  afterAll(() => {
    if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
  });

  test('draws the WAL size, a sparkline, checkpoints seen and health; Ctrl-C exits 0', async () => {
    const path = newPath();
    const db = walDatabase(path, 50);
    const files = filesBeside(path);
    // The CLI runs under a small parent that ignores SIGINT and writes down how the CLI ended:
    // Ctrl-C reaches both (one process group), and tmux's own record of a pane's exit status
    // is not reliable. remain-on-exit keeps the last screen to read after the exit.
    const result = join(dirname(path), 'exit.json');
    tmux(
      'new-session',
      '-d',
      '-s',
      'watch',
      '-x',
      '100',
      '-y',
      '24',
      process.execPath,
      '-e',
      RECORD_EXIT,
      result,
      CLI,
      'watch',
      path,
      '--interval',
      '100',
      ';',
      'set-option',
      '-g',
      'remain-on-exit',
      'on',
    );

    let view = await waitFor(
      () => (/checkpoints\s+0 seen/.test(screen()) ? screen() : undefined),
      'the first frame',
    );
    expect(view).toContain(`walkeeper watch ${path} · every 100 ms · Ctrl-C to quit`);
    expect(view).toMatch(/WAL\s+[\d.]+ KiB\s+▁*█/);
    expect(view).toMatch(/log\s+\d+ frames, 0 backfilled/);
    expect(view).toMatch(/health\s+ok/);

    insertRows(db, 300);
    view = await waitFor(
      () => (/WAL\s+[\d.]+ MiB\s+\S*[▁▂▃▄▅▆▇]\S*█/.test(screen()) ? screen() : undefined),
      'the WAL growing on the sparkline',
    );
    expect(view).toMatch(/max [\d.]+ MiB over the last \d+ samples/);

    db.pragma('wal_checkpoint(PASSIVE)');
    view = await waitFor(
      () => (/checkpoints\s+1 seen \(0 resets\), the last/.test(screen()) ? screen() : undefined),
      'the PASSIVE checkpoint',
    );
    expect(view).toMatch(/log\s+(\d+) frames, \1 backfilled/);

    db.pragma('wal_checkpoint(TRUNCATE)');
    await waitFor(
      () => (/checkpoints\s+2 seen \(1 reset\)/.test(screen()) ? true : undefined),
      'the TRUNCATE seen as a reset',
    );

    tmux('send-keys', '-t', 'watch', 'C-c');
    const exit = await waitFor(
      () => (existsSync(result) ? JSON.parse(readFileSync(result, 'utf8')) : undefined),
      'the CLI to exit',
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(screen()).toMatch(/watched .* for \d+ s: \d+ samples, 2 checkpoints seen/);
    // It only read: the directory holds what the test's own connection made, nothing more.
    expect(filesBeside(path)).toEqual([...files, 'exit.json'].sort());
    db.close();
  });
});
