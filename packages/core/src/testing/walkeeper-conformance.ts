import * as assert from 'node:assert/strict';
import type { SqliteDriver } from '../driver.js';
import { isSqliteError } from '../driver.js';
import { openWalkeeper } from '../open-walkeeper.js';
import type { Walkeeper } from '../walkeeper.js';
import type { ConformanceApi } from './conformance.js';
import { tempDatabasePath } from './temp-database.js';

const SCHEMA = 'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)';
const INSERT = 'INSERT INTO t (id, name) VALUES (?, ?)';
/** A group of this many `batch()` calls in one turn of the event loop; member FAILING fails. */
const GROUP = 50;
const FAILING = 17;

type Settled = PromiseSettledResult<unknown>;

/** Runs `fn` on a fresh walkeeper over `driver` with table `t`, closing it whatever happens. */
async function withWalkeeper(
  driver: SqliteDriver,
  fn: (wk: Walkeeper) => Promise<void> | void,
): Promise<void> {
  const wk = await openWalkeeper({ path: tempDatabasePath('walkeeper-conformance-'), driver });
  try {
    wk.write((tx) => tx.exec(SCHEMA));
    await fn(wk);
  } finally {
    await wk.close();
  }
}

const ids = async (wk: Walkeeper): Promise<number[]> =>
  (await wk.read<{ id: number }>('SELECT id FROM t ORDER BY id')).map((row) => Number(row.id));

/** 1..GROUP without FAILING: what a group leaves when exactly its failing member rolled back. */
const allButFailing = Array.from({ length: GROUP }, (_, i) => i + 1).filter((id) => id !== FAILING);

/**
 * A group of GROUP `batch()` calls issued together, member FAILING running `fail` after its
 * own insert. Returns how each settled; asserts they shared one group commit.
 */
async function groupWithFailingMember(
  wk: Walkeeper,
  fail: (tx: Parameters<Parameters<Walkeeper['batch']>[0]>[0]) => void,
): Promise<Settled[]> {
  const groupsBefore = wk.stats().writes.batches.groups;
  const settled = await Promise.allSettled(
    Array.from({ length: GROUP }, (_, i) =>
      wk.batch((tx) => {
        const id = i + 1;
        tx.run(INSERT, [id, `member ${id}`]);
        if (id === FAILING) fail(tx);
        return id;
      }),
    ),
  );
  assert.equal(
    wk.stats().writes.batches.groups,
    groupsBefore + 1,
    'the calls shared one group commit',
  );
  return settled;
}

function assertOnlyFailingRejected(settled: readonly Settled[]): unknown {
  settled.forEach((outcome, i) => {
    if (i + 1 === FAILING) assert.equal(outcome.status, 'rejected', `member ${i + 1}`);
    else assert.deepEqual(outcome, { status: 'fulfilled', value: i + 1 }, `member ${i + 1}`);
  });
  return (settled[FAILING - 1] as PromiseRejectedResult).reason;
}

/**
 * walkeeper's own behaviour on a driver adapter: the async write paths (`batch()` group
 * commits, `transaction()` across awaits with nested savepoints) and the statement flag the
 * router relies on (`readonly`). `testWalkeeper(betterSqlite3(), { describe, test })` runs it
 * beside `testDriver`, under vitest, `bun:test` or `node:test`.
 */
export function testWalkeeper(driver: SqliteDriver, { describe, test }: ConformanceApi): void {
  describe(`walkeeper conformance: ${driver.name}`, () => {
    test('batch(): a throwing member of a group of 50 rolls back alone; 49 resolve', () =>
      withWalkeeper(driver, async (wk) => {
        const thrown = new Error('member 17 fails');
        const settled = await groupWithFailingMember(wk, () => {
          throw thrown;
        });
        assert.equal(assertOnlyFailingRejected(settled), thrown);
        assert.deepEqual(await ids(wk), allButFailing);
        assert.equal(wk.stats().writes.batches.failedMembers, 1);
      }));

    test('batch(): a member SQLite refuses (a constraint) rolls back alone; 49 resolve', () =>
      withWalkeeper(driver, async (wk) => {
        // Its own row goes in first, then a duplicate key: both must be gone.
        const settled = await groupWithFailingMember(wk, (tx) => tx.run(INSERT, [1, 'again']));
        const reason = assertOnlyFailingRejected(settled);
        assert.ok(isSqliteError(reason), `expected a SqliteError, got ${String(reason)}`);
        assert.match(reason.code, /^SQLITE_CONSTRAINT/);
        assert.deepEqual(await ids(wk), allButFailing);
        const [first] = await wk.read('SELECT name FROM t WHERE id = 1');
        assert.deepEqual(first, { name: 'member 1' });
      }));

    test('transaction(): commits what it wrote across awaits, and reads its own writes', () =>
      withWalkeeper(driver, async (wk) => {
        const value = await wk.transaction(async (tx) => {
          tx.run(INSERT, [1, 'one']);
          await new Promise((resolve) => setTimeout(resolve, 5));
          tx.run(INSERT, [2, 'two']);
          return tx.get<{ n: number }>('SELECT count(*) AS n FROM t')?.n;
        });
        assert.equal(value, 2);
        assert.deepEqual(await ids(wk), [1, 2]);
      }));

    test('transaction(): a throw rolls everything back and rejects with it', () =>
      withWalkeeper(driver, async (wk) => {
        const thrown = new Error('rolled back');
        await assert.rejects(
          wk.transaction(async (tx) => {
            tx.run(INSERT, [1, 'one']);
            await new Promise((resolve) => setImmediate(resolve));
            tx.run(INSERT, [2, 'two']);
            throw thrown;
          }),
          (error) => error === thrown,
        );
        assert.deepEqual(await ids(wk), []);
        // The writer is free again: the next write commits.
        wk.write((tx) => tx.run(INSERT, [3, 'three']));
        assert.deepEqual(await ids(wk), [3]);
      }));

    test('transaction(): a nested transaction is a savepoint, rolled back alone', () =>
      withWalkeeper(driver, async (wk) => {
        await wk.transaction(async (tx) => {
          tx.run(INSERT, [1, 'outer']);
          await tx.transaction(async (inner) => {
            inner.run(INSERT, [2, 'kept']);
          });
          await assert.rejects(
            tx.transaction(async (inner) => {
              inner.run(INSERT, [3, 'undone']);
              await new Promise((resolve) => setImmediate(resolve));
              throw new Error('inner fails');
            }),
            /inner fails/,
          );
          assert.equal(tx.get('SELECT id FROM t WHERE id = 3'), undefined);
          tx.run(INSERT, [4, 'after']);
        });
        assert.deepEqual(await ids(wk), [1, 2, 4]);
      }));

    // The flag that lets a router send a statement to a reader: a CTE in front of an INSERT
    // that returns rows must still count as a write.
    test('statements report readonly as sqlite3_stmt_readonly does', () => {
      const db = driver.open(tempDatabasePath('walkeeper-conformance-'));
      try {
        db.exec(SCHEMA);
        assert.equal(db.prepare('SELECT id FROM t').readonly, true);
        assert.equal(db.prepare(INSERT).readonly, false);
        const cte = db.prepare(
          "WITH x AS (SELECT 1 AS n) INSERT INTO t (id, name) SELECT n, 'cte' FROM x RETURNING id",
        );
        assert.equal(cte.readonly, false);
        assert.equal(cte.returnsData, true);
      } finally {
        db.close();
      }
    });
  });
}
