import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { driverModule, evalArgs, newPath, packageDir, removeTempDirs, runtime } from './support.js';

afterAll(removeTempDirs);

/**
 * Found by the soak: worker threads were given `process.execArgv` explicitly (minus
 * --input-type), and Node refuses V8 and process-wide flags in a worker's explicit execArgv
 * (ERR_WORKER_INVALID_EXEC_ARGV), so `node --max-old-space-size=4096 app.js` could not open
 * walkeeper with worker readers. These scripts run under `node --input-type=module -e`, the
 * case where core must pass flags explicitly, so they cover both at once.
 */
describe.skipIf(runtime !== 'node')('an application started with V8 flags', () => {
  test.each(['--max-old-space-size=512', '--expose-gc'])(
    'with %s, worker readers open and close',
    (flag) => {
      const path = newPath();
      const script = `
        import { openWalkeeper } from '@walkeeper/core';
        import { createDriver } from '${driverModule}';
        const wk = await openWalkeeper({ path: ${JSON.stringify(path)}, driver: createDriver({}), readers: { size: 1, mode: 'worker' } })
          .catch((error) => { console.log(error.code); process.exit(0); });
        await wk.read('SELECT 1 AS one');
        await wk.close();
        console.log('opened');
      `;
      const child = spawnSync(process.execPath, [flag, ...evalArgs(script)], {
        cwd: packageDir,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.stdout.trim()).toBe('opened');
      expect(existsSync(`${path}-wal`)).toBe(false);
    },
  );
});
