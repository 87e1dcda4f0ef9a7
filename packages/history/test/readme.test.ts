import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Walkeeper } from '@walkeeper/core';
import { expect, test, vi } from 'vitest';
import type { HistoryPlugin } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('the README example runs as written', async () => {
  expect(blocks).toHaveLength(1);
  // The block imports the built package by name; point it at the source instead.
  const code = blocks[0]!.replace("from '@walkeeper/history'", "from '../src/index.js'");
  const file = new URL(`./.readme-block-${process.pid}.ts`, import.meta.url);
  writeFileSync(file, `${code}\nexport { monitor, report, wk };\n`);
  const logged: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args) => void logged.push(args));
  const cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'walkeeper-readme-')));
  try {
    const { wk, monitor } = (await import(file.href)) as { wk: Walkeeper; monitor: HistoryPlugin };
    expect(logged[0]?.[0]).toMatchObject({ minBytes: expect.any(Number) });
    expect(logged[0]?.[1]).toMatchObject({ PASSIVE: { complete: 1 } });
    await wk.close();
    expect(monitor.persistence.flushes).toBe(1);
  } finally {
    process.chdir(cwd);
    log.mockRestore();
    rmSync(file);
  }
});
