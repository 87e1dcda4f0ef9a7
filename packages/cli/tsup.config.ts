import { definePackageBuild } from '../../tsup.preset.js';

// The command's entry (src/cli.ts) needs no declarations of its own.
export default definePackageBuild(['src/index.ts', 'src/cli.ts'], {
  dts: { entry: 'src/index.ts' },
});
