// Shapes of what the server sends, for the type checker only (never served).

export interface LiveTick {
  at: number;
  wal: { bytes: number; capBytes: number; frames: number; backfilledFrames: number };
  databaseBytes: number;
  checkpoints: { mode: string; outcome: string; count: number; maxMs: number }[];
  reads: Latency;
  writes: Latency;
  pool: { size: number; used: number; pending: number; maxQueue: number };
  ingest: {
    state: string;
    messages: number;
    messagesPerSecond: number;
    files: number;
    malformed: number;
  };
  health: { status: 'ok' | 'degraded' | 'critical'; reasons: string[] };
  alerts: {
    code: string;
    severity: 'info' | 'warning' | 'critical';
    message: string;
    advice: string;
  }[];
}

export interface Latency {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Project {
  id: number;
  dir: string;
  cwd: string | null;
  sessions: number;
  subagents: number;
  messages: number;
  firstAt: string | null;
  lastAt: string | null;
}

export interface Tokens {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

export interface Session {
  id: string;
  projectId: number;
  agentId: string | null;
  title: string | null;
  cwd: string | null;
  gitBranch: string | null;
  version: string | null;
  startedAt: string | null;
  lastAt: string | null;
  messages: number;
  toolCalls: number;
  tokens: Tokens;
}

export interface SessionDetail {
  session: Session & { parent: { id: string; toolUseId: string | null } | null };
  subagents: { id: string; agentId: string | null; title: string | null; messages: number }[];
  tokensByModel: {
    model: string;
    messages: number;
    inputTokens: number;
    outputTokens: number;
    cacheCreationTokens: number;
    cacheReadTokens: number;
  }[];
}

export interface Message {
  line: number;
  type: string;
  subtype: string | null;
  timestamp: string | null;
  role: string | null;
  model: string | null;
  text: string | null;
  entry?: unknown;
}

export interface SearchResult {
  session: string;
  line: number;
  type: string;
  role: string | null;
  timestamp: string | null;
  snippet: { text: string; match: boolean }[];
}

export interface ProjectsResponse {
  projects: Project[];
}
export interface SessionsResponse {
  sessions: Session[];
  nextCursor: string | null;
}
export interface MessagesResponse {
  messages: Message[];
  nextAfter: number | null;
}
export interface SearchResponse {
  results: SearchResult[];
  nextOffset: number | null;
}
