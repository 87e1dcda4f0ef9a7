import type { HealthReport } from '@walkeeper/core';
import type { ExitCode } from '../errors.js';
import { type DatabaseSnapshot, inspectDatabase } from '../inspect.js';
import { painter } from '../internal/color.js';
import { formatBytes, plural, table } from '../internal/format.js';
import { toJson } from '../internal/json.js';
import { printLines } from '../internal/write.js';
import { litestreamState, renderLitestream } from '../litestream.js';
import { describeReader, type ShmReader, shmReaders } from '../shm-readers.js';
import { snapshotHealth } from '../snapshot-health.js';

export interface StatusCommandOptions {
  json: boolean;
  walCapBytes: number;
}

/** `walkeeper status <db>`: exit 0 when health is ok, 1 when it is degraded or critical. */
export function statusCommand(path: string, options: StatusCommandOptions): ExitCode {
  const snapshot = inspectDatabase(path);
  const health = snapshotHealth(snapshot, { walCapBytes: options.walCapBytes });
  const readers = shmReaders(`${snapshot.path}-shm`);
  const litestream = litestreamState(snapshot.path, readers);
  if (options.json)
    printLines([
      toJson({
        ...statusJson(snapshot, health),
        readers: readers ?? null,
        litestream: litestream ?? null,
      }),
    ]);
  else
    printLines([
      ...renderStatus(snapshot, health),
      ...renderReaders(readers),
      ...renderLitestream(litestream),
    ]);
  return health.status === 'ok' ? 0 : 1;
}

export function statusJson(snapshot: DatabaseSnapshot, health: HealthReport) {
  const { header, wal } = snapshot;
  return {
    path: snapshot.path,
    journalMode: snapshot.journalMode,
    pageSize: snapshot.pageSize ?? null,
    databaseBytes: snapshot.databaseBytes,
    pageCount: snapshot.pageCount,
    freelistPages: header?.freelistPages ?? 0,
    autoVacuum: header?.autoVacuum ?? 'none',
    textEncoding: header?.textEncoding ?? null,
    userVersion: header?.userVersion ?? 0,
    applicationId: header?.applicationId ?? 0,
    wal: {
      exists: wal.exists,
      bytes: wal.bytes,
      frames: wal.frames ?? null,
      backfilledFrames: wal.backfilledFrames ?? null,
      checkpointSequence: wal.header?.checkpointSequence ?? null,
    },
    shm: snapshot.shm,
    sqlite: { library: snapshot.sqlite.library, lastWriter: snapshot.sqlite.lastWriter ?? null },
    health,
  };
}

/**
 * The processes with read locks on the -shm (Linux), so an operator can find the shell or
 * backup that pins the WAL. Nothing where /proc/locks cannot be read or nobody holds one.
 */
export function renderReaders(readers: ShmReader[] | undefined): string[] {
  if (readers === undefined || readers.length === 0) return [];
  return [
    '',
    'readers (read locks on the -shm):',
    ...readers.map((r) => `  - ${describeReader(r)}`),
  ];
}

function walLine(snapshot: DatabaseSnapshot): string {
  const { wal } = snapshot;
  if (!wal.exists) {
    return snapshot.journalMode === 'wal'
      ? 'none (no connection has the database open)'
      : 'none (not in WAL mode)';
  }
  const size = formatBytes(wal.bytes);
  if (wal.frames === undefined) return `${size}: frames unknown (no -shm index to read)`;
  return `${size}: ${wal.frames} frames in the log, ${wal.backfilledFrames} backfilled`;
}

export function renderStatus(snapshot: DatabaseSnapshot, health: HealthReport): string[] {
  const paint = painter(process.stdout);
  const { header } = snapshot;
  const sqlite =
    snapshot.sqlite.lastWriter === undefined
      ? `${snapshot.sqlite.library} (this CLI)`
      : `${snapshot.sqlite.lastWriter} last wrote the database; this CLI runs ${snapshot.sqlite.library}`;
  const rows: [string, string][] = [
    ['journal mode', snapshot.journalMode],
    [
      'page size',
      snapshot.pageSize === undefined ? 'not set (empty database)' : `${snapshot.pageSize} B`,
    ],
    [
      'database',
      `${formatBytes(snapshot.databaseBytes)} (${plural(snapshot.pageCount, 'page')}, ${header?.freelistPages ?? 0} free)`,
    ],
    ['wal', walLine(snapshot)],
    ['shm', snapshot.shm.exists ? formatBytes(snapshot.shm.bytes) : 'none'],
    ['auto_vacuum', header?.autoVacuum ?? 'none'],
    ['encoding', header?.textEncoding ?? 'not set'],
    ['user_version', String(header?.userVersion ?? 0)],
    ['sqlite', sqlite],
    [
      'per connection',
      'synchronous, busy_timeout, journal_size_limit and wal_autocheckpoint live in each',
    ],
    ['', 'connection, not in the file: `walkeeper doctor` says what to set'],
  ];
  const color = health.status === 'ok' ? 'green' : health.status === 'degraded' ? 'yellow' : 'red';
  return [
    snapshot.path,
    ...table(rows),
    '',
    `health: ${paint(health.status, color)}`,
    ...health.reasons.map((reason) => `  - ${reason.message} (${reason.code}, ${reason.severity})`),
  ];
}
