import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWalkeeper, type WalkeeperOptions } from '@walkeeper/core';
import { stageForUnprivileged } from '@walkeeper/test-support';
import { describe, expect, test } from 'vitest';
import { caught, driver, driverModule, evalArgs, filesBeside, newPath } from './support.js';

/**
 * Every option a user can get wrong: the code is E_CONFIG, the message names the option and
 * the bad value, and nothing is created on disk.
 */
const badOptions: [string, Record<string, unknown>, string, string][] = [
  ['empty path', { path: '' }, 'path', '""'],
  ['in-memory path', { path: ':memory:' }, 'path', ':memory:'],
  ['URI path', { path: 'file:x.db?mode=memory' }, 'path', 'file:x.db'],
  ['path of the wrong type', { path: 42 }, 'path', '42'],
  ['missing driver', { driver: undefined }, 'driver', 'undefined'],
  [
    'driver of a future specification',
    { driver: { ...driver, specificationVersion: 'v2' } },
    'driver',
    'v2',
  ],
  ['unknown preset', { preset: 'fast' }, 'preset', '"fast"'],
  ['unknown top-level option', { pragma: {} }, 'options.pragma', 'pragma'],
  ['pragmas not an object', { pragmas: 'synchronous=OFF' }, 'pragmas', 'synchronous=OFF'],
  [
    'unknown pragma name',
    { pragmas: { journalMode: 'DELETE' } },
    'pragmas.journalMode',
    'journalMode',
  ],
  [
    'pragma name that injects SQL',
    { pragmas: { 'synchronous = OFF; DROP TABLE t; --': 1 } },
    'pragmas.synchronous = OFF',
    'DROP TABLE',
  ],
  [
    'synchronous out of its enum',
    { pragmas: { synchronous: 'SLOW' } },
    'pragmas.synchronous',
    '"SLOW"',
  ],
  [
    'synchronous value that injects SQL',
    { pragmas: { synchronous: 'NORMAL; DROP TABLE t' } },
    'pragmas.synchronous',
    'DROP TABLE',
  ],
  ['negative busy timeout', { pragmas: { busyTimeout: -1 } }, 'pragmas.busyTimeout', '-1'],
  ['fractional busy timeout', { pragmas: { busyTimeout: 1.5 } }, 'pragmas.busyTimeout', '1.5'],
  [
    'busy timeout as a string',
    { pragmas: { busyTimeout: '5000' } },
    'pragmas.busyTimeout',
    '"5000"',
  ],
  [
    'busy timeout injecting SQL',
    { pragmas: { busyTimeout: '1; DROP TABLE t' } },
    'pragmas.busyTimeout',
    'DROP TABLE',
  ],
  [
    'journal size limit below -1',
    { pragmas: { journalSizeLimit: -2 } },
    'pragmas.journalSizeLimit',
    '-2',
  ],
  [
    'foreign keys not a boolean',
    { pragmas: { foreignKeys: 'yes' } },
    'pragmas.foreignKeys',
    '"yes"',
  ],
  ['cache size NaN', { pragmas: { cacheSize: Number.NaN } }, 'pragmas.cacheSize', 'NaN'],
  ['mmap size too large', { pragmas: { mmapSize: 2 ** 41 } }, 'pragmas.mmapSize', String(2 ** 41)],
  ['temp store unknown', { pragmas: { tempStore: 'RAM' } }, 'pragmas.tempStore', '"RAM"'],
  [
    'auto vacuum unknown',
    { pragmas: { autoVacuum: 'SOMETIMES' } },
    'pragmas.autoVacuum',
    '"SOMETIMES"',
  ],
  [
    'wal autocheckpoint negative',
    { pragmas: { walAutocheckpoint: -5 } },
    'pragmas.walAutocheckpoint',
    '-5',
  ],
  [
    'analysis limit infinite',
    { pragmas: { analysisLimit: Number.POSITIVE_INFINITY } },
    'pragmas.analysisLimit',
    'Infinity',
  ],
  ['readers not an object', { readers: 4 }, 'readers', '4'],
  ['zero readers', { readers: { size: 0 } }, 'readers.size', '0'],
  ['too many readers', { readers: { size: 65 } }, 'readers.size', '65'],
  ['unknown reader mode', { readers: { mode: 'thread' } }, 'readers.mode', '"thread"'],
  ['negative queue', { readers: { maxQueue: -1 } }, 'readers.maxQueue', '-1'],
  ['zero read timeout', { readers: { timeoutMs: 0 } }, 'readers.timeoutMs', '0'],
  ['unknown reader option', { readers: { threads: 2 } }, 'readers.threads', 'threads'],
  ['negative stall cap', { checkpoint: { maxStallMs: -1 } }, 'checkpoint.maxStallMs', '-1'],
  ['tiny WAL cap', { health: { walCapBytes: 10 } }, 'health.walCapBytes', '10'],
  ['zero busy streak', { health: { busyStreak: 0 } }, 'health.busyStreak', '0'],
  ['negative statement cache', { statementCacheSize: -1 }, 'statementCacheSize', '-1'],
  ['sample interval too short', { sampleIntervalMs: 5 }, 'sampleIntervalMs', '5'],
  ['too many write retries', { writeRetries: 100 }, 'writeRetries', '100'],
  ['plugin error handler not a function', { onPluginError: 'log' }, 'onPluginError', '"log"'],
  ['plugins not an array', { plugins: {} }, 'plugins', 'an object'],
  ['plugin not an object', { plugins: ['tiered'] }, 'plugins[0]', '"tiered"'],
  ['plugin without a name', { plugins: [{ setup() {} }] }, 'plugins[0].name', 'undefined'],
  [
    'plugin with a bad enforce',
    { plugins: [{ name: 'p', enforce: 'first' }] },
    'plugins[0].enforce',
    '"first"',
  ],
];

