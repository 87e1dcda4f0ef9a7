import { checkInteger } from '@walkeeper/core/plugin-kit';
import {
  createHistoryPlugin,
  type MetricsHistoryOptions,
  type MetricsHistoryPlugin,
} from './metrics-history.js';
import { type PersistStats, SampleStore } from './persist.js';

export interface HistoryOptions extends MetricsHistoryOptions {
  /** How often buffered samples are written, in one transaction. Default 60 000 ms. */
  flushEveryMs?: number;
  /** How long every sample table keeps rows. Default: the schema's (7 days; health 30 days). */
  retentionMs?: number;
}

/** The plugin `history()` returns: `metricsHistory()` plus its persistence. */
export interface HistoryPlugin extends MetricsHistoryPlugin {
  /** What persisting has cost so far: flushes, rows, time in write transactions. */
  readonly persistence: Readonly<PersistStats>;
  /** Writes buffered samples now. */
  flush(): void;
}

export const HISTORY_PLUGIN = 'history';

/**
 * `metricsHistory()` whose samples are also written to the database, in the monitoring schema
 * of `@walkeeper/migrations` (migrated at open, in its own migrations table), in batches, with
 * retention. Depends on nothing else being registered.
 */
export function history(options: HistoryOptions = {}): HistoryPlugin {
  const { flushEveryMs, retentionMs, ...rest } = options;
  const store = new SampleStore({
    flushEveryMs:
      flushEveryMs === undefined
        ? 60_000
        : checkInteger('history.flushEveryMs', flushEveryMs, 0, 86_400_000),
    retentionMs:
      retentionMs === undefined
        ? undefined
        : checkInteger('history.retentionMs', retentionMs, 1, 2 ** 52),
    maxPending: 10_000,
  });
  const plugin = createHistoryPlugin(HISTORY_PLUGIN, rest, store);
  return Object.defineProperties(plugin as HistoryPlugin, {
    persistence: { get: () => ({ ...store.stats }), enumerable: true },
    flush: { value: () => store.flush(), enumerable: true },
  });
}
