import { chmodSync, copyFileSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isWalkeeperError,
  openWalkeeper,
  type WalkeeperErrorCode,
  type WalkeeperOptions,
} from '@walkeeper/core';
import { type MigrationDefinition, migrate, migrations } from '@walkeeper/migrations';
import {
  conversationWorkload,
  external,
  highConcurrency,
  lowLatency,
  sizeCapped,
  tiered,
} from '@walkeeper/strategies';
import { stageForUnprivileged, type UnprivilegedStage } from '@walkeeper/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addFrames, type LiveDatabase, liveCopy, liveDatabase } from './databases.js';
import {
  caught,
  diskState,
  driver,
  driverModule,
  exited,
  fixture,
  newDir,
  newPath,
  nextMessage,
  packageDir,
  removeTempDirs,
  spawnFixture,
} from './support.js';

/**
 * The bad-input catalogue: everything a user, a file system or another process can hand
 * walkeeper that it must refuse. Each case asserts the WalkeeperError code AND that the
 * database and its -wal are byte for byte what they were (sha256 before and after), with
 * committed frames in the -wal wherever there can be some, so "unchanged" means something.
 * tests/integration/test/open-failures.test.ts checks messages and that a refused open
 * creates nothing; this file is the complete list, on databases that hold data.
 */

afterAll(removeTempDirs);

/** Runs `attempt` against `path` and checks the code, and that nothing on disk changed. */
async function expectRefused(
  path: string,
  code: WalkeeperErrorCode,
  attempt: () => unknown,
): Promise<void> {
  const before = diskState(path);
  const error = await caught(attempt);
  expect(isWalkeeperError(error), String(error.message)).toBe(true);
  expect(error.code, error.message).toBe(code);
  expect(diskState(path)).toEqual(before);
}

/** The same, on a live database (frames in its -wal), closing its keeper afterwards. */
async function expectRefusedLive(
  live: LiveDatabase,
  code: WalkeeperErrorCode,
  attempt: (path: string) => unknown,
): Promise<void> {
  try {
    expect(diskState(live.path).wal, 'the case starts with frames in the -wal').toBeDefined();
    await expectRefused(live.path, code, () => attempt(live.path));
  } finally {
    live.keeper.close();
  }
}

type Overrides = () => Record<string, unknown>;
const INJECTION = 'NORMAL; DROP TABLE notes; --';

