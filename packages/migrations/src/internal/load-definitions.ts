import { WalkeeperError } from '@walkeeper/core';
import { describeValue } from '@walkeeper/core/plugin-kit';
import { migrationChecksum } from '../checksum.js';
import type { MigrationDefinition, MigrationFunction } from '../migration.js';
import {
  type CompiledMigration,
  type CompiledScript,
  compileFunction,
  compileSql,
  type Direction,
} from './compiled-migration.js';
import { checkUniqueVersions } from './unique-versions.js';

const KNOWN = ['version', 'name', 'up', 'down', 'foreignKeys'];

/** Validates migration objects and compiles them, in version order. */
export function loadDefinitions(list: readonly MigrationDefinition[]): CompiledMigration[] {
  const compiled = list.map((definition: unknown, index) => compileDefinition(definition, index));
  checkUniqueVersions(compiled, (migration) => migration.label);
  return compiled.sort((a, b) => a.version - b.version);
}

function compileDefinition(value: unknown, index: number): CompiledMigration {
  const at = `migrations[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(at, `got ${describeValue(value)}, expected { version, name, up, down? }`);
  }
  const definition = value as Record<string, unknown>;
  for (const key of Object.keys(definition)) {
    if (!KNOWN.includes(key))
      throw invalid(`${at}.${key}`, `unknown key; known: ${KNOWN.join(', ')}`);
  }
  const { version, name, up, down, foreignKeys } = definition;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw invalid(`${at}.version`, `got ${describeValue(version)}, expected an integer from 1`);
  }
  if (typeof name !== 'string' || name.trim() === '' || /[\r\n]/.test(name)) {
    throw invalid(`${at}.name`, `got ${describeValue(name)}, expected a one-line name`);
  }
  if (foreignKeys !== undefined && foreignKeys !== 'off') {
    throw invalid(`${at}.foreignKeys`, `got ${describeValue(foreignKeys)}, expected 'off'`);
  }
  const label = `migration ${version} "${name}"`;
  const fkOff = foreignKeys === 'off';
  const compiledUp = compileStep(up, `${label} (up)`, `${at}.up`, 'up', fkOff);
  if (compiledUp === undefined)
    throw invalid(`${at}.up`, 'missing: expected SQL text or a function');
  return {
    version,
    name,
    checksum: typeof up === 'string' ? migrationChecksum(up) : null,
    label,
    file: undefined,
    up: compiledUp,
    down: compileStep(down, `${label} (down)`, `${at}.down`, 'down', fkOff),
  };
}

function compileStep(
  step: unknown,
  where: string,
  at: string,
  direction: Direction,
  foreignKeysOff: boolean,
): CompiledScript | undefined {
  if (step === undefined) return undefined;
  if (typeof step === 'string') return compileSql(step, where, direction, foreignKeysOff);
  if (typeof step === 'function') {
    return compileFunction(step as MigrationFunction, where, foreignKeysOff);
  }
  throw invalid(at, `got ${describeValue(step)}, expected SQL text or a function`);
}

function invalid(at: string, problem: string): WalkeeperError {
  return new WalkeeperError('E_MIGRATION_INVALID', `Invalid migration ${at}: ${problem}.`, {
    details: { reason: 'bad-definition', at },
  });
}
