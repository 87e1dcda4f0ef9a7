import type { WalkeeperError } from '@walkeeper/core';

/** Which way a migration step goes: `up` applies it, `down` undoes it. */
export type MigrationDirection = 'up' | 'down';

interface EventBase {
  direction: MigrationDirection;
  version: number;
  name: string;
}

/**
 * What `onProgress` hears while migrations run, for logs and progress bars. A listener that
 * throws is reported as a process warning and never stops a migration.
 */
export type MigrationEvent =
  | (EventBase & { type: 'start' })
  /** A no-transaction migration committed one statement (1-based) of `statements`. */
  | (EventBase & { type: 'statement'; statement: number; statements: number })
  | (EventBase & { type: 'applied' | 'skipped'; durationMs: number })
  | (EventBase & { type: 'failed'; durationMs: number; error: WalkeeperError });
