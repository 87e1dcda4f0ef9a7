import type { ResultTree, Target } from './scenario.js';

/** The JSON line: exactly the keys DESIGN.md names, so tools can read any scenario's output. */
export interface BenchReport {
  scenario: string;
  runtime: string;
  sqlite: string;
  results: ResultTree;
  ratios: Record<string, number>;
}

export interface TargetCheck extends Target {
  /** Undefined when the path names nothing: a scenario bug, shown as a miss. */
  value: number | undefined;
  holds: boolean;
}

export function checkTargets(report: BenchReport, targets: readonly Target[]): TargetCheck[] {
  return targets.map((target) => {
    const value = lookup(report, target.path);
    const holds =
      value !== undefined &&
      (target.op === '>=' ? value >= target.threshold : value <= target.threshold);
    return { ...target, value, holds };
  });
}

function lookup(report: BenchReport, path: string): number | undefined {
  let node: unknown = report;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'number' ? node : undefined;
}

/** Leaves of a result tree as dotted keys, in insertion order. */
function flatten(tree: ResultTree, prefix = ''): [string, number][] {
  return Object.entries(tree).flatMap(([key, value]): [string, number][] =>
    typeof value === 'number' ? [[prefix + key, value]] : flatten(value, `${prefix}${key}.`),
  );
}

function formatNumber(value: number): string {
  // Rates and counts read best with separators; fractional values (ms, ratios) with three decimals.
  if (Number.isInteger(value) || Math.abs(value) >= 1000)
    return Math.round(value).toLocaleString('en-US');
  return value.toFixed(3);
}

export function formatTable(
  report: BenchReport,
  checks: readonly TargetCheck[],
  summary: string,
): string {
  const results = flatten(report.results);
  const ratios = Object.entries(report.ratios);
  const width = Math.max(...[...results, ...ratios].map(([key]) => key.length));
  const row = (key: string, value: number) =>
    `  ${key.padEnd(width)}  ${formatNumber(value).padStart(12)}`;
  const lines = [
    `${report.scenario} (${summary}) · runtime ${report.runtime} · SQLite ${report.sqlite}`,
    '',
    'results',
  ];
  for (const [key, value] of results) lines.push(row(key, value));
  lines.push('', 'ratios');
  for (const [key, value] of ratios) lines.push(row(key, value));
  if (checks.length > 0) {
    lines.push('', 'targets');
    for (const check of checks) {
      const shown = check.value === undefined ? 'missing' : formatNumber(check.value);
      lines.push(
        `  ${check.holds ? 'PASS' : 'MISS'}  ${check.path} = ${shown}  (target ${check.op} ${check.threshold})`,
      );
    }
  }
  return lines.join('\n');
}

export function formatJson(report: BenchReport): string {
  return JSON.stringify(report);
}
