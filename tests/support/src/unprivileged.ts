import { type SpawnSyncOptions, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';

/**
 * Root ignores permission bits, so a test that checks a permission error runs its command as
 * `nobody` (65534 on Debian and most Linux systems) when it runs as root. Anyone else runs the
 * command as themselves, with the permission bits taken away by the test.
 */
const NOBODY = { uid: 65534, gid: 65534 };
/** Root ignores permission bits and may mount file systems: some tests need it, some avoid it. */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

export interface UnprivilegedStage {
  /** Where a file or directory of the staged package, or of a package it imports, is in the copy. */
  path(original: string): string;
  /**
   * Runs this runtime (node or bun) with `args`, in the staged package's directory: as `nobody`
   * when the tests are root, else as the current user.
   */
  run(
    args: readonly string[],
    options?: Omit<SpawnSyncOptions, 'uid' | 'gid' | 'encoding'>,
  ): SpawnSyncReturns<string>;
  /** Deletes the copy. */
  remove(): void;
}

/**
 * A copy of the package at `packageDir`, of every package it depends on, and of the packages
 * named in `imports` (resolved from it, as a fixture script in it would import them), in a new
 * temporary directory anyone may read. `nobody` cannot enter a checkout under a 0700 folder
 * (`mktemp -d`, `/root`), so what it runs must come from somewhere it can.
 *
 * Each file sits at its own absolute path below the copy's root, and the `node_modules` links
 * are recreated between the copies, so imports resolve in the copy exactly as in the checkout
 * (pnpm's layout or any other). Files are hard links where the file system allows (cheap),
 * copies otherwise or where the original is not readable by others.
 */
export function stageForUnprivileged(
  packageDir: string,
  imports: readonly string[] = [],
): UnprivilegedStage {
  const root = mkdtempSync(join(tmpdir(), 'walkeeper-unprivileged-'));
  chmodSync(root, 0o755);
  if (runsAsRoot() && !othersMayEnter(root)) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `uid ${NOBODY.uid} cannot reach ${root}: set TMPDIR to a directory everyone may enter, such as /tmp`,
    );
  }
  const inStage = (original: string) => join(root, original);
  const top = realpathSync(packageDir);
  copyPackages(top, imports, inStage);
  const execPath =
    runsAsRoot() && !othersMayRun(process.execPath)
      ? inStage(realpathSync(process.execPath))
      : process.execPath;
  if (execPath !== process.execPath) placeFile(realpathSync(process.execPath), execPath);

  const path = (original: string) =>
    inStage(existsSync(original) ? realpathSync(original) : resolve(original));
  return {
    path,
    run: (args, options = {}) =>
      spawnSync(execPath, [...args], {
        cwd: inStage(top),
        ...options,
        ...(runsAsRoot() ? NOBODY : {}),
        encoding: 'utf8',
      }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Copies the package at `top` and, transitively, what it and `imports` resolve to. */
function copyPackages(
  top: string,
  imports: readonly string[],
  inStage: (original: string) => string,
): void {
  const copied = new Set<string>();
  const pending: [dir: string, names: readonly string[]][] = [[top, imports]];
  while (pending.length > 0) {
    const [dir, extra] = pending.pop()!;
    if (copied.has(dir)) continue;
    copied.add(dir);
    copyTree(dir, inStage(dir));
    for (const name of [...runtimeDependencies(dir), ...extra]) {
      const installed = findInstalled(dir, name);
      // An optional or peer dependency that is not installed: the checkout cannot import it either.
      if (installed === undefined) continue;
      const real = realpathSync(installed);
      if (real !== installed) linkInStage(inStage(installed), inStage(real));
      pending.push([real, []]);
    }
  }
}

function runtimeDependencies(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  return ['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) =>
    Object.keys(manifest[field] ?? {}),
  );
}

/** The `node_modules/<name>` Node's resolver finds first walking up from `dir`. */
function findInstalled(dir: string, name: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (basename(at) !== 'node_modules' && exists(candidate)) return candidate;
    if (dirname(at) === at) return undefined;
  }
}

/** The directory tree without its `node_modules` (packages are copied one by one). */
function copyTree(from: string, to: string): void {
  makeDirectory(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isFile()) placeFile(source, target);
  }
}

/** A hard link when others may read the file and the file system allows it, else a readable copy. */
function placeFile(source: string, target: string): void {
  makeDirectory(dirname(target));
  const { mode } = statSync(source);
  if (mode & 0o004) {
    try {
      linkSync(source, target);
      return;
    } catch {
      // Another file system (EXDEV) or a refused link: a copy does the same.
    }
  }
  copyFileSync(source, target);
  chmodSync(target, (mode & 0o7777) | 0o444 | (mode & 0o100 ? 0o111 : 0));
}

function linkInStage(link: string, target: string): void {
  if (exists(link)) return;
  makeDirectory(dirname(link));
  symlinkSync(relative(dirname(link), target), link);
}

/** Creates `dir` and its missing parents (the stage's root exists), each 0755 whatever the umask. */
function makeDirectory(dir: string): void {
  if (exists(dir)) return;
  makeDirectory(dirname(dir));
  mkdirSync(dir);
  chmodSync(dir, 0o755);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Others may search every directory from `/` down to `dir`. */
function othersMayEnter(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    if (dirname(at) === at) return true;
  }
}

function othersMayRun(file: string): boolean {
  return (statSync(file).mode & 0o001) !== 0 && othersMayEnter(dirname(file));
}
