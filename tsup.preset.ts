import { defineConfig, type Options } from 'tsup';

/**
 * The one build every published package shares: ESM for Node 20, declarations, source maps.
 * A package's tsup.config.ts names only its entry points and what differs.
 */
export function definePackageBuild(
  entry: NonNullable<Options['entry']>,
  overrides: Omit<Options, 'entry'> = {},
) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...overrides,
  });
}