/** Options out of range or of the wrong type, and names and values that try to inject SQL. */
const optionCases: [string, Overrides, WalkeeperErrorCode][] = [
  ['path of the wrong type', () => ({ path: 42 }), 'E_CONFIG'],
  ['empty path', () => ({ path: '' }), 'E_CONFIG'],
  ['in-memory path', () => ({ path: ':memory:' }), 'E_CONFIG'],
  ['URI path', () => ({ path: 'file:test.db?mode=rwc' }), 'E_CONFIG'],
  ['path with a NUL byte', () => ({ path: 'test.db\0-evil' }), 'E_CONFIG'],
  ['no driver', () => ({ driver: undefined }), 'E_CONFIG'],
  ['a driver that is not one', () => ({ driver: { open: 'yes' } }), 'E_CONFIG'],
  [
    'driver of a future specification',
    () => ({ driver: { ...driver, specificationVersion: 'v2' } }),
    'E_CONFIG',
  ],
  ['unknown preset', () => ({ preset: 'fast' }), 'E_CONFIG'],
  ['unknown top-level option', () => ({ journalMode: 'DELETE' }), 'E_CONFIG'],
  ['pragmas as a string', () => ({ pragmas: 'synchronous=OFF' }), 'E_CONFIG'],
  ['pragmas as an array', () => ({ pragmas: [['synchronous', 'OFF']] }), 'E_CONFIG'],
  ['unknown pragma name', () => ({ pragmas: { journalMode: 'DELETE' } }), 'E_CONFIG'],
  [
    'SQLite pragma name instead of the option name',
    () => ({ pragmas: { busy_timeout: 10 } }),
    'E_CONFIG',
  ],
  [
    'pragma name injecting SQL',
    () => ({ pragmas: { 'synchronous = OFF; DROP TABLE notes; --': 1 } }),
    'E_CONFIG',
  ],
  [
    'pragma name injecting a second pragma',
    () => ({ pragmas: { 'journal_mode = DELETE': true } }),
    'E_CONFIG',
  ],
  ['synchronous out of its enum', () => ({ pragmas: { synchronous: 'SLOW' } }), 'E_CONFIG'],
  ['synchronous as a number', () => ({ pragmas: { synchronous: 1 } }), 'E_CONFIG'],
  ['synchronous injecting SQL', () => ({ pragmas: { synchronous: INJECTION } }), 'E_CONFIG'],
  ['busyTimeout negative', () => ({ pragmas: { busyTimeout: -1 } }), 'E_CONFIG'],
  ['busyTimeout fractional', () => ({ pragmas: { busyTimeout: 1.5 } }), 'E_CONFIG'],
  ['busyTimeout past 32 bits', () => ({ pragmas: { busyTimeout: 2 ** 31 } }), 'E_CONFIG'],
  ['busyTimeout as a numeric string', () => ({ pragmas: { busyTimeout: '5000' } }), 'E_CONFIG'],
  [
    'busyTimeout injecting SQL',
    () => ({ pragmas: { busyTimeout: '1; DROP TABLE notes' } }),
    'E_CONFIG',
  ],
  ['busyTimeout as a bigint', () => ({ pragmas: { busyTimeout: 5000n } }), 'E_CONFIG'],
  ['journalSizeLimit below -1', () => ({ pragmas: { journalSizeLimit: -2 } }), 'E_CONFIG'],
  ['cacheSize NaN', () => ({ pragmas: { cacheSize: Number.NaN } }), 'E_CONFIG'],
  ['mmapSize past 1 TiB', () => ({ pragmas: { mmapSize: 2 ** 41 } }), 'E_CONFIG'],
  ['tempStore unknown', () => ({ pragmas: { tempStore: 'RAM' } }), 'E_CONFIG'],
  ['autoVacuum injecting SQL', () => ({ pragmas: { autoVacuum: 'NONE; VACUUM' } }), 'E_CONFIG'],
  ['foreignKeys as a string', () => ({ pragmas: { foreignKeys: 'ON' } }), 'E_CONFIG'],
  ['walAutocheckpoint negative', () => ({ pragmas: { walAutocheckpoint: -5 } }), 'E_CONFIG'],
  [
    'analysisLimit infinite',
    () => ({ pragmas: { analysisLimit: Number.POSITIVE_INFINITY } }),
    'E_CONFIG',
  ],
  ['secureDelete as a number', () => ({ pragmas: { secureDelete: 1 } }), 'E_CONFIG'],
  ['readers as a number', () => ({ readers: 4 }), 'E_CONFIG'],
  ['zero readers', () => ({ readers: { size: 0 } }), 'E_CONFIG'],
  ['65 readers', () => ({ readers: { size: 65 } }), 'E_CONFIG'],
  ['unknown reader mode', () => ({ readers: { mode: 'thread' } }), 'E_CONFIG'],
  ['negative read queue', () => ({ readers: { maxQueue: -1 } }), 'E_CONFIG'],
  ['zero read timeout', () => ({ readers: { timeoutMs: 0 } }), 'E_CONFIG'],
  ['unknown reader option', () => ({ readers: { threads: 2 } }), 'E_CONFIG'],
  ['negative stall cap', () => ({ checkpoint: { maxStallMs: -1 } }), 'E_CONFIG'],
  ['stall cap over a minute', () => ({ checkpoint: { maxStallMs: 60_001 } }), 'E_CONFIG'],
  ['offThread as a string', () => ({ checkpoint: { offThread: 'yes' } }), 'E_CONFIG'],
  ['checkpoint interval under 5 ms', () => ({ checkpoint: { intervalMs: 4 } }), 'E_CONFIG'],
  ['watchdog under 50 ms', () => ({ checkpoint: { watchdogMs: 49 } }), 'E_CONFIG'],
  ['unknown checkpoint option', () => ({ checkpoint: { mode: 'TRUNCATE' } }), 'E_CONFIG'],
  ['WAL cap under a page', () => ({ health: { walCapBytes: 10 } }), 'E_CONFIG'],
  ['zero busy streak', () => ({ health: { busyStreak: 0 } }), 'E_CONFIG'],
  ['zero checkpoint age', () => ({ health: { maxCheckpointAgeMs: 0 } }), 'E_CONFIG'],
  ['negative statement cache', () => ({ statementCacheSize: -1 }), 'E_CONFIG'],
  ['sample interval under 10 ms', () => ({ sampleIntervalMs: 5 }), 'E_CONFIG'],
  ['21 write retries', () => ({ writeRetries: 21 }), 'E_CONFIG'],
  ['onPluginError not a function', () => ({ onPluginError: 'log' }), 'E_CONFIG'],
  ['plugins not an array', () => ({ plugins: {} }), 'E_CONFIG'],
  ['a plugin given by name', () => ({ plugins: ['tiered'] }), 'E_CONFIG'],
  ['a plugin without a name', () => ({ plugins: [{ setup() {} }] }), 'E_CONFIG'],
  [
    'a plugin with a bad enforce',
    () => ({ plugins: [{ name: 'p', enforce: 'first' }] }),
    'E_CONFIG',
  ],
  ['dependencies not names', () => ({ plugins: [{ name: 'p', dependencies: [42] }] }), 'E_CONFIG'],
  [
    'a plugin registered twice',
    () => ({ plugins: [{ name: 'p' }, { name: 'p' }] }),
    'E_PLUGIN_DUPLICATE',
  ],
  [
    'a missing plugin dependency',
    () => ({ plugins: [{ name: 'p', dependencies: ['q'] }] }),
    'E_PLUGIN_DEPENDENCY',
  ],
  [
    'plugins depending on each other',
    () => ({
      plugins: [
        { name: 'p', dependencies: ['q'] },
        { name: 'q', dependencies: ['p'] },
      ],
    }),
    'E_PLUGIN_DEPENDENCY',
  ],
  [
    'a plugin of a future specification',
    () => ({ plugins: [{ name: 'p', specificationVersion: 'v2' }] }),
    'E_PLUGIN_SPEC',
  ],
  ['sizeCapped under 64 KiB', () => ({ plugins: [sizeCapped({ maxWalBytes: 1000 })] }), 'E_CONFIG'],
  [
    'sizeCapped without its cap',
    () => ({ plugins: [sizeCapped({} as { maxWalBytes: number })] }),
    'E_CONFIG',
  ],
  [
    'tiered emergency below its reset',
    () => ({ plugins: [tiered({ emergencyBytes: 2 ** 20 })] }),
    'E_CONFIG',
  ],
  ['lowLatency zero interval', () => ({ plugins: [lowLatency({ intervalMs: 0 })] }), 'E_CONFIG'],
  [
    'highConcurrency fractional pages',
    () => ({ plugins: [highConcurrency({ passivePages: 1.5 })] }),
    'E_CONFIG',
  ],
  [
    'conversationWorkload quiet time as a string',
    () => ({ plugins: [conversationWorkload({ quietMs: '1500' as unknown as number })] }),
    'E_CONFIG',
  ],
  ['external negative cap', () => ({ plugins: [external({ maxWalBytes: -1 })] }), 'E_CONFIG'],
  [
    'migrations table name injecting SQL',
    () => ({ plugins: [migrations({ migrations: [], table: 'm; DROP TABLE notes; --' })] }),
    'E_CONFIG',
  ],
  [
    'migrations with no source',
    () => ({ plugins: [migrations({} as { migrations: [] })] }),
    'E_CONFIG',
  ],
];

