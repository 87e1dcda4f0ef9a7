/**
 * A seeded generator of Claude Code sessions for the demo: same seed, same bytes. The lines
 * follow the shapes of the real transcripts in test/fixtures (one line per content block,
 * usage repeated on each, tool results as user lines, progress and snapshot lines, Task calls
 * with a subagent transcript beside the session), with made-up but plausible content.
 */

export type Line = Record<string, unknown>;

/** mulberry32: small, fast and good enough for demo data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = seededRandom(seed);
  }

  float(): number {
    return this.#next();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.#next() < p;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.#next() * 16).toString(16);
    return out;
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  base62(length: number): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let i = 0; i < length; i++) out += chars[Math.floor(this.#next() * chars.length)];
    return out;
  }
}

export const DEMO_PROJECTS = [
  { dir: '-home-demo-projects-payments-api', cwd: '/home/demo/projects/payments-api' },
  { dir: '-home-demo-projects-web-dashboard', cwd: '/home/demo/projects/web-dashboard' },
  { dir: '-home-demo-projects-ml-pipeline', cwd: '/home/demo/projects/ml-pipeline' },
  { dir: '-home-demo-projects-infra', cwd: '/home/demo/projects/infra' },
] as const;

const MODELS = ['claude-opus-4-6', 'claude-sonnet-4-5-20250929', 'claude-opus-4-6'] as const;
/** A model the price table does not know, as real data has (new or private models). */
export const UNPRICED_MODEL = 'walkeeper-demo-model-1';
const SUBAGENT_MODEL = 'claude-haiku-4-5-20251001';
const BRANCHES = ['main', 'main', 'fix/retry-backoff', 'feat/export-csv', 'chore/deps'];
const FILES = [
  'src/server/routes.ts',
  'src/db/migrations.ts',
  'src/auth/session.ts',
  'src/billing/invoice.ts',
  'test/billing.test.ts',
  'src/components/Chart.tsx',
  'src/pipeline/train.py',
  'terraform/main.tf',
  'README.md',
  'package.json',
];
const TASKS = [
  'fix the flaky test in {file}',
  'add pagination to the list endpoint in {file}',
  'why does {file} throw on an empty input?',
  'refactor {file} so the retry logic lives in one place',
  'write tests for the edge cases in {file}',
  'the build fails after the dependency upgrade, can you look?',
  'add a CSV export next to the JSON one in {file}',
  'explain what {file} does and where it is called from',
  'rename the config option and update the docs',
  'profile the slow query behind {file}',
];
const REPLIES = [
  "I'll start by reading {file} to see how it is structured.",
  'The failure comes from an unchecked undefined in {file}; I will guard it and add a test.',
  'Found it: the retry loop never resets its backoff. Fixing that now.',
  'The tests pass now. Summary of the change: the handler validates its input first, then retries with jitter.',
  'Let me search for every caller before changing the signature.',
  'That query scans the whole table; an index on (project_id, started_at) fixes it.',
  'Done. I also updated the README section that described the old option.',
];
const THOUGHTS = [
  'The user wants a minimal change. Check the callers first, then the tests.',
  'This looks like a race between the writer and the reader; the WAL should make reads consistent.',
  'Two options: patch the symptom or move the retry into the client. The second is cleaner.',
];
const COMMANDS = ['npm test', 'git status', 'pnpm build', 'pytest -q', 'terraform plan', 'ls src'];
const TOOLS = [
  'Read',
  'Read',
  'Read',
  'Bash',
  'Bash',
  'Bash',
  'Edit',
  'Edit',
  'Grep',
  'Glob',
  'Write',
  'Task',
] as const;

export interface SessionPlan {
  rng: Rng;
  sessionId: string;
  cwd: string;
  start: number;
  /** Set for a subagent's own transcript. */
  agentId?: string;
  model?: string;
}

/** A Task call's subagent, written beside the session as `<session>/subagents/agent-<id>.jsonl`. */
export interface Subagent {
  agentId: string;
  lines: Line[];
}

/**
 * The lines of one conversation, turn after turn, for as long as the caller keeps asking
 * (the live demo session never ends). `onSubagent` receives each Task call's transcript.
 */
