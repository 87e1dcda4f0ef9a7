import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test runs a whole scenario (short, but it opens databases and fsyncs).
    testTimeout: 60_000,
  },
});
