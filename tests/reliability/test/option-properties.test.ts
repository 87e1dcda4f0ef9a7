import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isWalkeeperError, openWalkeeper, type WalkeeperOptions } from '@walkeeper/core';
import { lowLatency, tiered } from '@walkeeper/strategies';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { caught, driver, newPath, removeTempDirs, runSeed } from './support.js';

/**
 * Option validation as a property: any valid options open a working database, and any
 * options with one thing wrong (a value out of range, of the wrong type, an unknown key, or
 * a section that is not an object) are refused with E_CONFIG naming exactly that option,
 * never a TypeError or a crash, and nothing appears on disk. The fixed cases are in
 * bad-input.test.ts; this explores the space around them.
 */

afterAll(removeTempDirs);
const SEED = runSeed();
console.log(`option properties: seed ${SEED} (WALKEEPER_SEED=${SEED} replays it)`);

const INT32 = 2 ** 31 - 1;
type Check = (value: unknown) => boolean;
const integer =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v.toUpperCase());
const boolean: Check = (v) => typeof v === 'boolean';

/** Every validated leaf option, with what makes a value valid and how to make a valid one. */
interface Leaf {
  section: 'pragmas' | 'readers' | 'checkpoint' | 'health' | undefined;
  key: string;
  valid: Check;
  sample: fc.Arbitrary<unknown>;
}
const int = (min: number, max: number) => fc.integer({ min, max });
const leaves: Leaf[] = [
  {
    section: 'pragmas',
    key: 'synchronous',
    valid: oneOf('OFF', 'NORMAL', 'FULL', 'EXTRA'),
    sample: fc.constantFrom('OFF', 'NORMAL', 'full', 'Extra'),
  },
  { section: 'pragmas', key: 'busyTimeout', valid: integer(0, INT32), sample: int(0, INT32) },
  {
    section: 'pragmas',
    key: 'journalSizeLimit',
    valid: integer(-1, Number.MAX_SAFE_INTEGER),
    sample: fc.integer({ min: -1, max: 2 ** 40 }),
  },
  { section: 'pragmas', key: 'foreignKeys', valid: boolean, sample: fc.boolean() },
  {
    section: 'pragmas',
    key: 'cacheSize',
    valid: integer(-INT32, INT32),
    sample: int(-INT32, INT32),
  },
  {
    section: 'pragmas',
    key: 'mmapSize',
    valid: integer(0, 2 ** 40),
    sample: fc.integer({ min: 0, max: 2 ** 40 }),
  },
  {
    section: 'pragmas',
    key: 'tempStore',
    valid: oneOf('DEFAULT', 'FILE', 'MEMORY'),
    sample: fc.constantFrom('DEFAULT', 'FILE', 'memory'),
  },
  {
    section: 'pragmas',
    key: 'autoVacuum',
    valid: oneOf('NONE', 'FULL', 'INCREMENTAL'),
    sample: fc.constantFrom('NONE', 'FULL', 'incremental'),
  },
  { section: 'pragmas', key: 'analysisLimit', valid: integer(0, INT32), sample: int(0, INT32) },
  { section: 'pragmas', key: 'walAutocheckpoint', valid: integer(0, INT32), sample: int(0, INT32) },
  { section: 'pragmas', key: 'secureDelete', valid: boolean, sample: fc.boolean() },
  { section: 'readers', key: 'size', valid: integer(1, 64), sample: int(1, 64) },
  {
    section: 'readers',
    key: 'mode',
    valid: (v) => v === 'inline' || v === 'worker',
    sample: fc.constantFrom('inline', 'inline', 'worker'),
  },
  {
    section: 'readers',
    key: 'maxQueue',
    valid: integer(0, 10_000_000),
    sample: int(0, 10_000_000),
  },
  { section: 'readers', key: 'timeoutMs', valid: integer(1, INT32), sample: int(1, INT32) },
  { section: 'checkpoint', key: 'maxStallMs', valid: integer(0, 60_000), sample: int(0, 60_000) },
  { section: 'checkpoint', key: 'offThread', valid: boolean, sample: fc.boolean() },
  {
    section: 'checkpoint',
    key: 'intervalMs',
    valid: integer(5, 3_600_000),
    sample: int(5, 3_600_000),
  },
  {
    section: 'checkpoint',
    key: 'watchdogMs',
    valid: integer(50, 3_600_000),
    sample: int(50, 3_600_000),
  },
  {
    section: 'health',
    key: 'walCapBytes',
    valid: integer(4096, Number.MAX_SAFE_INTEGER),
    sample: fc.integer({ min: 4096, max: 2 ** 40 }),
  },
  { section: 'health', key: 'busyStreak', valid: integer(1, 1_000_000), sample: int(1, 1_000_000) },
  { section: 'health', key: 'maxCheckpointAgeMs', valid: integer(1, INT32), sample: int(1, INT32) },
  {
    section: undefined,
    key: 'statementCacheSize',
    valid: integer(0, 100_000),
    sample: int(0, 100_000),
  },
  {
    section: undefined,
    key: 'sampleIntervalMs',
    valid: integer(10, 3_600_000),
    sample: int(10, 3_600_000),
  },
  { section: undefined, key: 'writeRetries', valid: integer(0, 20), sample: int(0, 20) },
  {
    section: undefined,
    key: 'preset',
    valid: (v) => v === 'default' || v === 'durable',
    sample: fc.constantFrom('default', 'durable'),
  },
];
const SECTIONS = ['pragmas', 'readers', 'checkpoint', 'health'] as const;

