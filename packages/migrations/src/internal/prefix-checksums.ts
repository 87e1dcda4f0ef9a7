import { createHash } from 'node:crypto';
import type { SqlStatement } from './sql-statements.js';

/**
 * `result[n]` is the SHA-256 of the first `n` statements: what a no-transaction migration
 * records as done, so that a resume can tell whether those statements were edited since.
 */
export function prefixChecksums(statements: readonly SqlStatement[]): string[] {
  const hash = createHash('sha256');
  const result = [hash.copy().digest('hex')];
  for (const statement of statements) {
    hash.update(statement.text, 'utf8');
    hash.update('\n', 'utf8');
    result.push(hash.copy().digest('hex'));
  }
  return result;
}
