import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bunBinary, newApp, npmInstall, type Run, removeApps, run } from './app.js';
import { importedPackages, installLines, packageName, tsBlocks } from './readmes.js';
import { type PackedPackage, pack, packedFile, publishedDirectories, ROOT } from './workspace.js';

const REPOSITORY = 'https://github.com/walkeeper/walkeeper';

type Runtime = 'node' | 'bun';

interface Example {
  readme: string;
  block: number;
  /** Why the block is not run, when it is not. */
  skip?: string;
  runtime?: Runtime;
  /** Run in the directory of this earlier example, whose database it reads. */
  runsIn?: string;
  /** What a run prints: exactly, or matching every pattern (durations vary). */
  prints: string | RegExp | RegExp[];
}

/** Every ```ts block of every README, and what running it prints (each runs twice). */
const EXAMPLES: Record<string, Example> = {
  root: { readme: 'README.md', block: 0, prints: 'hello\n1 { n: 1 } { top: 1 } ok\n' },
  'root-writes': { readme: 'README.md', block: 1, prints: '99 1\n198\n' },
  'driver-node-sqlite': {
    readme: 'packages/driver-node-sqlite/README.md',
    block: 0,
    skip: 'node:sqlite needs Node 22.16 or later, and the packed app runs on the workspace Node 20; its own test runs this example under Node 24',
    prints: '',
  },
  kysely: {
    readme: 'packages/kysely/README.md',
    block: 0,
    prints: "10\n{ body: 'note 0' }\n",
  },
  core: {
    readme: 'packages/core/README.md',
    block: 0,
    prints: [/^\[ \{ v: 'hello' \} \]\n/, /mode: 'PASSIVE'/, /busy: false/],
  },
  'core-driver-suite': {
    readme: 'packages/core/README.md',
    block: 1,
    skip: "the test file of the reader's own driver, which it imports from ../src",
    prints: '',
  },
  'driver-better-sqlite3': {
    readme: 'packages/driver-better-sqlite3/README.md',
    block: 0,
    prints: 'wal\n[ { answer: 42 } ]\n',
  },
  'driver-bun': {
    readme: 'packages/driver-bun/README.md',
    block: 0,
    runtime: 'bun',
    prints: [/answer: 42/],
  },
  strategies: {
    readme: 'packages/strategies/README.md',
    block: 0,
    prints: [/running: true/, /strategy: 'sizeCapped'/],
  },
  'strategies-custom': { readme: 'packages/strategies/README.md', block: 1, prints: '' },
  migrations: {
    readme: 'packages/migrations/README.md',
    block: 0,
    prints: "[ '1 applied', '2 applied' ]\n2 true\ndown [ 2, 1 ]\n",
  },
  'migrations-objects': {
    readme: 'packages/migrations/README.md',
    block: 1,
    skip: 'the shape of migrations as objects, with the rebuildNotes function left to the reader',
    prints: '',
  },
  otel: {
    readme: 'packages/otel/README.md',
    block: 0,
    prints: [/name: 'db\.client\.operation\.duration'/, /name: 'sqlite\.checkpoint\.count'/],
  },
  'otel-prometheus': {
    readme: 'packages/otel/README.md',
    block: 1,
    skip: "serves /metrics on a port until stopped; otel's own README test runs it and scrapes it",
    prints: '',
  },
  history: {
    readme: 'packages/history/README.md',
    block: 0,
    prints: [/minBytes: \d+/, /PASSIVE: \{\s+complete: 1,/],
  },
  cli: {
    readme: 'packages/cli/README.md',
    block: 0,
    runsIn: 'root',
    // No connection is open, so there is no -shm to count frames from.
    prints: 'wal 0 undefined\nok\ntrue pass\n',
  },
};

const README_PATHS = ['README.md', ...publishedDirectories().map((dir) => `${dir}/README.md`)];
const runnable = Object.entries(EXAMPLES).filter(([, example]) => example.skip === undefined);

/** A user's app: installed from READMEs' install lines, with their examples in src/. */
interface App {
  dir: string;
  /** `tsc -p` under nodenext (which also emits the examples for Node to run) and bundler. */
  checks: { nodenext: Run; bundler: Run };
}

let packed: PackedPackage[];
/** A Node app, installed with every README's install line but driver-bun's. */
let nodeApp: App;
/** A Bun app, installed with driver-bun's install line (Bun's types clash with Node 20's). */
let bunApp: App;

function tarballOf(name: string): string {
  const found = packed.find((p) => p.manifest.name === name);
  if (found === undefined) throw new Error(`${name} is not a published package`);
  return found.tarball;
}

function tsc(dir: string, project: string): Promise<Run> {
  return run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', project], dir);
}

function tsconfig(compilerOptions: Record<string, unknown>): string {
  const strict = { strict: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2023'] };
  const config = { compilerOptions: { ...strict, ...compilerOptions }, include: ['src'] };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * A new app outside the repository with what `readmes` tell a user to install (this
 * repository's packages from their tarballs) and TypeScript, and the `runtime`'s examples.
 */
async function makeApp(
  prefix: string,
  readmes: string[],
  tools: string[],
  runtime: Runtime,
): Promise<App> {
  const dir = newApp(prefix);
  const specs = readmes.flatMap((path) => installLines(path).flatMap((line) => line.specs));
  const typescript = createRequire(import.meta.url)('typescript/package.json') as {
    version: string;
  };
  await npmInstall(dir, [
    ...new Set([
      ...specs.map((spec) =>
        spec.startsWith('@walkeeper/') ? tarballOf(packageName(spec)) : spec,
      ),
      `typescript@${typescript.version}`,
      ...tools,
    ]),
  ]);
  mkdirSync(join(dir, 'src'));
  for (const [id, example] of runnable) {
    if ((example.runtime ?? 'node') !== runtime) continue;
    writeFileSync(join(dir, 'src', `${id}.ts`), tsBlocks(example.readme)[example.block]!);
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', outDir: 'dist' }),
  );
  writeFileSync(
    join(dir, 'tsconfig.bundler.json'),
    tsconfig({ module: 'preserve', moduleResolution: 'bundler', noEmit: true }),
  );
  const [nodenext, bundler] = await Promise.all([
    tsc(dir, 'tsconfig.json'),
    tsc(dir, 'tsconfig.bundler.json'),
  ]);
  return { dir, checks: { nodenext, bundler } };
}

beforeAll(async () => {
  const tarballs = newApp('tarballs');
  packed = publishedDirectories().map((directory) => pack(directory, tarballs));
  const bunReadme = 'packages/driver-bun/README.md';
  const nodeReadmes = README_PATHS.filter((path) => path !== bunReadme);
  [nodeApp, bunApp] = await Promise.all([
    makeApp('app', nodeReadmes, ['@types/node@^20'], 'node'),
    makeApp('bun-app', [bunReadme], [], 'bun'),
  ]);
});

afterAll(removeApps);

describe('the tarballs', () => {
  test('every published package is packed with the LICENSE, its README and no sources', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n/);
    for (const p of packed) {
      expect(p.files, p.manifest.name).toEqual(
        expect.arrayContaining(['LICENSE', 'README.md', 'package.json']),
      );
      expect(packedFile(p, 'LICENSE'), p.manifest.name).toBe(license);
      expect(p.files.filter((file) => /^(src|test)\//.test(file))).toEqual([]);
    }
  });

  test('one version line, ranges a publish satisfies, and the metadata npm shows', async () => {
    const versions = new Set(packed.map((p) => p.manifest.version));
    expect(versions.size).toBe(1);
    const [version] = versions;
    expect(version).not.toBe('0.0.0');
    for (const p of packed) {
      const { manifest } = p;
      expect(JSON.stringify(manifest)).not.toMatch(/workspace:|\^0\.0\.0/);
      expect(manifest).toMatchObject({
        license: 'MIT',
        repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: p.directory },
        homepage: `${REPOSITORY}/tree/main/${p.directory}#readme`,
        bugs: { url: `${REPOSITORY}/issues` },
        engines: expect.any(Object),
      });
    }
    // npm resolved every range (peers too) to the packed packages: `npm ls` exits 1 otherwise.
    for (const app of [nodeApp, bunApp]) {
      const tree = await run('npm', ['ls', '--all'], app.dir);
      expect(tree.stderr, app.dir).toBe('');
      expect(tree.code, app.dir).toBe(0);
    }
  });
});

describe('the READMEs', () => {
  test('every ts block is listed here: run, or skipped with a reason', () => {
    for (const path of README_PATHS) {
      const listed = Object.values(EXAMPLES).filter((example) => example.readme === path);
      expect(listed.map((example) => example.block).sort(), path).toEqual(
        tsBlocks(path).map((_, i) => i),
      );
    }
  });

  test('each install line names everything its examples import', () => {
    for (const path of README_PATHS) {
      const blocks = runnable.filter(([, example]) => example.readme === path);
      if (blocks.length === 0) continue;
      const installed = installLines(path).flatMap((line) => line.specs.map(packageName));
      const imported = blocks.flatMap(([, e]) => importedPackages(tsBlocks(path)[e.block]!));
      expect(
        imported.filter((name) => !installed.includes(name)),
        path,
      ).toEqual([]);
    }
  });

  test('links work from npm: absolute, or anchors in the same page', () => {
    for (const p of packed) {
      const links = [...packedFile(p, 'README.md').matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
      expect(
        links.filter((link) => !/^(https:\/\/|#)/.test(link)),
        p.manifest.name,
      ).toEqual([]);
    }
  });

  test('the examples type-check: strict, skipLibCheck off, nodenext and bundler', () => {
    for (const app of [nodeApp, bunApp]) {
      for (const [project, check] of Object.entries(app.checks)) {
        expect(check.stdout, `${app.dir}: ${project}`).toBe('');
        expect(check.code, `${app.dir}: ${project}`).toBe(0);
      }
    }
  });

  test.each(runnable)(
    '%s: runs, exits and prints what it says, twice over',
    async (id, example) => {
      const { dir } = example.runtime === 'bun' ? bunApp : nodeApp;
      const cwd = join(dir, 'runs', example.runsIn ?? id);
      mkdirSync(cwd, { recursive: true });
      for (const attempt of [1, 2]) {
        const result =
          example.runtime === 'bun'
            ? await run(bunBinary(), [join(dir, 'src', `${id}.ts`)], cwd)
            : await run(process.execPath, [join(dir, 'dist', `${id}.js`)], cwd);
        expect(result.stderr, `run ${attempt}`).toBe('');
        expect(result.code, `run ${attempt}`).toBe(0);
        const { prints } = example;
        if (typeof prints === 'string') expect(result.stdout, `run ${attempt}`).toBe(prints);
        else
          for (const pattern of [prints].flat())
            expect(result.stdout, `run ${attempt}`).toMatch(pattern);
      }
    },
  );
});

describe('as a user meets them', () => {
  test('under Node, @walkeeper/driver-bun says it needs Bun', async () => {
    // The Bun app has the package installed; this time Node runs it.
    const script = join(bunApp.dir, 'driver-bun-on-node.mjs');
    writeFileSync(
      script,
      `import { bunSqlite } from '@walkeeper/driver-bun';
try { bunSqlite(); } catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }
`,
    );
    const result = await run(process.execPath, [script], bunApp.dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'WalkeeperError',
      code: 'E_DRIVER_UNAVAILABLE',
      message: expect.stringMatching(/^@walkeeper\/driver-bun runs under Bun only/),
    });
  });

  test('the CLI, installed alone from its tarball: walkeeper --version and status', async () => {
    const cli = packed.find((p) => p.manifest.name === '@walkeeper/cli')!;
    // The CLI with its dependencies: the packed ones from their tarballs, the rest from npm.
    const needed = new Set<string>();
    const visit = (p: PackedPackage) => {
      for (const name of Object.keys(p.manifest.dependencies ?? {})) {
        const dependency = packed.find((q) => q.manifest.name === name);
        if (dependency !== undefined && !needed.has(name)) {
          needed.add(name);
          visit(dependency);
        }
      }
    };
    visit(cli);
    const dir = newApp('cli');
    await npmInstall(dir, [cli.tarball, ...[...needed].map(tarballOf)]);
    const walkeeper = join(dir, 'node_modules', '.bin', 'walkeeper');

    const version = await run(walkeeper, ['--version'], dir);
    expect(version).toMatchObject({ code: 0, stdout: `${cli.manifest.version}\n`, stderr: '' });

    // The database the root README's example left behind (it ran before this test).
    const database = join(nodeApp.dir, 'runs', 'root', 'app.db');
    const status = await run(walkeeper, ['status', database], dir);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^ {2}journal mode {4}wal$/m);
    expect(status.stdout).toMatch(/^health: ok$/m);
  });

  test('the CLI as its README installs it: npx walkeeper status app.db', async () => {
    const cwd = join(nodeApp.dir, 'runs', 'root');
    const status = await run('npx', ['--no-install', 'walkeeper', 'status', 'app.db'], cwd);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^health: ok$/m);
  });
});
