import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError } from './errors.js';
import { messageOf } from './_context.js';

/** One file the page is made of, held in memory. */
export interface PageAsset {
  /** The URL path it is served at. */
  path: string;
  contentType: string;
  body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page's own files (`page/` beside `src/` and `dist/`), and uPlot's from its npm package. */
function sources(): Array<{ path: string; file: string }> {
  const pageDir = fileURLToPath(new URL('../page/', import.meta.url));
  const own = readdirSync(pageDir)
    .filter((name) => Object.hasOwn(TYPES, extname(name)))
    .map((name) => ({ path: name === 'index.html' ? '/' : `/assets/${name}`, file: join(pageDir, name) }));
  const require = createRequire(import.meta.url);
  return [
    ...own,
    { path: '/assets/vendor/uplot.esm.js', file: require.resolve('uplot/dist/uPlot.esm.js') },
    { path: '/assets/vendor/uplot.min.css', file: require.resolve('uplot/dist/uPlot.min.css') },
  ];
}

/**
 * Reads the live page's files once, at start: a handful of small files, served from memory
 * and never from a CDN. Throws `GatewayError` (`OPTIONS_INVALID`) when they are missing, which
 * means a broken install.
 */
export function loadPageAssets(): PageAsset[] {
  try {
    return sources().map(({ path, file }) => ({ path, contentType: TYPES[extname(file)]!, body: readFileSync(file) }));
  } catch (err) {
    throw new GatewayError('OPTIONS_INVALID', `createGateway: the live page's files cannot be read (${messageOf(err)}): reinstall @fieldbridge/gateway-dev, or pass live: false`, { cause: err });
  }
}
