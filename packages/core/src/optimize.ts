import type { SqliteConnection } from './driver.js';

export interface OptimizeResult {
  /** Statements `PRAGMA optimize` decided to run (ANALYZE of tables whose stats were stale). */
  analyzed: string[];
  analysisLimit: number;
  /** Pages returned to the file system by `incremental_vacuum` (0 unless auto_vacuum is INCREMENTAL). */
  vacuumedPages: number;
  durationMs: number;
}

/** `PRAGMA optimize` with an analysis limit, then an incremental vacuum where enabled. */
export function optimize(connection: SqliteConnection, analysisLimit: number): OptimizeResult {
  const started = performance.now();
  connection.pragma(`analysis_limit = ${analysisLimit}`);
  // Mask 0x03 lists what optimize would run without running it; then it runs for real.
  const analyzed = connection.pragma('optimize(3)').map((row) => String(Object.values(row)[0]));
  connection.pragma('optimize');
  let vacuumedPages = 0;
  if (Number(connection.pragma('auto_vacuum')[0]?.auto_vacuum) === 2) {
    const freePages = () => Number(connection.pragma('freelist_count')[0]?.freelist_count ?? 0);
    const before = freePages();
    connection.pragma('incremental_vacuum');
    vacuumedPages = before - freePages();
  }
  return { analyzed, analysisLimit, vacuumedPages, durationMs: performance.now() - started };
}
