import type { Walkeeper } from '@walkeeper/core';
import { describe, expect, test } from 'vitest';
import { caught, open } from './support.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const count = async (wk: Walkeeper) =>
  (await wk.read<{ n: number }>('SELECT count(*) AS n FROM notes'))[0]!.n;

const bodies = async (wk: Walkeeper) =>
  (await wk.read<{ body: string }>('SELECT body FROM notes ORDER BY id')).map((r) => r.body);

describe('batch()', () => {
  test('a group of 50 where the 17th throws: exactly its rows are missing, 49 resolve', async () => {
    const wk = await open();
    const calls = Array.from({ length: 50 }, (_, i) =>
      wk.batch((tx) => {
        tx.run('INSERT INTO notes (body) VALUES (?)', [`row ${i} a`]);
        tx.run('INSERT INTO notes (body) VALUES (?)', [`row ${i} b`]);
        if (i === 16) throw new Error('the 17th fails');
        return i;
      }),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(49);
    expect(settled[16]).toMatchObject({
      status: 'rejected',
      reason: { message: 'the 17th fails' },
    });
    expect(settled[17]).toEqual({ status: 'fulfilled', value: 17 });
    const stored = await bodies(wk);
    expect(stored).toHaveLength(98);
    expect(stored.filter((b) => b.startsWith('row 16 '))).toEqual([]);
    // One commit for the whole group.
    expect(wk.stats().writes.batches).toMatchObject({ groups: 1, failedMembers: 1 });
    expect(wk.stats().writes.batches.groupSize.maxMs).toBe(50);
    await wk.close();
  });

  test("a member that SQLite rejects (a constraint) fails alone with SQLite's code", async () => {
    const wk = await open();
    wk.write((tx) => tx.exec('CREATE UNIQUE INDEX notes_body ON notes (body)'));
    const calls = Array.from({ length: 50 }, (_, i) =>
      wk.batch((tx) =>
        tx.run('INSERT INTO notes (body) VALUES (?)', [i === 16 ? 'row 3' : `row ${i}`]),
      ),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(49);
    expect(settled[16]).toMatchObject({
      status: 'rejected',
      reason: { code: expect.stringMatching(/^SQLITE_CONSTRAINT/) },
    });
    expect(await count(wk)).toBe(49);
    await wk.close();
  });

  test('fn runs exactly once, and the Promise resolves only after the COMMIT', async () => {
    const wk = await open();
    let runs = 0;
    const pending = wk.batch((tx) => {
      runs++;
      return tx.run('INSERT INTO notes (body) VALUES (?)', ['once']).lastInsertRowid;
    });
    // The group has not committed yet: a reader does not see the row.
    expect(wk.prepareRead('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 0 });
    const id = await pending;
    expect(runs).toBe(1);
    expect(wk.prepareRead('SELECT body FROM notes WHERE id = ?').get([id])).toEqual({
      body: 'once',
    });
    await wk.close();
  });

  test('maxSize splits a burst into groups that commit in call order', async () => {
    const wk = await open({ batch: { maxSize: 10 } });
    const calls = Array.from({ length: 35 }, (_, i) =>
      wk.batch((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', [String(i)])),
    );
    await Promise.all(calls);
    expect(await bodies(wk)).toEqual(Array.from({ length: 35 }, (_, i) => String(i)));
    expect(wk.stats().writes.batches.groups).toBe(4);
    await wk.close();
  });

  test('bad batch options are E_CONFIG', async () => {
    expect((await caught(() => open({ batch: { maxSize: 0 } }))).code).toBe('E_CONFIG');
    expect((await caught(() => open({ batch: { maxDelayMs: -1 } }))).code).toBe('E_CONFIG');
    expect(
      (await caught(() => open({ batch: { size: 3 } as unknown as { maxSize: number } }))).code,
    ).toBe('E_CONFIG');
  });
});

describe('transaction()', () => {
  test('commits what the callback wrote across awaits, and reads inside see its own writes', async () => {
    const wk = await open();
    const seen = await wk.transaction(async (tx) => {
      tx.run('INSERT INTO notes (body) VALUES (?)', ['first']);
      await sleep(5);
      tx.run('INSERT INTO notes (body) VALUES (?)', ['second']);
      return tx.all<{ body: string }>('SELECT body FROM notes ORDER BY id');
    });
    expect(seen.map((r) => r.body)).toEqual(['first', 'second']);
    expect(await bodies(wk)).toEqual(['first', 'second']);
    await wk.close();
  });

  test('a read outside does not see its uncommitted rows; a throw rolls everything back', async () => {
    const wk = await open();
    let outside: number | undefined;
    const error = await caught(() =>
      wk.transaction(async (tx) => {
        tx.run('INSERT INTO notes (body) VALUES (?)', ['never']);
        outside = await count(wk);
        throw new Error('changed my mind');
      }),
    );
    expect(error.message).toBe('changed my mind');
    expect(outside).toBe(0);
    expect(await count(wk)).toBe(0);
    expect(wk.stats().writes.transactions).toMatchObject({ committed: 0, rolledBack: 1 });
    await wk.close();
  });

  test('a timeout rolls back with E_TIMEOUT, and the late callback gets E_TRANSACTION_FINISHED', async () => {
    const wk = await open();
    let late: { code?: string } | undefined;
    const error = await caught(() =>
      wk.transaction(
        async (tx) => {
          tx.run('INSERT INTO notes (body) VALUES (?)', ['early']);
          await sleep(60);
          late = await caught(() => tx.run('INSERT INTO notes (body) VALUES (?)', ['late']));
        },
        { timeoutMs: 20 },
      ),
    );
    expect(error.code).toBe('E_TIMEOUT');
    // The writer is free again at once: a write after the timeout commits.
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['after']));
    await sleep(80);
    expect(late?.code).toBe('E_TRANSACTION_FINISHED');
    expect(await bodies(wk)).toEqual(['after']);
    expect(wk.stats().writes.transactions.timeouts).toBe(1);
    await wk.close();
  });

  test("an abort rolls back and rejects with the signal's reason", async () => {
    const wk = await open();
    const controller = new AbortController();
    const pending = wk.transaction(
      async (tx) => {
        tx.run('INSERT INTO notes (body) VALUES (?)', ['aborted']);
        await sleep(200);
      },
      { signal: controller.signal },
    );
    await sleep(10);
    controller.abort(new Error('user left'));
    expect((await caught(() => pending)).message).toBe('user left');
    expect(await count(wk)).toBe(0);
    // Already aborted: refused before BEGIN.
    expect(
      (await caught(() => wk.transaction(async () => 1, { signal: controller.signal }))).message,
    ).toBe('user left');
    await wk.close();
  });

  test('write() while a transaction holds the writer is E_WRITER_BUSY and never joins it', async () => {
    const wk = await open();
    let busy: { code?: string; message: string } | undefined;
    await caught(() =>
      wk.transaction(async (tx) => {
        tx.run('INSERT INTO notes (body) VALUES (?)', ['inside']);
        await sleep(1);
        busy = await caught(() =>
          wk.write((w) => w.run('INSERT INTO notes (body) VALUES (?)', ['sync'])),
        );
        throw new Error('roll back');
      }),
    );
    expect(busy?.code).toBe('E_WRITER_BUSY');
    expect(busy?.message).toContain('batch()');
    expect(busy?.message).toContain('transaction()');
    expect(await count(wk)).toBe(0);
    await wk.close();
  });

  test('nested tx.transaction() is a savepoint: its throw undoes only its own rows', async () => {
    const wk = await open();
    await wk.transaction(async (tx) => {
      tx.run('INSERT INTO notes (body) VALUES (?)', ['outer']);
      await caught(() =>
        tx.transaction(async (inner) => {
          inner.run('INSERT INTO notes (body) VALUES (?)', ['inner rolled back']);
          await sleep(1);
          throw new Error('inner fails');
        }),
      );
      await tx.transaction(async (inner) => {
        inner.run('INSERT INTO notes (body) VALUES (?)', ['inner kept']);
      });
    });
    expect(await bodies(wk)).toEqual(['outer', 'inner kept']);
    await wk.close();
  });

  test('bad transaction options are E_CONFIG, as a rejection', async () => {
    const wk = await open();
    const call = () => wk.transaction(async () => 1, { timeoutMs: 0 });
    expect((await caught(call)).code).toBe('E_CONFIG');
    await wk.close();
  });
});

describe('ordering and the writer', () => {
  test('interleaved batch, transaction, write and reads see the writes in call order', async () => {
    const wk = await open();
    const insert = (body: string) => (tx: { run(sql: string, p: unknown[]): unknown }) =>
      void tx.run('INSERT INTO notes (body) VALUES (?)', [body]);
    const a = wk.batch(insert('batch 1'));
    const b = wk.transaction(async (tx) => {
      await sleep(5);
      insert('transaction 2')(tx);
    });
    const c = wk.batch(insert('batch 3'));
    const readAfterC = c.then(() => bodies(wk));
    const d = wk.transaction(async (tx) => insert('transaction 4')(tx));
    const e = wk.batch(insert('batch 5'));
    await Promise.all([a, b, c, d, e]);
    // A read issued once batch 3 resolved sees everything called before it.
    expect(await readAfterC).toEqual(['batch 1', 'transaction 2', 'batch 3']);
    // A synchronous write commits the batch members called before it first.
    const f = wk.batch(insert('batch 6'));
    wk.write(insert('write 7'));
    await f;
    expect(await bodies(wk)).toEqual([
      'batch 1',
      'transaction 2',
      'batch 3',
      'transaction 4',
      'batch 5',
      'batch 6',
      'write 7',
    ]);
    await wk.close();
  });

  test('a checkpoint that needs the writer waits for an open transaction, which commits intact', async () => {
    const wk = await open({ readers: { size: 1, mode: 'worker' } });
    const order: string[] = [];
    const tx = wk.transaction(async (t) => {
      t.run('INSERT INTO notes (body) VALUES (?)', ['held']);
      // A pooled read inside the transaction still runs: the barrier waits for the writer first.
      await wk.read('SELECT 1 AS one');
      await sleep(30);
      order.push('transaction done');
    });
    await sleep(5);
    const checkpoint = wk.checkpoint('TRUNCATE').then((result) => {
      order.push('checkpoint done');
      return result;
    });
    await tx;
    const result = await checkpoint;
    expect(order).toEqual(['transaction done', 'checkpoint done']);
    expect(result.busy).toBe(false);
    expect(result.walBytesAfter).toBe(0);
    expect(await bodies(wk)).toEqual(['held']);
    await wk.close();
  });

  test('close() drains queued batches and transactions; destroy() rejects what waits with E_CLOSED', async () => {
    const wk = await open();
    const queued = [
      wk.batch((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['drained 1'])),
      wk.transaction(async (tx) => {
        await sleep(5);
        tx.run('INSERT INTO notes (body) VALUES (?)', ['drained 2']);
      }),
      wk.batch((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['drained 3'])),
    ];
    const path = wk.path;
    await wk.close();
    await Promise.all(queued);
    expect((await caught(() => wk.batch(() => 1))).code).toBe('E_CLOSED');

    const again = await open({}, path);
    expect(await bodies(again)).toEqual(['drained 1', 'drained 2', 'drained 3']);
    const blocker = again.transaction(async () => sleep(50));
    const waiting = again.batch((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['lost']));
    await sleep(5);
    await again.destroy();
    expect((await caught(() => blocker)).code).toBe('E_CLOSED');
    expect((await caught(() => waiting)).code).toBe('E_CLOSED');
  });
});

test('a transaction held past the stall budget is named in health() as why the WAL grows', async () => {
  const wk = await open({ checkpoint: { maxStallMs: 20 } });
  let during: string[] = [];
  await wk.transaction(async (tx) => {
    tx.run('INSERT INTO notes (body) VALUES (?)', ['slow']);
    await sleep(60);
    during = wk.health().reasons.map((r) => r.code);
  });
  expect(during).toContain('TRANSACTION_HOLDS_WRITER');
  expect(wk.health().reasons.map((r) => r.code)).not.toContain('TRANSACTION_HOLDS_WRITER');
  await wk.close();
});
