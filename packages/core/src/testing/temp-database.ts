import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A path to a database file that does not exist yet, in a new temporary directory. */
export function tempDatabasePath(prefix = 'walkeeper-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'test.db');
}
