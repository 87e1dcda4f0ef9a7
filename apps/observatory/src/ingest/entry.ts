/**
 * One transcript line, read defensively: Claude Code's format has no schema and changes
 * between versions, so every field is optional and anything unexpected is left in `raw`.
 */
export interface Entry {
  /** 1-based line number in the file. */
  line: number;
  /**
   * The line as written (without its newline): unknown types and fields live on here. Bytes
   * when read from a file (stored without a round trip through a JS string).
   */
  raw: string | Uint8Array;
  type: string;
  subtype: string | null;
  uuid: string | null;
  parentUuid: string | null;
  timestamp: string | null;
  role: string | null;
  model: string | null;
  isSidechain: boolean | null;
  isMeta: boolean | null;
  /** Searchable text: prompts, replies, thinking, summaries; null when there is none. */
  text: string | null;
  /** A candidate title for the session (a summary line, or a user's first prompt). */
  title: { text: string; fromSummary: boolean } | null;
  session: SessionFacts;
  toolUses: ToolUse[];
  toolResults: ToolResult[];
  usage: Usage | null;
  /** A progress line of a running subagent: which Task call started which agent. */
  agentLink: { toolUseId: string; agentId: string } | null;
}

export interface SessionFacts {
  sessionUuid: string | null;
  cwd: string | null;
  gitBranch: string | null;
  version: string | null;
  slug: string | null;
}

export interface ToolUse {
  id: string;
  name: string;
  /** Size of the input as JSON text. */
  inputBytes: number;
}

export interface ToolResult {
  toolUseId: string;
  isError: boolean;
  /** Set on the result of a Task call that ran a subagent. */
  agentId: string | null;
}

/**
 * The usage of the API call a line belongs to, when the line counts as one the way ccusage
 * counts them: `message.usage` with whole `input_tokens` and `output_tokens`, a timestamp,
 * and no empty or null `sessionId`, `requestId`, `message.id`, `message.model` or `version`
 * (which must start like a version number, `1.2.3`).
 */
export interface Usage {
  /** message.id: the key, with the request id, that folds streamed and copied lines. */
  messageId: string | null;
  requestId: string | null;
  /** '<synthetic>' (Claude Code's own messages) and a missing model are '' . */
  model: string;
  at: string;
  sidechain: boolean;
  /** Read from a parent's `progress` line that relays a subagent's reply. */
  relayed: boolean;
  inputTokens: number;
  outputTokens: number;
  /** Cache writes: `cache_creation`'s 5-minute and 1-hour parts when given, else all 5-minute. */
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  /** costUSD as the line recorded it (older Claude Code versions). */
  costUSD: number | null;
}

type Json = Record<string, unknown>;

const TITLE_MAX = 200;

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

