import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/cli-args.js';
import { toEntry } from '../src/ingest/entry.js';
import { locateTranscript } from '../src/ingest/layout.js';
import { RateMeter } from '../src/ingest/rate-meter.js';
import { formatProgress } from '../src/progress.js';
import { decodeCursor, encodeCursor, HttpError, QueryParams } from '../src/server/params.js';
import { ftsQuery } from '../src/server/queries.js';
import { snippetSegments } from '../src/server/rows.js';

describe('locateTranscript', () => {
  const root = '/data/projects';
  it('reads the layout of a directory of projects', () => {
    expect(locateTranscript(root, join(root, 'p', 's1.jsonl'))).toEqual({
      projectDir: 'p',
      sessionKey: 's1',
    });
    expect(locateTranscript(root, join(root, 'p', 's1', 'subagents', 'agent-a1.jsonl'))).toEqual({
      projectDir: 'p',
      sessionKey: 's1:agent-a1',
      parent: { sessionKey: 's1', agentId: 'a1' },
    });
  });
  it('reads a root that is itself one project', () => {
    expect(locateTranscript(root, join(root, 's1.jsonl'))).toEqual({
      projectDir: 'projects',
      sessionKey: 's1',
    });
    expect(locateTranscript(root, join(root, 's1', 'subagents', 'agent-x.jsonl'))?.parent).toEqual({
      sessionKey: 's1',
      agentId: 'x',
    });
  });
  it('refuses anything else', () => {
    for (const path of [
      join(root, 'p', 'notes.txt'),
      join(root, 'p', 's1', 'other', 'agent-a.jsonl'),
      join(root, 'p', 's1', 'subagents', 'not-agent.jsonl'),
      join(root, 'p', 's1', 'subagents', 'agent-.jsonl'),
      join(root, 'a', 'b', 'c', 'd', 'e.jsonl'),
      join(root, 'p', '.jsonl'),
      '/elsewhere/s.jsonl',
    ]) {
      expect(locateTranscript(root, path), path).toBeUndefined();
    }
  });
});

describe('toEntry', () => {
  it('never assumes a field exists', () => {
    for (const value of [
      {},
      { message: null },
      { message: { content: 5 } },
      { message: { content: [null, 1, 'x', { type: 'tool_use' }] } },
      { type: 7, timestamp: 9, message: { usage: 'lots' } },
    ]) {
      const entry = toEntry(1, JSON.stringify(value), value)!;
      expect(entry.type).toBe('');
      expect(entry.toolUses).toEqual([]);
      expect(entry.usage).toBeNull();
    }
    expect(toEntry(1, '[]', [])).toBeUndefined();
    expect(toEntry(1, 'null', null)).toBeUndefined();
  });
  it('keeps snippet markers out of indexed text', () => {
    const value = { type: 'user', message: { content: 'a\u0002b\u0003c' } };
    expect(toEntry(1, '', value)?.text).toBe('abc');
  });
  it('takes summaries as titles and skips wrapped prompts', () => {
    expect(toEntry(1, '', { type: 'summary', summary: 'Fixing the build' })?.title).toEqual({
      text: 'Fixing the build',
      fromSummary: true,
    });
    expect(
      toEntry(1, '', { type: 'user', message: { content: '<command-name>/clear</command-name>' } })
        ?.title,
    ).toBeNull();
    expect(
      toEntry(1, '', { type: 'user', isMeta: true, message: { content: 'meta' } })?.title,
    ).toBeNull();
  });
});

describe('QueryParams', () => {
  const url = (query: string) => `http://x/api?${query}`;
  it('parses what is allowed and refuses the rest with a reason', () => {
    const q = new QueryParams(url('limit=5&flag=0&day=2024-02-29&list=a,b'), [
      'limit',
      'flag',
      'day',
      'list',
    ]);
    expect(q.integer('limit', 1, 10, 3)).toBe(5);
    expect(q.boolean('flag', true)).toBe(false);
    expect(q.day('day')).toBe('2024-02-29');
    expect(q.list('list', /^[a-z]$/, 5)).toEqual(['a', 'b']);
    expect(() => new QueryParams(url('day=2023-02-29'), ['day']).day('day')).toThrow(/YYYY-MM-DD/);
    expect(() => new QueryParams(url('limit=1e3'), ['limit']).integer('limit', 1, 5000)).toThrow(
      HttpError,
    );
    expect(() =>
      new QueryParams(url('limit=99999999999999999999'), ['limit']).integer('limit', 1, 5),
    ).toThrow(/integer/);
    expect(() => new QueryParams(url('x=1'), [])).toThrow(/unknown parameter 'x'$/);
  });
  it('round-trips cursors and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor('2026-01-01T00:00:00Z', 42))).toEqual({
      at: '2026-01-01T00:00:00Z',
      id: 42,
    });
    for (const forged of [
      '',
      '!!!',
      Buffer.from('{}').toString('base64url'),
      Buffer.from('["a",1.5]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(forged)).toThrow(/cursor/);
    }
  });
});

describe('ftsQuery and snippets', () => {
  it('quotes every word so no input is a syntax error', () => {
    expect(ftsQuery('retry backoff')).toBe('"retry" "backoff"');
    expect(ftsQuery('say "hi"')).toBe('"say" """hi"""');
    expect(ftsQuery('pre*')).toBe('"pre"*');
    expect(ftsQuery('  * ')).toBeUndefined();
  });
  it('splits a marked snippet into segments', () => {
    expect(snippetSegments('a \u0002b\u0003 c \u0002d\u0003')).toEqual([
      { text: 'a ', match: false },
      { text: 'b', match: true },
      { text: ' c ', match: false },
      { text: 'd', match: true },
    ]);
  });
});

describe('the command line', () => {
  it('defaults to the demo and takes a directory', () => {
    const demo = parseCliArgs([]);
    expect(demo).toMatchObject({ dir: undefined, host: '127.0.0.1', port: 4319, live: true });
    const real = parseCliArgs(['--', '--dir', tmpdir(), '--port', '0', '--no-live']);
    expect(real).toMatchObject({ dir: tmpdir(), port: 0, live: false });
    expect(real.database).toMatch(/walkeeper-observatory\/observatory\.db$/);
  });
  it('refuses what it does not know', () => {
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(UsageError);
    expect(() => parseCliArgs(['--bogus'])).toThrow(UsageError);
    expect(() => parseCliArgs(['stray'])).toThrow(UsageError);
    expect(() => parseCliArgs(['--dir', '/no/such/dir'])).toThrow(/no such directory/);
  });
});

describe('progress and rates', () => {
  it('formats scan progress', () => {
    const line = formatProgress(
      {
        filesTotal: 4,
        filesDone: 1,
        bytesTotal: 4e6,
        bytesDone: 1e6,
        messages: 1234,
        startedAt: new Date(0).toISOString(),
        finishedAt: null,
      },
      2000,
    );
    expect(line).toBe('ingesting 1.0 / 4.0 MB (25%) · 1/4 files · 1,234 messages · 2.0 s');
  });
  it('averages whole seconds', () => {
    const meter = new RateMeter(3);
    meter.add(10, 1000);
    meter.add(20, 2000);
    expect(meter.perSecond(3000)).toBe(15);
    expect(meter.perSecond(10_000)).toBe(0);
  });
});