describe('bad options', () => {
  test.each(badOptions)(
    '%s is E_CONFIG naming the option and value, and creates nothing',
    async (_, override, option, shown) => {
      const path = newPath();
      const before = filesBeside(path);
      const error = await caught(() =>
        openWalkeeper({ path, driver, ...override } as unknown as WalkeeperOptions),
      );
      expect(error.code).toBe('E_CONFIG');
      expect(error.message).toContain(option);
      expect(error.message).toContain(shown);
      expect(filesBeside(path)).toEqual(before);
    },
  );
});

describe('bad files', () => {
  test('a file that is not a database is E_NOT_A_DATABASE and stays byte-for-byte the same', async () => {
    const path = newPath();
    const text = 'hello, I am a text file\n'.repeat(200);
    writeFileSync(path, text);
    const error = await caught(() => openWalkeeper({ path, driver }));
    expect(error.code).toBe('E_NOT_A_DATABASE');
    expect(error.message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(filesBeside(path)).toEqual(['test.db']);
  });

  test('a missing directory is E_CANT_OPEN and nothing is created', async () => {
    const path = join(dirname(newPath()), 'missing', 'app.db');
    const error = await caught(() => openWalkeeper({ path, driver }));
    expect(error.code).toBe('E_CANT_OPEN');
    expect(error.message).toContain('does not exist');
    expect(existsSync(dirname(path))).toBe(false);
  });

  test('a directory in place of the file is E_CANT_OPEN', async () => {
    const path = newPath();
    mkdirSync(path);
    const error = await caught(() => openWalkeeper({ path, driver }));
    expect(error.code).toBe('E_CANT_OPEN');
    expect(error.message).toContain('not a regular file');
  });

  test('a -wal without its database is refused and left alone', async () => {
    const path = newPath();
    writeFileSync(`${path}-wal`, 'committed frames, maybe');
    const error = await caught(() => openWalkeeper({ path, driver }));
    expect(error.code).toBe('E_CANT_OPEN');
    expect(error.message).toContain('-wal exists without its database');
    expect(filesBeside(path)).toEqual(['test.db-wal']);
    expect(readFileSync(`${path}-wal`, 'utf8')).toBe('committed frames, maybe');
  });

  test('a directory without write permission is E_PERMISSION (checked as an unprivileged user)', () => {
    const path = newPath();
    const dir = dirname(path);
    chmodSync(dir, 0o555);
    // Root ignores permissions, so the open runs in a child process as "nobody" when we are root,
    // from a copy of this package and its imports that "nobody" may read.
    const script = `
      import { openWalkeeper } from '@walkeeper/core';
      import { createDriver } from '${driverModule}';
      openWalkeeper({ path: ${JSON.stringify(path)}, driver: createDriver({}) })
        .then(() => console.log('OPENED'), (e) => console.log(e.code));
    `;
    const stage = stageForUnprivileged(fileURLToPath(new URL('..', import.meta.url)), [
      '@walkeeper/core',
      driverModule,
    ]);
    const child = stage.run(evalArgs(script));
    stage.remove();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('E_PERMISSION');
    expect(filesBeside(path)).toEqual([]);
    chmodSync(dir, 0o755);
  });
});
