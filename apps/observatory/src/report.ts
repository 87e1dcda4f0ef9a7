import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './cli-args.js';
import { openDatabase } from './database.js';
import { Ingester } from './ingest/ingester.js';
import { parseReportArgs, REPORT_USAGE } from './report-args.js';
import { QUERIES } from './server/queries.js';
import { usageQueries } from './server/usage-routes.js';
import { reportTable } from './usage/report-table.js';
import { usageReport } from './usage/reports.js';

/** `pnpm --filter @walkeeper/observatory report …`: brings the database up to date, reports. */
async function main(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseReportArgs>;
  try {
    args = parseReportArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${REPORT_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(REPORT_USAGE);
    return 0;
  }
  await mkdir(dirname(args.database), { recursive: true });
  const walkeeper = await openDatabase(args.database, { readers: 1 });
  try {
    const ingester = new Ingester(walkeeper, {
      root: args.dir,
      log: (line) => console.error(line),
    });
    await ingester.scan();
    await ingester.close();
    let project: number | undefined;
    if (args.project !== undefined) {
      const [row] = await walkeeper.read<{ id: number }>(QUERIES.projectByDir, [args.project]);
      if (row === undefined) {
        console.error(`no project '${args.project}' under ${args.dir}`);
        return 2;
      }
      project = Number(row.id);
    }
    const report = await usageReport(usageQueries(walkeeper), args.kind, {
      ...(args.since === undefined ? {} : { since: args.since }),
      ...(args.until === undefined ? {} : { until: args.until }),
      timezone: args.timezone,
      ...(project === undefined ? {} : { project }),
      mode: args.mode,
      weekStart: args.weekStart,
    });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report));
    return 0;
  } finally {
    await walkeeper.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
