import { PRAGMA_TABLE, PRESETS, type PragmaName, type PragmaOptions } from '@walkeeper/core';
import type { RawDatabase } from './runtime.js';

const PRAGMA_NAMES = Object.keys(PRAGMA_TABLE) as PragmaName[];

/**
 * Configures a raw connection exactly as walkeeper configures its writer: the same preset,
 * read from core rather than copied, so the baseline cannot drift from what it is compared
 * with. Pragmas first (as walkeeper does, for auto_vacuum's sake), then WAL.
 */
export function applyWalkeeperPragmas(db: RawDatabase, overrides: PragmaOptions = {}): void {
  const pragmas: PragmaOptions = { ...PRESETS.default, ...overrides };
  for (const name of PRAGMA_NAMES) {
    const value = pragmas[name];
    if (value === undefined) continue;
    const rendered = typeof value === 'boolean' ? (value ? 'ON' : 'OFF') : String(value);
    db.pragma(`${PRAGMA_TABLE[name].pragma} = ${rendered}`);
  }
  db.pragma('journal_mode = WAL');
}
