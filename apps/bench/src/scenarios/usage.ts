import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, appendFileSync, chmodSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  listTranscripts,
  type Observatory,
  startObservatory,
  writeGeneratedSessions,
} from '@walkeeper/observatory';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { median, round } from '../stats.js';

const MB = 1e6;
/** The corpus the issue asks for; a sub-second smoke run uses a small one. */
const CORPUS_BYTES = 300 * MB;
const SMOKE_SESSIONS = 30;
/** Sessions per generator call while the corpus grows (about 30 MB). */
const SESSIONS_PER_ROUND = 350;
const CCUSAGE_RUNS = 3;
const REPORT_RUNS = 20;

/**
 * The observatory's usage reports against ccusage, the tool its users know, on one generated
 * corpus (streamed replies over several lines, resumed sessions that copy history,
 * sidechains, a model without a price): the first ingest into a fresh database, one
 * `ccusage claude daily --json --offline` over the same directory, the daily report through
 * the API afterwards, and the ingest of 1% more lines appended to the 20 newest transcripts.
 */
export const usage: Scenario = {
  name: 'usage',
  summary: 'observatory: first ingest and daily report vs ccusage daily on a 300 MB corpus',
  defaultSeconds: 5,
  targets: [
    { path: 'ratios.firstIngestVsCcusage', op: '<=', threshold: 2.0 },
    { path: 'ratios.ccusageVsReport', op: '>=', threshold: 100 },
    { path: 'ratios.incrementalVsFirst', op: '<=', threshold: 0.05 },
  ],
  onlyOn: {
    runtime: 'node',
    reason: 'it measures the observatory app, which runs on Node (better-sqlite3)',
  },
  run: runUsage,
};

async function runUsage({ seconds, dir, log }: ScenarioContext): Promise<ScenarioOutcome> {
  const config = join(dir, 'claude');
  const root = join(config, 'projects');
  const bytes = await buildCorpus(root, seconds < 1, log);
  const files = await listTranscripts(root);
  const lines = files.reduce((sum, file) => sum + countLines(file.path), 0);
  log(`usage: ${(bytes / MB).toFixed(1)} MB in ${files.length} files, ${lines} lines`);

  let started = performance.now();
  const observatory = await startObservatory({
    dir: root,
    database: join(dir, 'usage.db'),
    port: 0,
    watch: false,
    log: () => {},
  });
  try {
    await observatory.scanned;
    const firstIngestSec = (performance.now() - started) / 1000;
    log(`usage: first ingest ${firstIngestSec.toFixed(1)} s`);

    const ccusage: number[] = [];
    for (let run = 0; run < CCUSAGE_RUNS; run++) {
      started = performance.now();
      await ccusageDaily(config);
      ccusage.push((performance.now() - started) / 1000);
      log(`usage: ccusage daily ${ccusage.at(-1)!.toFixed(2)} s`);
    }

    const report = () => dailyReport(observatory);
    await report();
    const reports: number[] = [];
    for (let run = 0; run < REPORT_RUNS; run++) {
      started = performance.now();
      await report();
      reports.push(performance.now() - started);
    }

    const before = await dailyTotals(observatory);
    const appended = appendOnePercent(files, Math.ceil(lines / 100));
    started = performance.now();
    await observatory.ingester.scan();
    const incrementalSec = (performance.now() - started) / 1000;
    const after = await dailyTotals(observatory);
    if (after.calls !== before.calls + appended.calls)
      throw new Error(
        `the appended calls are not all counted: ${before.calls} + ${appended.calls} != ${after.calls}`,
      );
    log(`usage: ${appended.lines} lines appended, ingested in ${incrementalSec.toFixed(2)} s`);

    const ccusageDailySec = median(ccusage);
    const reportMs = median(reports);
    return {
      results: {
        firstIngestSec: round(firstIngestSec, 2),
        ccusageDailySec: round(ccusageDailySec, 2),
        reportMs: round(reportMs, 2),
        incrementalSec: round(incrementalSec, 3),
        megabytes: round(bytes / MB, 1),
        lines,
        calls: before.calls,
      },
      ratios: {
        firstIngestVsCcusage: round(firstIngestSec / ccusageDailySec),
        ccusageVsReport: round((ccusageDailySec * 1000) / reportMs, 1),
        incrementalVsFirst: round(incrementalSec / firstIngestSec, 4),
      },
    };
  } finally {
    await observatory.close();
  }
}

