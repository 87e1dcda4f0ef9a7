import { WalkeeperError } from '@walkeeper/core';

/** Refuses two migrations with one version number (`0003_a.sql` and `3_b.sql` included). */
export function checkUniqueVersions<T extends { version: number }>(
  items: readonly T[],
  describe: (item: T) => string,
): void {
  const seen = new Map<number, T>();
  for (const item of items) {
    const first = seen.get(item.version);
    if (first !== undefined) {
      throw new WalkeeperError(
        'E_MIGRATION_INVALID',
        `${describe(first)} and ${describe(item)} have the same version ${item.version}; ` +
          'each version must be unique.',
        {
          details: {
            reason: 'duplicate-version',
            version: item.version,
            migrations: [describe(first), describe(item)],
          },
        },
      );
    }
    seen.set(item.version, item);
  }
}
