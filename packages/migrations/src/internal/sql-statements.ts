/** One statement of a migration's SQL text, as SQLite would see it. */
export interface SqlStatement {
  /** The statement's text, from its first token to its semicolon (comments before it dropped). */
  readonly text: string;
  /** 1-based line of the statement's first token in the text. */
  readonly line: number;
  /** Its first tokens, upper-cased, quoted identifiers unquoted: enough to classify it. */
  readonly head: readonly string[];
}

const HEAD_TOKENS = 6;
const WORD_START = /[A-Za-z_\u0080-\uFFFF]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const SPACE = /\s/;

/**
 * Splits SQL text into statements the way SQLite's own `sqlite3_complete()` does: semicolons
 * inside strings, quoted identifiers and comments do not count, and neither do the ones inside
 * a `CREATE TRIGGER ... BEGIN ... END` body (with `CASE ... END` told apart from the trigger's
 * `END`). Text with no token (blank, comments only) is not a statement.
 */
export function splitSql(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  const length = sql.length;
  let start = -1;
  let head: string[] = [];
  let trigger = false;
  let caseDepth = 0;
  let afterEnd = false;
  let line = 1;
  let counted = 0;

  const token = (value: string, at: number, keyword: boolean) => {
    if (start < 0) start = at;
    if (head.length < HEAD_TOKENS) head.push(value);
    if (
      keyword &&
      value === 'TRIGGER' &&
      head[0] === 'CREATE' &&
      (head.length === 2 || (head.length === 3 && (head[1] === 'TEMP' || head[1] === 'TEMPORARY')))
    ) {
      trigger = true;
    }
    if (!trigger) return;
    if (keyword && value === 'CASE') {
      caseDepth++;
      afterEnd = false;
    } else if (keyword && value === 'END') {
      // A CASE expression's END closes the CASE; otherwise it is the trigger body's END.
      afterEnd = caseDepth === 0;
      if (caseDepth > 0) caseDepth--;
    } else {
      afterEnd = false;
    }
  };

  const finish = (end: number) => {
    if (start >= 0) {
      for (; counted < start; counted++) if (sql.charCodeAt(counted) === 10) line++;
      statements.push({ text: sql.slice(start, end).trim(), line, head });
    }
    start = -1;
    head = [];
    trigger = false;
    caseDepth = 0;
    afterEnd = false;
  };

  let i = 0;
  while (i < length) {
    const c = sql[i]!;
    if (SPACE.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? length : newline + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = closeQuote(sql, i, c);
      const value = c === "'" ? "'" : sql.slice(i + 1, end - 1).replaceAll(c + c, c);
      token(value.toUpperCase(), i, false);
      i = end;
    } else if (c === '[') {
      const close = sql.indexOf(']', i + 1);
      const end = close < 0 ? length : close + 1;
      token(sql.slice(i + 1, end - 1).toUpperCase(), i, false);
      i = end;
    } else if (c === ';') {
      // Inside a trigger body only `END;` ends the statement.
      if (trigger && !afterEnd) afterEnd = false;
      else finish(i + 1);
      i++;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < length && WORD_PART.test(sql[j]!)) j++;
      token(sql.slice(i, j).toUpperCase(), i, true);
      i = j;
    } else {
      token(c, i, false);
      i++;
    }
  }
  finish(length);
  return statements;
}

/** The offset just past the quote that closes the one at `open` (a doubled quote escapes). */
function closeQuote(sql: string, open: number, quote: string): number {
  let i = open + 1;
  for (;;) {
    const close = sql.indexOf(quote, i);
    if (close < 0) return sql.length;
    if (sql[close + 1] !== quote) return close + 1;
    i = close + 2;
  }
}

/** The pragma a `PRAGMA [schema.]name ...` statement names, lower-cased; else undefined. */
export function pragmaName(statement: SqlStatement): string | undefined {
  const { head } = statement;
  if (head[0] !== 'PRAGMA') return undefined;
  const name = head[2] === '.' ? head[3] : head[1];
  return name?.toLowerCase();
}

/** BEGIN, COMMIT, END and ROLLBACK (but not `ROLLBACK TO` a savepoint). */
export function isTransactionControl(statement: SqlStatement): boolean {
  const [first, second, third] = statement.head;
  if (first === 'BEGIN' || first === 'COMMIT' || first === 'END') return true;
  if (first !== 'ROLLBACK') return false;
  return !(second === 'TO' || (second === 'TRANSACTION' && third === 'TO'));
}

/**
 * Statements SQLite refuses or ignores inside a transaction: in a no-transaction migration
 * they run on their own, without the statement's progress in the same transaction.
 */
export function runsOutsideTransaction(statement: SqlStatement): boolean {
  const first = statement.head[0];
  return first === 'VACUUM' || first === 'PRAGMA' || first === 'ATTACH' || first === 'DETACH';
}
