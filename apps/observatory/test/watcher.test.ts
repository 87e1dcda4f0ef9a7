import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openTestDb, type TestDb, tempDir } from './helpers.js';

// The watcher on a real directory: appends, new files and new directories are picked up.

const line = (n: number, text: string) =>
  `${JSON.stringify({ type: 'user', uuid: `u${n}`, timestamp: '2026-02-10T10:00:00.000Z', message: { role: 'user', content: text } })}\n`;

describe('watching a directory', () => {
  const temp = tempDir();
  const root = join(temp.dir, 'projects');
  const project = join(root, '-home-me-app');
  const file = join(project, 'live.jsonl');
  let db: TestDb;

  const count = async (key: string) =>
    (
      await db.wk.read<{ n: number }>(
        'SELECT count(*) AS n FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.key = ?',
        [key],
      )
    )[0]?.n ?? 0;

  beforeAll(async () => {
    mkdirSync(project, { recursive: true });
    writeFileSync(file, line(1, 'before the watcher'));
    db = await openTestDb(temp.dir, root);
    const scan = await db.ingester.start();
    expect(scan.messages).toBe(1);
    expect(db.ingester.status().state).toBe('watching');
  });
  afterAll(async () => {
    await db.close();
    temp.cleanup();
  });

  it('reads lines appended to a known file', async () => {
    appendFileSync(file, line(2, 'appended'));
    await eventually(async () => (await count('live')) === 2, 5000, 'the appended line');
    appendFileSync(file, line(3, 'half').slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await count('live')).toBe(2);
    appendFileSync(file, line(3, 'half').slice(10));
    await eventually(async () => (await count('live')) === 3, 5000, 'the completed line');
  });

  it('misses no append of a quick burst (chokidar throttles change events for 50 ms)', async () => {
    const before = await count('live');
    for (let i = 0; i < 5; i++) {
      appendFileSync(file, line(100 + i, `burst ${i}`));
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
    await eventually(async () => (await count('live')) === before + 5, 2000, 'the whole burst');
  });

  it('picks up a new file in a new project directory, and a new subagent', async () => {
    const other = join(root, '-home-me-other');
    mkdirSync(other);
    writeFileSync(join(other, 'fresh.jsonl'), line(1, 'new file'));
    await eventually(async () => (await count('fresh')) === 1, 5000, 'the new file');
    const subagents = join(other, 'fresh', 'subagents');
    mkdirSync(subagents, { recursive: true });
    writeFileSync(join(subagents, 'agent-x1.jsonl'), line(1, 'subagent'));
    await eventually(async () => (await count('fresh:agent-x1')) === 1, 5000, 'the subagent');
  });

  it('stops when closed', async () => {
    await db.ingester.close();
    expect(db.ingester.status().state).toBe('closed');
    appendFileSync(file, line(4, 'after close'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await count('live')).toBe(8);
  });
});
