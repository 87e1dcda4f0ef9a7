import type { ExitCode } from '../errors.js';
import { inspectDatabase } from '../inspect.js';
import { painter } from '../internal/color.js';
import { formatBytes, formatMs, plural, table } from '../internal/format.js';
import { errorJson, toJson } from '../internal/json.js';
import { sparkline } from '../sparkline.js';
import { initialWatchState, observe, type WatchState } from '../wal-watch.js';

export interface WatchCommandOptions {
  intervalMs: number;
  walCapBytes: number;
  json: boolean;
  /** Stop after this many samples (default: until Ctrl-C). */
  count: number | undefined;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const HOME = '\x1b[H';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

/**
 * `walkeeper watch <db>`: samples the files every interval (reads only: stat, the database
 * header, the -wal header and the -shm index header) until Ctrl-C, which exits 0. On a
 * terminal it redraws one view; otherwise it prints a line (or, with `--json`, an object)
 * per sample.
 */
export function watchCommand(path: string, options: WatchCommandOptions): Promise<ExitCode> {
  // Bad input fails here, before anything is drawn.
  const first = inspectDatabase(path);
  const live = process.stdout.isTTY === true && !options.json;
  let state = initialWatchState(first.sampledAt);
  let timer: NodeJS.Timeout | undefined;

  return new Promise<ExitCode>((resolve) => {
    const stop = (code: ExitCode, error?: unknown) => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (live) {
        process.stdout.write(`\n${summary(path, state)}\n${SHOW_CURSOR}`);
      }
      if (error !== undefined) {
        const message = error instanceof Error ? error.message : String(error);
        if (options.json) process.stdout.write(`${toJson({ error: errorJson(error) })}\n`);
        process.stderr.write(`walkeeper: ${message}\n`);
      }
      resolve(code);
    };
    const onSignal = () => stop(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const tick = (snapshot = inspectDatabase(path)) => {
      state = observe(state, snapshot, { walCapBytes: options.walCapBytes });
      if (live) process.stdout.write(`${HOME}${frame(path, state, options)}${CLEAR_BELOW}`);
      else if (options.json) process.stdout.write(`${toJson(sampleJson(state))}\n`);
      else process.stdout.write(`${sampleLine(state)}\n`);
      if (options.count !== undefined && state.samples >= options.count) return stop(0);
      timer = setTimeout(() => {
        try {
          tick();
        } catch (error) {
          stop(1, error);
        }
      }, options.intervalMs);
    };
    if (live) process.stdout.write(`${CLEAR_SCREEN}${HIDE_CURSOR}`);
    tick(first);
  });
}

function frame(path: string, state: WatchState, options: WatchCommandOptions): string {
  const paint = painter(process.stdout);
  const snapshot = state.last!;
  const health = state.health!;
  const columns = process.stdout.columns ?? 80;
  const chartWidth = Math.max(10, Math.min(120, columns - 30));
  const shown = state.walHistory.slice(-chartWidth);
  const { wal } = snapshot;
  const now = snapshot.sampledAt;
  const log =
    wal.frames === undefined
      ? 'unknown (no -shm index: no connection has the database open)'
      : `${wal.frames} frames, ${wal.backfilledFrames} backfilled`;
  const checkpoints =
    state.lastCheckpointSeenAt === undefined
      ? `${state.checkpointsSeen} seen`
      : `${state.checkpointsSeen} seen (${plural(state.resetsSeen, 'reset')}), ${ago(now - state.lastCheckpointSeenAt)}`;
  const color = health.status === 'ok' ? 'green' : health.status === 'degraded' ? 'yellow' : 'red';
  const lines = [
    `walkeeper watch ${path} · every ${options.intervalMs} ms · Ctrl-C to quit`,
    '',
    ...table([
      ['WAL', `${formatBytes(wal.bytes).padStart(10)}  ${sparkline(shown, chartWidth)}`],
      [
        '',
        `${' '.repeat(10)}  max ${formatBytes(Math.max(0, ...shown))} over the last ${shown.length} samples`,
      ],
      ['log', log],
      ['database', `${formatBytes(snapshot.databaseBytes)}, journal mode ${snapshot.journalMode}`],
      ['checkpoints', checkpoints],
      ['health', paint(health.status, color)],
      ...health.reasons.map((reason): [string, string] => ['', `- ${reason.message}`]),
    ]),
  ];
  return lines.map((line) => `${line}${CLEAR_LINE_END}`).join('\n');
}

/** How long ago, for a checkpoint seen `ms` before the latest sample. */
function ago(ms: number): string {
  return ms === 0 ? 'the last in this sample' : `the last ${formatMs(ms)} ago`;
}

function sampleLine(state: WatchState): string {
  const { wal, sampledAt } = state.last!;
  const log =
    wal.frames === undefined ? 'frames unknown' : `frames ${wal.frames}/${wal.backfilledFrames}`;
  return `${new Date(sampledAt).toISOString()} wal ${formatBytes(wal.bytes)} ${log} checkpoints ${state.checkpointsSeen} health ${state.health!.status}`;
}

function sampleJson(state: WatchState) {
  const snapshot = state.last!;
  return {
    sampledAt: snapshot.sampledAt,
    walBytes: snapshot.wal.bytes,
    frames: snapshot.wal.frames ?? null,
    backfilledFrames: snapshot.wal.backfilledFrames ?? null,
    databaseBytes: snapshot.databaseBytes,
    checkpointsSeen: state.checkpointsSeen,
    resetsSeen: state.resetsSeen,
    health: state.health,
  };
}

function summary(path: string, state: WatchState): string {
  const seconds = Math.round((Date.now() - state.startedAt) / 1000);
  return `watched ${path} for ${seconds} s: ${plural(state.samples, 'sample')}, ${plural(state.checkpointsSeen, 'checkpoint')} seen`;
}
