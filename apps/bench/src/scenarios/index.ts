import type { Scenario } from '../scenario.js';
import { batch } from './batch.js';
import { checkpoint } from './checkpoint.js';
import { ingest } from './ingest.js';
import { orm } from './orm.js';
import { overhead } from './overhead.js';
import { pinned } from './pinned.js';
import { pool } from './pool.js';
import { starvation } from './starvation.js';
import { steady } from './steady.js';
import { usage } from './usage.js';

/** Every scenario `pnpm bench` knows, by name. A new scenario is one file and one entry here. */
export const scenarios: ReadonlyMap<string, Scenario> = new Map(
  [overhead, checkpoint, pool, starvation, ingest, batch, orm, usage, steady, pinned].map((s) => [
    s.name,
    s,
  ]),
);

export const scenarioNames: readonly string[] = [...scenarios.keys()];
