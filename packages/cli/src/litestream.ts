import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ShmReader } from './shm-readers.js';

/** What the file system says about Litestream replicating a database. */
export interface LitestreamState {
  /** Litestream's directory beside the database (`.<name>-litestream`). */
  metaDirectory: string;
  /** The generation it replicates now; a new one means it had to take a full snapshot. */
  generation: string | undefined;
  /** A `litestream` process holds a read lock on the -shm right now (Linux). */
  running: boolean;
}

/**
 * Litestream (v0.3) keeps its state in a directory beside the database, `.<name>-litestream`,
 * with the current generation's name in `generation`. Found with the file system alone, as
 * the rest of `status`; a running Litestream also shows among the -shm's readers.
 */
export function litestreamState(
  databasePath: string,
  readers: readonly ShmReader[] | undefined,
): LitestreamState | undefined {
  const metaDirectory = join(dirname(databasePath), `.${basename(databasePath)}-litestream`);
  if (!statSync(metaDirectory, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  let generation: string | undefined;
  try {
    generation = readFileSync(join(metaDirectory, 'generation'), 'utf8').trim() || undefined;
  } catch {
    generation = undefined;
  }
  const running = (readers ?? []).some((reader) => /(^|\/)litestream(\s|$)/.test(reader.command));
  return { metaDirectory, generation, running };
}

/** What it means for checkpoints, for `status` and `doctor`. */
export function renderLitestream(state: LitestreamState | undefined): string[] {
  if (state === undefined) return [];
  return [
    '',
    `litestream: replicates this database (generation ${state.generation ?? 'unknown'}; ${state.running ? 'running now' : 'not running now'})`,
    "  Litestream owns checkpoints here: walkeeper cooperates (health().checkpointOwner is 'litestream'),",
    '  never resets the WAL and never holds writers at a cap; a reset by anything else would force a',
    '  new generation (a full snapshot). Avoid `walkeeper checkpoint --mode RESTART|TRUNCATE` here.',
  ];
}
