import { compareVersions } from './wal-sample.js';

/**
 * A plugin's `version`, and the ranges other plugins' dependencies ask of it. As fastify
 * checks a plugin's `fastify` range at registration, a dependency written `'name@range'`
 * (`'metrics-history@^0.2'`) is checked against that plugin's `version` at open, so a plugin
 * built against another's contract fails with `E_PLUGIN_VERSION` instead of misbehaving later.
 * Ranges are npm's common forms: `1.2.3`, `1.2` (any 1.2.x), `^1.2`, `~1.2.3`, `>=1.2`, `*`.
 */

/** `major.minor.patch`, with an optional pre-release or build suffix that comparisons ignore. */
const VERSION = /^(\d+\.\d+\.\d+)(?:[-+][0-9A-Za-z.-]+)?$/;
const RANGE = /^(\^|~|>=)?(\d+(?:\.\d+){0,2})$/;

export interface Dependency {
  name: string;
  /** The range the dependent needs; undefined: any version, or none. */
  range: string | undefined;
}

/** Splits `'name@range'` at its last `@` (a leading `@` belongs to a scoped name). */
export function parseDependency(spec: string): Dependency {
  const at = spec.lastIndexOf('@');
  return at > 0
    ? { name: spec.slice(0, at), range: spec.slice(at + 1) }
    : { name: spec, range: undefined };
}

export function isPluginVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION.test(value);
}

export function isVersionRange(range: string): boolean {
  return range === '*' || RANGE.test(range);
}

/** Whether `version` (a valid plugin version) is in `range` (a valid range). */
export function satisfies(version: string, range: string): boolean {
  if (range === '*') return true;
  const match = RANGE.exec(range)!;
  const operator = match[1];
  const base = match[2]!;
  const release = VERSION.exec(version)![1]!;
  if (compareVersions(release, base) < 0) return false;
  if (operator === '>=') return true;
  const want = base.split('.').map(Number);
  const have = release.split('.').map(Number);
  // How many leading parts must match: all that are given (`1.2` is 1.2.x); `~` keeps the
  // minor; `^` keeps everything up to the first non-zero part, as npm's caret does.
  const firstNonZero = want.findIndex((part) => part !== 0);
  const fixed =
    operator === '~'
      ? Math.min(2, want.length)
      : operator === '^' && firstNonZero !== -1
        ? firstNonZero + 1
        : want.length;
  return want.slice(0, fixed).every((part, i) => have[i] === part);
}
