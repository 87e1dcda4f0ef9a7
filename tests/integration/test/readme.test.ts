import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExample } from '@walkeeper/test-support';
import { expect, test } from 'vitest';
import { driverFactory, driverModule } from './support.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test('the README example runs as written and prints what its comments say', async () => {
  const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const dir = mkdtempSync(join(tmpdir(), 'walkeeper-readme-'));
  // Under Bun, or with another WALKEEPER_IT_DRIVER, the same example runs with that driver.
  const code = example!
    .replace(
      "import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';",
      `import { ${driverFactory} } from '${driverModule}';`,
    )
    .replace('driver: betterSqlite3()', `driver: ${driverFactory}()`);
  // The example module sits beside this test so that its imports resolve from this package.
  const logged = await runExample(code, { beside: import.meta.url, cwd: dir });
  expect(logged).toEqual([['hello'], [1, { n: 1 }, { top: 1 }, 'ok']]);
  expect(readFileSync(join(dir, 'app.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
});
