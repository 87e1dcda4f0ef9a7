import { definePackageBuild } from '../../tsup.preset.js';

// bun:sqlite exists only inside Bun: leave the import for Bun to resolve.
export default definePackageBuild(['src/index.ts'], { external: ['bun:sqlite'] });
