import type { Walkeeper, WriteTransaction } from '@walkeeper/core';
import { markPresent, markVanished } from './archive.js';
import { dayOf, type Entry, type SessionFacts, type ToolUse } from './entry.js';
import type { TranscriptLocation } from './layout.js';
import { countUsage, forgetUsage, type UsageLine } from './usage-writer.js';

/** What ingestion remembers of a file, as persisted in `files`. */
export interface FileRecord {
  id: number;
  path: string;
  sessionId: number;
  projectId: number;
  /** Bytes consumed: every line before it has been stored. */
  offset: number;
  /** Lines consumed (the number of the last line stored). */
  lines: number;
  size: number;
  inode: string | null;
  headBytes: number;
  headHash: string | null;
  malformed: number;
  /** When the file was found gone (it lives on in the archive), else null. */
  vanishedAt: string | null;
}

export interface MalformedLine {
  line: number;
  error: string;
  excerpt: string;
}

/** What one batch carries: consecutive lines of one file and where the file then stands. */
export interface Batch {
  entries: Entry[];
  malformed: MalformedLine[];
  offset: number;
  lines: number;
  size: number;
  inode: string | null;
  head: { bytes: number; hash: string } | null;
}

export interface BatchResult {
  inserted: number;
  malformed: number;
}

interface FileRow {
  id: number;
  path: string;
  session_id: number;
  project_id: number;
  byte_offset: number;
  line_count: number;
  size: number;
  inode: string | null;
  head_bytes: number;
  head_hash: string | null;
  malformed: number;
  vanished_at: string | null;
}

const FILE_COLUMNS = `f.id, f.path, f.session_id, s.project_id, f.byte_offset, f.line_count, f.size,
  f.inode, f.head_bytes, f.head_hash, f.malformed, f.vanished_at`;

// The raw bytes are bound as a blob and stored as text: no round trip through a JS string.
const INSERT_MESSAGE = `INSERT INTO messages (id, session_id, line, type, subtype, uuid,
  parent_uuid, timestamp, role, model, is_sidechain, is_meta, text, raw)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))
  ON CONFLICT (id) DO NOTHING`;
const INSERT_FTS = 'INSERT INTO messages_fts (rowid, text) VALUES (?, ?)';

const INSERT_TOOL_USE = `INSERT INTO tool_calls (session_id, tool_use_id, name, use_message_id,
  started_at, input_bytes) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (session_id, tool_use_id) DO NOTHING`;
/** A tool_use whose result came first: fill in the call's half and its duration. */
const COMPLETE_TOOL_USE = `UPDATE tool_calls SET name = @name, use_message_id = @message,
  started_at = @at, input_bytes = @bytes, duration_ms = ${durationSql('@at', 'finished_at')}
  WHERE session_id = @session AND tool_use_id = @id AND name IS NULL
  RETURNING result_message_id, is_error, duration_ms`;
const COMPLETE_TOOL_RESULT = `UPDATE tool_calls SET result_message_id = @message,
  finished_at = @at, is_error = @error, agent_id = coalesce(agent_id, @agent),
  duration_ms = ${durationSql('started_at', '@at')}
  WHERE session_id = @session AND tool_use_id = @id AND result_message_id IS NULL
  RETURNING name, started_at, duration_ms`;
const INSERT_TOOL_RESULT = `INSERT INTO tool_calls (session_id, tool_use_id, result_message_id,
  finished_at, is_error, agent_id) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (session_id, tool_use_id) DO NOTHING`;
const LINK_AGENT = `UPDATE tool_calls SET agent_id = ?
  WHERE session_id = ? AND tool_use_id = ? AND agent_id IS NULL`;

const ADD_TOOL_DAILY = `INSERT INTO tool_daily (day, project_id, name, calls, results, errors,
  duration_ms, input_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (day, project_id, name) DO UPDATE SET calls = calls + excluded.calls,
  results = results + excluded.results, errors = errors + excluded.errors,
  duration_ms = duration_ms + excluded.duration_ms, input_bytes = input_bytes + excluded.input_bytes`;
