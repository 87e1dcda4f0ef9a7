import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test('the README example runs as written and prints what its comments say', async () => {
  const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const dir = mkdtempSync(join(tmpdir(), 'walkeeper-readme-'));
  // The example module sits beside this test so that its imports resolve from this package.
  const file = new URL(`./.readme-example-${process.pid}.ts`, import.meta.url);
  // Under Bun the same example runs with the bun:sqlite driver.
  const code =
    process.versions.bun === undefined
      ? example!
      : example!
          .replace(
            "import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';",
            "import { bunSqlite } from '@walkeeper/driver-bun';",
          )
          .replace('driver: betterSqlite3()', 'driver: bunSqlite()');
  writeFileSync(file, code);
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args) => void logged.push(args));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await import(file.href);
  } finally {
    process.chdir(cwd);
    spy.mockRestore();
    (await import('node:fs')).rmSync(file);
  }
  expect(logged).toEqual([['hello'], [1, { n: 1 }, { top: 1 }, 'ok']]);
  expect(readFileSync(join(dir, 'app.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
});
