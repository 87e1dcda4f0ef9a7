import { existsSync } from 'node:fs';
import { openWalkeeper } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { Kysely, SqliteDialect } from 'kysely';
import { expect, test } from 'vitest';
import { betterSqlite3 } from '../src/index.js';

const notes = sqliteTable('notes', {
  id: integer('id').primaryKey(),
  body: text('body').notNull(),
});

test('Drizzle and Kysely run on wk.raw while walkeeper manages the WAL', async () => {
  const path = tempDatabasePath();
  const wk = await openWalkeeper({
    path,
    driver: betterSqlite3(),
    pragmas: { walAutocheckpoint: 0 },
  });
  wk.write((tx) => tx.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'));

  const orm = drizzle({ client: wk.raw });
  orm.insert(notes).values({ body: 'from drizzle' }).run();
  expect(orm.select().from(notes).where(sql`${notes.id} = 1`).all()).toEqual([
    { id: 1, body: 'from drizzle' },
  ]);

  const kysely = new Kysely<{ notes: { id: number; body: string } }>({
    dialect: new SqliteDialect({ database: wk.raw }),
  });
  await kysely.insertInto('notes').values({ id: 2, body: 'from kysely' }).execute();
  const rows = await kysely.selectFrom('notes').select(['id', 'body']).orderBy('id').execute();
  expect(rows).toEqual([
    { id: 1, body: 'from drizzle' },
    { id: 2, body: 'from kysely' },
  ]);

  // Both ORMs' writes went through the managed connection, into the WAL that walkeeper owns.
  expect(wk.sampleWal().frames).toBeGreaterThan(0);
  const result = await wk.checkpoint('TRUNCATE');
  expect(result.busy).toBe(false);
  expect(result.walBytesAfter).toBe(0);
  expect(await wk.read('SELECT body FROM notes ORDER BY id')).toEqual([
    { body: 'from drizzle' },
    { body: 'from kysely' },
  ]);
  await wk.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
});
