import type { UsageReport } from './reports.js';
import type { UsageTotals } from './usage-totals.js';

type Row = UsageTotals & Record<string, unknown>;

const number = (value: number) => value.toLocaleString('en');
const dollars = (row: UsageTotals) =>
  row.totalCost === null
    ? 'unpriced'
    : `$${row.totalCost.toFixed(2)}${row.unpricedTokens > 0 ? ' +unpriced' : ''}`;

/** The first column of each report: what a row is. */
function label(report: UsageReport, row: Row): string {
  if ('blocks' in report)
    return `${String(row.startTime).slice(0, 16).replace('T', ' ')}${row.isGap ? ' (gap)' : row.isActive ? ' (active)' : ''}`;
  return String(row.period ?? row.sessionId ?? row.projectPath);
}

/** A report as a plain text table for a terminal, totals last, unpriced models named. */
export function reportTable(report: UsageReport): string {
  const key = ['daily', 'weekly', 'monthly', 'sessions', 'projects', 'blocks'].find(
    (name) => name in report,
  )!;
  const rows = report[key] as Row[];
  const table = [
    [key, 'input', 'output', 'cache write', 'cache read', 'total tokens', 'cost (USD)'],
    ...rows.map((row) => [
      label(report, row),
      number(row.inputTokens),
      number(row.outputTokens),
      number(row.cacheCreationTokens),
      number(row.cacheReadTokens),
      number(row.totalTokens),
      row.isGap ? '' : dollars(row),
    ]),
  ];
  const totals = report.totals as UsageTotals;
  table.push([
    'total',
    number(totals.inputTokens),
    number(totals.outputTokens),
    number(totals.cacheCreationTokens),
    number(totals.cacheReadTokens),
    number(totals.totalTokens),
    dollars(totals),
  ]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  '),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.splice(lines.length - 1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const notes = [
    `mode ${report.mode}, days in ${report.timezone}, prices of ${report.priceTable.version}`,
  ];
  if (totals.unpricedModels.length > 0)
    notes.push(
      `no price for ${totals.unpricedModels.join(', ')}: ${number(totals.unpricedTokens)} tokens not in the cost`,
    );
  return `${lines.join('\n')}\n${notes.join('\n')}\n`;
}
