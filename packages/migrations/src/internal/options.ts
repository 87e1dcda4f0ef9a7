import { WalkeeperError } from '@walkeeper/core';
import { checkBoolean, configError } from '@walkeeper/core/plugin-kit';
import type { MigrationDefinition } from '../migration.js';
import type { CompiledMigration } from './compiled-migration.js';
import { loadDefinitions } from './load-definitions.js';
import { loadDirectory } from './load-directory.js';

export const DEFAULT_TABLE = '_walkeeper_migrations';
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Where migrations come from, validated; loading happens when they are needed. */
export type ResolvedSource =
  | { kind: 'dir'; dir: string | URL }
  | { kind: 'definitions'; definitions: readonly MigrationDefinition[] };

/** Checks an options object: a plain object with only `known` keys. */
function checkOptions(value: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError('options', value, 'an object with dir or migrations');
  }
  const options = value as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new WalkeeperError(
        'E_CONFIG',
        `Unknown option ${key}; known options are ${known.join(', ')}.`,
        { details: { option: key, allowed: known.join(', ') } },
      );
    }
  }
  return options;
}

/** What every entry point takes: its options checked, where migrations come from, the table. */
export function resolveCommon(
  value: unknown,
  known: readonly string[],
): { input: Record<string, unknown>; source: ResolvedSource; table: string } {
  const input = checkOptions(value, known);
  return { input, source: resolveSource(input), table: resolveTable(input.table) };
}

/** Exactly one of `dir` (a path or a file: URL) and `migrations` (an array). */
function resolveSource(options: Record<string, unknown>): ResolvedSource {
  const { dir, migrations } = options;
  if ((dir === undefined) === (migrations === undefined)) {
    throw new WalkeeperError(
      'E_CONFIG',
      'Invalid options: give exactly one of dir (a directory of NNNN_name.sql files) and ' +
        'migrations (an array of { version, name, up, down? }).',
      { details: { option: 'dir' } },
    );
  }
  if (dir !== undefined) {
    if (!(typeof dir === 'string' && dir.trim() !== '') && !(dir instanceof URL)) {
      throw configError('dir', dir, 'a directory path or a file: URL');
    }
    return { kind: 'dir', dir };
  }
  if (!Array.isArray(migrations)) {
    throw configError('migrations', migrations, 'an array of { version, name, up, down? }');
  }
  return { kind: 'definitions', definitions: migrations as MigrationDefinition[] };
}

export function loadSource(source: ResolvedSource): CompiledMigration[] {
  return source.kind === 'dir' ? loadDirectory(source.dir) : loadDefinitions(source.definitions);
}

function resolveTable(value: unknown): string {
  if (value === undefined) return DEFAULT_TABLE;
  if (typeof value !== 'string' || !TABLE_NAME.test(value)) {
    throw configError('table', value, 'a table name of letters, digits and _');
  }
  return value;
}

export function resolveTo(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw configError('to', value, 'a version number (0 to undo every migration)');
  }
  return value;
}

export function resolveBoolean(option: string, value: unknown): boolean {
  return value === undefined ? false : checkBoolean(option, value);
}

export function resolveFunction<T>(option: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw configError(option, value, 'a function');
  return value as T;
}
