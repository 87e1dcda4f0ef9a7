import { WalkeeperError } from '@walkeeper/core';
import { isTransactionControl, pragmaName, type SqlStatement } from './sql-statements.js';

/** Pragmas SQLite ignores or refuses inside a transaction, with what to do instead. */
const PRAGMAS_OUTSIDE_TRANSACTIONS: Readonly<Record<string, string>> = {
  foreign_keys:
    'SQLite ignores it inside a transaction. Start the migration with ' +
    '"-- walkeeper:foreign-keys=off" instead: foreign keys go off outside the transaction, ' +
    'PRAGMA foreign_key_check runs before the commit, and they are restored.',
  journal_mode:
    'SQLite cannot change the journal mode inside a transaction. Leave it to walkeeper (WAL), ' +
    'or run it in a "-- walkeeper:no-transaction" migration.',
  synchronous:
    'it is a setting of the connection, not of the schema. Use the pragmas option of ' +
    'openWalkeeper, or run it in a "-- walkeeper:no-transaction" migration.',
};

const NOT_IN_TRANSACTIONS = new Set(['VACUUM', 'ATTACH', 'DETACH']);

/**
 * Why a statement may not appear in a migration, or undefined when it may. `transactional`
 * is false for a no-transaction migration, where only transaction control is refused.
 */
export function refuseStatement(
  statement: SqlStatement,
  transactional: boolean,
  where: string,
): WalkeeperError | undefined {
  const at = `${where}, line ${statement.line}`;
  if (isTransactionControl(statement)) {
    return new WalkeeperError(
      'E_MIGRATION_INVALID',
      `${at}: ${statement.head[0]} controls the transaction, which walkeeper owns: each ` +
        'migration runs in its own BEGIN IMMEDIATE (a no-transaction one, each statement).',
      { details: { reason: 'transaction-control', migration: where, line: statement.line } },
    );
  }
  if (!transactional) return undefined;
  const pragma = pragmaName(statement);
  if (pragma !== undefined && assigns(statement)) {
    const advice = PRAGMAS_OUTSIDE_TRANSACTIONS[pragma];
    if (advice !== undefined) {
      return new WalkeeperError(
        'E_MIGRATION_INVALID',
        `${at}: PRAGMA ${pragma} in a transactional migration is refused: ${advice}`,
        {
          details: {
            reason: 'pragma-in-transaction',
            migration: where,
            line: statement.line,
            pragma,
          },
        },
      );
    }
  }
  const first = statement.head[0] ?? '';
  if (NOT_IN_TRANSACTIONS.has(first)) {
    return new WalkeeperError(
      'E_MIGRATION_INVALID',
      `${at}: ${first} cannot run inside a transaction; put it in a migration that starts ` +
        'with "-- walkeeper:no-transaction".',
      { details: { reason: 'not-in-transaction', migration: where, line: statement.line } },
    );
  }
  return undefined;
}

/** `PRAGMA name = value` or `PRAGMA name(value)`, as opposed to reading the pragma. */
function assigns(statement: SqlStatement): boolean {
  const { head } = statement;
  const after = head[2] === '.' ? head[4] : head[2];
  return after === '=' || after === '(';
}

/** Throws the first refusal among `statements`. */
export function checkStatements(
  statements: readonly SqlStatement[],
  transactional: boolean,
  where: string,
): void {
  for (const statement of statements) {
    const refusal = refuseStatement(statement, transactional, where);
    if (refusal) throw refusal;
  }
}
