import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Walkeeper } from '@walkeeper/core';
import { type FSWatcher, watch } from 'chokidar';
import { toEntry } from './entry.js';
import { locateTranscript, TRANSCRIPT_DEPTH } from './layout.js';
import { readCompleteLines } from './line-reader.js';
import { RateMeter } from './rate-meter.js';
import { type Batch, type FileRecord, type MalformedLine, TranscriptStore } from './store.js';

export interface IngesterOptions {
  /** The directory of projects (`~/.claude/projects`) or one project directory. */
  root: string;
  /** Bytes read per batch: one batch is one `write()` transaction. Default 4 MiB. */
  chunkBytes?: number;
  /** Where malformed lines, resets and errors are reported. Default: console.warn. */
  log?: (message: string) => void;
  /** Hears the first scan's progress, after each batch. */
  onProgress?: (progress: ScanProgress) => void;
}

export interface ScanProgress {
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  messages: number;
  startedAt: string;
  finishedAt: string | null;
}

export interface IngestEvent {
  at: string;
  file: string;
  line: number | null;
  message: string;
}

export interface IngestStatus {
  root: string;
  state: 'idle' | 'scanning' | 'watching' | 'closed';
  scan: ScanProgress | null;
  files: number;
  pending: number;
  bytesRead: number;
  messages: number;
  malformed: number;
  resets: number;
  ignoredFiles: number;
  batches: number;
  lastBatchAt: string | null;
  messagesPerSecond: number;
  errors: number;
  recent: IngestEvent[];
}

export interface FileOutcome {
  messages: number;
  malformed: number;
  reset: 'truncated' | 'replaced' | null;
}

const HEAD_BYTES = 1024;
/** Past chokidar's 50 ms throttle of 'change' events for one file. */
const TRAILING_READ_MS = 75;
const RECENT_EVENTS = 50;
/** Malformed lines logged one by one per pass over a file; the rest are summed up. */
const LOGGED_PER_FILE = 20;

/**
 * Claude Code transcripts into the database: a scan of the root, then a watcher that tails
 * each file from its persisted byte offset. Files are read one at a time (there is one
 * writer), each in batches of about `chunkBytes`, one transaction per batch that also moves
 * the file's offset, so a crash never loses or doubles a line.
 */
export class Ingester {
  readonly root: string;
  readonly #store: TranscriptStore;
  readonly #chunkBytes: number;
  readonly #log: (message: string) => void;
  readonly #onProgress: ((progress: ScanProgress) => void) | undefined;
  #files = new Map<string, FileRecord>();
  #loaded: Promise<void> | undefined;
  readonly #pending = new Set<string>();
  readonly #waiters = new Map<string, (() => void)[]>();
  #draining: Promise<void> | undefined;
  #running = false;
  #watcher: FSWatcher | undefined;
  readonly #trailing = new Map<string, ReturnType<typeof setTimeout>>();
  #state: IngestStatus['state'] = 'idle';
  #scan: ScanProgress | null = null;
  readonly #rate = new RateMeter(10);
  readonly #recent: IngestEvent[] = [];
  #counts = { bytesRead: 0, messages: 0, malformed: 0, resets: 0, ignored: 0, batches: 0 };
  #errors = 0;
  #lastBatchAt: string | null = null;

  constructor(wk: Walkeeper, options: IngesterOptions) {
    this.root = options.root;
    this.#store = new TranscriptStore(wk);
    this.#chunkBytes = options.chunkBytes ?? 4 * 2 ** 20;
    this.#log = options.log ?? ((message) => console.warn(message));
    this.#onProgress = options.onProgress;
  }

  /** Starts the watcher, then scans: appends made during the scan are not missed. */
  async start(): Promise<ScanProgress> {
    await this.watch();
    return this.scan();
  }

