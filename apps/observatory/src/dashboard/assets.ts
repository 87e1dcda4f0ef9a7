import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dashboard's own front end: plain ES modules, CSS and one HTML page. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

/**
 * Every file the dashboard serves, read once at start into a table keyed by URL path. A
 * request is a lookup in it, never a path joined from the URL, so nothing outside these
 * files can be reached. uPlot comes from its npm package (no CDN: the page works offline and
 * its Content-Security-Policy allows only this origin).
 */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(PUBLIC_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const type = TYPES[extname(entry.name)];
    // tsconfig.json and the .d.ts beside the scripts are for the type checker, not the browser.
    if (type === undefined || entry.name.endsWith('.d.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const url = `/assets/${relative(PUBLIC_DIR, path).split(sep).join('/')}`;
    assets.set(url, { body: new Uint8Array(readFileSync(path)), type });
  }
  const require = createRequire(import.meta.url);
  for (const [url, file] of [
    ['/assets/vendor/uPlot.iife.min.js', 'uplot/dist/uPlot.iife.min.js'],
    ['/assets/vendor/uPlot.min.css', 'uplot/dist/uPlot.min.css'],
  ] as const) {
    const type = TYPES[extname(file)]!;
    assets.set(url, { body: new Uint8Array(readFileSync(require.resolve(file))), type });
  }
  return assets;
}
