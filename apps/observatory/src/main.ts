import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseCliArgs, USAGE, UsageError } from './cli-args.js';
import { buildDemoDir } from './demo/demo-dir.js';
import { LiveSession } from './demo/live-session.js';
import { isBun } from './driver.js';
import { startObservatory } from './observatory.js';
import { progressPrinter } from './progress.js';

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  let dir = options.dir;
  if (dir === undefined) {
    console.error(`building the demo data in ${options.demoDir} …`);
    await rm(options.database, { force: true });
    await rm(`${options.database}-wal`, { force: true });
    await rm(`${options.database}-shm`, { force: true });
    const demo = await buildDemoDir(options.demoDir, {
      seed: options.seed,
      sessions: options.sessions,
    });
    console.error(
      `  ${demo.files} transcript files (the fixtures and ${options.sessions} generated sessions)`,
    );
    dir = demo.root;
  }
  await mkdir(dirname(options.database), { recursive: true });

  const started = Date.now();
  const observatory = await startObservatory({
    dir,
    database: options.database,
    host: options.host,
    allowHosts: options.allowHosts,
    port: options.port,
    watch: !options.smoke,
    onProgress: progressPrinter(process.stderr),
  });
  const { server } = observatory;
  console.log(
    `observatory on ${server.url}  (runtime: ${isBun ? `bun ${process.versions.bun}` : `node ${process.versions.node}`})`,
  );
  console.log(`  transcripts: ${dir}\n  database:    ${options.database}`);
  if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    console.warn(
      `  warning: listening on ${options.host}: anyone who can reach it can read these transcripts`,
    );
  }

  const scan = await observatory.scanned;
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `first scan done: ${scan.messages.toLocaleString('en')} messages from ${scan.filesTotal} files ` +
      `(${(scan.bytesTotal / 1e6).toFixed(1)} MB) in ${seconds.toFixed(1)} s`,
  );

  if (options.smoke) {
    const response = await fetch(`${server.url}/api/projects`);
    console.log(`GET /api/projects -> ${response.status} ${JSON.stringify(await response.json())}`);
    // The dashboard's page and /metrics too: the exporter and the assets load on this runtime.
    let ok = response.ok;
    for (const path of ['/', '/metrics']) {
      const answer = await fetch(`${server.url}${path}`);
      await answer.arrayBuffer();
      console.log(`GET ${path} -> ${answer.status}`);
      ok &&= answer.ok;
    }
    await observatory.close();
    return ok ? 0 : 1;
  }

  let live: LiveSession | undefined;
  if (options.dir === undefined && options.live) {
    live = new LiveSession({ root: dir, seed: options.seed + 1 });
    live.start();
    console.log(`live session ${live.sessionId} appending to ${live.path}`);
  }
  console.log(
    `dashboard: ${server.url}/   metrics: ${server.url}/metrics\ntry:\n  ${server.url}/api/projects\n  ${server.url}/api/sessions\n  ${server.url}/api/search?q=retry\n  ${server.url}/api/ingest\n  ${server.url}/api/health\nCtrl-C stops.`,
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.error('\nstopping …');
  live?.stop();
  await observatory.close();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