  /** Reads every transcript under the root up to its end (what is new since last time). */
  async scan(): Promise<ScanProgress> {
    await this.#load();
    const found = await listTranscripts(this.root);
    const progress: ScanProgress = {
      filesTotal: found.length,
      filesDone: 0,
      bytesTotal: found.reduce((sum, file) => sum + file.size, 0),
      bytesDone: 0,
      messages: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.#scan = progress;
    if (this.#state !== 'watching') this.#state = 'scanning';
    for (const { path } of found) {
      const known = this.#files.get(path);
      if (known) progress.bytesDone += known.offset;
    }
    this.#onProgress?.({ ...progress });
    // Files read before and not found now: marked gone, their rows kept.
    const present = new Set(found.map((file) => file.path));
    for (const [path, file] of this.#files) {
      if (!present.has(path) && file.vanishedAt === null) void this.#enqueue(path);
    }
    await Promise.all(
      found.map((file) =>
        this.#enqueue(file.path).then(() => {
          progress.filesDone++;
        }),
      ),
    );
    progress.finishedAt = new Date().toISOString();
    this.#onProgress?.({ ...progress });
    if (this.#state === 'scanning') this.#state = 'idle';
    return { ...progress };
  }

  /** Watches the root: every added or changed transcript is read from where it stood. */
  async watch(): Promise<void> {
    if (this.#watcher) return;
    await this.#load();
    const watcher = watch(this.root, {
      ignoreInitial: true,
      depth: TRANSCRIPT_DEPTH,
      ignored: (path, stats) => stats?.isFile() === true && !path.endsWith('.jsonl'),
    });
    this.#watcher = watcher;
    watcher.on('add', (path) => this.#changed(path));
    watcher.on('change', (path) => this.#changed(path));
    watcher.on('unlink', (path) => void this.#enqueue(path));
    // chokidar drops a file's 'change' events for 50 ms after emitting one, so the last
    // append of a burst could wait for the next write. Its raw events (one per fs.watch
    // event) carry every write at once; 'change' and a trailing re-read back them up.
    watcher.on('raw', (event, name, details) => {
      if (event !== 'change' || typeof name !== 'string' || !name.endsWith('.jsonl')) return;
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      if (typeof watched !== 'string') return;
      this.#changed(watched.endsWith('.jsonl') ? watched : join(watched, name));
    });
    watcher.on('error', (error) => this.#event(this.root, null, `watcher: ${String(error)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.#state = 'watching';
  }

  /** A watcher event: read the file now, and once more after chokidar's throttle window. */
  #changed(path: string): void {
    if (this.#state === 'closed') return;
    void this.#enqueue(path);
    clearTimeout(this.#trailing.get(path));
    const timer = setTimeout(() => {
      this.#trailing.delete(path);
      void this.#enqueue(path);
    }, TRAILING_READ_MS);
    timer.unref?.();
    this.#trailing.set(path, timer);
  }

  /** Reads one file now (as the watcher would) and resolves once it is stored. */
  ingest(path: string): Promise<void> {
    return this.#enqueue(path);
  }

  status(): IngestStatus {
    return {
      root: this.root,
      state: this.#state,
      scan: this.#scan ? { ...this.#scan } : null,
      files: this.#files.size,
      pending: this.#pending.size,
      bytesRead: this.#counts.bytesRead,
      messages: this.#counts.messages,
      malformed: this.#counts.malformed,
      resets: this.#counts.resets,
      ignoredFiles: this.#counts.ignored,
      batches: this.#counts.batches,
      lastBatchAt: this.#lastBatchAt,
      messagesPerSecond: this.#rate.perSecond(),
      errors: this.#errors,
      recent: [...this.#recent],
    };
  }

  /** Stops watching and waits for the file being read; later events are dropped. */
  async close(): Promise<void> {
    this.#state = 'closed';
    for (const timer of this.#trailing.values()) clearTimeout(timer);
    this.#trailing.clear();
    await this.#watcher?.close();
    this.#pending.clear();
    await this.#draining;
    for (const waiters of this.#waiters.values()) for (const resolve of waiters) resolve();
    this.#waiters.clear();
  }

  #load(): Promise<void> {
    this.#loaded ??= this.#store.loadFiles().then((files) => {
      this.#files = files;
    });
    return this.#loaded;
  }

  #enqueue(path: string): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(path);
      if (waiters) waiters.push(resolve);
      else this.#waiters.set(path, [resolve]);
    });
    this.#pending.add(path);
    if (!this.#running) {
      this.#running = true;
      this.#draining = this.#drain();
    }
    return done;
  }

  /** One file at a time, in the order they were asked for; ends when none is pending. */
  async #drain(): Promise<void> {
    try {
      await this.#load();
      for (const path of this.#pending) {
        this.#pending.delete(path);
        const waiters = this.#waiters.get(path) ?? [];
        this.#waiters.delete(path);
        try {
          await this.#ingestFile(path);
        } catch (error) {
          this.#errors++;
          this.#event(path, null, `could not be read: ${String(error)}`);
        }
        for (const resolve of waiters) resolve();
        if (this.#state === 'closed') return;
      }
    } finally {
      // Cleared in the same turn as the last look at #pending: a path enqueued after it
      // starts a new drain, never waits on one that has finished.
      this.#running = false;
    }
  }

  async #ingestFile(path: string): Promise<FileOutcome> {
    const outcome: FileOutcome = { messages: 0, malformed: 0, reset: null };
    const location = locateTranscript(this.root, path);
    if (location === undefined) {
      this.#counts.ignored++;
      return outcome;
    }
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Gone (Claude Code's cleanup, or the user): what was read from it stays, archived.
      const known = this.#files.get(path);
      if (known !== undefined && this.#store.fileVanished(known))
        this.#event(path, null, 'file gone: its lines stay in the archive');
      return outcome;
    }
    try {
      const stats = fstatSync(fd);
      const inode = String(stats.ino);
      let file = this.#files.get(path);
      if (file === undefined) {
        file = this.#store.registerFile(path, location);
        this.#files.set(path, file);
      }
      if (file.vanishedAt !== null) this.#store.fileReturned(file);
      if (file.offset > 0) {
        outcome.reset = this.#changedUnderneath(fd, file, stats.size, inode);
        if (outcome.reset !== null) {
          this.#event(path, null, `${outcome.reset}: reading it again from the start`);
          this.#counts.resets++;
          this.#store.resetFile(file);
        }
      }
      if (stats.size <= file.offset) return outcome;

      let line = file.lines;
      let offset = file.offset;
      let logged = 0;
      for (const chunk of readCompleteLines(fd, offset, stats.size, this.#chunkBytes)) {
        const batch: Batch = {
          entries: [],
          malformed: [],
          offset: offset + chunk.bytes,
          lines: line + chunk.starts.length,
          size: stats.size,
          inode,
          head: null,
        };
        const { buffer, starts, ends } = chunk;
        for (let i = 0; i < starts.length; i++) {
          line++;
          let start = starts[i]!;
          // A byte order mark is no part of the first line.
          if (line === 1 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf)
            start = 3;
          const bad = parseLine(buffer.subarray(start, ends[i]), line, batch);
          if (bad === undefined) continue;
          batch.malformed.push(bad);
          if (logged < LOGGED_PER_FILE)
            this.#event(path, line, `malformed line skipped: ${bad.error}`);
          logged++;
        }
        if (offset === 0) batch.head = readHead(fd, Math.min(chunk.bytes, HEAD_BYTES));
        // The entries' raw bytes are views of the chunk's buffer: written before the next read.
        const result = this.#store.writeBatch(file, batch);
        offset = batch.offset;
        outcome.messages += result.inserted;
        outcome.malformed += result.malformed;
        this.#counted(chunk.bytes, result.inserted, result.malformed);
        // Let the API answer between the batches of a long file.
        await yieldToLoop();
      }
      if (logged > LOGGED_PER_FILE) {
        this.#event(path, null, `${logged - LOGGED_PER_FILE} more malformed lines skipped`);
      }
      return outcome;
    } finally {
      closeSync(fd);
    }
  }

  /** Why a file must be read again from the start, or null when it only grew. */
  #changedUnderneath(
    fd: number,
    file: FileRecord,
    size: number,
    inode: string,
  ): FileOutcome['reset'] {
    if (size < file.offset) return 'truncated';
    if (file.inode !== null && file.inode !== inode) return 'replaced';
    if (file.headHash !== null && file.headBytes > 0) {
      const head = readHead(fd, file.headBytes);
      if (head.hash !== file.headHash) return 'replaced';
    }
    return null;
  }

  #counted(bytes: number, messages: number, malformed: number): void {
    this.#counts.bytesRead += bytes;
    this.#counts.messages += messages;
    this.#counts.malformed += malformed;
    this.#counts.batches++;
    this.#lastBatchAt = new Date().toISOString();
    this.#rate.add(messages);
    const scan = this.#scan;
    if (scan !== null && scan.finishedAt === null) {
      scan.bytesDone += bytes;
      scan.messages += messages;
      this.#onProgress?.({ ...scan });
    }
  }

  #event(file: string, line: number | null, message: string): void {
    const event = { at: new Date().toISOString(), file, line, message };
    this.#recent.push(event);
    if (this.#recent.length > RECENT_EVENTS) this.#recent.shift();
    this.#log(line === null ? `${file}: ${message}` : `${file}:${line}: ${message}`);
  }
}

function readHead(fd: number, bytes: number): { bytes: number; hash: string } {
  const buffer = Buffer.alloc(bytes);
  const read = readSync(fd, buffer, 0, bytes, 0);
  const hash = createHash('sha1').update(buffer.subarray(0, read)).digest('hex');
  return { bytes: read, hash };
}

/** Parses one line into the batch; returns what was wrong with it when it is malformed. */
function parseLine(raw: Buffer, line: number, batch: Batch): MalformedLine | undefined {
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, error: (error as Error).message, excerpt: text.slice(0, 200) };
  }
  const entry = toEntry(line, raw, value);
  if (entry === undefined) return { line, error: 'not a JSON object', excerpt: text.slice(0, 200) };
  batch.entries.push(entry);
  return undefined;
}

/** Transcript files under the root, main sessions before subagents, with their sizes. */
export async function listTranscripts(root: string): Promise<{ path: string; size: number }[]> {
  const found: { path: string; size: number }[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < TRANSCRIPT_DEPTH) await walk(path, depth + 1);
      else if (entry.isFile() && locateTranscript(root, path) !== undefined) {
        const size = await stat(path).then(
          (stats) => stats.size,
          () => undefined,
        );
        if (size !== undefined) found.push({ path, size });
      }
    }
  };
  await walk(root, 0);
  const isSubagent = (path: string) => locateTranscript(root, path)?.parent !== undefined;
  return [...found.filter((f) => !isSubagent(f.path)), ...found.filter((f) => isSubagent(f.path))];
}
