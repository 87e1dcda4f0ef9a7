import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test("the README's write, batch and transaction example runs and prints what its comments say", async () => {
  const section = readme.split('## Writes: `write`, `batch` and `transaction`')[1];
  const example = /```ts\n([\s\S]*?)```/.exec(section ?? '')?.[1];
  expect(example).toBeDefined();
  const expected = [...example!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) =>
    m[1]!.split(' ').map(Number),
  );
  expect(expected).toEqual([[99, 1], [198]]);
  const code =
    process.versions.bun === undefined
      ? example!
      : example!
          .replace(
            "import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';",
            "import { bunSqlite } from '@walkeeper/driver-bun';",
          )
          .replace('driver: betterSqlite3()', 'driver: bunSqlite()');
  const dir = mkdtempSync(join(tmpdir(), 'walkeeper-readme-writes-'));
  const file = new URL(`./.readme-writes-${process.pid}.ts`, import.meta.url);
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
    rmSync(file);
  }
  expect(logged).toEqual(expected);
});