describe('options out of range, of the wrong type, or injecting SQL', () => {
  test.each(optionCases)(
    '%s is refused with its code, the database and -wal unchanged',
    async (_, overrides, code) => {
      await expectRefusedLive(liveDatabase(), code, (path) =>
        openWalkeeper({ path, driver, ...overrides() } as unknown as WalkeeperOptions),
      );
    },
  );
});

describe('files that are not a database walkeeper may open', () => {
  /** A closed database with some pages, to cut short. */
  let template: string;
  beforeAll(() => {
    const live = liveDatabase();
    live.keeper.close();
    template = live.path;
  });

  test('a text file is E_NOT_A_DATABASE', async () => {
    const path = newPath();
    writeFileSync(path, 'name,email\nada,ada@example.com\n'.repeat(500));
    await expectRefused(path, 'E_NOT_A_DATABASE', () => openWalkeeper({ path, driver }));
  });

  test('a file with the SQLite header and garbage after it is E_NOT_A_DATABASE', async () => {
    const path = newPath();
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 7)]));
    await expectRefused(path, 'E_NOT_A_DATABASE', () => openWalkeeper({ path, driver }));
  });

  test.each([
    ['inside its header', 60],
    ['after its first page', 4096],
    ['part way through its pages', 3 * 4096 + 100],
  ])('a database truncated %s is E_NOT_A_DATABASE', async (_, length) => {
    const path = newPath();
    copyFileSync(template, path);
    truncateSync(path, length);
    await expectRefused(path, 'E_NOT_A_DATABASE', () => openWalkeeper({ path, driver }));
  });

  test('a directory in place of the file is E_CANT_OPEN', async () => {
    const path = newPath();
    mkdirSync(path);
    await expectRefused(path, 'E_CANT_OPEN', () => openWalkeeper({ path, driver }));
  });

  test('a file in a directory that does not exist is E_CANT_OPEN', async () => {
    const path = join(newDir(), 'missing', 'test.db');
    await expectRefused(path, 'E_CANT_OPEN', () => openWalkeeper({ path, driver }));
  });

  test('a -wal without its database is E_CANT_OPEN, and the -wal is kept', async () => {
    const live = liveDatabase();
    const path = join(newDir(), 'test.db');
    copyFileSync(`${live.path}-wal`, `${path}-wal`);
    live.keeper.close();
    await expectRefused(path, 'E_CANT_OPEN', () => openWalkeeper({ path, driver }));
  });

  // Found by this catalogue: a zero-length database beside a -wal full of committed frames
  // used to open as a new empty database, and closing it deleted the -wal with the data.
  test('a zero-length database beside a non-empty -wal is E_CANT_OPEN, and the -wal is kept', async () => {
    const live = liveDatabase();
    const path = join(newDir(), 'test.db');
    writeFileSync(path, '');
    copyFileSync(`${live.path}-wal`, `${path}-wal`);
    live.keeper.close();
    await expectRefused(path, 'E_CANT_OPEN', () =>
      openWalkeeper({ path, driver }).then((wk) => wk.close()),
    );
  });

  test('a zero-length file alone is no error: SQLite defines it as an empty database', async () => {
    // Listed so the catalogue is complete: tools create empty files (mkstemp, touch) on purpose.
    const path = newPath();
    writeFileSync(path, '');
    const wk = await openWalkeeper({ path, driver });
    wk.write((tx) => tx.exec('CREATE TABLE t (x)'));
    await wk.close();
    expect(diskState(path).files).toEqual(['test.db']);
  });

  test('a database locked exclusively by another process is E_BUSY once the busy timeout passes', async () => {
    const path = newPath();
    copyFileSync(template, path);
    const holder = spawnFixture('lock-holder.mjs', [path]);
    try {
      await nextMessage<{ t: string }>(holder, (message) => message.t === 'locked');
      expect(diskState(path).wal, 'the holder committed frames to the -wal').toBeDefined();
      await expectRefused(path, 'E_BUSY', () =>
        openWalkeeper({ path, driver, pragmas: { busyTimeout: 200 } }),
      );
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });
});

