import type { Attributes, HrTime } from '@opentelemetry/api';
import type { Walkeeper } from '@walkeeper/core';
import { type LiveHistograms, liveHistogramsOf } from '@walkeeper/core/plugin-kit';
import {
  ATTR_DB_CLIENT_CONNECTION_POOL_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_SQLITE,
} from '../semconv.js';

/** One open walkeeper the plugin exports: what a collection reads and how it is labelled. */
export interface Source {
  /** Distinct per open, so series of a database opened twice never mix. */
  readonly id: number;
  readonly walkeeper: Walkeeper;
  readonly histograms: LiveHistograms;
  /** `db.system.name` and `db.namespace`. */
  readonly common: Attributes;
  /** `db.client.connection.pool.name`. */
  readonly pool: Attributes;
  /** When the plugin started exporting it: the start of every cumulative series. */
  readonly startTime: HrTime;
  /** Its `db.client.operation.duration` is recorded per call through an SDK instrument instead. */
  readonly operationsByInstrument: boolean;
}

let nextId = 1;

export function createSource(
  walkeeper: Walkeeper,
  poolName: string | undefined,
  operationsByInstrument: boolean,
): Source {
  return {
    id: nextId++,
    walkeeper,
    histograms: liveHistogramsOf(walkeeper),
    common: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_SQLITE,
      [ATTR_DB_NAMESPACE]: walkeeper.path,
    },
    pool: { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: poolName ?? walkeeper.path },
    startTime: hrNow(),
    operationsByInstrument,
  };
}

/** Now, as OpenTelemetry's `[seconds, nanoseconds]` since the epoch (as the SDK's `hrTime()`). */
export function hrNow(): HrTime {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.min(999_999_999, Math.floor((ms - seconds * 1000) * 1e6))];
}
