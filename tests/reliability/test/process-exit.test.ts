import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { driverModule, newPath, packageDir, removeTempDirs, runtime } from './support.js';

afterAll(removeTempDirs);

/**
 * A script whose last act is `await wk.close()` (a CLI, a migration job, a test) has nothing
 * else keeping its event loop alive. Whatever walkeeper awaits in there must hold the process
 * open until it is done, or the process exits half-way: no final TRUNCATE, writer left open,
 * -wal and -shm left behind (and, for a top-level await, exit code 13 in Node).
 */
function runScript(body: string): { stdout: string; stderr: string; status: number | null } {
  const script = `
    import { openWalkeeper } from '@walkeeper/core';
    import { createDriver } from '${driverModule}';
    const driver = createDriver({});
    ${body}
  `;
  const args = runtime === 'bun' ? ['-e', script] : ['--input-type=module', '-e', script];
  const child = spawnSync(process.execPath, args, {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { stdout: child.stdout, stderr: child.stderr, status: child.status };
}

describe('a script that ends with await wk.close()', () => {
  test('with worker readers, close() finishes before the process exits, and -wal is gone', () => {
    const path = newPath();
    const result = runScript(`
      const wk = await openWalkeeper({ path: ${JSON.stringify(path)}, driver, readers: { size: 2, mode: 'worker' } });
      wk.write((tx) => tx.exec('CREATE TABLE t (x)'));
      await wk.read('SELECT count(*) AS n FROM t');
      await wk.close();
      console.log('closed');
    `);
    expect(result).toMatchObject({ stdout: 'closed\n', status: 0 });
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  test('await wk.checkpoint() (PASSIVE, off the main thread) resolves, then close() finishes', () => {
    const path = newPath();
    const result = runScript(`
      const wk = await openWalkeeper({ path: ${JSON.stringify(path)}, driver });
      wk.write((tx) => tx.exec('CREATE TABLE t (x)'));
      for (let i = 0; i < 20; i++) wk.write((tx) => tx.run('INSERT INTO t VALUES (randomblob(4000))'));
      const result = await wk.checkpoint();
      console.log('checkpointed', result.mode, result.busy);
      await wk.close();
      console.log('closed');
    `);
    expect(result).toMatchObject({ stdout: 'checkpointed PASSIVE false\nclosed\n', status: 0 });
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