describe('permissions (checked as an unprivileged user: root ignores them)', () => {
  let stage: UnprivilegedStage;
  beforeAll(() => {
    stage = stageForUnprivileged(packageDir, ['@walkeeper/core', driverModule]);
  });
  afterAll(() => stage.remove());

  function openAsNobody(path: string): { code?: string; opened?: boolean } {
    const child = stage.run([stage.path(fixture('open-as.mjs')), path]);
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout) as { code?: string; opened?: boolean };
  }

  test('a database with frames in a read-only directory is E_PERMISSION, both files unchanged', () => {
    const live = liveDatabase();
    const dir = join(live.path, '..');
    try {
      chmodSync(dir, 0o555);
      const before = diskState(live.path);
      expect(openAsNobody(live.path)).toMatchObject({ code: 'E_PERMISSION' });
      expect(diskState(live.path)).toEqual(before);
    } finally {
      chmodSync(dir, 0o700);
      live.keeper.close();
    }
  });

  test('a read-only database file in a writable directory is E_PERMISSION, unchanged', () => {
    const live = liveDatabase();
    const dir = join(live.path, '..');
    try {
      chmodSync(dir, 0o777);
      chmodSync(live.path, 0o444);
      const before = diskState(live.path);
      expect(openAsNobody(live.path)).toMatchObject({ code: 'E_PERMISSION' });
      expect(diskState(live.path)).toEqual(before);
    } finally {
      chmodSync(live.path, 0o644);
      chmodSync(dir, 0o700);
      live.keeper.close();
    }
  });
});

