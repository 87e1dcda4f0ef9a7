import type { CheckpointResult } from './checkpoint/result.js';
import { WalkeeperError } from './errors.js';
import { describeValue } from './internal/validate.js';
import type { CheckpointDecision, CheckpointStrategy, WalState } from './strategy.js';
import type { Walkeeper } from './walkeeper.js';

export interface QueryEvent {
  kind: 'read' | 'write';
  /** The SQL text of a read; undefined for a write transaction (it may run many statements). */
  sql: string | undefined;
  durationMs: number;
  error: unknown;
}

export interface WalkeeperHooks {
  /** After every read and every write transaction. Costs nothing when no plugin sets it. */
  onQuery?(event: QueryEvent): void;
  onCheckpoint?(result: CheckpointResult): void;
  /** The checkpoint strategy decided something, with the state it decided on. */
  onCheckpointDecision?(decision: CheckpointDecision, state: WalState): void;
  /** Another plugin's hook threw; the query it ran beside was not affected. */
  onPluginError?(error: unknown, plugin: string, hook: string): void;
  /** Before the database closes, in reverse setup order. */
  onClose?(): void | Promise<void>;
}

export interface PluginContext {
  readonly walkeeper: Walkeeper;
  /** Reports an error without failing anything, as a throwing hook would. */
  report(error: unknown): void;
}

/** A plugin is a plain object; checks at registration make mistakes coded errors. */
export interface WalkeeperPlugin {
  name: string;
  version?: string;
  /** The plugin contract this plugin was written for. Only `'v1'` exists. */
  specificationVersion?: 'v1';
  /** Names of plugins that must be registered too, and set up first. */
  dependencies?: readonly string[];
  enforce?: 'pre' | 'post';
  /** Runs in dependency order after the writer opens and before the read pool does. */
  setup?(context: PluginContext): void | Promise<void>;
  hooks?: WalkeeperHooks;
  /** A checkpoint strategy: with one registered, walkeeper owns checkpoints (see strategy.ts). */
  strategy?: CheckpointStrategy;
}

const ENFORCE_RANK = { pre: 0, normal: 1, post: 2 } as const;

/**
 * Validates plugins and orders them: `pre` before unmarked before `post`, and every plugin
 * after its dependencies (a stable topological sort, so registration order breaks ties).
 */
export function resolvePlugins(input: unknown): WalkeeperPlugin[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option plugins: got ${describeValue(input)}, expected an array of plugins.`,
      {
        details: { option: 'plugins' },
      },
    );
  }
  const byName = new Map<string, WalkeeperPlugin>();
  input.forEach((candidate: unknown, index) => {
    const plugin = checkPlugin(candidate, index);
    if (byName.has(plugin.name)) {
      throw new WalkeeperError(
        'E_PLUGIN_DUPLICATE',
        `Plugin "${plugin.name}" is registered twice.`,
        {
          details: { plugin: plugin.name },
        },
      );
    }
    byName.set(plugin.name, plugin);
  });
  for (const plugin of byName.values()) {
    for (const dependency of plugin.dependencies ?? []) {
      if (!byName.has(dependency)) {
        throw new WalkeeperError(
          'E_PLUGIN_DEPENDENCY',
          `Plugin "${plugin.name}" depends on "${dependency}", which is not registered.`,
          { details: { plugin: plugin.name, dependency } },
        );
      }
    }
  }
  const ranked = [...byName.values()].sort(
    (a, b) => ENFORCE_RANK[a.enforce ?? 'normal'] - ENFORCE_RANK[b.enforce ?? 'normal'],
  );
  const ordered: WalkeeperPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: WalkeeperPlugin, path: string[]) => {
    const seen = state.get(plugin.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new WalkeeperError(
        'E_PLUGIN_DEPENDENCY',
        `Plugins depend on each other in a cycle: ${[...path, plugin.name].join(' -> ')}.`,
        { details: { cycle: [...path, plugin.name] } },
      );
    }
    state.set(plugin.name, 'visiting');
    for (const dependency of plugin.dependencies ?? [])
      visit(byName.get(dependency)!, [...path, plugin.name]);
    state.set(plugin.name, 'done');
    ordered.push(plugin);
  };
  for (const plugin of ranked) visit(plugin, []);
  return ordered;
}

function checkPlugin(candidate: unknown, index: number): WalkeeperPlugin {
  const where = `plugins[${index}]`;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option ${where}: got ${describeValue(candidate)}, expected a plugin object.`,
      {
        details: { option: where },
      },
    );
  }
  const plugin = candidate as Partial<WalkeeperPlugin>;
  if (typeof plugin.name !== 'string' || plugin.name.length === 0) {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option ${where}.name: got ${describeValue(plugin.name)}, expected a non-empty string.`,
      {
        details: { option: `${where}.name` },
      },
    );
  }
  if (plugin.specificationVersion !== undefined && plugin.specificationVersion !== 'v1') {
    throw new WalkeeperError(
      'E_PLUGIN_SPEC',
      `Plugin "${plugin.name}" was written for plugin specification ${describeValue(plugin.specificationVersion)}; this walkeeper supports 'v1'.`,
      { details: { plugin: plugin.name, specificationVersion: plugin.specificationVersion } },
    );
  }
  if (plugin.enforce !== undefined && plugin.enforce !== 'pre' && plugin.enforce !== 'post') {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option ${where}.enforce: got ${describeValue(plugin.enforce)}, expected 'pre' or 'post'.`,
      {
        details: { option: `${where}.enforce` },
      },
    );
  }
  if (
    plugin.dependencies !== undefined &&
    (!Array.isArray(plugin.dependencies) ||
      !plugin.dependencies.every((d) => typeof d === 'string'))
  ) {
    throw new WalkeeperError(
      'E_CONFIG',
      `Invalid option ${where}.dependencies: expected an array of plugin names.`,
      {
        details: { option: `${where}.dependencies` },
      },
    );
  }
  return plugin as WalkeeperPlugin;
}
