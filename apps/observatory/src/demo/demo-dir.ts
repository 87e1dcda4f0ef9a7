import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSessions, type Line } from './generator.js';

/** The real, sanitised transcripts (MIT, see LICENSE there) the demo starts from. */
export const FIXTURES_DIR = fileURLToPath(
  new URL('../../test/fixtures/claude-code/', import.meta.url),
);
/** The fixtures' own project: the directory Claude Code would have put them in. */
export const FIXTURE_PROJECT = '-home-USER-projects-spotter';

export interface DemoDirOptions {
  seed: number;
  /** Generated sessions on top of the fixtures. */
  sessions: number;
  /** The generated sessions end by this time. Default: now. */
  end?: number;
}

export interface DemoDir {
  /** The directory of projects, laid out like `~/.claude/projects`. */
  root: string;
  files: number;
}

export function toJsonl(lines: readonly Line[]): string {
  return lines.length === 0 ? '' : `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** Writes generated sessions (and their subagents) under `root` as Claude Code lays them out. */
export async function writeGeneratedSessions(
  root: string,
  options: { seed: number; sessions: number; end: number },
): Promise<number> {
  let files = 0;
  for (const session of generateSessions({
    seed: options.seed,
    count: options.sessions,
    end: options.end,
  })) {
    const project = join(root, session.projectDir);
    await mkdir(project, { recursive: true });
    await writeFile(join(project, `${session.sessionId}.jsonl`), toJsonl(session.lines));
    files++;
    if (session.subagents.length === 0) continue;
    const subagents = join(project, session.sessionId, 'subagents');
    await mkdir(subagents, { recursive: true });
    for (const subagent of session.subagents) {
      await writeFile(join(subagents, `agent-${subagent.agentId}.jsonl`), toJsonl(subagent.lines));
      files++;
    }
  }
  return files;
}

/** Builds a fresh demo data directory: the fixtures plus `sessions` generated sessions. */
export async function buildDemoDir(dir: string, options: DemoDirOptions): Promise<DemoDir> {
  const root = join(dir, 'projects');
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await cp(FIXTURES_DIR, join(root, FIXTURE_PROJECT), { recursive: true });
  const files = await writeGeneratedSessions(root, {
    seed: options.seed,
    sessions: options.sessions,
    end: options.end ?? Date.now(),
  });
  return { root, files };
}
