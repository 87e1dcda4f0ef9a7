import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoDir, FIXTURE_PROJECT, toJsonl } from '../src/demo/demo-dir.js';
import { generateSessions } from '../src/demo/generator.js';
import { LiveSession } from '../src/demo/live-session.js';
import { countIndependently, jsonlFiles, openTestDb, tempDir } from './helpers.js';

// The demo's data: seeded (same seed, same bytes), shaped like real transcripts, ingestible.

describe('the demo data', () => {
  const temp = tempDir();
  afterAll(() => temp.cleanup());

  it('is the same for the same seed, and different for another', () => {
    const text = (seed: number) =>
      [...generateSessions({ seed, count: 5, end: Date.UTC(2026, 1, 1) })]
        .map((s) => toJsonl(s.lines))
        .join('');
    expect(text(7)).toBe(text(7));
    expect(text(7)).not.toBe(text(8));
  });

  it('pairs every tool_use with a result and links every Task to its subagent', () => {
    for (const session of generateSessions({ seed: 3, count: 20, end: Date.UTC(2026, 1, 1) })) {
      const uses = new Set<string>();
      const results = new Set<string>();
      const agents = new Set<string>();
      for (const line of session.lines) {
        const content = (line.message as { content?: unknown } | undefined)?.content;
        if (!Array.isArray(content)) continue;
        for (const block of content as { type: string; id?: string; tool_use_id?: string }[]) {
          if (block.type === 'tool_use') uses.add(block.id!);
          if (block.type === 'tool_result') results.add(block.tool_use_id!);
        }
        const agentId = (line.toolUseResult as { agentId?: string } | undefined)?.agentId;
        if (agentId) agents.add(agentId);
      }
      expect(results).toEqual(uses);
      expect(new Set(session.subagents.map((s) => s.agentId))).toEqual(agents);
    }
  });

  it('builds a directory of the fixtures and generated sessions that ingests cleanly', async () => {
    const demo = await buildDemoDir(join(temp.dir, 'demo'), {
      seed: 1,
      sessions: 6,
      end: Date.UTC(2026, 1, 1),
    });
    const files = jsonlFiles(demo.root);
    expect(files.filter((f) => f.startsWith(`${FIXTURE_PROJECT}/`))).toHaveLength(6);
    expect(readFileSync(join(demo.root, FIXTURE_PROJECT, 'LICENSE'), 'utf8')).toContain(
      'MIT License',
    );

    const db = await openTestDb(temp.dir, demo.root);
    try {
      const scan = await db.ingester.scan();
      const expected = files.reduce(
        (sum, f) => sum + countIndependently(join(demo.root, f)).objects,
        0,
      );
      expect(scan.messages).toBe(expected);
      expect(db.ingester.status().malformed).toBe(0);

      const live = new LiveSession({ root: demo.root, seed: 2 });
      for (let i = 0; i < 20; i++) live.appendBurst();
      await db.ingester.ingest(live.path);
      const [row] = await db.wk.read<{ message_count: number }>(
        'SELECT message_count FROM sessions WHERE key = ?',
        [live.sessionId],
      );
      expect(row?.message_count).toBe(live.appended);
      expect(live.appended).toBeGreaterThanOrEqual(20);
    } finally {
      await db.close();
    }
  });
});
