import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The script a second process runs; it imports the built package, so `build` runs first. */
export const CHILD = fileURLToPath(new URL('./fixtures/migrate-child.mjs', import.meta.url));

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

export function childEnv(): NodeJS.ProcessEnv {
  if (!existsSync(DIST)) {
    throw new Error(`${DIST} is missing: run \`pnpm --filter @walkeeper/migrations build\` first.`);
  }
  return { ...process.env };
}
