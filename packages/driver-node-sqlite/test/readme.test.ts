import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README example runs as written and prints what its comments say', async () => {
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  // The build, as a user imports it (worker threads cannot load src through vitest).
  const code = example!.replace(
    "from '@walkeeper/driver-node-sqlite'",
    `from '${new URL('../dist/index.js', import.meta.url).href}'`,
  );
  const file = new URL(`./.readme-example-${process.pid}.ts`, import.meta.url);
  writeFileSync(file, code);
  const dir = mkdtempSync(join(tmpdir(), 'walkeeper-node-sqlite-readme-'));
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args) => void logged.push(args));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await import(file.href);
  } finally {
    process.chdir(cwd);
    spy.mockRestore();
    rmSync(file);
  }
  expect(logged).toEqual([[[{ body: 'hello' }]], [{ timeout: 5000 }]]);
  expect(readFileSync(join(dir, 'app.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  rmSync(dir, { recursive: true });
});