const UPDATE_SESSION = `UPDATE sessions SET
  message_count = message_count + @messages, user_count = user_count + @users,
  assistant_count = assistant_count + @assistants, tool_call_count = tool_call_count + @tools,
  started_at = CASE WHEN @first IS NULL THEN started_at
    WHEN started_at = '' OR @first < started_at THEN @first ELSE started_at END,
  last_at = CASE WHEN @last IS NULL OR @last < last_at THEN last_at ELSE @last END,
  session_uuid = coalesce(session_uuid, @uuid), cwd = coalesce(cwd, @cwd),
  git_branch = coalesce(@branch, git_branch), version = coalesce(@version, version),
  slug = coalesce(slug, @slug),
  title = CASE WHEN @summary IS NOT NULL THEN @summary ELSE coalesce(title, @prompt) END
  WHERE id = @id`;
const UPDATE_PROJECT = `UPDATE projects SET message_count = message_count + @messages,
  cwd = coalesce(cwd, @cwd),
  first_at = CASE WHEN @first IS NULL THEN first_at
    WHEN first_at IS NULL OR @first < first_at THEN @first ELSE first_at END,
  last_at = CASE WHEN @last IS NULL THEN last_at
    WHEN last_at IS NULL OR @last > last_at THEN @last ELSE last_at END
  WHERE id = @id`;
const INSERT_ERROR = `INSERT INTO ingest_errors (file_id, line, error, excerpt, at)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_id, line) DO NOTHING`;
const UPDATE_FILE = `UPDATE files SET byte_offset = @offset, line_count = @lines, size = @size,
  inode = @inode, head_bytes = coalesce(@headBytes, head_bytes),
  head_hash = coalesce(@headHash, head_hash), malformed = malformed + @malformed,
  folded_lines = folded_lines + @folded, ingested_at = @now WHERE id = @id`;

/** Milliseconds between two ISO timestamps in SQL, or NULL when either is missing. */
function durationSql(from: string, to: string): string {
  return `CASE WHEN ${from} IS NULL OR ${to} IS NULL THEN NULL
    ELSE max(0, CAST(round((julianday(${to}) - julianday(${from})) * 86400000.0) AS INTEGER)) END`;
}

interface ToolDelta {
  day: string;
  name: string;
  calls: number;
  results: number;
  errors: number;
  durationMs: number;
  inputBytes: number;
}

/** Session facts of a batch: the first value seen of each. */
function mergeFacts(into: SessionFacts, from: SessionFacts): void {
  into.sessionUuid ??= from.sessionUuid;
  into.cwd ??= from.cwd;
  into.version = from.version ?? into.version;
  into.gitBranch = from.gitBranch ?? into.gitBranch;
  into.slug ??= from.slug;
}

/**
 * The SQL side of ingestion: files, sessions and projects registered on first sight, and each
 * batch of lines written in one `write()` transaction with everything derived from it (search
 * index, tool calls, token usage, rollups, counters) and the file's new offset. A line already
 * stored (same session, same line number) is skipped with all it would have derived, which is
 * what makes reading a file again harmless.
 */
export class TranscriptStore {
  readonly #wk: Walkeeper;

  constructor(wk: Walkeeper) {
    this.#wk = wk;
  }

