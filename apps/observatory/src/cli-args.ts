import { statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from './observatory.js';

export interface CliOptions {
  /** Undefined: the demo (a generated data directory and a live session). */
  dir: string | undefined;
  demoDir: string;
  database: string;
  host: string;
  /** Host names answered to besides the loopback names and `host`. */
  allowHosts: string[];
  port: number;
  sessions: number;
  seed: number;
  live: boolean;
  /** Scan, query the API once, print what it said and exit: a start-up check. */
  smoke: boolean;
  help: boolean;
}

export const USAGE = `walkeeper observatory: Claude Code transcripts into SQLite, with a query API

  pnpm start                                  the demo: generated sessions plus a live one
  pnpm start -- --dir ~/.claude/projects      your own transcripts, watched

Options
  --dir <path>       a directory of Claude Code projects (or one project) to ingest and watch
  --db <path>        the database (default: in the demo directory; with --dir,
                     ~/.local/state/walkeeper-observatory/observatory.db)
  --host <address>   default 127.0.0.1 (the API shows transcripts: keep it local)
  --allow-host <name>
                     also answer to this host name (repeatable; e.g. a proxy's): any other
                     Host header gets a 403, against DNS rebinding
  --port <n>         default ${DEFAULT_PORT}; 0 picks a free port
  --sessions <n>     demo: generated sessions on top of the fixtures (default 150)
  --seed <n>         demo: the generator's seed (default 1)
  --demo-dir <path>  demo: where its data goes (default: <tmp>/walkeeper-observatory-demo)
  --no-live          demo: no live session appending lines
  --smoke            scan, ask the API once, print the answer and exit
  -h, --help         this text`;

export class UsageError extends Error {}

/**
 * A path as the user meant it: `~` is the home directory, and a relative path is relative to
 * where they typed the command (pnpm runs scripts in the package's directory but says where
 * it was invoked in INIT_CWD).
 */
export function userPath(path: string): string {
  const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  return resolve(process.env.INIT_CWD ?? process.cwd(), expanded);
}

function integer(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not '${value}'`);
  return number;
}

const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.?)+$|^\[?[0-9a-f:.]+\]?$/i;

function hostNameArg(name: string): string {
  if (!HOST_NAME.test(name))
    throw new UsageError(`--allow-host must be a host name or an address, not '${name}'`);
  return name;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const dir = values.dir === undefined ? undefined : userPath(values.dir);
  if (dir !== undefined && !statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`--dir ${values.dir}: no such directory`);
  const demoDir = userPath(values['demo-dir'] ?? join(tmpdir(), 'walkeeper-observatory-demo'));
  const stateDir = join(homedir(), '.local', 'state', 'walkeeper-observatory');
  const database = userPath(
    values.db ??
      (dir === undefined ? join(demoDir, 'observatory.db') : join(stateDir, 'observatory.db')),
  );
  return {
    dir,
    demoDir,
    database,
    host: values.host ?? '127.0.0.1',
    allowHosts: (values['allow-host'] ?? []).map(hostNameArg),
    port: integer('port', values.port, 0, 65535, DEFAULT_PORT),
    sessions: integer('sessions', values.sessions, 0, 100_000, 150),
    seed: integer('seed', values.seed, 0, 2 ** 31 - 1, 1),
    live: !values['no-live'],
    smoke: values.smoke ?? false,
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  // pnpm passes the `--` of `pnpm start -- --dir x` through: it separates nothing here.
  const args = argv.filter((arg) => arg !== '--');
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      dir: { type: 'string' },
      db: { type: 'string' },
      host: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      port: { type: 'string' },
      sessions: { type: 'string' },
      seed: { type: 'string' },
      'demo-dir': { type: 'string' },
      'no-live': { type: 'boolean' },
      smoke: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
