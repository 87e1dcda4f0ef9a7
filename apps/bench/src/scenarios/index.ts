import type { Scenario } from '../scenario.js';
import { checkpoint } from './checkpoint.js';
import { overhead } from './overhead.js';

/** Every scenario `pnpm bench` knows, by name. A new scenario is one file and one entry here. */
export const scenarios: ReadonlyMap<string, Scenario> = new Map(
  [overhead, checkpoint].map((s) => [s.name, s]),
);

export const scenarioNames: readonly string[] = [...scenarios.keys()];
