import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoDir, FIXTURE_PROJECT, toJsonl } from '../src/demo/demo-dir.js';
import { generateSessions, type Line, UNPRICED_MODEL } from '../src/demo/generator.js';
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

  it('has what real data has: streamed replies, resumed sessions, sidechain replays, unpriced models', () => {
    const sessions = [...generateSessions({ seed: 5, count: 60, end: Date.UTC(2026, 1, 1) })];
    type Reply = Line & {
      message: { id: string; model: string; usage: { output_tokens: number } };
    };
    const replies = (lines: Line[]) =>
      lines.filter((line): line is Reply => line.type === 'assistant');
    // Streamed: lines of one reply share its id, the early ones with a placeholder output count.
    const byId = new Map<string, number[]>();
    for (const line of sessions.flatMap((s) => replies(s.lines)))
      byId.set(line.message.id, [
        ...(byId.get(line.message.id) ?? []),
        line.message.usage.output_tokens,
      ]);
    const streamed = [...byId.values()].filter((outputs) => outputs.length > 1);
    expect(streamed.length).toBeGreaterThan(100);
    expect(streamed.some((outputs) => outputs[0]! < outputs.at(-1)!)).toBe(true);
    // Resumed: a session that starts with another session's replies, under its own sessionId.
    const owner = new Map<string, string>();
    let resumed = 0;
    for (const session of sessions) {
      const ids = replies(session.lines).map((line) => line.message.id);
      if (ids.length > 0 && owner.has(ids[0]!) && owner.get(ids[0]!) !== session.sessionId) {
        resumed++;
        expect(
          session.lines.every(
            (line) => line.sessionId === undefined || line.sessionId === session.sessionId,
          ),
        ).toBe(true);
      }
      for (const id of ids) if (!owner.has(id)) owner.set(id, session.sessionId);
    }
    expect(resumed).toBeGreaterThan(3);
    // Sidechains: a subagent replaying its parent's reply (same message id, new request id).
    const replays = sessions.flatMap((s) =>
      s.subagents.flatMap((sub) =>
        replies(sub.lines).filter((line) => owner.get(line.message.id) === s.sessionId),
      ),
    );
    expect(replays.length).toBeGreaterThan(0);
    expect(replays.every((line) => line.isSidechain === true)).toBe(true);
    expect(
      sessions.some((s) => replies(s.lines).some((l) => l.message.model === UNPRICED_MODEL)),
    ).toBe(true);
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
