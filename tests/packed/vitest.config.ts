import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packing and an npm install come first (beforeAll); each example then runs as a process.
    hookTimeout: 240_000,
    testTimeout: 180_000,
  },
});
