import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Opcodes that make a program a writer without a write transaction (vdbeaux.c, resolveP2Values). */
const WRITING_OPCODES: ReadonlySet<unknown> = new Set(['Checkpoint', 'Vacuum', 'JournalMode']);
/** EXPLAIN's columns: addr, opcode, p1, p2, p3, p4, p5, comment. */
const OPCODE = 1;
const P2 = 3;

/**
 * `sqlite3_stmt_readonly`, which node:sqlite does not expose, decided as SQLite decides it:
 * from the statement's bytecode. A `Transaction` opcode with p2 != 0 starts a write
 * transaction; Checkpoint, Vacuum and JournalMode write too; anything else is read-only
 * (BEGIN, COMMIT and ATTACH included, as SQLite reports them). An authorizer at prepare time
 * sees actions, not bytecode, and calls BEGIN IMMEDIATE, VACUUM, `PRAGMA user_version = 1`
 * and `PRAGMA journal_mode = WAL` read-only, so it is not used (the README has the figures).
 * A statement that cannot be explained (an EXPLAIN itself) counts as a writer: the safe side.
 */
export function isReadonly(db: DatabaseSync, sql: string): boolean {
  let program: StatementSync;
  try {
    program = db.prepare(`EXPLAIN ${sql}`);
  } catch {
    return false;
  }
  program.setReturnArrays(true);
  for (const op of program.iterate() as Iterable<unknown[]>) {
    if (op[OPCODE] === 'Transaction' ? op[P2] !== 0 : WRITING_OPCODES.has(op[OPCODE])) return false;
  }
  return true;
}
