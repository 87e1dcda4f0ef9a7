import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Walkeeper } from '@walkeeper/core';
import { expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Runs one README block as a module beside this test (so its imports resolve) in a temp cwd. */
async function runBlock(
  code: string,
  exportName: string,
): Promise<{ logged: unknown[][]; value: unknown }> {
  const file = new URL(`./.readme-block-${process.pid}-${exportName}.ts`, import.meta.url);
  // Under Bun the same example runs with the bun:sqlite driver.
  const source =
    process.versions.bun === undefined
      ? code
      : code
          .replace(
            "import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';",
            "import { bunSqlite } from '@walkeeper/driver-bun';",
          )
          .replace('driver: betterSqlite3()', 'driver: bunSqlite()');
  writeFileSync(file, `${source}\nexport { ${exportName} };\n`);
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args) => void logged.push(args));
  const cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'walkeeper-readme-')));
  try {
    const mod = (await import(file.href)) as Record<string, unknown>;
    return { logged, value: mod[exportName] };
  } finally {
    process.chdir(cwd);
    spy.mockRestore();
    rmSync(file);
  }
}

test('the README examples run as written', async () => {
  expect(blocks).toHaveLength(2);
  const first = await runBlock(blocks[0]!, 'wk');
  expect(first.logged[0]?.[0]).toMatchObject({ running: true, strategy: 'sizeCapped' });
  await (first.value as Walkeeper).close();
  const second = await runBlock(blocks[1]!, 'plugins');
  const [plugin] = second.value as { name: string; strategy: { decide(s: object): unknown } }[];
  expect(plugin!.name).toBe('strategy:compose(tiered, nightly-truncate)');
});
