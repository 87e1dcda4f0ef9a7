import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** A new directory outside the repository, as a user's app would be. */
export function newApp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'walkeeper-user-app', private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}

/**
 * `npm install` of `specs` (tarball paths and registry specs) in `dir`. Install scripts are
 * skipped and better-sqlite3's addon is taken from this workspace's build when the versions
 * match, because compiling it again takes minutes on a CI machine; otherwise it is rebuilt.
 */
export function npmInstall(dir: string, specs: string[]): void {
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...specs],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const installed = join(dir, 'node_modules', 'better-sqlite3');
  let version: string;
  try {
    version = (
      JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return; // nothing here needs better-sqlite3
  }
  const workspace = dirname(require.resolve('better-sqlite3/package.json'));
  const workspaceVersion = (require('better-sqlite3/package.json') as { version: string }).version;
  if (version === workspaceVersion) {
    const addon = join('build', 'Release', 'better_sqlite3.node');
    mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
    copyFileSync(join(workspace, addon), join(installed, addon));
  } else {
    execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: dir, stdio: 'inherit' });
  }
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (or 150 s: tsc on a busy machine), capturing its output. */
export function run(command: string, args: string[], cwd: string): Run {
  const child = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The Bun binary from the `bun` npm package (a devDependency here, as in the repository). */
export function bunBinary(): string {
  return join(dirname(require.resolve('bun/package.json')), 'bin', 'bun.exe');
}
