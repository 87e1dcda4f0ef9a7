import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import {
  closedWalDatabase,
  filesBeside,
  newPath,
  oneLineError,
  runsAsRoot,
  walkeeper,
  walkeeperUnprivileged,
} from './support.js';

const COMMANDS: [string, (db: string) => string[]][] = [
  ['status', (db) => ['status', db]],
  ['checkpoint', (db) => ['checkpoint', db]],
  ['watch', (db) => ['watch', db, '--count', '1']],
  ['doctor', (db) => ['doctor', db]],
  ['migrate up', (db) => ['migrate', 'up', '--db', db, '--dir', '.']],
  ['migrate down', (db) => ['migrate', 'down', '--db', db, '--dir', '.']],
  ['migrate status', (db) => ['migrate', 'status', '--db', db, '--dir', '.']],
  ['migrate plan', (db) => ['migrate', 'plan', '--db', db, '--dir', '.']],
];

/** Exit 2, nothing on stdout, one line on stderr that matches `problem`. */
function expectUsageError(args: string[], problem: RegExp | string): void {
  const run = walkeeper(args);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const line = oneLineError(run);
  expect(line.startsWith('walkeeper: ')).toBe(true);
  if (typeof problem === 'string') expect(line).toContain(problem);
  else expect(line).toMatch(problem);
}

describe.each(COMMANDS)('%s: bad input is exit code 2 with one line naming it', (_, argsFor) => {
  test('a missing file (and it is not created)', () => {
    const path = newPath();
    expectUsageError(argsFor(path), `${path} does not exist`);
    expect(filesBeside(path)).toEqual([]);
  });

  test('a directory', () => {
    const path = newPath();
    mkdirSync(path);
    expectUsageError(argsFor(path), `${path} is a directory, not a database file`);
  });

  test('a path under a file', () => {
    const file = newPath();
    writeFileSync(file, '');
    const path = join(file, 'app.db');
    expectUsageError(argsFor(path), `${path} does not exist (a parent is not a directory)`);
  });

  test('a database the user may not read', () => {
    const path = newPath();
    closedWalDatabase(path);
    // Root reads anything: as root, run as nobody in the 0700 directory mkdtemp made.
    if (!runsAsRoot()) chmodSync(path, 0o000);
    const run = walkeeperUnprivileged(argsFor(path));
    chmodSync(path, 0o644);
    expect(run.code).toBe(2);
    expect(oneLineError(run)).toBe(`walkeeper: cannot read ${path}: permission denied`);
  });

  test('a file that is not a database', () => {
    const path = newPath();
    writeFileSync(path, 'id,name\n1,notes\n'.repeat(20));
    expectUsageError(argsFor(path), `${path} is not a SQLite database`);
    expect(filesBeside(path)).toEqual(['test.db']);
  });
});

describe('bad options are exit code 2 with one line naming them', () => {
  const path = newPath();
  closedWalDatabase(path);

  test.each([
    [
      ['checkpoint', path, '--mode', 'fast'],
      'unknown checkpoint mode "fast": use passive, full, restart or truncate',
    ],
    [
      ['checkpoint', path, '--max-stall-ms', '-1'],
      '--max-stall-ms must be a whole number from 0 to 60000, got "-1"',
    ],
    [['checkpoint', path, '--max-stall-ms', 'soon'], '--max-stall-ms must be a whole number'],
    [
      ['watch', path, '--interval', '-5'],
      '--interval must be a whole number from 50 to 3600000, got "-5"',
    ],
    [['watch', path, '--interval', '0'], '--interval must be a whole number from 50'],
    [['watch', path, '--count', '0'], '--count must be a whole number from 1'],
    [
      ['status', path, '--wal-cap', 'big'],
      '--wal-cap must be a size of at least 4096 bytes such as 64MiB, got "big"',
    ],
    [['status', path, '--frobnicate'], "unknown option '--frobnicate'"],
    [['status', path, '--jsn'], /unknown option '--jsn' \(Did you mean --json\?\)/],
    [['status'], "missing required argument 'db'"],
    [['status', path, 'other.db'], /too many arguments/],
    [['stats', path], /unknown command 'stats' \(Did you mean status\?\)/],
    [['checkpoint', path, '--mode'], "option '--mode <mode>' argument missing"],
    [['migrate', 'up', '--dir', '.'], "required option '--db <db>' not specified"],
    [['migrate', 'up', '--db', path], "required option '--dir <dir>' not specified"],
    [
      ['migrate', 'up', '--db', path, '--dir', '.', '--to', '-1'],
      '--to must be a whole number from 0',
    ],
    [['migrate', 'sideways', '--db', path], "unknown command 'sideways'"],
  ] as [string[], string | RegExp][])('%j', (args, problem) => {
    expectUsageError(args, problem);
  });

  test('no command prints the help on stderr and exits 2', () => {
    const run = walkeeper([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: walkeeper');
  });

  test('with --json, stdout also gets the error as JSON', () => {
    const missing = join(dirname(path), 'missing.db');
    const run = walkeeper(['status', missing, '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      error: { name: 'UsageError', message: `${missing} does not exist` },
    });
    expect(filesBeside(path)).toEqual(['test.db']);
  });
});

describe('help and version', () => {
  test.each([
    [[]],
    [['status']],
    [['checkpoint']],
    [['watch']],
    [['doctor']],
    [['migrate']],
    [['migrate', 'up']],
    [['migrate', 'down']],
    [['migrate', 'status']],
    [['migrate', 'plan']],
  ])('walkeeper %j --help: usage and examples, exit 0', (command) => {
    const run = walkeeper([...command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Usage: walkeeper${command.length ? ` ${command.join(' ')}` : ''}`,
    );
    expect(run.stdout).toMatch(/Examples:\n {2}\$ walkeeper /);
    // Prose is wrapped at 80 columns by commander alone: no line longer, and no line of a
    // paragraph cut short before its last one (hard line breaks in the text did that).
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    const prose = lines.slice(
      2,
      lines.findIndex((line) => /^(Arguments|Options):$/.test(line)),
    );
    const cutShort = prose.filter((line, i) => line !== '' && prose[i + 1] && line.length < 60);
    expect(cutShort).toEqual([]);
  });

  test('--version prints the version of the installed package', () => {
    const run = walkeeper(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${packageJson.version}\n`);
    expect(run.stdout).not.toBe('0.0.0\n');
  });
});
