import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observatory } from '../src/observatory.js';
import { eventually, observeFixture, tempDir } from './helpers.js';
import {
  prometheusUnavailable,
  type RunningPrometheus,
  startPrometheus,
} from './prometheus-server.js';

// A real Prometheus (Debian's package) scrapes the observatory's /metrics every second, and
// its query API answers with the WAL size of the observatory's own database.

const unavailable = prometheusUnavailable();
if (unavailable) console.warn(`skipping the Prometheus test: ${unavailable}`);

interface Vector {
  status: string;
  data: {
    resultType: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
}

describe.skipIf(unavailable !== undefined)('Prometheus scraping /metrics', () => {
  const temp = tempDir();
  const database = join(temp.dir, 'observatory.db');
  let observatory: Observatory;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    observatory = await observeFixture(temp.dir, 'tool_heavy.jsonl');
    const { host, port } = observatory.server;
    prometheus = await startPrometheus(join(temp.dir, 'prometheus'), `${host}:${port}`);
  }, 40_000);

  afterAll(async () => {
    await prometheus?.stop();
    await observatory?.close();
    temp.cleanup();
  });

  async function query(expression: string): Promise<Vector['data']['result']> {
    const url = `${prometheus!.url}/api/v1/query?${new URLSearchParams({ query: expression })}`;
    const body = (await (await fetch(url)).json()) as Vector;
    expect(body.status).toBe('success');
    return body.data.result;
  }

  it("returns the observatory database's WAL size from its query API", async () => {
    const selector = `sqlite_wal_size{job="observatory",db_namespace="${database}"}`;
    let result: Vector['data']['result'] = [];
    await eventually(
      async () => {
        result = await query(selector);
        return result.length > 0;
      },
      20_000,
      `Prometheus to have scraped ${selector}\n${prometheus!.output()}`,
    );
    expect(result).toHaveLength(1);
    const [sample] = result;
    expect(sample!.metric).toMatchObject({
      __name__: 'sqlite_wal_size',
      db_system_name: 'sqlite',
      db_namespace: database,
      job: 'observatory',
      instance: `${observatory.server.host}:${observatory.server.port}`,
    });
    const bytes = Number(sample!.value[1]);
    expect(Number.isInteger(bytes)).toBe(true);
    expect(bytes).toBeGreaterThanOrEqual(0);
    // And it is this database's WAL: once the app is idle, what Prometheus scraped is what
    // walkeeper measures.
    await eventually(
      async () => {
        const [now] = await query(selector);
        return Number(now?.value[1]) === observatory.walkeeper.stats().wal.walBytes;
      },
      15_000,
      "Prometheus' sqlite_wal_size to match walkeeper's stats().wal.walBytes",
    );

    // The scrape itself is healthy, and the rest of @walkeeper/otel's metrics came with it.
    const [up] = await query('up{job="observatory"}');
    expect(up?.value[1]).toBe('1');
    const [size] = await query(`sqlite_database_size{db_namespace="${database}"}`);
    expect(Number(size?.value[1])).toBeGreaterThan(0);
    const [max] = await query('db_client_connection_max{job="observatory"}');
    expect(max?.value[1]).toBe('1');
  }, 40_000);
});