function obj(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** Parses a line already known to be JSON into an entry; undefined when it is not an object. */
export function toEntry(line: number, raw: string | Uint8Array, value: unknown): Entry | undefined {
  const record = obj(value);
  if (record === null) return undefined;
  const message = obj(record.message);
  const type = str(record.type) ?? '';
  const role = str(message?.role);
  const content = message?.content;
  const isMeta = bool(record.isMeta);

  const texts: string[] = [];
  const toolUses: ToolUse[] = [];
  const toolResults: ToolResult[] = [];
  let userText: string | null = null;

  if (typeof content === 'string') {
    texts.push(content);
    userText = content;
  } else if (Array.isArray(content)) {
    for (const item of content) {
      const block = obj(item);
      if (block === null) continue;
      switch (block.type) {
        case 'text': {
          const text = str(block.text);
          if (text !== null) {
            texts.push(text);
            userText ??= text;
          }
          break;
        }
        case 'thinking': {
          const thinking = str(block.thinking);
          if (thinking) texts.push(thinking);
          break;
        }
        case 'tool_use': {
          const id = str(block.id);
          if (id === null) break;
          const input = block.input === undefined ? '' : JSON.stringify(block.input);
          toolUses.push({ id, name: str(block.name) ?? 'unknown', inputBytes: input.length });
          break;
        }
        case 'tool_result': {
          const toolUseId = str(block.tool_use_id);
          if (toolUseId === null) break;
          toolResults.push({ toolUseId, isError: block.is_error === true, agentId: null });
          break;
        }
      }
    }
  }
  // The result of a Task call names the subagent it ran (`toolUseResult.agentId`).
  const agentId = str(obj(record.toolUseResult)?.agentId);
  if (agentId !== null && toolResults.length === 1) toolResults[0]!.agentId = agentId;

  if (type === 'summary') {
    const summary = str(record.summary);
    if (summary) texts.push(summary);
  } else if (type === 'system' || type === 'queue-operation') {
    const text = str(record.content);
    if (text) texts.push(text);
  }

  let title: Entry['title'] = null;
  if (type === 'summary' && texts.length > 0) {
    title = { text: texts[0]!.slice(0, TITLE_MAX), fromSummary: true };
  } else if (type === 'user' && isMeta !== true && userText !== null) {
    const trimmed = userText.trim();
    // Command wrappers and system reminders start with a tag; they make poor titles.
    if (trimmed !== '' && !trimmed.startsWith('<'))
      title = { text: trimmed.slice(0, TITLE_MAX), fromSummary: false };
  }

  let text = texts.length === 0 ? null : texts.join('\n');
  // \u0002 and \u0003 mark matches in search snippets: never part of indexed text.
  if (text !== null && (text.includes('\u0002') || text.includes('\u0003')))
    text = text.replaceAll('\u0002', '').replaceAll('\u0003', '');

  const timestamp = str(record.timestamp);
  const model = str(message?.model);
  const usage = usageOf(record, message, timestamp);

  let agentLink: Entry['agentLink'] = null;
  if (type === 'progress') {
    const data = obj(record.data);
    const linkAgent = str(data?.agentId);
    const toolUseId = str(record.parentToolUseID);
    if (linkAgent !== null && toolUseId !== null) agentLink = { toolUseId, agentId: linkAgent };
  }

  return {
    line,
    raw,
    type,
    subtype: str(record.subtype),
    uuid: str(record.uuid),
    parentUuid: str(record.parentUuid),
    timestamp,
    role,
    model,
    isSidechain: bool(record.isSidechain),
    isMeta,
    text,
    title,
    session: {
      sessionUuid: str(record.sessionId),
      cwd: str(record.cwd),
      gitBranch: str(record.gitBranch),
      version: str(record.version),
      slug: str(record.slug),
    },
    toolUses,
    toolResults,
    usage,
    agentLink,
  };
}

const NULLABLE_NOT = ['sessionId', 'requestId', 'version', 'costUSD'] as const;
const VERSION = /^\d+\.\d+\.\d/;

function wholeCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

function usageOf(record: Json, message: Json | null, timestamp: string | null): Usage | null {
  if (obj(message?.usage) === null) {
    // A subagent's reply relayed in its parent's transcript (a `progress` line): counted as
    // ccusage counts it, and folded with the subagent's own line when both are there.
    const relayed = obj(obj(record.data)?.message);
    if (relayed === null || obj(relayed.message) === null) return null;
    return usageFields(relayed, obj(relayed.message), str(relayed.timestamp), true);
  }
  return usageFields(record, message, timestamp, false);
}

function usageFields(
  record: Json,
  message: Json | null,
  timestamp: string | null,
  relayed: boolean,
): Usage | null {
  const usageIn = obj(message?.usage);
  if (usageIn === null || message === null || timestamp === null) return null;
  if (Number.isNaN(Date.parse(timestamp))) return null;
  const input = wholeCount(usageIn.input_tokens);
  const output = wholeCount(usageIn.output_tokens);
  if (input === null || output === null) return null;
  for (const field of NULLABLE_NOT) if (record[field] === null) return null;
  for (const field of ['id', 'model'] as const) if (message[field] === null) return null;
  for (const field of ['cache_creation_input_tokens', 'cache_read_input_tokens'] as const)
    if (usageIn[field] === null) return null;
  const version = record.version;
  if (version !== undefined && !(typeof version === 'string' && VERSION.test(version))) return null;
  const sessionId = record.sessionId;
  const requestId = str(record.requestId);
  const messageId = str(message.id);
  const model = str(message.model);
  if (sessionId === '' || requestId === '' || messageId === '' || model === '') return null;
  const breakdown = obj(usageIn.cache_creation);
  const cost = record.costUSD;
  return {
    messageId,
    requestId,
    model: model === null || model === '<synthetic>' ? '' : model,
    at: timestamp,
    sidechain: record.isSidechain === true,
    relayed,
    inputTokens: input,
    outputTokens: output,
    cacheWrite5mTokens:
      breakdown === null
        ? count(usageIn.cache_creation_input_tokens)
        : count(breakdown.ephemeral_5m_input_tokens),
    cacheWrite1hTokens: breakdown === null ? 0 : count(breakdown.ephemeral_1h_input_tokens),
    cacheReadTokens: count(usageIn.cache_read_input_tokens),
    costUSD: typeof cost === 'number' && Number.isFinite(cost) ? cost : null,
  };
}

/** The UTC day of an ISO timestamp, or 'unknown'. */
export function dayOf(timestamp: string | null): string {
  return timestamp !== null && /^\d{4}-\d{2}-\d{2}/.test(timestamp)
    ? timestamp.slice(0, 10)
    : 'unknown';
}
