/**
 * OpenTelemetry semantic-convention names this package emits, copied from the database client
 * metrics conventions (semantic-conventions 1.3x, `docs/database/database-metrics.md`).
 * Most are still incubating, and `@opentelemetry/semantic-conventions` only ships those from an
 * unstable `/incubating` entry point that may change in any minor release: a local copy keeps
 * the names pinned and the package free of any OpenTelemetry import but `@opentelemetry/api`.
 */

// Metrics: database operation (release candidate).
export const METRIC_DB_CLIENT_OPERATION_DURATION = 'db.client.operation.duration';

// Metrics: connection pools (experimental).
export const METRIC_DB_CLIENT_CONNECTION_COUNT = 'db.client.connection.count';
export const METRIC_DB_CLIENT_CONNECTION_MAX = 'db.client.connection.max';
export const METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS = 'db.client.connection.pending_requests';
export const METRIC_DB_CLIENT_CONNECTION_TIMEOUTS = 'db.client.connection.timeouts';
export const METRIC_DB_CLIENT_CONNECTION_WAIT_TIME = 'db.client.connection.wait_time';
export const METRIC_DB_CLIENT_CONNECTION_USE_TIME = 'db.client.connection.use_time';

// Attributes.
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_NAMESPACE = 'db.namespace';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_RESPONSE_STATUS_CODE = 'db.response.status_code';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_DB_CLIENT_CONNECTION_POOL_NAME = 'db.client.connection.pool.name';
export const ATTR_DB_CLIENT_CONNECTION_STATE = 'db.client.connection.state';

// Attribute values.
export const DB_SYSTEM_NAME_VALUE_SQLITE = 'sqlite';
export const DB_CLIENT_CONNECTION_STATE_VALUE_IDLE = 'idle';
export const DB_CLIENT_CONNECTION_STATE_VALUE_USED = 'used';
/** `error.type` when the instrumentation knows no better name for the failure. */
export const ERROR_TYPE_VALUE_OTHER = '_OTHER';

/**
 * The `ExplicitBucketBoundaries` advice for `db.client.operation.duration`, in seconds.
 * The conventions give no advice for the pool's wait and use times; they share these.
 */
export const DB_CLIENT_OPERATION_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
]);

// walkeeper's own metrics: SQLite's WAL and checkpoints, which the conventions do not cover.
export const METRIC_SQLITE_WAL_SIZE = 'sqlite.wal.size';
export const METRIC_SQLITE_WAL_FRAMES = 'sqlite.wal.frames';
export const METRIC_SQLITE_WAL_BACKFILLED_FRAMES = 'sqlite.wal.backfilled_frames';
export const METRIC_SQLITE_CHECKPOINT_DURATION = 'sqlite.checkpoint.duration';
export const METRIC_SQLITE_CHECKPOINT_COUNT = 'sqlite.checkpoint.count';
export const METRIC_SQLITE_CHECKPOINT_BUSY_STREAK = 'sqlite.checkpoint.busy_streak';
export const METRIC_SQLITE_DATABASE_SIZE = 'sqlite.database.size';

export const ATTR_SQLITE_CHECKPOINT_MODE = 'sqlite.checkpoint.mode';
export const ATTR_SQLITE_CHECKPOINT_OUTCOME = 'sqlite.checkpoint.outcome';