  /** Every file ingestion has seen, by absolute path. */
  async loadFiles(): Promise<Map<string, FileRecord>> {
    const rows = await this.#wk.read<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM files f JOIN sessions s ON s.id = f.session_id`,
    );
    return new Map(rows.map((row) => [row.path, toRecord(row)]));
  }

  /** Registers a file (and its project, session and parent session) and returns its record. */
  registerFile(path: string, location: TranscriptLocation): FileRecord {
    return this.#wk.write((tx) => {
      const existing = tx.get<FileRow>(
        `SELECT ${FILE_COLUMNS} FROM files f JOIN sessions s ON s.id = f.session_id
         WHERE f.path = ?`,
        [path],
      );
      if (existing) return toRecord(existing);
      tx.run('INSERT INTO projects (dir) VALUES (?) ON CONFLICT (dir) DO NOTHING', [
        location.projectDir,
      ]);
      const projectId = Number(
        tx.get<{ id: number }>('SELECT id FROM projects WHERE dir = ?', [location.projectDir])!.id,
      );
      const parentId = location.parent
        ? ensureSession(tx, location.parent.sessionKey, projectId, null, null)
        : null;
      const key = freeSessionKey(tx, location.sessionKey, location.projectDir);
      const sessionId = ensureSession(
        tx,
        key,
        projectId,
        parentId,
        location.parent?.agentId ?? null,
      );
      const id = Number(
        tx.run('INSERT INTO files (path, session_id) VALUES (?, ?)', [path, sessionId])
          .lastInsertRowid,
      );
      return {
        id,
        path,
        sessionId,
        projectId,
        offset: 0,
        lines: 0,
        size: 0,
        inode: null,
        headBytes: 0,
        headHash: null,
        malformed: 0,
        vanishedAt: null,
      };
    });
  }

  /** Marks a file gone (its rows stay); true when it was not marked already. */
  fileVanished(file: FileRecord): boolean {
    const at = new Date().toISOString();
    const changed = this.#wk.write((tx) => markVanished(tx, file.id, file.sessionId, at));
    if (changed) file.vanishedAt = at;
    return changed;
  }

  /** A file marked gone is there again. */
  fileReturned(file: FileRecord): void {
    this.#wk.write((tx) => markPresent(tx, file.id, file.sessionId));
    file.vanishedAt = null;
  }

  /**
   * Forgets everything read from a file (its messages, search rows, tool calls, token usage,
   * their share of the rollups and counters) so it can be read again from the start.
   */
  resetFile(file: FileRecord): void {
    this.#wk.write((tx) => {
      const session = file.sessionId;
      for (const row of tx.all<ToolDelta>(
        `SELECT substr(started_at, 1, 10) AS day, name, count(*) AS calls,
           count(result_message_id) AS results, coalesce(sum(is_error), 0) AS errors,
           coalesce(sum(duration_ms), 0) AS durationMs, coalesce(sum(input_bytes), 0) AS inputBytes
         FROM tool_calls WHERE session_id = ? AND name IS NOT NULL GROUP BY 1, 2`,
        [session],
      )) {
        tx.run(
          `UPDATE tool_daily SET calls = calls - ?, results = results - ?, errors = errors - ?,
             duration_ms = duration_ms - ?, input_bytes = input_bytes - ?
           WHERE day = ? AND project_id = ? AND name = ?`,
          [
            row.calls,
            row.results,
            row.errors,
            row.durationMs,
            row.inputBytes,
            dayOf(row.day),
            file.projectId,
            row.name,
          ],
        );
      }
      forgetUsage(tx, session);
      tx.run(
        `UPDATE counters SET folded_lines = folded_lines -
           (SELECT folded_lines FROM files WHERE id = ?) WHERE id = 1`,
        [file.id],
      );
      tx.run('DELETE FROM tool_daily WHERE project_id = ? AND calls <= 0', [file.projectId]);
      const lines = [messageRowid(session, 0), messageRowid(session + 1, 0)];
      tx.run(
        `INSERT INTO messages_fts (messages_fts, rowid, text)
         SELECT 'delete', id, text FROM messages WHERE id >= ? AND id < ? AND text IS NOT NULL`,
        lines,
      );
      const removed = tx.run('DELETE FROM messages WHERE id >= ? AND id < ?', lines).changes;
      tx.run('DELETE FROM tool_calls WHERE session_id = ?', [session]);
      tx.run('DELETE FROM ingest_errors WHERE file_id = ?', [file.id]);
      tx.run('UPDATE projects SET message_count = message_count - ? WHERE id = ?', [
        removed,
        file.projectId,
      ]);
      tx.run(
        `UPDATE sessions SET message_count = 0, user_count = 0, assistant_count = 0,
           tool_call_count = 0, input_tokens = 0, output_tokens = 0, cache_creation_tokens = 0,
           cache_read_tokens = 0, started_at = '', last_at = '', title = NULL
         WHERE id = ?`,
        [session],
      );
      tx.run(
        `UPDATE files SET byte_offset = 0, line_count = 0, size = 0, head_bytes = 0,
           head_hash = NULL, malformed = 0, folded_lines = 0, resets = resets + 1 WHERE id = ?`,
        [file.id],
      );
    });
    Object.assign(file, { offset: 0, lines: 0, size: 0, headBytes: 0, headHash: null });
    file.malformed = 0;
  }

  /** Writes one batch in one transaction and moves the file's offset past it. */
  writeBatch(file: FileRecord, batch: Batch): BatchResult {
    const result = this.#wk.write((tx) => this.#write(tx, file, batch));
    file.offset = batch.offset;
    file.lines = batch.lines;
    file.size = batch.size;
    file.inode = batch.inode;
    if (batch.head) {
      file.headBytes = batch.head.bytes;
      file.headHash = batch.head.hash;
    }
    file.malformed += result.malformed;
    return result;
  }

  #write(tx: WriteTransaction, file: FileRecord, batch: Batch): BatchResult {
    const session = file.sessionId;
    const project = file.projectId;
    let inserted = 0;
    let users = 0;
    let assistants = 0;
    let tools = 0;
    let first: string | null = null;
    let last: string | null = null;
    let summary: string | null = null;
    let prompt: string | null = null;
    const facts: SessionFacts = {
      sessionUuid: null,
      cwd: null,
      gitBranch: null,
      version: null,
      slug: null,
    };
    const toolDeltas = new Map<string, ToolDelta>();
    const toolDelta = (day: string, name: string): ToolDelta => {
      const key = `${day}\u0000${name}`;
      let delta = toolDeltas.get(key);
      if (delta === undefined) {
        delta = { day, name, calls: 0, results: 0, errors: 0, durationMs: 0, inputBytes: 0 };
        toolDeltas.set(key, delta);
      }
      return delta;
    };
    const usages: UsageLine[] = [];

    for (const entry of batch.entries) {
      const inserted_ = tx.run(INSERT_MESSAGE, [
        messageRowid(session, entry.line),
        session,
        entry.line,
        entry.type,
        entry.subtype,
        entry.uuid,
        entry.parentUuid,
        entry.timestamp,
        entry.role,
        entry.model,
        entry.isSidechain === null ? null : Number(entry.isSidechain),
        entry.isMeta === null ? null : Number(entry.isMeta),
        entry.text,
        entry.raw,
      ]);
      if (inserted_.changes === 0) continue;
      const messageId = Number(inserted_.lastInsertRowid);
      inserted++;
      if (entry.text !== null) tx.run(INSERT_FTS, [messageId, entry.text]);
      if (entry.type === 'user') users++;
      else if (entry.type === 'assistant') assistants++;
      const at = entry.timestamp;
      if (at !== null) {
        if (first === null || at < first) first = at;
        if (last === null || at > last) last = at;
      }
      mergeFacts(facts, entry.session);
      if (entry.title !== null) {
        if (entry.title.fromSummary) summary = entry.title.text;
        else prompt ??= entry.title.text;
      }
      for (const use of entry.toolUses) {
        if (this.#toolUse(tx, session, use, messageId, at, toolDelta)) tools++;
      }
      for (const result of entry.toolResults) {
        const params = {
          session,
          id: result.toolUseId,
          message: messageId,
          at,
          error: Number(result.isError),
          agent: result.agentId,
        };
        const call = tx.get<{
          name: string | null;
          started_at: string | null;
          duration_ms: number;
        }>(COMPLETE_TOOL_RESULT, params);
        if (call === undefined) {
          tx.run(INSERT_TOOL_RESULT, [
            session,
            result.toolUseId,
            messageId,
            at,
            Number(result.isError),
            result.agentId,
          ]);
        } else if (call.name !== null) {
          const delta = toolDelta(dayOf(call.started_at), call.name);
          delta.results++;
          delta.errors += Number(result.isError);
          delta.durationMs += call.duration_ms ?? 0;
        }
      }
      if (entry.agentLink !== null) {
        tx.run(LINK_AGENT, [entry.agentLink.agentId, session, entry.agentLink.toolUseId]);
      }
      if (entry.usage !== null) usages.push({ usage: entry.usage, messageId });
    }
    const folded = countUsage(tx, { sessionId: session, projectId: project }, usages);
    if (folded > 0)
      tx.run('UPDATE counters SET folded_lines = folded_lines + ? WHERE id = 1', [folded]);

    for (const d of toolDeltas.values()) {
      tx.run(ADD_TOOL_DAILY, [
        d.day,
        project,
        d.name,
        d.calls,
        d.results,
        d.errors,
        d.durationMs,
        d.inputBytes,
      ]);
    }
    if (inserted > 0) {
      tx.run(UPDATE_SESSION, {
        id: session,
        messages: inserted,
        users,
        assistants,
        tools,
        first,
        last,
        uuid: facts.sessionUuid,
        cwd: facts.cwd,
        branch: facts.gitBranch,
        version: facts.version,
        slug: facts.slug,
        summary,
        prompt,
      });
      tx.run(UPDATE_PROJECT, { id: project, messages: inserted, cwd: facts.cwd, first, last });
    }
    const now = new Date().toISOString();
    let malformed = 0;
    for (const bad of batch.malformed) {
      malformed += tx.run(INSERT_ERROR, [file.id, bad.line, bad.error, bad.excerpt, now]).changes;
    }
    tx.run(UPDATE_FILE, {
      id: file.id,
      offset: batch.offset,
      lines: batch.lines,
      size: batch.size,
      inode: batch.inode,
      headBytes: batch.head?.bytes ?? null,
      headHash: batch.head?.hash ?? null,
      malformed,
      folded,
      now,
    });
    return { inserted, malformed };
  }

  /** Records a tool_use; true when it is a call not counted before. */
  #toolUse(
    tx: WriteTransaction,
    session: number,
    use: ToolUse,
    messageId: number,
    at: string | null,
    toolDelta: (day: string, name: string) => ToolDelta,
  ): boolean {
    const fresh =
      tx.run(INSERT_TOOL_USE, [session, use.id, use.name, messageId, at, use.inputBytes]).changes >
      0;
    const delta = toolDelta(dayOf(at), use.name);
    if (fresh) {
      delta.calls++;
      delta.inputBytes += use.inputBytes;
      return true;
    }
    // The row exists: a duplicate tool_use (nothing to do) or a result that came first.
    const completed = tx.get<{
      result_message_id: number | null;
      is_error: number | null;
      duration_ms: number | null;
    }>(COMPLETE_TOOL_USE, {
      session,
      id: use.id,
      name: use.name,
      message: messageId,
      at,
      bytes: use.inputBytes,
    });
    if (completed === undefined) return false;
    delta.calls++;
    delta.inputBytes += use.inputBytes;
    if (completed.result_message_id !== null) {
      delta.results++;
      delta.errors += completed.is_error ?? 0;
      delta.durationMs += completed.duration_ms ?? 0;
    }
    return true;
  }
}