describe('migration refusals', () => {
  const NOTES = 'CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL);';
  const applied: MigrationDefinition[] = [
    { version: 1, name: 'notes', up: NOTES, down: 'DROP TABLE notes;' },
    {
      version: 3,
      name: 'tags',
      up: 'CREATE TABLE tags (note INTEGER NOT NULL, tag TEXT NOT NULL);',
    },
  ];
  /** A closed database with migrations 1 and 3 applied, and one part way through (version 5). */
  let template: string;
  /** The same before the part-way migration: 1 and 3 applied, nothing pending. */
  let migratedOnly: string;
  const partial: MigrationDefinition = {
    version: 5,
    name: 'stepwise',
    up: '-- walkeeper:no-transaction\nCREATE TABLE five (x);\nINSERT INTO nowhere VALUES (1);\n',
  };

  beforeAll(async () => {
    template = newPath();
    const wk = await openWalkeeper({
      path: template,
      driver,
      plugins: [migrations({ migrations: applied })],
    });
    await wk.close();
    migratedOnly = newPath();
    copyFileSync(template, migratedOnly);
    // A no-transaction migration whose second statement fails stays part way, resumable.
    const result = await migrate({ path: template, driver }, { migrations: [...applied, partial] });
    expect(result.ok).toBe(false);
  });

  const through = (list: MigrationDefinition[]) => (path: string) =>
    openWalkeeper({ path, driver, plugins: [migrations({ migrations: list })] });

  /** Name, attempt, code, and the database it runs on (default: the one with migration 5 part way). */
  const cases: [string, (path: string) => unknown, WalkeeperErrorCode, 'migrated only'?][] = [
    [
      'an applied migration whose text changed',
      through([{ ...applied[0]!, up: NOTES.replace('NOT NULL', '') }, applied[1]!, partial]),
      'E_MIGRATION_CHECKSUM',
    ],
    [
      'a part-way migration whose done statements changed',
      through([
        ...applied,
        { ...partial, up: partial.up.toString().replace('five (x)', 'five (y)') },
      ]),
      'E_MIGRATION_CHECKSUM',
    ],
    ['an applied migration that is gone', through([applied[0]!, partial]), 'E_MIGRATION_MISSING'],
    ['a part-way migration that is gone', through(applied), 'E_MIGRATION_MISSING'],
    [
      'a new migration numbered below an applied one',
      through([
        applied[0]!,
        { version: 2, name: 'late', up: 'CREATE TABLE late (x);' },
        applied[1]!,
        partial,
      ]),
      'E_MIGRATION_INVALID',
    ],
    [
      'two migrations with one version',
      through([...applied, partial, { version: 5, name: 'twin', up: 'CREATE TABLE twin (x);' }]),
      'E_MIGRATION_INVALID',
    ],
    [
      'BEGIN inside a migration',
      through([
        ...applied,
        partial,
        { version: 6, name: 'tx', up: 'BEGIN; CREATE TABLE t6 (x); COMMIT;' },
      ]),
      'E_MIGRATION_INVALID',
    ],
    [
      'VACUUM in a transactional migration',
      through([...applied, partial, { version: 6, name: 'vacuum', up: 'VACUUM;' }]),
      'E_MIGRATION_INVALID',
    ],
    [
      'PRAGMA journal_mode in a transactional migration',
      through([
        ...applied,
        partial,
        { version: 6, name: 'mode', up: 'PRAGMA journal_mode = DELETE;' },
      ]),
      'E_MIGRATION_INVALID',
    ],
    [
      'going down past a migration with no down step',
      (path) => migrate({ path, driver }, { migrations: applied, to: 1 }),
      'E_MIGRATION_INVALID',
      'migrated only',
    ],
    [
      'going down while a migration is part way',
      (path) => migrate({ path, driver }, { migrations: [...applied, partial], to: 1 }),
      'E_MIGRATION_INVALID',
    ],
    [
      'a target that is not a migration',
      (path) => migrate({ path, driver }, { migrations: [...applied, partial], to: 4 }),
      'E_CONFIG',
    ],
  ];

  test.each(cases)(
    '%s is refused with its code, the database and -wal unchanged',
    async (_, attempt, code, base) => {
      await expectRefusedLive(liveCopy(base ? migratedOnly : template), code, attempt);
    },
  );

  test('a migration that fails is E_MIGRATION_FAILED, rolled back: the database and -wal unchanged', async () => {
    const failing: MigrationDefinition = {
      version: 6,
      name: 'fails half way',
      up: 'CREATE TABLE six (x); INSERT INTO six VALUES (1); INSERT INTO nowhere VALUES (1);',
    };
    await expectRefusedLive(
      liveCopy(migratedOnly),
      'E_MIGRATION_FAILED',
      through([...applied, failing]),
    );
  });
});

