import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { isBun } from '../driver.js';

export interface ListenOptions {
  /** Default 127.0.0.1: the API shows transcripts, so it stays on this machine unless asked. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Bun's server, typed structurally so the app needs no Bun type package. */
interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): unknown;
}
interface BunRuntime {
  serve(options: {
    fetch: (request: Request) => Response | Promise<Response>;
    hostname: string;
    port: number;
  }): BunServer;
}

/** Serves the app: Bun.serve under Bun, @hono/node-server on Node. */
export async function listen(app: Hono, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (isBun) {
    const bun = (globalThis as { Bun?: BunRuntime }).Bun!;
    const server = bun.serve({ fetch: (request) => app.fetch(request), hostname: host, port });
    return running(host, server.port, async () => {
      await server.stop(true);
    });
  }
  const { createAdaptorServer } = await import('@hono/node-server');
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return running(host, address.port, () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Long-lived responses (the dashboard's event stream) must not hold the process open.
    server.closeAllConnections();
    return closed;
  });
}

function running(host: string, port: number, close: () => Promise<void>): RunningServer {
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${port}`, host, port, close };
}
