import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIXTURES_DIR,
  Ingester,
  listTranscripts,
  openDatabase,
  startObservatory,
} from '@walkeeper/observatory';
import Database from 'better-sqlite3';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, pairedRatio, percentile, round } from '../stats.js';

/** Appends timed in the live half, as the issue asks (fewer in a sub-second smoke run). */
const APPENDS = 200;
const SMOKE_APPENDS = 50;
const MB = 1e6;

/**
 * The observatory under its own workload. Bulk: the shared fixtures copied N times under new
 * session ids, ingested into a fresh database each round (read, parse, extract, one `write()`
 * per batch with the search index, tool calls, tokens and rollups), side by side with only
 * `JSON.parse` of the same lines, the floor of any ingester. Live: appends to a watched
 * file, each timed from the append to the row being readable through the HTTP API.
 */
export const ingest: Scenario = {
  name: 'ingest',
  summary: 'observatory: bulk ingest vs JSON.parse alone; append to queryable through the API',
  defaultSeconds: 5,
  targets: [
    // ingestVsParse is reported but has no target: any ingester that keeps each line must
    // store it, and that floor (parse and store raw) is 0.25 of JSON.parse alone.
    { path: 'ratios.ingestVsParseAndStoreRaw', op: '>=', threshold: 0.5 },
    { path: 'results.appendToQueryableMs.p95', op: '<=', threshold: 50 },
  ],
  onlyOn: {
    runtime: 'node',
    // The observatory app (its server, watcher and better-sqlite3 database) is what this
    // scenario measures, and the app starts on Node; its Bun start is issue 7's last part.
    reason: 'it measures the observatory app, which runs on Node (better-sqlite3)',
  },
  run: runIngest,
};

