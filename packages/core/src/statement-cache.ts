import type { SqliteConnection, SqliteStatement } from './driver.js';

/**
 * A least-recently-used cache of prepared statements for one connection. Preparing costs
 * more than running a point query, so every SQL text is prepared once while it stays hot.
 */
export class StatementCache {
  readonly #connection: SqliteConnection;
  readonly #capacity: number;
  readonly #map = new Map<string, SqliteStatement>();
  #hits = 0;
  #misses = 0;

  constructor(connection: SqliteConnection, capacity: number) {
    this.#connection = connection;
    this.#capacity = capacity;
  }

  get(sql: string): SqliteStatement {
    const map = this.#map;
    const cached = map.get(sql);
    if (cached !== undefined) {
      this.#hits++;
      // Re-inserting moves the key to the young end of the Map's insertion order.
      map.delete(sql);
      map.set(sql, cached);
      return cached;
    }
    this.#misses++;
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

  get size(): number {
    return this.#map.size;
  }

  stats(): { size: number; capacity: number; hits: number; misses: number } {
    return {
      size: this.#map.size,
      capacity: this.#capacity,
      hits: this.#hits,
      misses: this.#misses,
    };
  }

  clear(): void {
    for (const statement of this.#map.values()) statement.finalize?.();
    this.#map.clear();
  }
}
