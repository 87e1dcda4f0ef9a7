import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Walkeeper } from '@walkeeper/core';
import { openDatabase } from '../src/database.js';
import { Ingester, type IngesterOptions } from '../src/ingest/ingester.js';
import { type Observatory, type ObservatoryOptions, startObservatory } from '../src/observatory.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/claude-code/', import.meta.url));

/**
 * An observatory on a free port over one fixture transcript copied to
 * `<dir>/projects/proj/<fixture>`, with its database `<dir>/observatory.db`; the first scan
 * is done when it resolves.
 */
export async function observeFixture(
  dir: string,
  fixture: string,
  options: Partial<ObservatoryOptions> = {},
): Promise<Observatory> {
  const root = join(dir, 'projects');
  mkdirSync(join(root, 'proj'), { recursive: true });
  copyFileSync(join(FIXTURES, fixture), join(root, 'proj', fixture));
  const observatory = await startObservatory({
    dir: root,
    database: join(dir, 'observatory.db'),
    port: 0,
    readers: 1,
    log: () => {},
    ...options,
  });
  await observatory.scanned;
  return observatory;
}

/** A temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'observatory-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestDb {
  wk: Walkeeper;
  ingester: Ingester;
  /** Log lines the ingester wrote. */
  logs: string[];
  close(): Promise<void>;
}

/** A fresh database in `dir` with an ingester over `root`, logs captured. */
export async function openTestDb(
  dir: string,
  root: string,
  options: Partial<IngesterOptions> = {},
): Promise<TestDb> {
  const wk = await openDatabase(join(dir, 'test.db'), { readers: 1 });
  const logs: string[] = [];
  const ingester = new Ingester(wk, { root, log: (line) => logs.push(line), ...options });
  return {
    wk,
    ingester,
    logs,
    async close() {
      await ingester.close();
      await wk.close();
    },
  };
}

/** Every `.jsonl` file under a directory, as paths relative to it (`/`-separated). */
export function jsonlFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.jsonl')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found;
}

export interface IndependentCount {
  /** Non-blank lines that parse to a JSON object, by their `type` ('' when none). */
  byType: Record<string, number>;
  objects: number;
  malformed: number;
  /** tool_use blocks, by id. */
  toolUses: Set<string>;
  /** Usage per API message id, each count the largest seen (as Claude Code repeats it). */
  usage: Map<string, UsageCount>;
  /** The same for subagents' replies relayed in `progress` lines (`data.message`). */
  relayed: Map<string, UsageCount>;
}

export interface UsageCount {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

/**
 * Counts a JSONL file with nothing from the ingester: split on newlines, JSON.parse, tally.
 * What the database holds is checked against this.
 */
export function countIndependently(path: string): IndependentCount {
  const count: IndependentCount = {
    byType: {},
    objects: 0,
    malformed: 0,
    toolUses: new Set(),
    usage: new Map(),
    relayed: new Map(),
  };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      count.malformed++;
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      count.malformed++;
      continue;
    }
    const record = value as {
      type?: unknown;
      message?: { id?: string; content?: unknown; usage?: Record<string, number> };
      data?: { message?: { message?: { id?: string; usage?: Record<string, number> } } };
    };
    const type = typeof record.type === 'string' ? record.type : '';
    count.byType[type] = (count.byType[type] ?? 0) + 1;
    count.objects++;
    const content = record.message?.content;
    if (Array.isArray(content)) {
      for (const block of content as { type?: string; id?: string }[]) {
        if (block?.type === 'tool_use' && typeof block.id === 'string')
          count.toolUses.add(block.id);
      }
    }
    tally(count.usage, record.message);
    tally(count.relayed, record.data?.message?.message);
  }
  return count;
}

function tally(
  into: Map<string, UsageCount>,
  message: { id?: string; usage?: Record<string, number> } | undefined,
): void {
  const usage = message?.usage;
  const id = message?.id;
  if (!usage || typeof id !== 'string') return;
  const seen = into.get(id) ?? { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  into.set(id, {
    input: Math.max(seen.input, usage.input_tokens ?? 0),
    output: Math.max(seen.output, usage.output_tokens ?? 0),
    cacheCreation: Math.max(seen.cacheCreation, usage.cache_creation_input_tokens ?? 0),
    cacheRead: Math.max(seen.cacheRead, usage.cache_read_input_tokens ?? 0),
  });
}

/** Row counts of every table and the rollups' sums: what must not move when nothing is new. */
export async function snapshot(wk: Walkeeper): Promise<Record<string, unknown>> {
  const tables = [
    'projects',
    'sessions',
    'files',
    'messages',
    'tool_calls',
    'token_usage',
    'ingest_errors',
  ];
  const out: Record<string, unknown> = {};
  for (const table of tables) {
    const [row] = await wk.read<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    out[table] = row?.n;
  }
  out.fts = (await wk.read<{ n: number }>('SELECT count(*) AS n FROM messages_fts'))[0]?.n;
  out.toolDaily = await wk.read(
    'SELECT day, project_id, name, calls, results, errors, duration_ms, input_bytes FROM tool_daily ORDER BY 1, 2, 3',
  );
  out.usageHourly = await wk.read('SELECT * FROM usage_hourly ORDER BY 1, 2, 3, 4');
  out.usageSessions = await wk.read('SELECT * FROM usage_sessions ORDER BY 1, 2, 3');
  out.counters = await wk.read('SELECT * FROM counters');
  out.sessionCounters = await wk.read(
    `SELECT key, message_count, user_count, assistant_count, tool_call_count, input_tokens,
       output_tokens, cache_creation_tokens, cache_read_tokens, started_at, last_at, title
     FROM sessions ORDER BY key`,
  );
  out.projectCounters = await wk.read('SELECT * FROM projects ORDER BY id');
  return out;
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
