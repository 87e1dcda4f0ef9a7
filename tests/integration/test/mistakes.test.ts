import { expect, test } from 'vitest';
import { caught, open } from './support.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

test('a refused async write() callback that touches tx after its await cannot crash the process', async () => {
  const wk = await open();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const error = await caught(() =>
      // @ts-expect-error: write()'s type refuses an async callback; this is the run-time guard.
      wk.write(async (tx) => {
        await sleep(1);
        tx.run('INSERT INTO notes (body) VALUES (?)', ['after the await']);
      }),
    );
    expect(error.code).toBe('E_ASYNC_WRITE');
    expect(error.message).toContain('batch() or transaction()');
    await sleep(20);
    expect(unhandled).toEqual([]);
    expect(await wk.read('SELECT count(*) AS n FROM notes')).toEqual([{ n: 0 }]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await wk.close();
  }
});

test('a second walkeeper on the same file in one process is warned about, with a code', async () => {
  const first = await open();
  const warnings: { code?: string; message: string }[] = [];
  const onWarning = (warning: Error & { code?: string }) => void warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const second = await open({}, first.path);
    await sleep(0);
    const warning = warnings.find((w) => w.code === 'WALKEEPER_ALREADY_OPEN');
    expect(warning?.message).toContain(first.path);
    await second.close();
  } finally {
    process.off('warning', onWarning);
    await first.close();
  }
});

test('E_NOT_A_QUERY from a worker reader keeps its details; prepareRead() names itself', async () => {
  const wk = await open({ readers: { size: 1, mode: 'worker' } });
  const fromWorker = (await caught(() => wk.read('DELETE FROM notes'))) as {
    code?: string;
    details?: { sql?: string };
  };
  expect(fromWorker.code).toBe('E_NOT_A_QUERY');
  expect(fromWorker.details?.sql).toBe('DELETE FROM notes');
  const prepared = await caught(() => wk.prepareRead("INSERT INTO notes (body) VALUES ('x')"));
  expect(prepared.code).toBe('E_NOT_A_QUERY');
  expect(prepared.message).toMatch(/^prepareRead\(\) runs statements that return rows/);
  await wk.close();
});
