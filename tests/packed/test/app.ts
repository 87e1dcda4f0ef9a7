import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ROOT } from './workspace.js';

const require = createRequire(import.meta.url);

const made: string[] = [];

/** A new directory outside the repository, as a user's app would be. */
export function newApp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `walkeeper-packed-${prefix}-`));
  made.push(dir);
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
export async function npmInstall(dir: string, specs: string[]): Promise<void> {
  const flags = ['--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'];
  const install = await run('npm', ['install', ...flags, ...specs], dir);
  if (install.code !== 0) throw new Error(`npm install in ${dir} failed:\n${install.stderr}`);
  const installed = join(dir, 'node_modules', 'better-sqlite3');
  if (!existsSync(installed)) return; // nothing here needs better-sqlite3
  const { version } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    version: string;
  };
  const workspace = dirname(require.resolve('better-sqlite3/package.json'));
  const workspaceVersion = (require('better-sqlite3/package.json') as { version: string }).version;
  if (version === workspaceVersion) {
    const addon = join('build', 'Release', 'better_sqlite3.node');
    mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
    copyFileSync(join(workspace, addon), join(installed, addon));
  } else {
    const rebuild = await run('npm', ['rebuild', 'better-sqlite3'], dir);
    if (rebuild.code !== 0)
      throw new Error(`npm rebuild better-sqlite3 failed:\n${rebuild.stderr}`);
  }
}

/** Removes every directory `newApp` made. */
export function removeApps(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell, not of `pnpm run`: without the npm_* settings pnpm adds
 * (npm warns about the ones it does not know) and without this repository's node_modules/.bin
 * on the PATH (where `walkeeper` would be found even if the app's install had failed).
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(ROOT))
    .join(delimiter);
  return env;
}

/** Runs a program to its end (or 5 min: tsc on a loaded machine), capturing its output. */
export function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      timeout: 300_000,
      env: userEnvironment(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The Bun binary from the `bun` npm package (a devDependency here, as in the repository). */
export function bunBinary(): string {
  return join(dirname(require.resolve('bun/package.json')), 'bin', 'bun.exe');
}
