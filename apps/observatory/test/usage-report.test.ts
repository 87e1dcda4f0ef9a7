import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observatory } from '../src/observatory.js';
import { startObservatory } from '../src/observatory.js';
import { tempDir } from './helpers.js';

// The usage reports on a transcript made for them: a reply streamed over two lines, the same
// call copied into a resumed session, a sidechain's replay of it, lines without ids, a
// line with costUSD, a model without a price, and calls in two 5-hour blocks, the last
// still open.

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const NOW = Date.now();
const HOUR = 3_600_000;

interface Call {
  id?: string;
  request?: string;
  model?: string;
  at: number;
  input: number;
  output: number;
  cacheWrite?: number;
  cacheRead?: number;
  costUSD?: number;
  sidechain?: boolean;
}

function line(session: string, call: Call): string {
  return JSON.stringify({
    type: 'assistant',
    sessionId: session,
    version: '2.1.39',
    isSidechain: call.sidechain ?? false,
    timestamp: new Date(call.at).toISOString(),
    ...(call.request === undefined ? {} : { requestId: call.request }),
    ...(call.costUSD === undefined ? {} : { costUSD: call.costUSD }),
    message: {
      ...(call.id === undefined ? {} : { id: call.id }),
      model: call.model ?? 'claude-sonnet-4-5-20250929',
      role: 'assistant',
      content: [{ type: 'text', text: 'reply' }],
      usage: {
        input_tokens: call.input,
        output_tokens: call.output,
        cache_creation_input_tokens: call.cacheWrite ?? 0,
        cache_read_input_tokens: call.cacheRead ?? 0,
      },
    },
  });
}

const early = NOW - 10 * HOUR;
const A = [
  // Streamed: a placeholder output count first, then the final one.
  { id: 'msg_a', request: 'req_a', at: early, input: 10, output: 1 },
  { id: 'msg_a', request: 'req_a', at: early + 1000, input: 10, output: 500, cacheRead: 1000 },
  { at: early + 2000, input: 7, output: 70 },
  { at: early + 3000, input: 7, output: 70 },
  { id: 'msg_b', request: 'req_b', at: early + 4000, input: 1, output: 1, costUSD: 2.5 },
  {
    id: 'msg_u',
    request: 'req_u',
    model: 'acme-model-9',
    at: early + 5000,
    input: 100,
    output: 100,
  },
];
const B = [
  // Resumed: session A's reply copied under a new session id, then new work.
  { id: 'msg_a', request: 'req_a', at: early + 1000, input: 10, output: 500, cacheRead: 1000 },
  { id: 'msg_c', request: 'req_c', at: NOW - HOUR, input: 1000, output: 2000 },
  { id: 'msg_d', request: 'req_d', at: NOW - HOUR / 2, input: 1000, output: 2000 },
  // A sidechain replays msg_c under a new request id: not a call of its own.
  {
    id: 'msg_c',
    request: 'req_side',
    at: NOW - HOUR / 4,
    input: 1000,
    output: 2000,
    sidechain: true,
  },
];

