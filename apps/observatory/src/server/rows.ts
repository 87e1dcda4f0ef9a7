/** Rows as the catalog's queries return them, and their JSON shapes. */

export interface SessionRow {
  id: number;
  key: string;
  project_id: number;
  agent_id: string | null;
  title: string | null;
  cwd: string | null;
  git_branch: string | null;
  version: string | null;
  slug: string | null;
  started_at: string;
  last_at: string;
  message_count: number;
  user_count: number;
  assistant_count: number;
  tool_call_count: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
}

export function sessionJson(row: SessionRow) {
  return {
    id: row.key,
    projectId: row.project_id,
    agentId: row.agent_id,
    title: row.title,
    cwd: row.cwd,
    gitBranch: row.git_branch,
    version: row.version,
    slug: row.slug,
    startedAt: row.started_at || null,
    lastAt: row.last_at || null,
    messages: row.message_count,
    userMessages: row.user_count,
    assistantMessages: row.assistant_count,
    toolCalls: row.tool_call_count,
    tokens: {
      input: row.input_tokens,
      output: row.output_tokens,
      cacheCreation: row.cache_creation_tokens,
      cacheRead: row.cache_read_tokens,
    },
  };
}

export interface MessageRow {
  line: number;
  type: string;
  subtype: string | null;
  uuid: string | null;
  parent_uuid: string | null;
  timestamp: string | null;
  role: string | null;
  model: string | null;
  is_sidechain: number | null;
  is_meta: number | null;
  text: string | null;
  raw?: string;
}

function flag(value: number | null): boolean | null {
  return value === null ? null : value !== 0;
}

export function messageJson(row: MessageRow) {
  return {
    line: row.line,
    type: row.type,
    subtype: row.subtype,
    uuid: row.uuid,
    parentUuid: row.parent_uuid,
    timestamp: row.timestamp,
    role: row.role,
    model: row.model,
    isSidechain: flag(row.is_sidechain),
    isMeta: flag(row.is_meta),
    text: row.text,
    // The whole line as Claude Code wrote it: content blocks, usage, fields unknown here.
    ...(row.raw === undefined ? {} : { entry: JSON.parse(row.raw) as unknown }),
  };
}

export interface SnippetSegment {
  text: string;
  match: boolean;
}

/**
 * FTS5's snippet, marked with \u0002 and \u0003 (never in indexed text), as segments: the
 * client highlights `match` segments itself, so no markup from a transcript is ever trusted.
 */
export function snippetSegments(snippet: string): SnippetSegment[] {
  const segments: SnippetSegment[] = [];
  for (const part of snippet.split('\u0002')) {
    const end = part.indexOf('\u0003');
    if (end < 0) {
      if (part !== '') segments.push({ text: part, match: false });
      continue;
    }
    if (end > 0) segments.push({ text: part.slice(0, end), match: true });
    const rest = part.slice(end + 1);
    if (rest !== '') segments.push({ text: rest, match: false });
  }
  return segments;
}
