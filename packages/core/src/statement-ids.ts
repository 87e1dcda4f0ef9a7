/**
 * Numbers for SQL texts, so a batch names a statement a worker has already prepared by its id
 * instead of sending the text again. At most `capacity` texts are numbered; the oldest is
 * forgotten first, and `onForget` tells the workers to drop their statement.
 */
export class StatementIds {
  readonly #ids = new Map<string, number>();
  readonly #capacity: number;
  readonly #onForget: (id: number) => void;
  #next = 1;

  constructor(capacity: number, onForget: (id: number) => void) {
    this.#capacity = Math.max(capacity, 1);
    this.#onForget = onForget;
  }

  idOf(sql: string): number {
    const ids = this.#ids;
    const existing = ids.get(sql);
    if (existing !== undefined) return existing;
    const id = this.#next++;
    ids.set(sql, id);
    if (ids.size > this.#capacity) {
      const [oldestSql, oldestId] = ids.entries().next().value as [string, number];
      ids.delete(oldestSql);
      this.#onForget(oldestId);
    }
    return id;
  }
}
