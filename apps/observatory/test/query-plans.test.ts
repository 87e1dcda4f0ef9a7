import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERIES, QUERY_SAMPLES, type QueryName } from '../src/server/queries.js';
import { FIXTURES, openTestDb, type TestDb, tempDir } from './helpers.js';

// EXPLAIN QUERY PLAN on every query the API runs (api.test.ts checks the API runs nothing
// else), on an empty database (no statistics: the planner assumes big tables) and on the
// fixtures after ANALYZE. A full scan of a large table fails the test.

/** Tables that grow with the transcripts. The rollups and projects stay small by design. */
const LARGE = new Set([
  'sessions',
  'files',
  'messages',
  'messages_fts',
  'tool_calls',
  'token_usage',
  'ingest_errors',
]);

/**
 * Scans that walk an index (or the rowid) in the query's own ORDER BY and stop at its LIMIT:
 * they read a page, not the table. Each is named here on purpose.
 */
const BOUNDED_SCANS: Partial<Record<QueryName, string>> = {
  ingestErrors: 'the newest rows by rowid, LIMIT ?',
};

/** alias -> table, from the FROM and JOIN clauses. */
function aliases(sql: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const match of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const table = match[1]!;
    map.set(table, table);
    const alias = match[2];
    if (alias && !/^(ON|WHERE|JOIN|CROSS|LEFT|INNER|GROUP|ORDER|LIMIT)$/i.test(alias))
      map.set(alias, table);
  }
  return map;
}

/** The plan lines that read a large table whole. */
export function fullScans(name: QueryName, plan: readonly string[]): string[] {
  const tables = aliases(QUERIES[name]);
  const problems: string[] = [];
  for (const line of plan) {
    const scan = /^SCAN (\w+)(.*)$/.exec(line);
    if (!scan) continue;
    const table = tables.get(scan[1]!) ?? scan[1]!;
    if (!LARGE.has(table)) continue;
    const rest = scan[2]!;
    // FTS5 with a MATCH constraint: "VIRTUAL TABLE INDEX <n>:M…"; index 0 is a full scan.
    if (/VIRTUAL TABLE INDEX [1-9]\d*:/.test(rest)) continue;
    const ordered = !plan.some((l) => l.includes('USE TEMP B-TREE FOR ORDER BY'));
    if (BOUNDED_SCANS[name] && ordered && /\bLIMIT\b/.test(QUERIES[name])) continue;
    problems.push(`${name}: ${line}`);
  }
  return problems;
}

describe('query plans', () => {
  const temp = tempDir();
  let db: TestDb;

  // `pass` makes the text new, so no reader reuses a statement planned before ANALYZE.
  const explain = async (name: QueryName, pass: string) =>
    (
      await db.wk.read<{ detail: string }>(
        `EXPLAIN QUERY PLAN ${QUERIES[name]} -- ${pass}`,
        QUERY_SAMPLES[name],
      )
    ).map((row) => row.detail);

  beforeAll(async () => {
    db = await openTestDb(temp.dir, FIXTURES);
  });
  afterAll(async () => {
    await db.close();
    temp.cleanup();
  });

  it('the checker catches a full scan', () => {
    expect(fullScans('messages', ['SCAN messages'])).toHaveLength(1);
    expect(fullScans('messages', ['SCAN messages USING COVERING INDEX x'])).toHaveLength(1);
    expect(fullScans('search', ['SCAN messages_fts VIRTUAL TABLE INDEX 0:'])).toHaveLength(1);
    expect(fullScans('projects', ['SCAN projects'])).toHaveLength(0);
    expect(fullScans('ingestErrors', ['SCAN e', 'USE TEMP B-TREE FOR ORDER BY'])).toHaveLength(1);
  });

  const names = Object.keys(QUERIES) as QueryName[];

  it('no API query scans a large table, on an empty database', async () => {
    const problems: string[] = [];
    for (const name of names) problems.push(...fullScans(name, await explain(name, 'empty')));
    expect(problems).toEqual([]);
  });

  it('no API query scans a large table, on the fixtures after ANALYZE', async () => {
    await db.ingester.scan();
    db.wk.write((tx) => tx.exec('ANALYZE'));
    const problems: string[] = [];
    for (const name of names) problems.push(...fullScans(name, await explain(name, 'analyzed')));
    expect(problems).toEqual([]);
  });
});
