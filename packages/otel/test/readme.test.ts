import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Walkeeper } from '@walkeeper/core';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

let cwd: string;
beforeEach(() => {
  cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'walkeeper-readme-')));
});
afterEach(() => {
  process.chdir(cwd);
});

/** Runs a README block as a module, importing this package's source, and returns its exports. */
async function run<T>(block: string, exports: string, edit = (code: string) => code): Promise<T> {
  const file = new URL(`./.readme-block-${process.pid}-${Date.now()}.ts`, import.meta.url);
  const code = edit(block.replace("from '@walkeeper/otel'", "from '../src/index.js'"));
  writeFileSync(file, `${code}\nexport { ${exports} };\n`);
  try {
    return (await import(file.href)) as T;
  } finally {
    rmSync(file);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the README has the periodic and the Prometheus examples', () => {
  expect(blocks).toHaveLength(2);
  expect(blocks[0]).toContain('PeriodicExportingMetricReader');
  expect(blocks[1]).toContain('PrometheusExporter');
});

test('the PeriodicExportingMetricReader example runs as written and exports the metrics', async () => {
  const printed: unknown[] = [];
  const dir = vi.spyOn(console, 'dir').mockImplementation((value) => void printed.push(value));
  try {
    const { wk, meterProvider } = await run<{ wk: Walkeeper; meterProvider: MeterProvider }>(
      blocks[0]!,
      'meterProvider, wk',
    );
    await meterProvider.forceFlush();
    await wk.close();
    await meterProvider.shutdown();
    const names = printed.map((p) => (p as { descriptor?: { name?: string } }).descriptor?.name);
    expect(names).toContain('db.client.operation.duration');
    expect(names).toContain('sqlite.checkpoint.count');
  } finally {
    dir.mockRestore();
  }
});

test('the Prometheus example serves the metrics on its port', async () => {
  const port = await freePort();
  const { wk, meterProvider } = await run<{ wk: Walkeeper; meterProvider: MeterProvider }>(
    blocks[1]!,
    'meterProvider, wk',
    (code) => code.replace('port: 9464', `port: ${port}`),
  );
  try {
    wk.write((tx) => tx.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)'));
    await wk.read('SELECT count(*) AS n FROM notes');
    let text = '';
    // The exporter's server starts listening asynchronously.
    for (let attempt = 0; attempt < 50 && text === ''; attempt++) {
      text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((response) => response.text())
        .catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return '';
        });
    }
    expect(text).toMatch(
      /db_client_operation_duration_count\{[^}]*db_operation_name="SELECT"[^}]*\} 1\n/,
    );
    expect(text).toMatch(
      /db_client_operation_duration_count\{[^}]*db_operation_name="TRANSACTION"[^}]*\} 1\n/,
    );
  } finally {
    await wk.close();
    await meterProvider.shutdown();
  }
});
