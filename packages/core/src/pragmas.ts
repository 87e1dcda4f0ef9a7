import type { SqliteConnection } from './driver.js';
import {
  checkBoolean,
  checkEnum,
  checkInteger,
  checkKnownKeys,
  checkPlainObject,
} from './internal/validate.js';

/**
 * Pragma options by their walkeeper name. Names map to pragmas through the fixed table
 * below: nothing a user passes is ever interpolated into SQL before it is validated.
 */
export interface PragmaOptions {
  synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  /** Milliseconds a connection waits for a lock before SQLITE_BUSY. */
  busyTimeout?: number;
  /** Bytes the -wal file is truncated to after a reset; -1 for no limit. */
  journalSizeLimit?: number;
  foreignKeys?: boolean;
  /** Pages when positive, KiB when negative (SQLite's convention). */
  cacheSize?: number;
  /** Bytes of the database memory-mapped; 0 turns mmap off. */
  mmapSize?: number;
  tempStore?: 'DEFAULT' | 'FILE' | 'MEMORY';
  /** Takes effect on a new database only (or after VACUUM). */
  autoVacuum?: 'NONE' | 'FULL' | 'INCREMENTAL';
  /** Rows examined per index by `optimize()`'s ANALYZE. */
  analysisLimit?: number;
  /** Pages; 0 turns SQLite's own autocheckpoint off (a checkpoint strategy does that for you). */
  walAutocheckpoint?: number;
  secureDelete?: boolean;
}

export type PragmaName = keyof PragmaOptions;
export type Preset = 'default' | 'durable';

type PragmaSpec =
  | { pragma: string; kind: 'enum'; values: readonly string[] }
  | { pragma: string; kind: 'integer'; min: number; max: number }
  | { pragma: string; kind: 'boolean' };

const INT32_MAX = 2 ** 31 - 1;

/** The fixed table from option name to pragma. Order is the order they are applied in. */
export const PRAGMA_TABLE: Readonly<Record<PragmaName, PragmaSpec>> = Object.freeze({
  autoVacuum: { pragma: 'auto_vacuum', kind: 'enum', values: ['NONE', 'FULL', 'INCREMENTAL'] },
  busyTimeout: { pragma: 'busy_timeout', kind: 'integer', min: 0, max: INT32_MAX },
  synchronous: { pragma: 'synchronous', kind: 'enum', values: ['OFF', 'NORMAL', 'FULL', 'EXTRA'] },
  journalSizeLimit: {
    pragma: 'journal_size_limit',
    kind: 'integer',
    min: -1,
    max: Number.MAX_SAFE_INTEGER,
  },
  foreignKeys: { pragma: 'foreign_keys', kind: 'boolean' },
  cacheSize: { pragma: 'cache_size', kind: 'integer', min: -INT32_MAX, max: INT32_MAX },
  mmapSize: { pragma: 'mmap_size', kind: 'integer', min: 0, max: 2 ** 40 },
  tempStore: { pragma: 'temp_store', kind: 'enum', values: ['DEFAULT', 'FILE', 'MEMORY'] },
  analysisLimit: { pragma: 'analysis_limit', kind: 'integer', min: 0, max: INT32_MAX },
  walAutocheckpoint: { pragma: 'wal_autocheckpoint', kind: 'integer', min: 0, max: INT32_MAX },
  secureDelete: { pragma: 'secure_delete', kind: 'boolean' },
});

const PRAGMA_NAMES = Object.keys(PRAGMA_TABLE) as PragmaName[];

const DEFAULT_PRESET: Readonly<PragmaOptions> = Object.freeze({
  synchronous: 'NORMAL',
  busyTimeout: 5000,
  journalSizeLimit: 64 * 2 ** 20,
  foreignKeys: true,
  // 64 MiB of page cache and 256 MiB of mmap: reads hit memory, not syscalls.
  cacheSize: -64 * 1024,
  mmapSize: 256 * 2 ** 20,
  tempStore: 'MEMORY',
  analysisLimit: 400,
});

/** `durable` differs from `default` only in syncing the WAL on every commit. */
export const PRESETS: Readonly<Record<Preset, Readonly<PragmaOptions>>> = Object.freeze({
  default: DEFAULT_PRESET,
  durable: Object.freeze({ ...DEFAULT_PRESET, synchronous: 'FULL' }),
});

/** Validates user pragmas and returns a frozen copy; throws `E_CONFIG` naming the bad one. */
export function validatePragmas(value: unknown, option = 'pragmas'): Readonly<PragmaOptions> {
  if (value === undefined) return Object.freeze({});
  const input = checkPlainObject(option, value);
  checkKnownKeys(option, input, PRAGMA_NAMES);
  const out: Record<string, unknown> = {};
  for (const name of PRAGMA_NAMES) {
    const raw = input[name];
    if (raw === undefined) continue;
    const spec = PRAGMA_TABLE[name];
    const label = `${option}.${name}`;
    if (spec.kind === 'enum') out[name] = checkEnum(label, raw, spec.values);
    else if (spec.kind === 'integer') out[name] = checkInteger(label, raw, spec.min, spec.max);
    else out[name] = checkBoolean(label, raw);
  }
  return Object.freeze(out as PragmaOptions);
}

/** The SQL text of one validated pragma assignment. */
export function pragmaAssignment(name: PragmaName, value: PragmaOptions[PragmaName]): string {
  const spec = PRAGMA_TABLE[name];
  const rendered = spec.kind === 'boolean' ? (value ? 'ON' : 'OFF') : String(value);
  return `${spec.pragma} = ${rendered}`;
}

/** The SQL of every set pragma, in table order (also shipped to worker threads). */
export function pragmaAssignments(pragmas: Readonly<PragmaOptions>): string[] {
  const out: string[] = [];
  for (const name of PRAGMA_NAMES) {
    const value = pragmas[name];
    if (value !== undefined) out.push(pragmaAssignment(name, value));
  }
  return out;
}

/** Applies validated pragmas to a connection, in table order. */
export function applyPragmas(connection: SqliteConnection, pragmas: Readonly<PragmaOptions>): void {
  for (const assignment of pragmaAssignments(pragmas)) connection.pragma(assignment);
}

/** Pragmas that make sense on a read-only connection (no journal or vacuum settings). */
export function readerPragmas(pragmas: Readonly<PragmaOptions>): PragmaOptions {
  const { busyTimeout, cacheSize, mmapSize, tempStore, foreignKeys } = pragmas;
  const out: PragmaOptions = {};
  if (busyTimeout !== undefined) out.busyTimeout = busyTimeout;
  if (cacheSize !== undefined) out.cacheSize = cacheSize;
  if (mmapSize !== undefined) out.mmapSize = mmapSize;
  if (tempStore !== undefined) out.tempStore = tempStore;
  if (foreignKeys !== undefined) out.foreignKeys = foreignKeys;
  return out;
}
