import { definePackageBuild } from '../../tsup.preset.js';

export default definePackageBuild({
  index: 'src/index.ts',
  'plugin-kit/index': 'src/plugin-kit/index.ts',
  'testing/index': 'src/testing/index.ts',
  'sqlite-worker': 'src/worker/sqlite-worker.ts',
});
