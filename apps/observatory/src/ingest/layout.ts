import { basename, relative, sep } from 'node:path';

/** Where a transcript file sits in Claude Code's layout, and so what it is. */
export interface TranscriptLocation {
  /** The project directory's name (Claude Code's encoded project path). */
  projectDir: string;
  /** The API's session id: the file name, or `<parent>:<agent file name>` for a subagent. */
  sessionKey: string;
  /** For a subagent transcript: the parent session's key and the agent id. */
  parent?: { sessionKey: string; agentId: string };
}

const JSONL = '.jsonl';

/**
 * Reads a transcript's place from its path under `root`. The root is either the directory
 * of projects (`~/.claude/projects`) or one project directory:
 *
 * - `<project>/<session>.jsonl` (or `<session>.jsonl` in a project root): a main session;
 * - `<project>/<session>/subagents/agent-<id>.jsonl`: a subagent of that session.
 *
 * Anything else (other depths, other names) is not a transcript: undefined.
 */
export function locateTranscript(root: string, file: string): TranscriptLocation | undefined {
  if (!file.endsWith(JSONL)) return undefined;
  const parts = relative(root, file).split(sep);
  if (parts.some((part) => part === '..' || part === '')) return undefined;
  const rootName = basename(root);
  const name = parts.at(-1)!.slice(0, -JSONL.length);
  if (name === '') return undefined;
  if (parts.length === 1) return { projectDir: rootName, sessionKey: name };
  if (parts.length === 2) return { projectDir: parts[0]!, sessionKey: name };
  const subagent = (project: string, parent: string) => {
    if (!name.startsWith('agent-') || name.length === 'agent-'.length) return undefined;
    return {
      projectDir: project,
      sessionKey: `${parent}:${name}`,
      parent: { sessionKey: parent, agentId: name.slice('agent-'.length) },
    };
  };
  if (parts.length === 3 && parts[1] === 'subagents') return subagent(rootName, parts[0]!);
  if (parts.length === 4 && parts[2] === 'subagents') return subagent(parts[0]!, parts[1]!);
  return undefined;
}

/** How deep a watcher must look below the root for every layout above. */
export const TRANSCRIPT_DEPTH = 3;
