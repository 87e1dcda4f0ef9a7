import { coreOf } from '../internal/core-registry.js';
import type { Walkeeper } from '../walkeeper.js';

/** The checkpoint scheduler's controls, for tests of the watchdog and of stopped scheduling. */
export interface SchedulerHandle {
  readonly running: boolean;
  /** Stops asking the strategy; while walkeeper owns checkpoints, SQLite's autocheckpoint returns. */
  stop(): void;
  start(): void;
  /** Asks the strategy once now; resolves when its checkpoint is done. */
  tick(): Promise<void>;
}

/** The scheduler of a walkeeper opened with a strategy plugin, or undefined without one. */
export function schedulerOf(walkeeper: Walkeeper): SchedulerHandle | undefined {
  return coreOf(walkeeper).scheduler;
}
