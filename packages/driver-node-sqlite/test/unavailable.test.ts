import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { expect, test } from 'vitest';

const DIST = new URL('../dist/index.js', import.meta.url).href;

/**
 * The workspace's own Node 20, which has no node:sqlite. These tests run under the `node`
 * package's Node 24, whose `.bin` directory comes first on the PATH; pnpm names the Node it
 * runs on in `npm_node_execpath`, and any other `node` on the PATH outside node_modules will do.
 */
function nodeWithoutSqlite(): string {
  const candidates = [
    process.env.npm_node_execpath,
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.split(sep).includes('node_modules'))
      .map((dir) => join(dir, 'node')),
  ];
  for (const candidate of candidates) {
    if (candidate === undefined || !existsSync(candidate)) continue;
    const major = Number(execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]']));
    if (major < 22) return candidate;
  }
  throw new Error('No Node older than 22 found on this machine (the workspace runs Node 20).');
}

test('on Node 20, importing works and nodeSqlite() throws E_DRIVER_UNAVAILABLE naming the version', () => {
  const node = nodeWithoutSqlite();
  const script = `
    import { nodeSqlite, createDriver } from '${DIST}';
    const errors = [() => nodeSqlite(), () => createDriver({})].map((make) => {
      try { make(); return null; } catch (e) { return { name: e.name, code: e.code, message: e.message, details: e.details }; }
    });
    console.log(JSON.stringify({ version: process.versions.node, errors }));
  `;
  const child = spawnSync(node, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const { version, errors } = JSON.parse(child.stdout) as {
    version: string;
    errors: { name: string; code: string; message: string; details: unknown }[];
  };
  expect(Number(version.split('.')[0])).toBeLessThan(22);
  for (const error of errors) {
    expect(error).toMatchObject({
      name: 'WalkeeperError',
      code: 'E_DRIVER_UNAVAILABLE',
      details: { runtime: `Node ${version}`, required: '>=22.16' },
    });
    expect(error.message).toContain('Node 22.16 or later (Node 24 recommended)');
    expect(error.message).toContain(`Node ${version}`);
  }
});