/** Valid options: any subset of the leaves, each with a valid value. */
const validOptions: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(...leaves.map((leaf) => fc.option(leaf.sample, { nil: undefined })))
  .map((values) => {
    const options: Record<string, Record<string, unknown> | unknown> = {};
    leaves.forEach((leaf, i) => {
      if (values[i] === undefined) return;
      if (leaf.section === undefined) options[leaf.key] = values[i];
      else {
        const section = (options[leaf.section] ?? {}) as Record<string, unknown>;
        section[leaf.key] = values[i];
        options[leaf.section] = section;
      }
    });
    // Worker readers are valid at any size; two keep the property quick on a small machine.
    const readers = options.readers as { mode?: string; size?: number } | undefined;
    if (readers?.mode === 'worker') readers.size = Math.min(readers.size ?? 1, 2);
    return options;
  });

/** Values of every kind, and numbers at and around the edges of every range. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
  fc.double(),
  fc.constantFrom(-1, 0, 4, 9, 49, 65, 4095, 60_001, 2 ** 31, 2 ** 41, 2 ** 53, 0.5, Number.NaN),
  fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 5000n, Symbol('x')),
  fc.constantFrom('NORMAL; DROP TABLE t', "1); ATTACH DATABASE '/tmp/x' AS x; --", 'ON', '5000'),
  fc.func(fc.integer()),
);
/** What a section may not be: anything but an object. */
const notAnObject = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.func(fc.integer()),
  fc.constant(7n),
);
const SQL_NAMES = [
  'journal_mode',
  'synchronous = OFF; --',
  'busy_timeout',
  '__proto__',
  'constructor',
];
const unknownKey = fc.oneof(
  fc.constantFrom(...SQL_NAMES),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** One thing wrong, and the option the error must name. */
interface Corruption {
  options: Record<string, unknown>;
  option: string;
}

function withValue(base: Record<string, unknown>, leaf: Leaf, value: unknown): Corruption {
  const options = structuredClone(base);
  if (leaf.section === undefined) {
    options[leaf.key] = value;
    return { options, option: leaf.key };
  }
  const section = (options[leaf.section] ?? {}) as Record<string, unknown>;
  options[leaf.section] = { ...section, [leaf.key]: value };
  return { options, option: `${leaf.section}.${leaf.key}` };
}

const corrupted: fc.Arbitrary<Corruption> = fc.oneof(
  // A leaf with a value it does not accept (undefined is "not set", so it is valid).
  fc
    .tuple(validOptions, fc.constantFrom(...leaves), anyValue)
    .filter(([, leaf, value]) => value !== undefined && !leaf.valid(value))
    .map(([base, leaf, value]) => withValue(base, leaf, value)),
  // A section that is not an object.
  fc
    .tuple(validOptions, fc.constantFrom(...SECTIONS), notAnObject)
    .map(([base, section, value]) => ({ options: { ...base, [section]: value }, option: section })),
  // A key nobody knows, at the top or in a section.
  fc
    .tuple(validOptions, fc.constantFrom(undefined, ...SECTIONS), unknownKey, anyValue)
    .filter(([, section, key]) => {
      const known =
        section === undefined
          ? [...leaves.map((l) => l.key), ...SECTIONS]
          : leaves.filter((l) => l.section === section).map((l) => l.key);
      return !known.includes(key) && key !== 'path' && key !== 'driver';
    })
    .map(([base, section, key, value]) => {
      const options = structuredClone(base);
      if (section === undefined) {
        // defineProperty: `__proto__` as an own key, as JSON.parse would give it.
        Object.defineProperty(options, key, { value, enumerable: true });
        return { options, option: `options.${key}` };
      }
      const inner = { ...((options[section] ?? {}) as Record<string, unknown>) };
      Object.defineProperty(inner, key, { value, enumerable: true });
      options[section] = inner;
      return { options, option: `${section}.${key}` };
    }),
  // A path that is not a file path, and a driver that is not a driver.
  fc
    .tuple(
      validOptions,
      fc.oneof(
        notAnObject.filter((v) => typeof v !== 'string'),
        fc.constantFrom('', '   ', ':memory:', 'file:x.db', 'a\0b'),
      ),
    )
    .map(([base, path]) => ({ options: { ...base, path }, option: 'path' })),
  fc
    .tuple(
      validOptions,
      fc.oneof(
        notAnObject,
        fc.constant({ open: 1 }),
        fc.constant({ ...driver, specificationVersion: 'v0' }),
      ),
    )
    .map(([base, value]) => ({ options: { ...base, driver: value }, option: 'driver' })),
  fc
    .tuple(
      validOptions,
      notAnObject.filter((v) => typeof v !== 'function'),
    )
    .map(([base, value]) => ({
      options: { ...base, onPluginError: value },
      option: 'onPluginError',
    })),
);

describe('option validation, for any options', () => {
  test('one wrong option is always E_CONFIG naming it, and nothing is created', async () => {
    await fc.assert(
      fc.asyncProperty(corrupted, async ({ options, option }) => {
        const path = newPath();
        const error = await caught(() =>
          openWalkeeper({ path, driver, ...options } as unknown as WalkeeperOptions),
        );
        expect(isWalkeeperError(error), `${error.message} (${option})`).toBe(true);
        expect(error.code).toBe('E_CONFIG');
        expect(error.details?.option).toBe(option);
        expect(readdirSync(dirname(path))).toEqual([]);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  test('valid options open a database that writes, reads and closes', async () => {
    await fc.assert(
      fc.asyncProperty(
        validOptions,
        fc.constantFrom('none', 'tiered', 'lowLatency'),
        async (options, strategy) => {
          const path = newPath();
          const plugins =
            strategy === 'tiered' ? [tiered()] : strategy === 'lowLatency' ? [lowLatency()] : [];
          const wk = await openWalkeeper({ ...options, path, driver, plugins } as WalkeeperOptions);
          try {
            wk.write((tx) => {
              tx.exec('CREATE TABLE t (x)');
              tx.run('INSERT INTO t VALUES (?)', [1]);
            });
            expect(await wk.read('SELECT x FROM t')).toEqual([{ x: 1 }]);
          } finally {
            await wk.close();
          }
          expect(readdirSync(dirname(path))).toEqual(['test.db']);
        },
      ),
      { seed: SEED, numRuns: 30 },
    );
  });
});
