import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countIndependently,
  FIXTURES,
  jsonlFiles,
  openTestDb,
  snapshot,
  type TestDb,
  tempDir,
} from './helpers.js';

// The real, sanitised transcripts: every file ingested, every count checked against a
// count of the JSONL lines made without the ingester.

const files = jsonlFiles(FIXTURES);
/** Every API message id a fixture carries as its own line (not a relay). */
const direct = new Set(
  files.flatMap((file) => [...countIndependently(join(FIXTURES, file)).usage.keys()]),
);

/**
 * A file's calls: its own lines', and the subagent replies it relays whose subagent
 * transcript is not among the fixtures (else they count there).
 */
function expectedUsage(file: string) {
  const count = countIndependently(join(FIXTURES, file));
  const usage = new Map(count.usage);
  for (const [id, relayed] of count.relayed) if (!direct.has(id)) usage.set(id, relayed);
  return usage;
}
/** The API's session id of a fixture file. */
function sessionKey(file: string): string {
  const parts = file.replace(/\.jsonl$/, '').split('/');
  return parts.length === 1 ? parts[0]! : `${parts[0]}:${parts[2]}`;
}

describe('ingesting the fixtures', () => {
  const temp = tempDir();
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb(temp.dir, FIXTURES);
    await db.ingester.scan();
  });
  afterAll(async () => {
    await db.close();
    temp.cleanup();
  });

  it('finds every transcript, subagents included', () => {
    expect(files).toHaveLength(6);
    expect(db.ingester.status().files).toBe(6);
  });

  for (const file of files) {
    describe(file, () => {
      const expected = countIndependently(join(FIXTURES, file));

      it('stores one row per JSON line, by type', async () => {
        const rows = await db.wk.read<{ type: string; n: number }>(
          `SELECT m.type, count(*) AS n FROM messages m JOIN sessions s ON s.id = m.session_id
           WHERE s.key = ? GROUP BY m.type`,
          [sessionKey(file)],
        );
        expect(Object.fromEntries(rows.map((r) => [r.type, r.n]))).toEqual(expected.byType);
        expect(expected.malformed).toBe(0);
      });

      it('keeps each line as written', async () => {
        const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
        const rows = await db.wk.read<{ line: number; raw: string }>(
          `SELECT m.line, m.raw FROM messages m JOIN sessions s ON s.id = m.session_id
           WHERE s.key = ? ORDER BY m.line`,
          [sessionKey(file)],
        );
        expect(rows).toHaveLength(expected.objects);
        for (const row of rows) expect(row.raw).toBe(lines[row.line - 1]);
      });

      it('pairs every tool_use with its call row and counts it once', async () => {
        const rows = await db.wk.read<{ tool_use_id: string }>(
          `SELECT tool_use_id FROM tool_calls t JOIN sessions s ON s.id = t.session_id
           WHERE s.key = ? AND t.name IS NOT NULL`,
          [sessionKey(file)],
        );
        expect(new Set(rows.map((r) => r.tool_use_id))).toEqual(expected.toolUses);
        const [session] = await db.wk.read<{ tool_call_count: number }>(
          'SELECT tool_call_count FROM sessions WHERE key = ?',
          [sessionKey(file)],
        );
        expect(session?.tool_call_count).toBe(expected.toolUses.size);
      });

      it('counts token usage once per API message, at its largest', async () => {
        const usage = expectedUsage(file);
        const [session] = await db.wk.read<Record<string, number>>(
          `SELECT input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,
             (SELECT count(*) FROM token_usage WHERE session_id = sessions.id) AS messages
           FROM sessions WHERE key = ?`,
          [sessionKey(file)],
        );
        const sum = (field: 'input' | 'output' | 'cacheCreation' | 'cacheRead') =>
          [...usage.values()].reduce((total, call) => total + call[field], 0);
        expect(session).toEqual({
          input_tokens: sum('input'),
          output_tokens: sum('output'),
          cache_creation_tokens: sum('cacheCreation'),
          cache_read_tokens: sum('cacheRead'),
          messages: usage.size,
        });
      });
    });
  }

  it('keeps the rollups equal to the rows they sum up', async () => {
    const [tools] = await db.wk.read<Record<string, number>>(
      `SELECT (SELECT sum(calls) FROM tool_daily) AS rollup,
         (SELECT count(*) FROM tool_calls WHERE name IS NOT NULL) AS calls,
         (SELECT sum(errors) FROM tool_daily) AS rollupErrors,
         (SELECT sum(is_error) FROM tool_calls WHERE name IS NOT NULL) AS errors`,
    );
    expect(tools?.rollup).toBe(tools?.calls);
    expect(tools?.rollupErrors).toBe(tools?.errors);
    const [usage] = await db.wk.read<Record<string, number>>(
      `SELECT (SELECT sum(output_tokens) FROM usage_hourly) AS rollup,
         (SELECT sum(output_tokens) FROM token_usage) AS rows_,
         (SELECT sum(output_tokens) FROM sessions) AS sessions_`,
    );
    expect(usage?.rollup).toBe(usage?.rows_);
    expect(usage?.sessions_).toBe(usage?.rows_);
  });

  it('links each subagent to its parent session and the Task call that started it', async () => {
    const rows = await db.wk.read<{ key: string; parent: string; tool_use_id: string | null }>(
      `SELECT s.key, p.key AS parent,
         (SELECT tool_use_id FROM tool_calls t WHERE t.session_id = s.parent_id
            AND t.agent_id = s.agent_id) AS tool_use_id
       FROM sessions s JOIN sessions p ON p.id = s.parent_id ORDER BY s.key`,
    );
    const parent = '8463c716-a2ea-4c14-9efa-87158ebd9f20';
    expect(rows).toEqual([
      { key: `${parent}:agent-a7be2f0`, parent, tool_use_id: 'toolu_017SvvKc8KLbhGMG3tXkf21Z' },
      // A compaction agent has no Task call.
      { key: `${parent}:agent-acompact-f46190`, parent, tool_use_id: null },
    ]);
  });

  it('titles sessions with their first real prompt', async () => {
    const [row] = await db.wk.read<{ title: string }>(
      "SELECT title FROM sessions WHERE key = 'short'",
    );
    expect(row?.title).toBe('mix phx.server doesnt seem to start');
  });

  it('indexes prompts and replies for full-text search', async () => {
    const rows = await db.wk.read<{ key: string }>(
      `SELECT s.key FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
       JOIN sessions s ON s.id = m.session_id WHERE messages_fts MATCH ? GROUP BY s.key`,
      ['"phx.server"'],
    );
    expect(rows.map((r) => r.key)).toContain('short');
  });

  it('is idempotent: a second scan and a full re-read change no count', async () => {
    const before = await snapshot(db.wk);
    const again = await db.ingester.scan();
    expect(again.messages).toBe(0);
    expect(await snapshot(db.wk)).toEqual(before);

    // Forget every offset: each file is read again from its first byte.
    db.wk.write((tx) => tx.run('UPDATE files SET byte_offset = 0, line_count = 0'));
    const reread = await openTestDb(temp.dir, FIXTURES, {});
    try {
      // The new ingester shares the database file (a second walkeeper on it).
      await reread.ingester.scan();
      expect(reread.ingester.status().bytesRead).toBeGreaterThan(3_000_000);
    } finally {
      await reread.close();
    }
    expect(await snapshot(db.wk)).toEqual(before);
  });
});