describe('calls on an open walkeeper', () => {
  /** Opens a live database, then checks a refused call leaves the files as they were. */
  async function expectCallRefused(
    code: WalkeeperErrorCode,
    call: (wk: Awaited<ReturnType<typeof openWalkeeper>>) => unknown,
  ): Promise<void> {
    const live = liveDatabase();
    const wk = await openWalkeeper({ path: live.path, driver });
    try {
      addFrames(live.keeper);
      await expectRefused(live.path, code, () => call(wk));
    } finally {
      await wk.close();
      live.keeper.close();
    }
  }

  test.each([
    ['a checkpoint mode that does not exist', 'E_CONFIG', (wk) => wk.checkpoint('HARD' as 'FULL')],
    [
      'a checkpoint stall cap out of range',
      'E_CONFIG',
      (wk) => wk.checkpoint('TRUNCATE', { maxStallMs: -1 }),
    ],
    [
      'a write statement sent to the read pool',
      'E_NOT_A_QUERY',
      (wk) => wk.read('DELETE FROM notes'),
    ],
    [
      'an async function given to write()',
      'E_ASYNC_WRITE',
      // @ts-expect-error: write()'s type refuses an async callback; this checks the run-time guard.
      (wk) => wk.write(async (tx) => tx.run('DELETE FROM notes')),
    ],
  ] as [string, WalkeeperErrorCode, (wk: Awaited<ReturnType<typeof openWalkeeper>>) => unknown][])(
    '%s is refused with its code, the database and -wal unchanged',
    async (_, code, call) => {
      await expectCallRefused(code, call);
    },
  );

  // Found by this catalogue: the mode and stall cap used to be validated before the Promise
  // was made, so a bad one threw synchronously and escaped a caller's `.catch()`.
  test('checkpoint() with a bad mode rejects instead of throwing', async () => {
    const live = liveDatabase();
    const wk = await openWalkeeper({ path: live.path, driver });
    try {
      let thrown: unknown;
      let pending: Promise<unknown> | undefined;
      try {
        pending = wk.checkpoint('HARD' as 'FULL');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeUndefined();
      await expect(pending).rejects.toMatchObject({ code: 'E_CONFIG' });
    } finally {
      await wk.close();
      live.keeper.close();
    }
  });
});
