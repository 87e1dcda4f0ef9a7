import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonl } from './demo-dir.js';
import { conversation, DEMO_PROJECTS, type Line, Rng, type Subagent } from './generator.js';

export interface LiveSessionOptions {
  /** The directory of projects. */
  root: string;
  seed: number;
  /** Pause between bursts, in ms. Default [300, 1500]. */
  pauseMs?: readonly [number, number];
}

/**
 * A session that keeps going: bursts of one to four lines appended to a transcript at random
 * pauses, stamped with the current time, the way Claude Code appends while it works.
 */
export class LiveSession {
  readonly path: string;
  readonly sessionId: string;
  readonly #rng: Rng;
  readonly #lines: Generator<Line>;
  readonly #pause: readonly [number, number];
  readonly #subagentDir: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #appended = 0;

  constructor(options: LiveSessionOptions) {
    this.#rng = new Rng(options.seed);
    const project = DEMO_PROJECTS[0];
    this.sessionId = this.#rng.uuid();
    const dir = join(options.root, project.dir);
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${this.sessionId}.jsonl`);
    this.#subagentDir = join(dir, this.sessionId, 'subagents');
    this.#pause = options.pauseMs ?? [300, 1500];
    this.#lines = conversation(
      { rng: this.#rng, sessionId: this.sessionId, cwd: project.cwd, start: Date.now() },
      (subagent) => this.#writeSubagent(subagent),
    );
  }

  get appended(): number {
    return this.#appended;
  }

  start(): void {
    if (this.#timer) return;
    const step = () => {
      this.appendBurst();
      this.#timer = setTimeout(step, this.#rng.int(this.#pause[0], this.#pause[1]));
      this.#timer.unref?.();
    };
    step();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Appends the next one to four lines now. */
  appendBurst(): void {
    const burst: Line[] = [];
    for (let n = this.#rng.int(1, 4); n > 0; n--)
      burst.push(this.#now(this.#lines.next().value as Line));
    appendFileSync(this.path, toJsonl(burst));
    this.#appended += burst.length;
  }

  #now(line: Line): Line {
    return 'timestamp' in line ? { ...line, timestamp: new Date().toISOString() } : line;
  }

  #writeSubagent(subagent: Subagent): void {
    mkdirSync(this.#subagentDir, { recursive: true });
    const lines = subagent.lines.map((line) => this.#now(line));
    writeFileSync(join(this.#subagentDir, `agent-${subagent.agentId}.jsonl`), toJsonl(lines));
  }
}
