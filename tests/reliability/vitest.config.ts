import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The crash loop, contention and soak each load the machine on purpose: one file at a time,
    // so their figures (WAL size, RSS, event-loop delay) are their own.
    fileParallelism: false,
  },
});
