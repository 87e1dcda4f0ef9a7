import { billingBlocks, type CallRow, callRollup } from './blocks.js';
import type { CostMode, RollupRow } from './cost-modes.js';
import { addDays, LocalCalendar, periodOf, type Weekday } from './periods.js';
import { PRICES } from './pricing.js';
import { groupUsage, UsageSum, type UsageTotals } from './usage-totals.js';

export const REPORT_KINDS = ['daily', 'weekly', 'monthly', 'session', 'project', 'blocks'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportOptions {
  /** Local dates, inclusive ('YYYY-MM-DD'). */
  since?: string;
  until?: string;
  /** IANA zone the days are counted in. */
  timezone: string;
  /** A project's id. */
  project?: number;
  mode: CostMode;
  weekStart?: Weekday;
  /** For the active block (tests fix it). Default: now. */
  now?: number;
}

/** The queries a report runs (catalogued in src/server/queries.ts). */
export interface UsageQueries {
  hours(from: string, to: string, project?: number): Promise<(RollupRow & { hour: string })[]>;
  projects(from: string, to: string): Promise<(RollupRow & { project_dir: string })[]>;
  sessions(project?: number): Promise<(RollupRow & SessionFacts)[]>;
  calls(from: string, to: string, project?: number): Promise<CallRow[]>;
}

interface SessionFacts {
  session_key: string;
  project_dir: string;
  first_at: string;
  last_at: string;
}

/** What every report says about how it priced tokens. */
interface ReportHeader {
  mode: CostMode;
  timezone: string;
  priceTable: { version: string; source: string };
}

export type UsageReport = ReportHeader & Record<string, unknown>;

const KEYS: Record<ReportKind, string> = {
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  session: 'sessions',
  project: 'projects',
  blocks: 'blocks',
};

/**
 * A usage report as ccusage shows it (its field names where the meaning is the same): rows
 * by local day, week or month, by session, by project, or 5-hour billing blocks, with totals.
 * Reads only the rollups (and token_usage in time order for blocks).
 */
export async function usageReport(
  queries: UsageQueries,
  kind: ReportKind,
  options: ReportOptions,
): Promise<UsageReport> {
  const calendar = new LocalCalendar(options.timezone);
  const inRange = (date: string) =>
    (options.since === undefined || date >= options.since) &&
    (options.until === undefined || date <= options.until);
  // UTC hours that can hold the range's local days: a day either side covers every zone.
  const from = options.since === undefined ? '' : `${addDays(options.since, -1)}T00`;
  const to = options.until === undefined ? '\u{10ffff}' : `${addDays(options.until, 2)}T00`;
  const header: ReportHeader = {
    mode: options.mode,
    timezone: options.timezone,
    priceTable: { version: PRICES.version, source: PRICES.source },
  };
  const totals = new UsageSum(options.mode);
  let rows: Record<string, unknown>[];

  if (kind === 'daily' || kind === 'weekly' || kind === 'monthly') {
    const hours = await queries.hours(from, to, options.project);
    const groups = groupUsage(
      hours,
      (row) => {
        const date = calendar.dateOfHour(row.hour);
        if (!inRange(date)) return undefined;
        totals.add(row);
        return periodOf(date, kind, options.weekStart);
      },
      options.mode,
    );
    rows = [...groups].map(([period, sum]) => ({ period, ...sum.result() }));
  } else if (kind === 'project') {
    // Whole UTC hours: the range's edges are exact in zones a whole number of hours off UTC.
    const bounds = hourBounds(options, calendar);
    const projects = await queries.projects(bounds.from, bounds.to);
    const groups = groupUsage(
      projects,
      (row) => {
        totals.add(row);
        return row.project_dir;
      },
      options.mode,
    );
    rows = [...groups].map(([projectPath, sum]) => ({ projectPath, ...sum.result() }));
  } else if (kind === 'session') {
    const sessions = await queries.sessions(options.project);
    const facts = new Map<string, { projectPath: string; first: string; last: string }>();
    const groups = groupUsage(
      sessions,
      (row) => {
        if (row.last_at !== '' && !inRange(calendar.date(row.last_at))) return undefined;
        const seen = facts.get(row.session_key);
        if (seen === undefined)
          facts.set(row.session_key, {
            projectPath: row.project_dir,
            first: row.first_at,
            last: row.last_at,
          });
        else {
          if (row.first_at !== '' && (seen.first === '' || row.first_at < seen.first))
            seen.first = row.first_at;
          if (row.last_at > seen.last) seen.last = row.last_at;
        }
        totals.add(row);
        return row.session_key;
      },
      options.mode,
    );
    rows = [...groups]
      .map(([sessionId, sum]) => {
        const seen = facts.get(sessionId)!;
        return {
          sessionId,
          projectPath: seen.projectPath,
          firstActivity: seen.first || null,
          lastActivity: seen.last || null,
          ...sum.result(),
        };
      })
      .sort((a, b) => String(a.lastActivity).localeCompare(String(b.lastActivity)));
  } else {
    const bounds = hourBounds(options, calendar);
    const calls = await queries.calls(
      bounds.from === '' ? '' : `${bounds.from}:00:00.000Z`,
      bounds.to === '\u{10ffff}' ? bounds.to : `${bounds.to}:00:00.000Z`,
      options.project,
    );
    const blocks = billingBlocks(calls, options.mode, options.now).filter((block) =>
      inRange(calendar.date(block.startTime)),
    );
    for (const call of calls) totals.add(callRollup(call));
    rows = blocks as unknown as Record<string, unknown>[];
    return { ...header, blocks: rows, totals: totalsOf(totals) };
  }
  return { ...header, [KEYS[kind]]: rows, totals: totalsOf(totals) };
}

function totalsOf(sum: UsageSum): UsageTotals {
  const { modelsUsed: _models, modelBreakdowns: _breakdowns, ...totals } = sum.result();
  return totals;
}

/** The UTC hours ('YYYY-MM-DDTHH') from the start of `since` to the end of `until`, local. */
function hourBounds(options: ReportOptions, calendar: LocalCalendar): { from: string; to: string } {
  return {
    from: options.since === undefined ? '' : localMidnightHour(options.since, calendar),
    to:
      options.until === undefined
        ? '\u{10ffff}'
        : localMidnightHour(addDays(options.until, 1), calendar),
  };
}

/** The UTC hour in which a local date begins. */
function localMidnightHour(date: string, calendar: LocalCalendar): string {
  // The first UTC hour of the 48 around the date whose local date is `date`.
  for (let hour = -14; hour <= 14; hour++) {
    const at = new Date(Date.parse(`${date}T00:00:00Z`) - hour * 3_600_000);
    const previous = new Date(at.getTime() - 3_600_000);
    if (calendar.date(at) === date && calendar.date(previous) !== date)
      return at.toISOString().slice(0, 13);
  }
  return `${date}T00`;
}
