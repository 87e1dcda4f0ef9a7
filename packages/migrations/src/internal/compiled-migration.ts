import { WalkeeperError } from '@walkeeper/core';
import { normaliseSql } from '../checksum.js';
import type { MigrationFunction } from '../migration.js';
import { parseDirectives } from './directives.js';
import { type SqlStatement, splitSql } from './sql-statements.js';
import { checkStatements } from './statement-rules.js';

export type Direction = 'up' | 'down';

/** One direction of a migration, checked and ready to run. */
export interface CompiledScript {
  /** Normalised SQL text, or undefined for a function. */
  readonly sql: string | undefined;
  readonly fn: MigrationFunction | undefined;
  readonly statements: readonly SqlStatement[];
  readonly transaction: boolean;
  readonly foreignKeysOff: boolean;
  /** How messages name it: a file name, or `migration 3 "name" (up)`. */
  readonly where: string;
}

/** A migration loaded from a file or an object, validated before anything runs. */
export interface CompiledMigration {
  readonly version: number;
  readonly name: string;
  /** SHA-256 of the normalised up text; null for a function, which has no text to compare. */
  readonly checksum: string | null;
  /** How messages name it: the file name, or `migration 3 "name"`. */
  readonly label: string;
  /** The up file's absolute path, for migrations from a directory. */
  readonly file: string | undefined;
  readonly up: CompiledScript;
  readonly down: CompiledScript | undefined;
}

/** Normalises, reads directives, splits and checks SQL text. */
export function compileSql(
  text: string,
  where: string,
  direction: Direction,
  foreignKeysOff = false,
): CompiledScript {
  const sql = normaliseSql(text);
  const directives = parseDirectives(sql, where);
  if (!directives.transaction && foreignKeysOff) {
    throw new WalkeeperError(
      'E_MIGRATION_INVALID',
      `${where} combines no-transaction with foreignKeys: 'off'. The foreign key check has to ` +
        'pass before one commit; split the migration in two.',
      { details: { reason: 'conflicting-directives', migration: where } },
    );
  }
  if (!directives.transaction && direction === 'down') {
    throw new WalkeeperError(
      'E_MIGRATION_INVALID',
      `${where} is a down migration marked no-transaction. Down migrations run in one ` +
        'transaction, so that a failed one changes nothing.',
      { details: { reason: 'no-transaction-down', migration: where } },
    );
  }
  const statements = splitSql(sql);
  checkStatements(statements, directives.transaction, where);
  return {
    sql,
    fn: undefined,
    statements,
    transaction: directives.transaction,
    foreignKeysOff: foreignKeysOff || directives.foreignKeysOff,
    where,
  };
}

export function compileFunction(
  fn: MigrationFunction,
  where: string,
  foreignKeysOff: boolean,
): CompiledScript {
  return { sql: undefined, fn, statements: [], transaction: true, foreignKeysOff, where };
}
