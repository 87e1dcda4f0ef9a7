import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Each test runs a writer process and a Litestream process for seconds: one at a time,
    // so their write latencies are their own.
    fileParallelism: false,
  },
});
