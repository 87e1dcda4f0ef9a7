import type { AsyncTransaction, SqliteRunResult, Walkeeper } from '@walkeeper/core';
import { routeStatement } from '@walkeeper/core/plugin-kit';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type QueryResult,
  SelectQueryNode,
} from 'kysely';

/** Kysely's result for a statement that returns no rows. */
function changed(result: SqliteRunResult): QueryResult<never> {
  return {
    rows: [],
    numAffectedRows: BigInt(result.changes),
    insertId: BigInt(result.lastInsertRowid),
  };
}

/** Thrown into an open transaction to end it with a rollback, and swallowed there. */
const ROLLBACK = Symbol('rollback');

/**
 * One Kysely connection. Connections are cheap and many can be open at once: outside a
 * transaction a statement SQLite calls read-only goes to walkeeper's read pool (worker threads
 * in parallel), every other one through the writer in a group commit (`batch()`). Inside a
 * transaction everything runs on that transaction's `tx`, so reads see its own writes.
 */
export class WalkeeperConnection implements DatabaseConnection {
  readonly #walkeeper: Walkeeper;
  #tx: AsyncTransaction | undefined;
  #end: { commit(): void; rollback(reason: unknown): void } | undefined;
  #done: Promise<unknown> | undefined;

  constructor(walkeeper: Walkeeper) {
    this.#walkeeper = walkeeper;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    const route = routeStatement(this.#walkeeper, sql);
    const tx = this.#tx;
    if (tx !== undefined) {
      return route.returnsData
        ? { rows: tx.all<R>(sql, parameters) }
        : changed(tx.run(sql, parameters));
    }
    if (route.pool) return { rows: await this.#walkeeper.read<R>(sql, parameters) };
    return this.#walkeeper.batch((w) =>
      route.returnsData ? { rows: w.all<R>(sql, parameters) } : changed(w.run(sql, parameters)),
    );
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) {
      throw new Error('walkeeper streams select queries only');
    }
    const { sql, parameters } = compiledQuery;
    if (this.#tx !== undefined) {
      for (const row of this.#tx.iterate<R>(sql, parameters)) yield { rows: [row] };
      return;
    }
    // A pooled read answers as a whole; it is handed out in chunks.
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }

  /** Starts `wk.transaction()` and keeps it open until `commit()` or `rollback()`. */
  begin(): Promise<void> {
    return new Promise<void>((begun, failed) => {
      const done = this.#walkeeper.transaction(async (tx) => {
        this.#tx = tx;
        begun();
        await new Promise<void>((commit, rollback) => {
          this.#end = { commit, rollback };
        });
      });
      this.#done = done.finally(() => {
        this.#tx = undefined;
        this.#end = undefined;
      });
      // A transaction that could not begin rejects here before `begun()` ran.
      done.catch(failed);
    });
  }

  async commit(): Promise<void> {
    this.#end?.commit();
    await this.#done;
  }

  async rollback(): Promise<void> {
    this.#end?.rollback(ROLLBACK);
    await this.#done?.catch((error: unknown) => {
      if (error !== ROLLBACK) throw error;
    });
  }

  /** `SAVEPOINT`, `ROLLBACK TO` or `RELEASE` on the open transaction. */
  savepointCommand(command: 'SAVEPOINT' | 'ROLLBACK TO' | 'RELEASE', name: string): void {
    if (this.#tx === undefined) throw new Error(`${command} needs an open transaction`);
    this.#tx.exec(`${command} "${name.replaceAll('"', '""')}"`);
  }
}
