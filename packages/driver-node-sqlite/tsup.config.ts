import { definePackageBuild } from '../../tsup.preset.js';

export default definePackageBuild(['src/index.ts']);
