import type { CheckpointResult } from './checkpoint/result.js';
import type { Metrics } from './metrics.js';
import type { QueryEvent, WalkeeperPlugin } from './plugin.js';
import type { CheckpointDecision, WalState } from './strategy.js';

export type PluginErrorHandler = (error: unknown, plugin: string, hook: string) => void;

interface Bound<F> {
  plugin: string;
  fn: F;
}

/** Collects one hook from every plugin that has it, bound to its hooks object, in plugin order. */
function collect<K extends 'onQuery' | 'onCheckpoint' | 'onCheckpointDecision' | 'onClose'>(
  plugins: readonly WalkeeperPlugin[],
  hook: K,
): Bound<NonNullable<NonNullable<WalkeeperPlugin['hooks']>[K]>>[] {
  return plugins.flatMap((plugin) => {
    const fn = plugin.hooks?.[hook];
    return fn ? [{ plugin: plugin.name, fn: fn.bind(plugin.hooks) as typeof fn }] : [];
  });
}

const defaultErrorHandler: PluginErrorHandler = (error, plugin, hook) =>
  process.emitWarning(`walkeeper plugin "${plugin}" threw in ${hook}: ${String(error)}`, {
    code: 'WALKEEPER_PLUGIN_ERROR',
  });

/**
 * Every plugin hook is dispatched here, one way: per-hook arrays built once at open, each
 * call isolated (a throwing hook is counted and reported, never breaks what it ran beside).
 * Hooks that follow a checkpoint are emitted by the coordinator after reads have resumed, so
 * a slow plugin never holds the barrier.
 */
export class HookBus {
  readonly #plugins: readonly WalkeeperPlugin[];
  readonly #metrics: Metrics;
  readonly #onPluginError: PluginErrorHandler;
  readonly #query: Bound<(event: QueryEvent) => void>[];
  readonly #checkpoint: Bound<(result: CheckpointResult) => void | Promise<void>>[];
  readonly #decision: Bound<(decision: CheckpointDecision, state: WalState) => void>[];
  readonly #close: Bound<() => void | Promise<void>>[];
  readonly #pluginError: Bound<(error: unknown, plugin: string, hook: string) => void>[];

  constructor(
    plugins: readonly WalkeeperPlugin[],
    metrics: Metrics,
    onPluginError: PluginErrorHandler | undefined,
  ) {
    this.#plugins = plugins;
    this.#metrics = metrics;
    this.#onPluginError = onPluginError ?? defaultErrorHandler;
    this.#query = collect(plugins, 'onQuery');
    this.#checkpoint = collect(plugins, 'onCheckpoint');
    this.#decision = collect(plugins, 'onCheckpointDecision');
    this.#close = collect(plugins, 'onClose').reverse();
    this.#pluginError = plugins.flatMap((plugin) => {
      const fn = plugin.hooks?.onPluginError;
      return fn ? [{ plugin: plugin.name, fn: fn.bind(plugin.hooks) }] : [];
    });
  }

  /** Some plugin wants every query: reads and writes are then timed and reported. */
  get hasQueryHooks(): boolean {
    return this.#query.length > 0;
  }

  query(event: QueryEvent): void {
    for (const { plugin, fn } of this.#query) {
      try {
        fn(event);
      } catch (error) {
        this.report(error, plugin, 'onQuery');
      }
    }
  }

  /** Runs every `onCheckpoint`; an async hook's tail runs on its own and is reported if it fails. */
  checkpoint(result: CheckpointResult): void {
    for (const { plugin, fn } of this.#checkpoint) {
      try {
        const pending = fn(result);
        if (pending instanceof Promise)
          pending.catch((error: unknown) => this.report(error, plugin, 'onCheckpoint'));
      } catch (error) {
        this.report(error, plugin, 'onCheckpoint');
      }
    }
  }

  decision(decision: CheckpointDecision, state: WalState): void {
    for (const { plugin, fn } of this.#decision) {
      try {
        fn(decision, state);
      } catch (error) {
        this.report(error, plugin, 'onCheckpointDecision');
      }
    }
  }

  /** `onClose` in reverse setup order, each awaited; `setUp` limits it to plugins that got that far. */
  async close(setUp: ReadonlySet<string> | undefined = undefined): Promise<void> {
    for (const { plugin, fn } of this.#close) {
      if (setUp !== undefined && !setUp.has(plugin)) continue;
      try {
        await fn();
      } catch (error) {
        this.report(error, plugin, 'onClose');
      }
    }
  }

  /** Counts a hook's error, hands it to the application's handler and to other plugins. */
  report(error: unknown, plugin: string, hook: string): void {
    this.#metrics.hookErrors++;
    try {
      this.#onPluginError(error, plugin, hook);
    } catch {
      // The error reporter itself failed; the counter above still records the hook error.
    }
    for (const other of this.#pluginError) {
      if (other.plugin === plugin) continue;
      try {
        other.fn(error, plugin, hook);
      } catch {
        this.#metrics.hookErrors++;
      }
    }
  }

  get pluginNames(): string[] {
    return this.#plugins.map((plugin) => plugin.name);
  }
}
