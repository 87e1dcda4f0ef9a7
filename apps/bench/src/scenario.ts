import type { RuntimeName } from './cli.js';
import type { BenchRuntime } from './runtime.js';

/** Results nest for scenarios with several runs (`results.<mode>.<query>.qps`); leaves are numbers. */
export interface ResultTree {
  [key: string]: number | ResultTree;
}

/** A bar a scenario must clear, addressed by a dotted path into the report (`ratios.insert`). */
export interface Target {
  path: string;
  op: '>=' | '<=';
  threshold: number;
}

export interface ScenarioContext {
  /** The scenario's measuring time: `--seconds` or its own default. */
  seconds: number;
  runtime: BenchRuntime;
  /** A fresh, empty directory for this run's databases; deleted afterwards. */
  dir: string;
  /** Progress for people watching; goes to stderr so stdout stays table + JSON. */
  log(message: string): void;
}

export interface ScenarioOutcome {
  results: ResultTree;
  ratios: Record<string, number>;
}

export interface Scenario {
  name: string;
  /** One line for the usage text and the table's heading. */
  summary: string;
  defaultSeconds: number;
  targets: readonly Target[];
  /** Set when the scenario measures on one runtime only; `reason` goes into the usage error. */
  onlyOn?: { runtime: RuntimeName; reason: string };
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}
