// Bundles the browser pages with esbuild, in memory, once per process: nothing generated is written
// to the repository or the data directory. The build starts when the web routes are created and the
// first page request waits for it (a few seconds on two cores).
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Logger } from '../core/logger';
import { WEB_PAGES } from './pages';

export const WEB_SOURCE_DIR = fileURLToPath(new URL('../../web-modeler/src/', import.meta.url));

export interface BundledAsset {
  contentType: string;
  body: Uint8Array;
}

export interface WebBundle {
  /** assets by URL path below /assets/ (e.g. `modeler.js`, `chunk-AB12.js`, `bpmn.woff2`) */
  assets: Map<string, BundledAsset>;
  buildMs: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

const contentTypeOf = (name: string) => CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

export async function buildWebBundle(log: Logger): Promise<WebBundle> {
  const began = performance.now();
  const result = await esbuild.build({
    absWorkingDir: WEB_SOURCE_DIR,
    entryPoints: Object.fromEntries(WEB_PAGES.map((p) => [p.entry, `./${p.entry}/index.ts`])),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    outdir: '/assets',
    publicPath: '/assets',
    write: false,
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.png': 'file', '.bpmn': 'text', '.form': 'text' },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const assets = new Map<string, BundledAsset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.indexOf('/assets/') + '/assets/'.length);
    assets.set(name, { contentType: contentTypeOf(name), body: file.contents });
  }
  const buildMs = Math.round(performance.now() - began);
  log.info({ assets: assets.size, buildMs }, 'web pages bundled');
  return { assets, buildMs };
}