export function* conversation(
  plan: SessionPlan,
  onSubagent: (subagent: Subagent) => void = () => {},
): Generator<Line> {
  const { rng } = plan;
  let clock = plan.start;
  let parent: string | null = null;
  const model = plan.model ?? rng.pick(MODELS);
  const gitBranch = rng.pick(BRANCHES);
  const slug = `${rng.pick(['brave', 'quiet', 'amber', 'swift'])}-${rng.pick(['river', 'falcon', 'meadow', 'comet'])}`;
  let cacheRead = rng.int(8_000, 20_000);
  const base = (): Line => ({
    parentUuid: parent,
    isSidechain: plan.agentId !== undefined,
    userType: 'external',
    cwd: plan.cwd,
    sessionId: plan.sessionId,
    version: '2.1.39',
    gitBranch,
    ...(plan.agentId === undefined ? {} : { agentId: plan.agentId }),
  });
  const tick = (min: number, max: number) => {
    clock += rng.int(min, max);
    return new Date(clock).toISOString();
  };
  const emit = (line: Line): Line => {
    if (typeof line.uuid === 'string') parent = line.uuid;
    return line;
  };
  const fill = (template: string) => template.replace('{file}', rng.pick(FILES));

  if (plan.agentId === undefined) {
    const messageId = rng.uuid();
    yield {
      type: 'file-history-snapshot',
      messageId,
      snapshot: { messageId, trackedFileBackups: {}, timestamp: new Date(clock).toISOString() },
      isSnapshotUpdate: false,
    };
  }
  for (let turn = 0; ; turn++) {
    const prompt =
      turn === 0 && plan.agentId !== undefined
        ? 'Explore the codebase and report back.'
        : fill(rng.pick(TASKS));
    yield emit({
      ...base(),
      type: 'user',
      message: { role: 'user', content: prompt },
      uuid: rng.uuid(),
      timestamp: tick(20_000, 600_000),
      ...(turn === 0 && plan.agentId === undefined ? { permissionMode: 'default' } : {}),
    });
    const steps = rng.int(1, 6);
    for (let step = 0; step <= steps; step++) {
      const last = step === steps;
      const messageId = `msg_01${rng.base62(22)}`;
      const requestId = `req_011${rng.base62(21)}`;
      cacheRead += rng.int(500, 4000);
      const usage = {
        input_tokens: rng.int(1, 12),
        cache_creation_input_tokens: rng.int(0, 3000),
        cache_read_input_tokens: cacheRead,
        output_tokens: rng.int(20, 1500),
        service_tier: 'standard',
      };
      const blocks: Line[] = [];
      if (rng.chance(0.4))
        blocks.push({ type: 'thinking', thinking: rng.pick(THOUGHTS), signature: rng.base62(40) });
      blocks.push({ type: 'text', text: fill(rng.pick(REPLIES)) });
      let tool: (typeof TOOLS)[number] | undefined;
      let toolUseId = '';
      if (!last) {
        tool =
          plan.agentId === undefined
            ? rng.pick(TOOLS)
            : rng.pick(['Read', 'Grep', 'Glob'] as const);
        toolUseId = `toolu_01${rng.base62(22)}`;
        blocks.push({ type: 'tool_use', id: toolUseId, name: tool, input: toolInput(rng, tool) });
      }
      for (const [index, block] of blocks.entries()) {
        // Streamed: each content block is a line with the reply's usage, and the early lines
        // carry a placeholder output count (the final one comes with the last block).
        const streamed =
          index === blocks.length - 1 ? usage : { ...usage, output_tokens: rng.int(1, 9) };
        yield emit({
          ...base(),
          message: {
            model,
            id: messageId,
            type: 'message',
            role: 'assistant',
            content: [block],
            stop_reason: null,
            stop_sequence: null,
            usage: streamed,
          },
          requestId,
          type: 'assistant',
          uuid: rng.uuid(),
          timestamp: tick(300, 4000),
        });
      }
      if (tool === undefined) continue;
      const toolUseUuid = parent;
      let agentId: string | undefined;
      if (tool === 'Task') {
        agentId = rng.hex(7);
        const lines: Line[] = [];
        const length = rng.int(8, 20);
        const sub = { rng, sessionId: plan.sessionId, cwd: plan.cwd, start: clock, agentId };
        for (const line of conversation({ ...sub, model: SUBAGENT_MODEL })) {
          lines.push(line);
          if (lines.length >= length) break;
        }
        onSubagent({ agentId, lines });
        for (let i = 0; i < 3; i++) {
          yield emit({
            ...base(),
            type: 'progress',
            data: {
              type: 'agent_progress',
              agentId,
              prompt: 'Explore the codebase and report back.',
            },
            toolUseID: `agent_${messageId}`,
            parentToolUseID: toolUseId,
            uuid: rng.uuid(),
            timestamp: tick(1000, 20_000),
          });
        }
      } else if (tool === 'Bash') {
        yield emit({
          ...base(),
          type: 'progress',
          data: { type: 'bash_progress', output: 'running…', elapsedTimeSeconds: rng.int(1, 30) },
          toolUseID: `bash-progress-${step}`,
          parentToolUseID: toolUseId,
          uuid: rng.uuid(),
          timestamp: tick(500, 5000),
        });
      }
      const isError = rng.chance(0.06);
      const output = isError
        ? 'Error: command exited with code 1'
        : tool === 'Read'
          ? `     1\texport function handler(input) {\n     2\t  return validate(input);\n     3\t}\n`
          : 'ok';
      yield emit({
        ...base(),
        type: 'user',
        message: {
          role: 'user',
          content: [
            { tool_use_id: toolUseId, type: 'tool_result', content: output, is_error: isError },
          ],
        },
        uuid: rng.uuid(),
        timestamp: tick(200, tool === 'Task' ? 90_000 : 15_000),
        toolUseResult:
          agentId === undefined
            ? { stdout: output, stderr: '', interrupted: false }
            : { status: 'completed', agentId, totalTokens: rng.int(5_000, 40_000) },
        sourceToolAssistantUUID: toolUseUuid,
      });
    }
    if (plan.agentId === undefined) {
      yield emit({
        ...base(),
        slug,
        type: 'system',
        subtype: 'turn_duration',
        durationMs: rng.int(5_000, 400_000),
        timestamp: tick(10, 200),
        uuid: rng.uuid(),
        isMeta: false,
      });
    }
  }
}