/** Generated sessions until the corpus holds 300 MB (the smoke run: a few sessions). */
async function buildCorpus(root: string, smoke: boolean, log: (message: string) => void) {
  const end = Date.parse('2026-03-01T00:00:00Z');
  let bytes = 0;
  for (let seed = 1; bytes < (smoke ? 1 : CORPUS_BYTES); seed++) {
    const sessions = smoke ? SMOKE_SESSIONS : SESSIONS_PER_ROUND;
    await writeGeneratedSessions(root, { seed, sessions, end });
    bytes = (await listTranscripts(root)).reduce((sum, file) => sum + file.size, 0);
    log(`usage: corpus ${(bytes / MB).toFixed(0)} MB`);
  }
  return bytes;
}

function countLines(path: string): number {
  const text = readFileSync(path, 'latin1');
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** Files the new lines go to: Claude Code appends to the few sessions at work. */
const ACTIVE_FILES = 20;

/**
 * `count` new lines at the ends of the newest transcripts (the sessions at work), round-robin:
 * each an assistant line of its file copied as a new API call (new message and request ids)
 * an hour after it, so every one is a call to count.
 */
function appendOnePercent(
  files: readonly { path: string }[],
  count: number,
): { lines: number; calls: number } {
  const newest = [...files]
    .sort((a, b) => statSync(b.path).mtimeMs - statSync(a.path).mtimeMs)
    .slice(0, ACTIVE_FILES);
  const templates = newest
    .map((file) => {
      const text = readFileSync(file.path, 'utf8').trimEnd().split('\n');
      const reply = text.findLast((line) => line.includes('"type":"assistant"'));
      return reply === undefined ? undefined : { path: file.path, reply };
    })
    .filter((template) => template !== undefined);
  let calls = 0;
  for (let i = 0; i < count; i++) {
    const { path, reply } = templates[i % templates.length]!;
    const line = JSON.parse(reply) as {
      timestamp: string;
      requestId?: string;
      uuid?: string;
      message: { id: string };
    };
    line.message.id = `msg_bench_${randomUUID()}`;
    line.requestId = `req_bench_${randomUUID()}`;
    line.uuid = randomUUID();
    line.timestamp = new Date(Date.parse(line.timestamp) + 3_600_000).toISOString();
    appendFileSync(path, `${JSON.stringify(line)}\n`);
    calls++;
  }
  return { lines: count, calls };
}

async function dailyReport(observatory: Observatory): Promise<unknown> {
  const response = await fetch(`${observatory.server.url}/api/usage/daily?timezone=UTC`);
  if (!response.ok) throw new Error(`daily report: ${response.status}`);
  return response.json();
}

async function dailyTotals(observatory: Observatory): Promise<{ calls: number }> {
  const report = (await dailyReport(observatory)) as { totals: { calls: number } };
  return report.totals;
}

const require = createRequire(import.meta.url);

/** ccusage's native binary (its npm tarball drops the exec bit; its launcher sets it too). */
function ccusageBinary(): string {
  const binary = join(
    dirname(require.resolve('@ccusage/ccusage-linux-x64/package.json')),
    'bin',
    'ccusage',
  );
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    chmodSync(binary, 0o755);
  }
  return binary;
}

async function ccusageDaily(config: string): Promise<void> {
  await promisify(execFile)(
    ccusageBinary(),
    ['claude', 'daily', '--json', '--offline', '-z', 'UTC'],
    {
      env: { PATH: process.env.PATH, HOME: config, CLAUDE_CONFIG_DIR: config, NO_COLOR: '1' },
      maxBuffer: 256 * 2 ** 20,
    },
  );
}
