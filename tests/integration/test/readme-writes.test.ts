import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExample } from '@walkeeper/test-support';
import { expect, test } from 'vitest';
import { driverFactory, driverModule } from './support.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test("the README's write, batch and transaction example runs and prints what its comments say", async () => {
  const section = readme.split('## Writes: `write`, `batch` and `transaction`')[1];
  const example = /```ts\n([\s\S]*?)```/.exec(section ?? '')?.[1];
  expect(example).toBeDefined();
  const expected = [...example!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) =>
    m[1]!.split(' ').map(Number),
  );
  expect(expected).toEqual([[99, 1], [198]]);
  // Under Bun, or with another WALKEEPER_IT_DRIVER, the same example runs with that driver.
  const code = example!
    .replace(
      "import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';",
      `import { ${driverFactory} } from '${driverModule}';`,
    )
    .replace('driver: betterSqlite3()', `driver: ${driverFactory}()`);
  const cwd = mkdtempSync(join(tmpdir(), 'walkeeper-readme-writes-'));
  expect(await runExample(code, { beside: import.meta.url, cwd })).toEqual(expected);
});