describe('usage reports', () => {
  const temp = tempDir();
  const config = join(temp.dir, 'claude');
  const projects = join(config, 'projects');
  let observatory: Observatory;
  const get = async (path: string) => {
    const response = await fetch(`${observatory.server.url}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as Record<string, unknown> & { totals: Record<string, unknown> };
  };

  beforeAll(async () => {
    mkdirSync(join(projects, 'proj'), { recursive: true });
    writeFileSync(join(projects, 'proj', 'a.jsonl'), `${A.map((c) => line('a', c)).join('\n')}\n`);
    writeFileSync(join(projects, 'proj', 'b.jsonl'), `${B.map((c) => line('b', c)).join('\n')}\n`);
    writeFileSync(join(config, 'settings.json'), JSON.stringify({ cleanupPeriodDays: 90 }));
    observatory = await startObservatory({
      dir: projects,
      database: join(temp.dir, 'observatory.db'),
      port: 0,
      readers: 1,
      watch: false,
      log: () => {},
    });
    await observatory.scanned;
  });
  afterAll(async () => {
    await observatory.close();
    temp.cleanup();
  });

  it('counts each API call once across sessions and says how many lines it folded', async () => {
    const { totals } = await get('/api/usage/daily?timezone=UTC');
    // msg_a once (at its final count), the two id-less lines each, msg_b, msg_u, msg_c, msg_d.
    expect(totals).toMatchObject({
      calls: 7,
      inputTokens: 10 + 7 + 7 + 1 + 100 + 1000 + 1000,
      outputTokens: 500 + 70 + 70 + 1 + 100 + 2000 + 2000,
      cacheReadTokens: 1000,
    });
    const ingest = await get('/api/ingest');
    // msg_a's placeholder line, its copy in session b, and the sidechain's replay.
    expect(ingest.foldedUsageLines).toBe(3);
    expect(ingest.archivedSessions).toBe(0);
    expect(ingest.retention).toMatchObject({ cleanupPeriodDays: 90, warning: null });
  });

  it('prices each mode as ccusage names them, and never calls an unknown model free', async () => {
    const sonnet = (input: number, output: number, cacheRead = 0) =>
      (input * 3 + output * 15 + cacheRead * 0.3) / 1e6;
    const priced = sonnet(10, 500, 1000) + 2 * sonnet(7, 70) + 2 * sonnet(1000, 2000);
    const auto = await get('/api/usage/daily?timezone=UTC&mode=auto');
    expect(auto.totals.totalCost).toBeCloseTo(priced + 2.5, 10);
    expect(auto.totals).toMatchObject({ unpricedModels: ['acme-model-9'], unpricedTokens: 200 });
    const calculate = await get('/api/usage/daily?timezone=UTC&mode=calculate');
    expect(calculate.totals.totalCost).toBeCloseTo(priced + sonnet(1, 1), 10);
    const display = await get('/api/usage/daily?timezone=UTC&mode=display');
    expect(display.totals.totalCost).toBe(2.5);
    const day = (auto.daily as { modelBreakdowns: { modelName: string; cost: number | null }[] }[])
      .flatMap((row) => row.modelBreakdowns)
      .find((model) => model.modelName === 'acme-model-9');
    expect(day?.cost).toBeNull();
  });

  it('builds 5-hour blocks with a gap between, the last one active with its burn rate', async () => {
    const { blocks } = (await get('/api/usage/blocks?timezone=UTC')) as unknown as {
      blocks: Record<string, unknown>[];
    };
    expect(blocks.map((b) => [b.isGap, b.isActive, b.entries])).toEqual([
      [false, false, 5],
      [true, false, 0],
      [false, true, 2],
    ]);
    const active = blocks[2]!;
    expect(active.startTime).toBe(new Date(Math.floor((NOW - HOUR) / HOUR) * HOUR).toISOString());
    const minutes = 30;
    expect((active.burnRate as { tokensPerMinute: number }).tokensPerMinute).toBeCloseTo(
      6000 / minutes,
      6,
    );
    expect((active.projection as { totalTokens: number }).totalTokens).toBeGreaterThan(6000);
  });

  it('reports by session and project, as the command does with --json', async () => {
    const sessions = (await get('/api/usage/session?timezone=UTC')).sessions as {
      sessionId: string;
      totalTokens: number;
    }[];
    expect(sessions.map((s) => s.sessionId).sort()).toEqual(['a', 'b']);
    const byProject = (await get('/api/usage/project?timezone=UTC')).projects as {
      projectPath: string;
    }[];
    expect(byProject.map((p) => p.projectPath)).toEqual(['proj']);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/report.ts',
        'daily',
        '--json',
        '-z',
        'UTC',
        '--dir',
        projects,
        '--db',
        join(temp.dir, 'report.db'),
      ],
      { cwd: APP_DIR, timeout: 30_000 },
    );
    const command = JSON.parse(stdout) as Record<string, unknown>;
    expect(command).toEqual(await get('/api/usage/daily?timezone=UTC'));
  });

  it('refuses a bad argument with exit code 2 and the reason', async () => {
    const run = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/report.ts', 'hourly', '--dir', projects],
      { cwd: APP_DIR, timeout: 30_000 },
    );
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        "the report must be one of daily, weekly, monthly, session, project, blocks, not 'hourly'",
      ),
    });
  });
});
