import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'esnext',
  // bun:sqlite exists only inside Bun: leave the import for Bun to resolve.
  external: ['bun:sqlite'],
});
