import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, vi } from 'vitest';
import { query } from './support.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const source = fileURLToPath(new URL('../src/index.js', import.meta.url));

// The example uses better-sqlite3, a Node addon that Bun cannot load: it runs on Node only.
const onNode = process.versions.bun === undefined;

test.skipIf(!onNode)(
  'the README example runs as written and prints what its comments say',
  async () => {
    const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const printed = [...example!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    expect(printed).toHaveLength(3);
    const dir = mkdtempSync(join(tmpdir(), 'walkeeper-migrations-readme-'));
    // Beside this test, so its imports resolve from this package; the package itself from src.
    const file = new URL(`./.readme-example-${process.pid}.ts`, import.meta.url);
    writeFileSync(file, example!.replace("'@walkeeper/migrations'", JSON.stringify(source)));
    const cwd = process.cwd();
    process.chdir(dir);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: unknown[][];
    try {
      await import(file.href);
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
      process.chdir(cwd);
      rmSync(file);
    }
    expect(logged).toEqual([[['1 applied', '2 applied']], [2, true], ['down', [2, 1]]]);
    // The comments in the README say the same.
    expect(printed).toEqual(["[ '1 applied', '2 applied' ]", '2 true', 'down [ 2, 1 ]']);
    const path = join(dir, 'app.db');
    // All the way down: nothing applied, the application's tables gone, so a rerun applies both.
    expect(query(path, 'SELECT version FROM _walkeeper_migrations')).toEqual([]);
    expect(query(path, "SELECT name FROM sqlite_master WHERE name IN ('notes', 'tags')")).toEqual(
      [],
    );
  },
);
