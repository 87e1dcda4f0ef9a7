import { openWalkeeper, type Walkeeper } from '@walkeeper/core';
import { tempDatabasePath } from '@walkeeper/core/testing';
import { betterSqlite3 } from '@walkeeper/driver-better-sqlite3';
import { Kysely } from 'kysely';
import { WalkeeperDialect } from '../src/index.js';

export interface Database {
  notes: { id: number | null; body: string };
}

export async function openDb(path = tempDatabasePath('walkeeper-kysely-')): Promise<{
  wk: Walkeeper;
  db: Kysely<Database>;
  close(): Promise<void>;
}> {
  const wk = await openWalkeeper({
    path,
    driver: betterSqlite3(),
    readers: { size: 2, mode: 'worker' },
  });
  const db = new Kysely<Database>({ dialect: new WalkeeperDialect({ walkeeper: wk }) });
  await db.schema
    .createTable('notes')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  return {
    wk,
    db,
    close: async () => {
      await db.destroy();
      await wk.close();
    },
  };
}

/** Reads that went through the worker pool (each counts once in its wait-time histogram). */
export const pooledReads = (wk: Walkeeper) => wk.stats().pool.waitTimeMs.count;
