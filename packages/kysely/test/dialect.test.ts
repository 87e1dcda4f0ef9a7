import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { openDb, pooledReads } from './support.js';

describe('WalkeeperDialect', () => {
  test('CRUD: writes go through the writer, selects to the read pool', async () => {
    const { wk, db, close } = await openDb();
    const inserted = await db.insertInto('notes').values({ body: 'one' }).executeTakeFirst();
    expect(inserted.insertId).toBe(1n);
    await db
      .insertInto('notes')
      .values([{ body: 'two' }, { body: 'three' }])
      .execute();
    const updated = await db
      .updateTable('notes')
      .set({ body: 'TWO' })
      .where('body', '=', 'two')
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    await db.deleteFrom('notes').where('body', '=', 'three').execute();
    const before = pooledReads(wk);
    const rows = await db.selectFrom('notes').select(['id', 'body']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 1, body: 'one' },
      { id: 2, body: 'TWO' },
    ]);
    expect(pooledReads(wk)).toBe(before + 1);
    expect(wk.stats().writes.batches.groups).toBeGreaterThanOrEqual(4);
    await close();
  });

  test('a transaction commits; one that throws leaves nothing; reads inside see its writes', async () => {
    const { wk, db, close } = await openDb();
    const seen = await db.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ body: 'in transaction' }).execute();
      const inside = await trx.selectFrom('notes').select('body').execute();
      // Outside, nothing is visible yet.
      const outside = await db.selectFrom('notes').select('body').execute();
      return { inside, outside };
    });
    expect(seen.inside).toEqual([{ body: 'in transaction' }]);
    expect(seen.outside).toEqual([]);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ body: 'rolled back' }).execute();
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await db.selectFrom('notes').select('body').execute()).toEqual([
      { body: 'in transaction' },
    ]);
    expect(wk.stats().writes.transactions).toMatchObject({ committed: 1, rolledBack: 1 });
    await close();
  });

  test('savepoints of a controlled transaction roll back only their part', async () => {
    const { db, close } = await openDb();
    const trx = await db.startTransaction().execute();
    await trx.insertInto('notes').values({ body: 'kept' }).execute();
    const sp = await trx.savepoint('sp1').execute();
    await sp.insertInto('notes').values({ body: 'undone' }).execute();
    const back = await sp.rollbackToSavepoint('sp1').execute();
    await back.insertInto('notes').values({ body: 'after' }).execute();
    await back.commit().execute();
    const bodies = await db.selectFrom('notes').select('body').orderBy('id').execute();
    expect(bodies.map((r) => r.body)).toEqual(['kept', 'after']);
    await close();
  });

  test('100 concurrent writers lose nothing, and share group commits', async () => {
    const { wk, db, close } = await openDb();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        db
          .insertInto('notes')
          .values({ body: `w${i}` })
          .execute(),
      ),
    );
    const { n } = await db
      .selectFrom('notes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(n).toBe(100);
    expect(wk.stats().writes.batches.groups).toBeLessThan(100);
    await close();
  });

  test('statements a regex would misroute go to the writer: a CTE ending in INSERT … RETURNING, a PRAGMA that writes', async () => {
    const { wk, db, close } = await openDb();
    const before = pooledReads(wk);
    const returned = await sql<{ id: number; body: string }>`
      WITH source(body) AS (SELECT 'from cte') INSERT INTO notes (body) SELECT body FROM source RETURNING id, body
    `.execute(db);
    expect(returned.rows).toEqual([{ id: 1, body: 'from cte' }]);
    await sql`PRAGMA user_version = 7`.execute(db);
    const version = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
    expect(version.rows).toEqual([{ user_version: 7 }]);
    // None of the three ran on a pooled reader.
    expect(pooledReads(wk)).toBe(before);
    expect(wk.write((tx) => tx.get<{ user_version: number }>('PRAGMA user_version'))).toEqual({
      user_version: 7,
    });
    await close();
  });

  test('streamQuery and introspection work', async () => {
    const { db, close } = await openDb();
    await db
      .insertInto('notes')
      .values(Array.from({ length: 250 }, (_, i) => ({ body: `s${i}` })))
      .execute();
    let streamed = 0;
    for await (const row of db.selectFrom('notes').select('body').stream(100)) {
      expect(row.body).toMatch(/^s\d+$/);
      streamed++;
    }
    expect(streamed).toBe(250);
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name)).toContain('notes');
    expect(tables.find((t) => t.name === 'notes')?.columns.map((c) => c.name)).toEqual([
      'id',
      'body',
    ]);
    await close();
  });
});