async function runIngest({ seconds, dir, log }: ScenarioContext): Promise<ScenarioOutcome> {
  const copies = Math.min(16, Math.max(1, Math.round(seconds * 1.5)));
  const rounds = seconds < 1 ? 3 : 5;
  const root = join(dir, 'projects');
  copyFixtures(root, copies);
  const files = await listTranscripts(root);
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const lines = files.flatMap((file) =>
    readFileSync(file.path, 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
  log(
    `ingest: ${copies} copies of the fixtures, ${(bytes / MB).toFixed(1)} MB, ${lines.length} lines; ${rounds} rounds`,
  );

  // One untimed round of each first: every side measured with a warm JIT.
  parseOnly(lines, bytes);
  parseAndStoreRaw(join(dir, 'floor-warm-up.db'), lines, bytes);
  await bulkIngest(join(dir, 'warm-up.db'), root);

  const ingestMbps: number[] = [];
  const parseMbps: number[] = [];
  const floorMbps: number[] = [];
  const messagesPerSec: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first, so a slow stretch of the machine hits both sides alike.
    const parseFirst = r % 2 === 0;
    if (parseFirst) parseMbps.push(parseOnly(lines, bytes));
    const bulk = await bulkIngest(join(dir, `bulk-${r}.db`), root);
    ingestMbps.push(bytes / MB / bulk.seconds);
    messagesPerSec.push(bulk.messages / bulk.seconds);
    if (!parseFirst) parseMbps.push(parseOnly(lines, bytes));
    floorMbps.push(parseAndStoreRaw(join(dir, `floor-${r}.db`), lines, bytes));
    log(
      `ingest: round ${r + 1}: ingest ${ingestMbps.at(-1)!.toFixed(1)} MB/s, JSON.parse ${parseMbps.at(-1)!.toFixed(1)} MB/s`,
    );
  }

  log(`ingest: appends to a watched file, each until readable through the API`);
  const latencies = await liveAppends(join(dir, 'live'), seconds < 1 ? SMOKE_APPENDS : APPENDS);

  return {
    results: {
      mbPerSec: round(median(ingestMbps), 1),
      messagesPerSec: Math.round(median(messagesPerSec)),
      parseOnlyMbPerSec: round(median(parseMbps), 1),
      parseAndStoreRawMbPerSec: round(median(floorMbps), 1),
      megabytes: round(bytes / MB, 1),
      lines: lines.length,
      appendToQueryableMs: {
        p50: round(percentile(latencies, 50)),
        p95: round(percentile(latencies, 95)),
        p99: round(percentile(latencies, 99)),
      },
    },
    ratios: {
      ingestVsParse: round(pairedRatio(ingestMbps, parseMbps)),
      ingestVsParseAndStoreRaw: round(pairedRatio(ingestMbps, floorMbps)),
    },
  };
}

/** N copies of every fixture transcript, each session (and its subagents) under a new id. */
function copyFixtures(root: string, copies: number): void {
  const project = join(root, '-home-bench-project');
  mkdirSync(project, { recursive: true });
  const sessions = readdirSync(FIXTURES_DIR).filter((name) => name.endsWith('.jsonl'));
  for (let copy = 0; copy < copies; copy++) {
    for (const name of sessions) {
      const id = randomUUID();
      cpSync(join(FIXTURES_DIR, name), join(project, `${id}.jsonl`));
      const subagents = join(FIXTURES_DIR, name.slice(0, -'.jsonl'.length));
      if (statSync(subagents, { throwIfNoEntry: false })?.isDirectory())
        cpSync(subagents, join(project, id), { recursive: true });
    }
  }
}

/** MB/s of JSON.parse alone over lines already in memory. */
function parseOnly(lines: readonly string[], bytes: number): number {
  const started = performance.now();
  let objects = 0;
  for (const line of lines) if (JSON.parse(line) !== null) objects++;
  const seconds = (performance.now() - started) / 1000;
  if (objects !== lines.length) throw new Error('a fixture line did not parse');
  return bytes / MB / seconds;
}

/**
 * The floor of any ingester that keeps each line (the observatory must: unknown fields are
 * kept, not dropped): raw better-sqlite3, `JSON.parse` of each line and one INSERT of the line
 * into a table with no index and no search, all in one transaction. Shows how much of the gap
 * to `JSON.parse` alone is SQLite storing the bytes rather than the ingester's own work.
 */
function parseAndStoreRaw(path: string, lines: readonly string[], bytes: number): number {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE lines (id INTEGER PRIMARY KEY, raw TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO lines (raw) VALUES (?)');
    const started = performance.now();
    db.transaction(() => {
      for (const line of lines) if (JSON.parse(line) !== null) insert.run(line);
    })();
    return bytes / MB / ((performance.now() - started) / 1000);
  } finally {
    db.close();
  }
}

/** A fresh database, a full scan timed (open and close are not). */
async function bulkIngest(
  path: string,
  root: string,
): Promise<{ seconds: number; messages: number }> {
  const wk = await openDatabase(path);
  const ingester = new Ingester(wk, { root, log: () => {} });
  try {
    const started = performance.now();
    const scan = await ingester.scan();
    return { seconds: (performance.now() - started) / 1000, messages: scan.messages };
  } finally {
    await ingester.close();
    await wk.close();
  }
}

/** Milliseconds from each append to the line being served by GET …/messages. */
async function liveAppends(dir: string, appends: number): Promise<number[]> {
  const root = join(dir, 'projects');
  const project = join(root, '-home-bench-live');
  mkdirSync(project, { recursive: true });
  const file = join(project, 'live.jsonl');
  // A realistic line: an assistant reply with its usage, about 1 KB.
  const template = readFileSync(join(FIXTURES_DIR, 'short.jsonl'), 'utf8')
    .split('\n')
    .find((line) => line.includes('"type":"assistant"'))!;
  appendFileSync(file, `${template}\n`);
  const observatory = await startObservatory({
    dir: root,
    database: join(dir, 'live.db'),
    port: 0,
    log: () => {},
  });
  const latencies: number[] = [];
  try {
    await observatory.scanned;
    const url = `${observatory.server.url}/api/sessions/live/messages?raw=false&limit=1&after=`;
    for (let line = 2; line <= appends + 1; line++) {
      const started = performance.now();
      appendFileSync(file, `${template}\n`);
      for (;;) {
        const response = await fetch(url + (line - 1));
        const body = (await response.json()) as { messages: { line: number }[] };
        if (body.messages[0]?.line === line) break;
        if (performance.now() - started > 10_000) throw new Error(`line ${line} never arrived`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      latencies.push(performance.now() - started);
      // Claude Code appends in bursts with pauses: a short, varying gap between appends.
      await new Promise((resolve) => setTimeout(resolve, 5 + (line % 4) * 5));
    }
  } finally {
    await observatory.close();
  }
  return latencies;
}
