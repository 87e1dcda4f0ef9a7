import type { SqliteConnection, SqliteStatement } from './driver.js';

/**
 * A least-recently-used cache of prepared statements for one connection. Preparing costs
 * more than running a point query, so every SQL text is prepared once while it stays hot.
 */
export class StatementCache {
  readonly #connection: SqliteConnection;
  readonly #capacity: number;
  readonly #map = new Map<string, SqliteStatement>();

  constructor(connection: SqliteConnection, capacity: number) {
    this.#connection = connection;
    this.#capacity = capacity;
  }

  get(sql: string): SqliteStatement {
    const map = this.#map;
    const cached = map.get(sql);
    if (cached !== undefined) {
      // Re-inserting moves the key to the young end of the Map's insertion order.
      map.delete(sql);
      map.set(sql, cached);
      return cached;
    }
    const statement = this.#connection.prepare(sql);
    if (this.#capacity > 0) {
      if (map.size >= this.#capacity) {
        const oldest = map.keys().next().value as string;
        map.get(oldest)?.finalize?.();
        map.delete(oldest);
      }
      map.set(sql, statement);
    }
    return statement;
  }

  clear(): void {
    for (const statement of this.#map.values()) statement.finalize?.();
    this.#map.clear();
  }
}
