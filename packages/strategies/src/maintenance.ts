import type { OptimizeResult, Walkeeper, WalkeeperPlugin } from '@walkeeper/core';
import { checkBoolean } from '@walkeeper/core/plugin-kit';
import { integerOptions, MILLISECONDS } from './internal/options.js';

export interface MaintenanceOptions {
  /** `optimize()` this often (SQLite recommends a periodic PRAGMA optimize). Default 1 hour. */
  optimizeEveryMs?: number;
  /** `optimize()` once more when the database closes. Default true. */
  optimizeAtClose?: boolean;
}

export interface MaintenancePlugin extends WalkeeperPlugin {
  /** The last optimize() result, or undefined before the first. */
  readonly lastResult: OptimizeResult | undefined;
  readonly runs: number;
}

/**
 * Automatic maintenance: `optimize()` (PRAGMA optimize with an analysis limit, then an
 * incremental vacuum where enabled) on an interval and at close. It is queued like a
 * checkpoint, so it never runs inside the barrier and never on a query's path.
 */
export function maintenance(options: MaintenanceOptions = {}): MaintenancePlugin {
  const { optimizeEveryMs = 3_600_000 } = integerOptions(
    'maintenance',
    { optimizeEveryMs: options.optimizeEveryMs },
    { optimizeEveryMs: MILLISECONDS },
  );
  const optimizeAtClose =
    options.optimizeAtClose === undefined
      ? true
      : checkBoolean('maintenance().optimizeAtClose', options.optimizeAtClose);
  let walkeeper: Walkeeper | undefined;
  let report: (error: unknown) => void = () => undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastResult: OptimizeResult | undefined;
  let runs = 0;
  const run = async () => {
    if (!walkeeper) return;
    try {
      lastResult = await walkeeper.optimize();
      runs++;
    } catch (error) {
      report(error);
    }
  };
  return {
    name: 'maintenance',
    specificationVersion: 'v1',
    get lastResult() {
      return lastResult;
    },
    get runs() {
      return runs;
    },
    setup(context) {
      walkeeper = context.walkeeper;
      report = context.report;
      timer = setInterval(() => void run(), optimizeEveryMs);
      timer.unref?.();
    },
    hooks: {
      async onClose() {
        clearInterval(timer);
        if (optimizeAtClose) await run();
        walkeeper = undefined;
      },
    },
  };
}
