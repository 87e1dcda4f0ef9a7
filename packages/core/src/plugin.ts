import type { CheckpointResult } from './checkpoint/result.js';
import { WalkeeperError } from './errors.js';
import { configError, describeValue } from './internal/validate.js';
import { isPluginVersion, isVersionRange, parseDependency, satisfies } from './plugin-version.js';
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
  /** `major.minor.patch`: what other plugins' `'name@range'` dependencies are checked against. */
  version?: string;
  /** The plugin contract this plugin was written for. Only `'v1'` exists. */
  specificationVersion?: 'v1';
  /**
   * Plugins that must be registered too, and set up first: a name, or `'name@range'`
   * (`'metrics-history@^0.2'`) to also require that plugin's `version` to be in the range.
   */
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
  if (!Array.isArray(input)) throw configError('plugins', input, 'an array of plugins');
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
    for (const spec of plugin.dependencies ?? []) checkDependency(plugin, spec, byName);
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
    for (const spec of plugin.dependencies ?? [])
      visit(byName.get(parseDependency(spec).name)!, [...path, plugin.name]);
    state.set(plugin.name, 'done');
    ordered.push(plugin);
  };
  for (const plugin of ranked) visit(plugin, []);
  return ordered;
}

function checkPlugin(candidate: unknown, index: number): WalkeeperPlugin {
  const where = `plugins[${index}]`;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    throw configError(where, candidate, 'a plugin object');
  }
  const plugin = candidate as Partial<WalkeeperPlugin>;
  if (typeof plugin.name !== 'string' || plugin.name.length === 0) {
    throw configError(`${where}.name`, plugin.name, 'a non-empty string');
  }
  if (plugin.version !== undefined && !isPluginVersion(plugin.version)) {
    throw configError(`${where}.version`, plugin.version, 'a version such as 1.2.3');
  }
  if (plugin.specificationVersion !== undefined && plugin.specificationVersion !== 'v1') {
    throw new WalkeeperError(
      'E_PLUGIN_SPEC',
      `Plugin "${plugin.name}" was written for plugin specification ${describeValue(plugin.specificationVersion)}; this walkeeper supports 'v1'.`,
      { details: { plugin: plugin.name, specificationVersion: plugin.specificationVersion } },
    );
  }
  if (plugin.enforce !== undefined && plugin.enforce !== 'pre' && plugin.enforce !== 'post') {
    throw configError(`${where}.enforce`, plugin.enforce, "'pre' or 'post'");
  }
  if (
    plugin.dependencies !== undefined &&
    (!Array.isArray(plugin.dependencies) ||
      !plugin.dependencies.every((d) => typeof d === 'string' && validDependency(d)))
  ) {
    throw configError(
      `${where}.dependencies`,
      plugin.dependencies,
      "an array of plugin names, each optionally with a version range ('name@^1.2')",
    );
  }
  return plugin as WalkeeperPlugin;
}

function validDependency(spec: string): boolean {
  const { name, range } = parseDependency(spec);
  return name.length > 0 && (range === undefined || isVersionRange(range));
}

/** The dependency is registered and, when it names a range, its version is in it. */
function checkDependency(
  plugin: WalkeeperPlugin,
  spec: string,
  byName: ReadonlyMap<string, WalkeeperPlugin>,
): void {
  const { name, range } = parseDependency(spec);
  const dependency = byName.get(name);
  if (dependency === undefined) {
    throw new WalkeeperError(
      'E_PLUGIN_DEPENDENCY',
      `Plugin "${plugin.name}" depends on "${name}", which is not registered.`,
      { details: { plugin: plugin.name, dependency: name } },
    );
  }
  if (range === undefined) return;
  const { version } = dependency;
  if (version === undefined || !satisfies(version, range)) {
    throw new WalkeeperError(
      'E_PLUGIN_VERSION',
      `Plugin "${plugin.name}" needs "${name}" ${range}, but ${version === undefined ? `"${name}" declares no version` : `"${name}" is ${version}`}.`,
      { details: { plugin: plugin.name, dependency: name, range, version } },
    );
  }
}
