-- Claude Code transcripts: projects, sessions, the files they come from, and every line.
-- Indexes follow the API's queries (src/server/queries.ts); test/query-plans.test.ts runs
-- EXPLAIN QUERY PLAN on each of them and fails on a full scan of a large table.

-- One per directory under the watched root (Claude Code's encoded project path).
-- Counters are kept by ingestion, so the project list never scans sessions or messages.
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  dir TEXT NOT NULL UNIQUE,
  cwd TEXT,
  session_count INTEGER NOT NULL DEFAULT 0,
  subagent_count INTEGER NOT NULL DEFAULT 0,
  message_count INTEGER NOT NULL DEFAULT 0,
  first_at TEXT,
  last_at TEXT
);

-- A transcript file: a main session, or a subagent's (parent_id and agent_id set).
-- `key` is the id the API uses: the file name for a main session,
-- `<parent key>:<agent file name>` for a subagent.
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  project_id INTEGER NOT NULL REFERENCES projects (id),
  parent_id INTEGER REFERENCES sessions (id),
  agent_id TEXT,
  session_uuid TEXT,
  title TEXT,
  cwd TEXT,
  git_branch TEXT,
  version TEXT,
  slug TEXT,
  started_at TEXT NOT NULL DEFAULT '',
  last_at TEXT NOT NULL DEFAULT '',
  message_count INTEGER NOT NULL DEFAULT 0,
  user_count INTEGER NOT NULL DEFAULT 0,
  assistant_count INTEGER NOT NULL DEFAULT 0,
  tool_call_count INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0
);
-- GET /api/sessions, newest first, cursor (started_at, id); with and without ?project=.
CREATE INDEX sessions_by_start ON sessions (started_at DESC, id DESC);
CREATE INDEX sessions_by_project ON sessions (project_id, started_at DESC, id DESC);
-- A session's subagents (GET /api/sessions/:id).
CREATE INDEX sessions_by_parent ON sessions (parent_id, agent_id) WHERE parent_id IS NOT NULL;

-- Where ingestion stands in each file: bytes and lines consumed, and what identifies the
-- file (inode, a hash of its first line) so a replaced or truncated file is read again.
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  byte_offset INTEGER NOT NULL DEFAULT 0,
  line_count INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  inode TEXT,
  head_bytes INTEGER NOT NULL DEFAULT 0,
  head_hash TEXT,
  malformed INTEGER NOT NULL DEFAULT 0,
  resets INTEGER NOT NULL DEFAULT 0,
  ingested_at TEXT
);
CREATE INDEX files_by_session ON files (session_id);

-- Every JSON line of a transcript, in file order, whatever its type. `raw` is the line as
-- written, so fields and types this schema does not know yet are kept. `text` is the
-- searchable text (prompts, replies, thinking, summaries).
-- The rowid is session_id * 2^32 + line: unique per line with no second index to keep up,
-- a session's lines are one rowid range in file order (paging is a range scan), and a
-- line ingested twice conflicts on the key. Good for 2^21 sessions of 2^32 lines each.
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  line INTEGER NOT NULL,
  type TEXT NOT NULL,
  subtype TEXT,
  uuid TEXT,
  parent_uuid TEXT,
  timestamp TEXT,
  role TEXT,
  model TEXT,
  is_sidechain INTEGER,
  is_meta INTEGER,
  text TEXT,
  raw TEXT NOT NULL
);

-- Lines that were not a JSON object: counted per file and listed by the status route.
CREATE TABLE ingest_errors (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files (id),
  line INTEGER NOT NULL,
  error TEXT NOT NULL,
  excerpt TEXT NOT NULL,
  at TEXT NOT NULL,
  UNIQUE (file_id, line)
);
