import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WalkeeperError } from '@walkeeper/core';
import { migrationChecksum } from '../checksum.js';
import { type CompiledMigration, compileSql } from './compiled-migration.js';
import { checkUniqueVersions } from './unique-versions.js';

const FILE_NAME = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_-]*)(\.down)?\.sql$/;

interface FoundFile {
  version: number;
  name: string;
  fileName: string;
  path: string;
}

/**
 * Loads `NNNN_name.sql` and `NNNN_name.down.sql` files. Other files are ignored, but a `.sql`
 * file that does not follow the pattern is refused: it would otherwise never run, silently.
 */
export function loadDirectory(dir: string | URL): CompiledMigration[] {
  const directory = typeof dir === 'string' ? resolve(dir) : fileURLToPath(dir);
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (cause) {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option dir: ${directory} is not a readable directory of migrations.`,
      { cause, details: { option: 'dir', dir: directory } },
    );
  }
  const ups: FoundFile[] = [];
  const downs: FoundFile[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.sql')) continue;
    const match = FILE_NAME.exec(entry.name);
    const version = match ? Number(match[1]) : Number.NaN;
    if (!match || !Number.isSafeInteger(version) || version < 1) {
      throw new WalkeeperError(
        'E_MIGRATION_INVALID',
        `${entry.name} in ${directory} is not named NNNN_name.sql or NNNN_name.down.sql ` +
          '(a version from 1 up, an underscore, letters, digits, _ or -).',
        { details: { reason: 'bad-file-name', file: join(directory, entry.name) } },
      );
    }
    const found = {
      version,
      name: match[2]!,
      fileName: entry.name,
      path: join(directory, entry.name),
    };
    (match[3] ? downs : ups).push(found);
  }
  checkUniqueVersions(ups, (file) => file.fileName);
  checkUniqueVersions(downs, (file) => file.fileName);

  const upByVersion = new Map(ups.map((file) => [file.version, file]));
  for (const down of downs) {
    const up = upByVersion.get(down.version);
    if (!up || up.name !== down.name) {
      throw new WalkeeperError(
        'E_MIGRATION_INVALID',
        up
          ? `${down.fileName} does not match ${up.fileName}: a down file has its up file's name.`
          : `${down.fileName} has no up file: there is no migration ${down.version} to undo.`,
        { details: { reason: 'orphan-down', file: down.path } },
      );
    }
  }
  const downByVersion = new Map(downs.map((file) => [file.version, file]));
  return ups
    .sort((a, b) => a.version - b.version)
    .map((up) => {
      const text = readFileSync(up.path, 'utf8');
      const down = downByVersion.get(up.version);
      return {
        version: up.version,
        name: up.name,
        checksum: migrationChecksum(text),
        label: up.fileName,
        file: up.path,
        up: compileSql(text, up.fileName, 'up'),
        down: down ? compileSql(readFileSync(down.path, 'utf8'), down.fileName, 'down') : undefined,
      };
    });
}
