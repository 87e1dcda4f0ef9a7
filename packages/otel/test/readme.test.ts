import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Walkeeper } from '@walkeeper/core';
import { expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('the README example runs as written and exports the metrics', async () => {
  expect(blocks).toHaveLength(1);
  const file = new URL(`./.readme-block-${process.pid}.ts`, import.meta.url);
  // The block imports the package by name; point it at the source instead.
  const code = blocks[0]!.replace("from '@walkeeper/otel'", "from '../src/index.js'");
  writeFileSync(file, `${code}\nexport { meterProvider, wk };\n`);
  const printed: unknown[] = [];
  const dir = vi.spyOn(console, 'dir').mockImplementation((value) => void printed.push(value));
  const cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'walkeeper-readme-')));
  try {
    const { wk, meterProvider } = (await import(file.href)) as {
      wk: Walkeeper;
      meterProvider: MeterProvider;
    };
    await meterProvider.forceFlush();
    await wk.close();
    await meterProvider.shutdown();
    const names = printed.map((p) => (p as { descriptor?: { name?: string } }).descriptor?.name);
    expect(names).toContain('db.client.operation.duration');
    expect(names).toContain('sqlite.checkpoint.count');
  } finally {
    process.chdir(cwd);
    dir.mockRestore();
    rmSync(file);
  }
});
