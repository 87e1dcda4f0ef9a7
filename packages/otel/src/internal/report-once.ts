import { WalkeeperError } from '@walkeeper/core';

/**
 * Reports the first failure of each site (a broken meter throws on every call; one report
 * says it, a report per query would flood the application's warnings) and counts the rest.
 */
export class ReportOnce {
  readonly #report: (error: unknown) => void;
  readonly #reported = new Set<string>();
  /** Measurements lost to a throwing meter or callback. */
  dropped = 0;

  constructor(report: (error: unknown) => void) {
    this.#report = report;
  }

  failed(site: string, error: unknown): void {
    this.dropped++;
    if (this.#reported.has(site)) return;
    this.#reported.add(site);
    try {
      this.#report(
        new WalkeeperError(
          'E_PLUGIN',
          `@walkeeper/otel: ${site} failed (${String(error)}); later failures there are only counted (droppedMeasurements)`,
          { cause: error, details: { site } },
        ),
      );
    } catch {
      // The reporter itself failed; `dropped` still counts the loss.
    }
  }
}
