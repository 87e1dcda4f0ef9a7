import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packing, two npm installs and four tsc runs come first (beforeAll): about a minute of CPU,
    // which a shared machine under load can stretch many times over. These only catch hangs.
    hookTimeout: 900_000,
    testTimeout: 300_000,
  },
});
