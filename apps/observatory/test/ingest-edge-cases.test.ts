import {
  appendFileSync,
  mkdirSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, snapshot, type TestDb, tempDir } from './helpers.js';

// Each way a transcript file can surprise a tailer, on small files made here.

const PROJECT = '-home-me-proj';

function user(n: number, text = `prompt number ${n}`): string {
  return JSON.stringify({
    type: 'user',
    uuid: `u-${n}`,
    sessionId: 's',
    timestamp: `2026-02-10T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
    message: { role: 'user', content: text },
  });
}

function assistantLine(n: number, messageId: string, block: object, output: number): string {
  return JSON.stringify({
    type: 'assistant',
    uuid: `a-${n}`,
    timestamp: `2026-02-10T10:01:${String(n % 60).padStart(2, '0')}.000Z`,
    message: {
      id: messageId,
      model: 'claude-test-1',
      role: 'assistant',
      content: [block],
      usage: {
        input_tokens: 5,
        output_tokens: output,
        cache_creation_input_tokens: 10,
        cache_read_input_tokens: 100,
      },
    },
  });
}

function toolResult(n: number, toolUseId: string, isError = false): string {
  return JSON.stringify({
    type: 'user',
    uuid: `r-${n}`,
    timestamp: `2026-02-10T10:02:${String(n % 60).padStart(2, '0')}.500Z`,
    message: {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: toolUseId, content: 'ok', is_error: isError }],
    },
  });
}

describe('ingestion edge cases', () => {
  let temp: ReturnType<typeof tempDir>;
  let root: string;
  let file: string;
  let db: TestDb;

  beforeEach(async () => {
    temp = tempDir();
    root = join(temp.dir, 'projects');
    mkdirSync(join(root, PROJECT), { recursive: true });
    file = join(root, PROJECT, 'session-1.jsonl');
    db = await openTestDb(temp.dir, root);
  });
  afterEach(async () => {
    await db.close();
    temp.cleanup();
  });

  const messages = async (key = 'session-1') =>
    db.wk.read<{ line: number; type: string; raw: string; text: string | null }>(
      `SELECT m.line, m.type, m.raw, m.text FROM messages m JOIN sessions s ON s.id = m.session_id
       WHERE s.key = ? ORDER BY m.line`,
      [key],
    );
  const fileRow = async () =>
    (
      await db.wk.read<{
        byte_offset: number;
        line_count: number;
        malformed: number;
        resets: number;
      }>('SELECT byte_offset, line_count, malformed, resets FROM files WHERE path = ?', [file])
    )[0];

  it('waits for the newline of a partial last line', async () => {
    const whole = `${user(1)}\n${user(2)}\n`;
    const third = user(3);
    writeFileSync(file, whole + third.slice(0, 20));
    await db.ingester.ingest(file);
    expect((await messages()).map((m) => m.line)).toEqual([1, 2]);
    expect((await fileRow())?.byte_offset).toBe(Buffer.byteLength(whole));

    appendFileSync(file, third.slice(20));
    await db.ingester.ingest(file);
    expect(await messages()).toHaveLength(2);

    appendFileSync(file, '\n');
    await db.ingester.ingest(file);
    const rows = await messages();
    expect(rows.map((m) => m.line)).toEqual([1, 2, 3]);
    expect(rows[2]?.raw).toBe(third);
    expect((await fileRow())?.malformed).toBe(0);
  });

  it('re-reads a truncated file from the start', async () => {
    writeFileSync(file, [1, 2, 3, 4, 5].map((n) => `${user(n)}\n`).join(''));
    await db.ingester.ingest(file);
    expect(await messages()).toHaveLength(5);

    truncateSync(file, 0);
    appendFileSync(file, `${user(7, 'after truncation')}\n`);
    await db.ingester.ingest(file);
    const rows = await messages();
    expect(rows.map((m) => m.text)).toEqual(['after truncation']);
    expect((await fileRow())?.resets).toBe(1);
    expect(db.logs.some((line) => line.includes('truncated'))).toBe(true);
    const [session] = await db.wk.read<{ message_count: number; user_count: number }>(
      "SELECT message_count, user_count FROM sessions WHERE key = 'session-1'",
    );
    expect(session).toEqual({ message_count: 1, user_count: 1 });
    const [fts] = await db.wk.read<{ n: number }>(
      "SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'number'",
    );
    expect(fts?.n).toBe(0);
  });

  it('re-reads a file replaced by another (a new inode), even a longer one', async () => {
    writeFileSync(file, `${user(1, 'old one')}\n${user(2, 'old two')}\n`);
    await db.ingester.ingest(file);
    const replacement = join(root, PROJECT, 'tmp-replacement');
    writeFileSync(replacement, [1, 2, 3].map((n) => `${user(n, `new ${n}`)}\n`).join(''));
    renameSync(replacement, file);
    await db.ingester.ingest(file);
    expect((await messages()).map((m) => m.text)).toEqual(['new 1', 'new 2', 'new 3']);
    expect((await fileRow())?.resets).toBe(1);
  });

  it('re-reads a file rewritten in place when its first line changed', async () => {
    writeFileSync(file, `${user(1, 'first version')}\n`);
    await db.ingester.ingest(file);
    const inode = statSync(file).ino;
    writeFileSync(file, `${user(1, 'second version')}\n${user(2)}\n`);
    expect(statSync(file).ino).toBe(inode);
    await db.ingester.ingest(file);
    expect((await messages()).map((m) => m.text)).toEqual(['second version', 'prompt number 2']);
  });

  it('counts and logs malformed lines with file and line, and goes on', async () => {
    writeFileSync(
      file,
      [user(1), '{"type": "user", "message": ', '42', '[1, 2]', '', '   ', user(7)].join('\n') +
        '\n',
    );
    await db.ingester.ingest(file);
    expect((await messages()).map((m) => m.line)).toEqual([1, 7]);
    expect((await fileRow())?.malformed).toBe(3);
    expect(
      db.logs.filter((line) => line.startsWith(`${file}:`)).map((l) => l.split(': ')[0]),
    ).toEqual([`${file}:2`, `${file}:3`, `${file}:4`]);
    const errors = await db.wk.read<{ line: number; error: string }>(
      'SELECT line, error FROM ingest_errors ORDER BY line',
    );
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(errors[1]?.error).toBe('not a JSON object');
    expect(db.ingester.status()).toMatchObject({ malformed: 3, errors: 0 });

    // Read again from the start: the same lines are not counted twice.
    db.wk.write((tx) => tx.run('UPDATE files SET byte_offset = 0, line_count = 0'));
    const again = await openTestDb(temp.dir, root);
    await again.ingester.ingest(file);
    await again.close();
    const [row] = await db.wk.read<{ n: number }>('SELECT count(*) AS n FROM ingest_errors');
    expect(row?.n).toBe(3);
  });

  it('keeps unknown types and fields, and lines with no type at all', async () => {
    const novel = JSON.stringify({
      type: 'brand-new-kind',
      uuid: 'n-1',
      timestamp: '2026-03-01T00:00:00.000Z',
      futureField: { nested: [1, 2, 3] },
      message: { role: 'robot', content: [{ type: 'hologram', data: 'x' }] },
    });
    const untyped = JSON.stringify({ hello: 'world' });
    writeFileSync(file, `${novel}\n${untyped}\n`);
    await db.ingester.ingest(file);
    const rows = await messages();
    expect(rows.map((m) => m.type)).toEqual(['brand-new-kind', '']);
    expect(JSON.parse(rows[0]!.raw)).toEqual(JSON.parse(novel));
    expect(rows[1]?.raw).toBe(untyped);
  });

  it('handles CRLF line endings, a byte order mark and multi-byte text across chunks', async () => {
    const long = 'ünïcödé ✓ '.repeat(400);
    writeFileSync(file, `\ufeff${user(1, 'bom')}\r\n${user(2, long)}\r\n${user(3)}\r\n`);
    const small = await openTestDb(join(temp.dir), root, { chunkBytes: 64 });
    await db.close();
    db = small;
    await db.ingester.ingest(file);
    const rows = await messages();
    expect(rows.map((m) => m.text)).toEqual(['bom', long, 'prompt number 3']);
    expect(rows[0]?.raw.startsWith('{')).toBe(true);
    expect(rows.every((m) => !m.raw.endsWith('\r'))).toBe(true);
  });

  it('pairs a tool result that arrives before its tool_use', async () => {
    const use = { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } };
    writeFileSync(file, `${toolResult(1, 'toolu_1', true)}\n`);
    await db.ingester.ingest(file);
    appendFileSync(file, `${assistantLine(2, 'msg_1', use, 7)}\n`);
    await db.ingester.ingest(file);
    const [call] = await db.wk.read<Record<string, unknown>>(
      'SELECT name, is_error, duration_ms FROM tool_calls',
    );
    expect(call).toEqual({ name: 'Bash', is_error: 1, duration_ms: 59_500 });
    const [daily] = await db.wk.read<Record<string, unknown>>(
      'SELECT name, calls, results, errors FROM tool_daily',
    );
    expect(daily).toEqual({ name: 'Bash', calls: 1, results: 1, errors: 1 });
  });

  it('counts usage repeated over several lines of one API message once, at its largest', async () => {
    const text = { type: 'text', text: 'hello' };
    const use = { type: 'tool_use', id: 'toolu_2', name: 'Read', input: {} };
    writeFileSync(file, `${assistantLine(1, 'msg_9', text, 3)}\n`);
    await db.ingester.ingest(file);
    // The next line of the same message arrives later, in another batch, with the final count.
    appendFileSync(file, `${assistantLine(2, 'msg_9', use, 40)}\n${toolResult(3, 'toolu_2')}\n`);
    await db.ingester.ingest(file);
    const [usage] = await db.wk.read<Record<string, number>>(
      'SELECT calls AS messages, input_tokens, output_tokens, cache_read_tokens FROM usage_hourly',
    );
    expect(usage).toEqual({
      messages: 1,
      input_tokens: 5,
      output_tokens: 40,
      cache_read_tokens: 100,
    });
    const [session] = await db.wk.read<Record<string, number>>(
      "SELECT output_tokens, tool_call_count FROM sessions WHERE key = 'session-1'",
    );
    expect(session).toEqual({ output_tokens: 40, tool_call_count: 1 });
    const [call] = await db.wk.read<Record<string, unknown>>('SELECT duration_ms FROM tool_calls');
    expect(call?.duration_ms).toBe(61_500);
  });

  it('ignores files that are not transcripts, and ones that vanish before they are read', async () => {
    writeFileSync(join(root, PROJECT, 'notes.txt'), 'not a transcript\n');
    mkdirSync(join(root, PROJECT, 'deep', 'deeper', 'deepest'), { recursive: true });
    writeFileSync(join(root, PROJECT, 'deep', 'deeper', 'deepest', 'x.jsonl'), `${user(1)}\n`);
    writeFileSync(file, `${user(1)}\n`);
    const scan = await db.ingester.scan();
    expect(scan.filesTotal).toBe(1);
    const gone = join(root, PROJECT, 'gone.jsonl');
    await db.ingester.ingest(gone);
    expect(db.ingester.status().errors).toBe(0);
  });

  it('keeps two projects with one session file name apart', async () => {
    mkdirSync(join(root, 'other-project'));
    const twin = join(root, 'other-project', 'session-1.jsonl');
    writeFileSync(file, `${user(1, 'in the first project')}\n`);
    writeFileSync(twin, `${user(1, 'in the second project')}\n`);
    await db.ingester.scan();
    expect((await messages('session-1')).map((m) => m.text)).toEqual(['in the first project']);
    expect((await messages('other-project~session-1')).map((m) => m.text)).toEqual([
      'in the second project',
    ]);
  });

  it('registers a subagent before its parent file exists, then links them', async () => {
    const subagents = join(root, PROJECT, 'session-1', 'subagents');
    mkdirSync(subagents, { recursive: true });
    const agentFile = join(subagents, 'agent-abc123.jsonl');
    writeFileSync(agentFile, `${user(1, 'explore')}\n`);
    await db.ingester.ingest(agentFile);
    const use = { type: 'tool_use', id: 'toolu_task', name: 'Task', input: { prompt: 'explore' } };
    const result = JSON.parse(toolResult(3, 'toolu_task')) as Record<string, unknown>;
    result.toolUseResult = { status: 'completed', agentId: 'abc123' };
    writeFileSync(file, `${assistantLine(2, 'msg_t', use, 9)}\n${JSON.stringify(result)}\n`);
    await db.ingester.ingest(file);
    const [row] = await db.wk.read<Record<string, unknown>>(
      `SELECT s.key, p.key AS parent, t.tool_use_id FROM sessions s
       JOIN sessions p ON p.id = s.parent_id
       JOIN tool_calls t ON t.session_id = p.id AND t.agent_id = s.agent_id`,
    );
    expect(row).toEqual({
      key: 'session-1:agent-abc123',
      parent: 'session-1',
      tool_use_id: 'toolu_task',
    });
    const [project] = await db.wk.read<Record<string, number>>(
      'SELECT session_count, subagent_count, message_count FROM projects',
    );
    expect(project).toEqual({ session_count: 1, subagent_count: 1, message_count: 3 });
  });

  it('survives a file deleted after it was read: its data stays', async () => {
    writeFileSync(file, `${user(1)}\n`);
    await db.ingester.ingest(file);
    const before = await snapshot(db.wk);
    unlinkSync(file);
    await db.ingester.ingest(file);
    // Only the archive count moves: the session lives on in the database alone.
    expect(await snapshot(db.wk)).toEqual({
      ...before,
      counters: [{ id: 1, folded_lines: 0, archived_sessions: 1 }],
    });
    const [row] = await db.wk.read<{ vanished_at: string | null }>('SELECT vanished_at FROM files');
    expect(row?.vanished_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Written again: live again, out of the archive.
    writeFileSync(file, `${user(1)}\n`);
    await db.ingester.ingest(file);
    expect(await snapshot(db.wk)).toEqual(before);
  });
});
