import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExample } from '@walkeeper/test-support';
import { expect, test } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README example runs and prints what its comments say', async () => {
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const code = example!.replace("from '@walkeeper/kysely'", "from '../src/index.js'");
  const cwd = mkdtempSync(join(tmpdir(), 'walkeeper-kysely-readme-'));
  const logged = await runExample(code, { beside: import.meta.url, cwd });
  expect(logged).toEqual([[10], [{ body: 'note 0' }]]);
});
