import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExample } from '@walkeeper/test-support';
import { expect, test } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README example runs as written and prints what its comments say', async () => {
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  // The build, as a user imports it (worker threads cannot load src through vitest).
  const code = example!.replace(
    "from '@walkeeper/driver-node-sqlite'",
    `from '${new URL('../dist/index.js', import.meta.url).href}'`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'walkeeper-node-sqlite-readme-'));
  const logged = await runExample(code, { beside: import.meta.url, cwd: dir });
  expect(logged).toEqual([[[{ body: 'hello' }]], [{ timeout: 5000 }]]);
  expect(readFileSync(join(dir, 'app.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  rmSync(dir, { recursive: true });
});
