import type { ResultTree } from '../src/scenario.js';

/**
 * The keys each scenario must report, shared by the Node tests (scenarios.test.ts) and the
 * Bun ones (bun.test.ts): the issue asks for the same keys on both runtimes.
 */
export const EXPECTED: Record<string, { results: string[]; ratios: string[] }> = {
  overhead: {
    results: ['rawPointQps', 'wkPointQps', 'rawInsertTps', 'wkInsertTps', 'defaultConfigInsertTps'],
    ratios: ['pointQuery', 'insert', 'insertVsDefaultConfig'],
  },
  checkpoint: {
    results: ['rawMs', 'wkMs', 'eventLoopMaxMs'],
    ratios: ['wkOverRaw'],
  },
  pool: {
    results: ['heavyQueryMs', ...poolResultKeys()],
    ratios: ['lightVsPiscina', 'lightVsInline', 'heavyVsPiscina', 'heavyVsInline'],
  },
  batch: {
    results: batchResultKeys(),
    ratios: ['batchVsRawFull', 'batchVsRawNormal', 'batchVsWriteNormal'],
  },
};

/** Scenarios that measure on Node only (their baseline drives better-sqlite3), with their keys. */
export const NODE_ONLY: Record<string, { results: string[]; ratios: string[] }> = {
  orm: {
    results: ['walkeeper', 'native'].flatMap((variant) =>
      ['heavy', 'light', 'writes'].flatMap((w) => [
        `kysely.${variant}.${w}.qps`,
        `kysely.${variant}.${w}.p99Ms`,
      ]),
    ),
    ratios: ['kyselyHeavyVsNative', 'kyselyLightVsNative', 'kyselyWritesVsNative'],
  },
};

/** `results.<variant>.{rowsPerSec,p50Ms,p99Ms}` for every variant of the batch scenario. */
function batchResultKeys(): string[] {
  return [
    'walkeeperBatchFull',
    'rawFull',
    'walkeeperBatchNormal',
    'rawNormal',
    'walkeeperWriteNormal',
  ].flatMap((variant) => ['rowsPerSec', 'p50Ms', 'p99Ms'].map((key) => `${variant}.${key}`));
}

/** `results.<mode>.<light|heavy>.{qps,p99Ms}` for every mode. */
function poolResultKeys(): string[] {
  return ['inline', 'piscina', 'walkeeper'].flatMap((mode) =>
    ['light', 'heavy'].flatMap((query) => [`${mode}.${query}.qps`, `${mode}.${query}.p99Ms`]),
  );
}

/** The starvation scenario's runs and the keys each reports (more may follow: its extras). */
export const STARVATION_RUNS = ['raw-default', 'raw-restart', 'walkeeper'];
export const STARVATION_RUN_KEYS = [
  'walPeakMiB',
  'writeRowsPerSec',
  'readQps',
  'readP99Ms',
  'eventLoopP99Ms',
];
export const STARVATION_RATIOS = [
  'walPeakOverCap',
  'writeVsTarget',
  'readVsRawDefault',
  'readP99VsRawDefault',
];

/** The value at a dotted path (`walkeeper.light.qps`) of a nested result tree. */
export function leaf(tree: ResultTree, path: string): unknown {
  let node: unknown = tree;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}
