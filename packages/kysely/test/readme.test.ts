import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README example runs and prints what its comments say', async () => {
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const code = example!.replace("from '@walkeeper/kysely'", "from '../src/index.js'");
  const file = new URL(`./.readme-example-${process.pid}.ts`, import.meta.url);
  writeFileSync(file, code);
  const dir = mkdtempSync(join(tmpdir(), 'walkeeper-kysely-readme-'));
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
  expect(logged).toEqual([[10], [{ body: 'note 0' }]]);
});
