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

export interface ModelUsage {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: number | null;
}

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number | null;
  unpricedTokens: number;
  unpricedModels: string[];
  calls: number;
}

export interface UsageRow extends UsageTotals {
  modelsUsed: string[];
  modelBreakdowns: ModelUsage[];
}

export interface UsageReport {
  mode: string;
  timezone: string;
  priceTable: { version: string; source: string };
  totals: UsageTotals;
}

export interface DailyReport extends UsageReport {
  daily: (UsageRow & { period: string })[];
}

export interface SessionReport extends UsageReport {
  sessions: (UsageRow & { sessionId: string; projectPath: string; lastActivity: string | null })[];
}

export interface Block extends UsageTotals {
  startTime: string;
  endTime: string;
  actualEndTime: string | null;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  models: string[];
  burnRate: { tokensPerMinute: number; costPerHour: number | null } | null;
  projection: { totalTokens: number; totalCost: number | null; remainingMinutes: number } | null;
}

export interface BlocksReport extends UsageReport {
  blocks: Block[];
}

export interface IngestResponse {
  foldedUsageLines: number;
  archivedSessions: number;
  retention: { settings: string; cleanupPeriodDays: number | null; warning: string | null } | null;
}
