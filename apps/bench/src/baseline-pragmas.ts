import { PRAGMA_TABLE, PRESETS, type PragmaName, type PragmaOptions } from '@walkeeper/core';
import type { RawDatabase } from './runtime.js';

const PRAGMA_NAMES = Object.keys(PRAGMA_TABLE) as PragmaName[];

/**
 * Configures a raw connection exactly as walkeeper configures its writer: the same preset,
 * read from core rather than copied, so the baseline cannot drift from what it is compared
 * with. Pragmas first (as walkeeper does, for auto_vacuum's sake), then WAL.
 */
export function applyWalkeeperPragmas(db: RawDatabase, overrides: PragmaOptions = {}): void {
  for (const assignment of walkeeperPragmaAssignments(overrides)) db.pragma(assignment);
}

/**
 * The same configuration as `PRAGMA` assignments, for connections this process does not
 * open itself (a piscina worker). Every one of them is a per-connection setting, so a
 * read-only connection takes them too (`journal_mode = WAL` on a WAL file changes nothing).
 */
export function walkeeperPragmaAssignments(overrides: PragmaOptions = {}): string[] {
  const pragmas: PragmaOptions = { ...PRESETS.default, ...overrides };
  const assignments: string[] = [];
  for (const name of PRAGMA_NAMES) {
    const value = pragmas[name];
    if (value === undefined) continue;
    const rendered = typeof value === 'boolean' ? (value ? 'ON' : 'OFF') : String(value);
    assignments.push(`${PRAGMA_TABLE[name].pragma} = ${rendered}`);
  }
  assignments.push('journal_mode = WAL');
  return assignments;
}
