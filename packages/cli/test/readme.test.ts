import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runExample } from '@walkeeper/test-support';
import { expect, test } from 'vitest';
import { closedWalDatabase, newDirectory, walDatabase, walkeeper } from './support.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1]!,
  body: m[2]!,
}));

/** The block of output that follows `$ <command>` in the README. */
function outputOf(command: string): string {
  for (const { body } of blocks) {
    const at = body.indexOf(`$ ${command}\n`);
    if (at === -1) continue;
    const rest = body.slice(at + command.length + 3);
    const end = rest.indexOf('\n$ ');
    return end === -1 ? rest : rest.slice(0, end + 1);
  }
  throw new Error(`no output of "${command}" in the README`);
}

const labels = (text: string) =>
  [...text.matchAll(/^ {2}([a-z_ ]+?) {2,}\S/gm)].map((m) => m[1]!.trim()).filter(Boolean);
const titles = (text: string) =>
  [...text.matchAll(/^ {2}(?:PASS|WARN|FAIL|INFO|SKIP) {2}(.+?) {2,}/gm)].map((m) => m[1]!.trim());

test('the operators section shows status with every line status prints today', () => {
  const dir = newDirectory();
  const db = walDatabase(join(dir, 'app.db'), 10);
  const fresh = walkeeper(['status', 'app.db'], { cwd: dir });
  expect(labels(fresh.stdout).length).toBeGreaterThan(8);
  expect(labels(outputOf('walkeeper status app.db'))).toEqual(labels(fresh.stdout));
  expect(outputOf('walkeeper status app.db')).toMatch(/^health: (ok|degraded|critical)$/m);
  db.close();
});

test('the operators section shows doctor with every check doctor runs today, in order', () => {
  const dir = newDirectory();
  closedWalDatabase(join(dir, 'app.db'));
  const fresh = walkeeper(['doctor', 'app.db'], { cwd: dir });
  const shown = outputOf('walkeeper doctor app.db');
  expect(titles(shown)).toEqual(titles(fresh.stdout));
  expect(titles(shown)).toHaveLength(12);
  expect(shown).toMatch(
    /^\d+ passed, \d+ warnings?, \d+ failed, \d+ to check in the application$/m,
  );
});

test('the usage errors in the README are what the CLI prints', () => {
  const dir = newDirectory();
  closedWalDatabase(join(dir, 'app.db'));
  for (const command of ['walkeeper watch app.db --interval -5', 'walkeeper status orders.db']) {
    const run = walkeeper(command.split(' ').slice(1), { cwd: dir });
    expect(run.code).toBe(2);
    expect(outputOf(command)).toBe(run.stderr);
  }
});

test('the code example runs', async () => {
  const code = blocks.find((block) => block.lang === 'ts')!.body;
  const dir = newDirectory();
  const db = walDatabase(join(dir, 'app.db'), 10);
  let logged: unknown[][];
  try {
    logged = await runExample(code.replace("from '@walkeeper/cli'", "from '../src/index.js'"), {
      beside: import.meta.url,
      cwd: dir,
    });
  } finally {
    db.close();
  }
  expect(logged).toEqual([['wal', expect.any(Number), expect.any(Number)], ['ok'], [true, 'pass']]);
});
