import { createHash } from 'node:crypto';

/**
 * The text as it is checksummed and run: a leading byte order mark removed, CRLF and lone CR
 * turned into LF. An editor that only changes line endings does not change a migration.
 */
export function normaliseSql(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** SHA-256, in hex, of the normalised text: what `_walkeeper_migrations.checksum` holds. */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(normaliseSql(text), 'utf8').digest('hex');
}
