import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/writer.mjs', import.meta.url));

export interface WriterStats {
  writes: number;
  p99Ms: number;
  walMax: number;
  /** RESTART, TRUNCATE and FULL checkpoints attempted, and commits held at the cap. */
  resets: number;
  owner: string | undefined;
  reasons: string[];
}

/** The application process: walkeeper's default strategy and a paced writer. */
export class WriterProcess {
  readonly #process: ChildProcess;
  #buffer = '';
  #stderr = '';
  #lastAck = 0;
  #stats: WriterStats | undefined;
  readonly #exited: Promise<void>;
  readonly #ready: Promise<void>;

  constructor(path: string) {
    this.#process = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let ready: () => void;
    this.#ready = new Promise((resolve) => (ready = resolve));
    this.#process.stdout?.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString();
      const lines = this.#buffer.split('\n');
      this.#buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') ready();
        else if (line.startsWith('ack ')) this.#lastAck = Number(line.slice(4));
        else if (line.startsWith('stats ')) this.#stats = JSON.parse(line.slice(6)) as WriterStats;
      }
    });
    this.#process.stderr?.on('data', (chunk) => (this.#stderr += chunk));
    this.#exited = new Promise((resolve) => this.#process.once('exit', () => resolve()));
  }

  ready(): Promise<void> {
    return Promise.race([
      this.#ready,
      this.#exited.then(() => {
        throw new Error(`the writer exited before it was ready:\n${this.#stderr}`);
      }),
    ]);
  }

  /** The highest row id whose commit returned. */
  get lastAck(): number {
    return this.#lastAck;
  }

  get stats(): WriterStats | undefined {
    return this.#stats;
  }

  get stderr(): string {
    return this.#stderr;
  }

  async kill(): Promise<void> {
    this.#process.kill('SIGKILL');
    await this.#exited;
  }

  async stop(): Promise<void> {
    this.#process.kill('SIGTERM');
    await this.#exited;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
