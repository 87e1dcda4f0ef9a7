import type { Hono } from 'hono';
import type { CallRow } from '../usage/blocks.js';
import { COST_MODES } from '../usage/cost-modes.js';
import { WEEKDAYS } from '../usage/periods.js';
import { REPORT_KINDS, type ReportKind, type UsageQueries, usageReport } from '../usage/reports.js';
import { isTimeZone, systemTimeZone } from '../usage/time-zone.js';
import type { Reader } from './app.js';
import { HttpError, QueryParams } from './params.js';
import { QUERIES, type QueryName } from './queries.js';

/** The report queries over the API's reader (the command uses them too). */
export function usageQueries(db: Reader): UsageQueries {
  const read = <Row>(name: QueryName, params: readonly unknown[]) =>
    db.read<Row>(QUERIES[name], params);
  return {
    hours: (from, to, project) =>
      project === undefined
        ? read('reportHours', [from, to])
        : read('reportHoursByProject', [project, from, to]),
    projects: (from, to) => read('reportProjects', [from, to]),
    sessions: (project) =>
      project === undefined
        ? read('reportSessions', [])
        : read('reportSessionsByProject', [project]),
    calls: (from, to, project) =>
      project === undefined
        ? read<CallRow>('reportCalls', [from, to])
        : read<CallRow>('reportCallsByProject', [from, to, project]),
  };
}

/**
 * `GET /api/usage/:kind` (daily, weekly, monthly, session, project, blocks): the reports of
 * src/usage/reports.ts, with `since`, `until` (local days), `timezone`, `project` (an id or a
 * directory name),
 * `mode` (auto, calculate, display) and, for weeks, `weekStart`.
 */
export function mountUsageRoutes(app: Hono, db: Reader): void {
  const queries = usageQueries(db);
  app.get('/api/usage/:kind', async (c) => {
    const kind = c.req.param('kind');
    if (!(REPORT_KINDS as readonly string[]).includes(kind))
      throw new HttpError(404, `no usage report '${kind}'; there are ${REPORT_KINDS.join(', ')}`);
    const q = new QueryParams(c.req.url, [
      'since',
      'until',
      'timezone',
      'project',
      'mode',
      'weekStart',
    ]);
    const since = q.day('since');
    const until = q.day('until');
    if (since !== undefined && until !== undefined && since > until)
      throw new HttpError(400, "'since' is after 'until'");
    const timezone = q.string('timezone', { max: 64 }) ?? systemTimeZone();
    if (!isTimeZone(timezone))
      throw new HttpError(400, `'timezone' must be an IANA time zone, not '${timezone}'`);
    const projectParam = q.string('project', { max: 500 });
    if (projectParam !== undefined && kind === 'project')
      throw new HttpError(400, "the project report takes no 'project'");
    const project = projectParam === undefined ? undefined : await projectId(projectParam);
    const report = await usageReport(queries, kind as ReportKind, {
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      timezone,
      ...(project === undefined ? {} : { project }),
      mode: q.oneOf('mode', COST_MODES, 'auto'),
      weekStart: q.oneOf('weekStart', WEEKDAYS, 'sunday'),
    });
    return c.json(report);
  });

  /** A project by id, or by its directory name as ccusage's --project takes it. */
  async function projectId(param: string): Promise<number> {
    const [row] = /^\d{1,15}$/.test(param)
      ? await db.read<{ id: number }>(QUERIES.projectExists, [Number(param)])
      : await db.read<{ id: number }>(QUERIES.projectByDir, [param]);
    if (row === undefined) throw new HttpError(404, `no project '${param}'`);
    return Number(row.id);
  }
}