/** A line's rowid: session_id * 2^32 + line (see migrations/0001_transcripts.sql). */
export function messageRowid(session: number, line: number): number {
  return session * 2 ** 32 + line;
}

function toRecord(row: FileRow): FileRecord {
  return {
    id: Number(row.id),
    path: row.path,
    sessionId: Number(row.session_id),
    projectId: Number(row.project_id),
    offset: Number(row.byte_offset),
    lines: Number(row.line_count),
    size: Number(row.size),
    inode: row.inode,
    headBytes: Number(row.head_bytes),
    headHash: row.head_hash,
    malformed: Number(row.malformed),
    vanishedAt: row.vanished_at,
  };
}

/** The session's id, creating it (and counting it in its project) when it is new. */
function ensureSession(
  tx: WriteTransaction,
  key: string,
  projectId: number,
  parentId: number | null,
  agentId: string | null,
): number {
  const found = tx.get<{ id: number }>('SELECT id FROM sessions WHERE key = ?', [key]);
  if (found) return Number(found.id);
  const id = Number(
    tx.run('INSERT INTO sessions (key, project_id, parent_id, agent_id) VALUES (?, ?, ?, ?)', [
      key,
      projectId,
      parentId,
      agentId,
    ]).lastInsertRowid,
  );
  tx.run(
    parentId === null
      ? 'UPDATE projects SET session_count = session_count + 1 WHERE id = ?'
      : 'UPDATE projects SET subagent_count = subagent_count + 1 WHERE id = ?',
    [projectId],
  );
  return id;
}

/**
 * The session key for a new file: its own name, unless another file already holds that
 * session (two projects with one file name), then `<project dir>~<name>`.
 */
function freeSessionKey(tx: WriteTransaction, key: string, projectDir: string): string {
  const taken = tx.get(
    'SELECT 1 AS taken FROM files f JOIN sessions s ON s.id = f.session_id WHERE s.key = ?',
    [key],
  );
  return taken ? `${projectDir}~${key}` : key;
}
