/**
 * What a read does, by its statement's first keyword, upper-cased, when it is one a read can
 * start with (OpenTelemetry's `db.operation.name`: the conventions allow parsing it from the
 * query text when the text has a single operation, which a read on walkeeper's read-only
 * connections does). Anything else gives `undefined`, so there are at most five values and
 * latency kept per operation stays small.
 */
const READ_OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['SELECT', 'SELECT'],
  // A common table expression on a read-only connection ends in a SELECT.
  ['WITH', 'SELECT'],
  ['VALUES', 'VALUES'],
  ['PRAGMA', 'PRAGMA'],
  ['EXPLAIN', 'EXPLAIN'],
]);

export function readOperationName(sql: string): string | undefined {
  const keyword = firstKeyword(sql);
  return keyword === undefined ? undefined : READ_OPERATIONS.get(keyword.toUpperCase());
}

/** The first word after whitespace and SQL comments (`-- line` and `/* block *\/`). */
function firstKeyword(sql: string): string | undefined {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 40 /* ( */) {
      i++;
    } else if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      const end = sql.indexOf('\n', i + 2);
      i = end === -1 ? n : end + 1;
    } else if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else {
      break;
    }
  }
  let end = i;
  while (end < n && isWordChar(sql.charCodeAt(end))) end++;
  return end > i ? sql.slice(i, end) : undefined;
}

function isWordChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