function toolInput(rng: Rng, tool: string): Line {
  switch (tool) {
    case 'Bash':
      return { command: rng.pick(COMMANDS), description: 'Run a command' };
    case 'Edit':
      return {
        file_path: rng.pick(FILES),
        old_string: 'retry(3)',
        new_string: 'retry({ attempts: 3 })',
      };
    case 'Write':
      return { file_path: rng.pick(FILES), content: '// generated\n'.repeat(rng.int(1, 40)) };
    case 'Grep':
      return { pattern: rng.pick(['TODO', 'retry', 'handler', 'SELECT']), path: 'src' };
    case 'Glob':
      return { pattern: '**/*.ts' };
    case 'Task':
      return {
        description: 'Explore the codebase',
        prompt: 'Explore the codebase and report back.',
        subagent_type: 'Explore',
      };
    default:
      return { file_path: rng.pick(FILES) };
  }
}

export interface GeneratedSession {
  projectDir: string;
  sessionId: string;
  lines: Line[];
  subagents: Subagent[];
}

/**
 * `count` finished sessions spread over the projects and the weeks before `end`. As real
 * data has them: about one in six is resumed (a new session file under a new id that starts
 * with a copy of an earlier session's lines, then goes on), one in ten runs on a model the
 * price table does not know, and some subagents replay their parent's last reply under a new
 * request id (a sidechain copy, not a call of its own).
 */
export function* generateSessions(options: {
  seed: number;
  count: number;
  end: number;
}): Generator<GeneratedSession> {
  const rng = new Rng(options.seed);
  const span = 28 * 86_400_000;
  let previous: GeneratedSession | undefined;
  for (let i = 0; i < options.count; i++) {
    const project = rng.pick(DEMO_PROJECTS);
    const sessionId = rng.uuid();
    const subagents: Subagent[] = [];
    const lines: Line[] = [];
    let start = options.end - span + Math.floor((span * i) / options.count);
    const resumed = previous !== undefined && rng.chance(1 / 6) ? previous : undefined;
    if (resumed !== undefined) {
      // Claude Code copies the history, ids, usage and times, under the new sessionId.
      for (const line of resumed.lines) {
        if (line.type === 'file-history-snapshot') continue;
        lines.push({ ...line, sessionId });
      }
      const last = resumed.lines.at(-1)?.timestamp;
      if (typeof last === 'string') start = Math.max(start, Date.parse(last) + 60_000);
    }
    const cwd = resumed === undefined ? project.cwd : String(resumed.lines[1]?.cwd ?? project.cwd);
    const model = rng.chance(0.1) ? UNPRICED_MODEL : undefined;
    const turns = rng.int(1, 8);
    let seen = 0;
    let lastReply: Line | undefined;
    for (const line of conversation(
      { rng, sessionId, cwd, start, ...(model === undefined ? {} : { model }) },
      (s) => {
        if (lastReply !== undefined && rng.chance(0.3))
          s.lines.unshift(sidechainCopy(lastReply, s.agentId, rng));
        subagents.push(s);
      },
    )) {
      if (line.type === 'assistant') lastReply = line;
      if (line.type === 'system' && ++seen >= turns) {
        lines.push(line);
        break;
      }
      lines.push(line);
    }
    const session = {
      projectDir: resumed?.projectDir ?? project.dir,
      sessionId,
      lines,
      subagents,
    };
    previous = session;
    yield session;
  }
}

/** A subagent's replay of its parent's reply: same message id, new request id, a sidechain. */
function sidechainCopy(reply: Line, agentId: string, rng: Rng): Line {
  return {
    ...reply,
    isSidechain: true,
    agentId,
    requestId: `req_011${rng.base62(21)}`,
    uuid: rng.uuid(),
  };
}
