import { WalkeeperError } from '@walkeeper/core';

type BunSqliteModule = typeof import('bun:sqlite');

/**
 * bun:sqlite exists only inside Bun. A static import of it fails under Node while the module
 * graph links (ERR_UNSUPPORTED_ESM_URL_SCHEME, naming no package), so it is loaded here, and
 * only under Bun: importing this package anywhere works, and the driver says what it needs.
 */
const loaded: BunSqliteModule | undefined =
  process.versions.bun === undefined ? undefined : await import('bun:sqlite');

/** bun:sqlite, or `E_DRIVER_UNAVAILABLE` naming the runtime when this is not Bun. */
export function bunSqliteModule(): BunSqliteModule {
  if (loaded !== undefined) return loaded;
  throw new WalkeeperError(
    'E_DRIVER_UNAVAILABLE',
    `@walkeeper/driver-bun runs under Bun only: bun:sqlite does not exist in Node.js ${process.versions.node}. ` +
      'Run the application with bun, or use @walkeeper/driver-better-sqlite3 under Node.',
    { details: { runtime: 'node', version: process.versions.node } },
  );
}
