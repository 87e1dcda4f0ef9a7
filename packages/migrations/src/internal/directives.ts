import { WalkeeperError } from '@walkeeper/core';

export interface Directives {
  /** False for `-- walkeeper:no-transaction`: statement by statement, progress recorded. */
  readonly transaction: boolean;
  /** True for `-- walkeeper:foreign-keys=off`. */
  readonly foreignKeysOff: boolean;
}

const HEADER_LINE = /^--\s*walkeeper:\s*(.*?)\s*$/i;
const ANY_DIRECTIVE = /^\s*--\s*walkeeper:/i;

/**
 * Reads the directives in the comment lines a migration starts with. An unknown directive, or
 * one below the first statement, is refused: a typo must not silently change how a file runs.
 */
export function parseDirectives(text: string, where: string): Directives {
  let transaction = true;
  let foreignKeysOff = false;
  const lines = text.split('\n');
  let index = 0;
  for (; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const match = HEADER_LINE.exec(line);
    if (!match) continue;
    const directive = match[1]!.toLowerCase().replace(/\s*=\s*/, '=');
    if (directive === 'no-transaction') transaction = false;
    else if (directive === 'foreign-keys=off') foreignKeysOff = true;
    else {
      throw new WalkeeperError(
        'E_MIGRATION_INVALID',
        `${where} has an unknown directive "${line}" on line ${index + 1}; walkeeper knows ` +
          '"-- walkeeper:no-transaction" and "-- walkeeper:foreign-keys=off".',
        { details: { reason: 'unknown-directive', migration: where, line: index + 1 } },
      );
    }
  }
  for (; index < lines.length; index++) {
    if (ANY_DIRECTIVE.test(lines[index]!)) {
      throw new WalkeeperError(
        'E_MIGRATION_INVALID',
        `${where} has a walkeeper directive on line ${index + 1}, below its first statement; ` +
          'directives only count in the comment lines a file starts with.',
        { details: { reason: 'misplaced-directive', migration: where, line: index + 1 } },
      );
    }
  }
  if (!transaction && foreignKeysOff) {
    throw new WalkeeperError(
      'E_MIGRATION_INVALID',
      `${where} combines no-transaction with foreign-keys=off. The foreign key check has to ` +
        'pass before one commit; split the migration in two.',
      { details: { reason: 'conflicting-directives', migration: where } },
    );
  }
  return { transaction, foreignKeysOff };
}
