// Bundles the browser pages with esbuild, in memory, once per process: nothing generated is written
// to the repository or the data directory. The first page request starts the build and waits for it
// (a few seconds on two cores); later requests are served from memory.
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
  /** pages that did not build: entry → esbuild's messages */
  failures: Map<string, string>;
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
};

const contentTypeOf = (name: string) => CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

/**
 * Each page is built on its own (in parallel): a page that fails to build answers 500 with esbuild's
 * message while the others work. Fonts and images keep esbuild's content-hashed names, so pages that
 * share one (bpmn-js's icon font) share its URL.
 */
export async function buildWebBundle(log: Logger): Promise<WebBundle> {
  const began = performance.now();
  const assets = new Map<string, BundledAsset>();
  const failures = new Map<string, string>();
  await Promise.all(
    WEB_PAGES.map(async (page) => {
      try {
        for (const [name, asset] of await buildPage(page.entry)) assets.set(name, asset);
      } catch (error) {
        const errors = (error as { errors?: esbuild.Message[] }).errors;
        const text = errors?.length ? errors.map((e) => `${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text}`).join('\n') : String(error);
        failures.set(page.entry, text);
        log.error({ page: page.entry, errors: text }, 'web page could not be bundled');
      }
    }),
  );
  const buildMs = Math.round(performance.now() - began);
  log.info({ assets: assets.size, failed: [...failures.keys()], buildMs }, 'web pages bundled');
  return { assets, failures, buildMs };
}

async function buildPage(entry: string): Promise<Array<[string, BundledAsset]>> {
  const result = await esbuild.build({
    absWorkingDir: WEB_SOURCE_DIR,
    entryPoints: { [entry]: `./${entry}/index.ts` },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    outdir: '/assets',
    publicPath: '/assets',
    assetNames: '[name]-[hash]',
    write: false,
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.png': 'file', '.bpmn': 'text', '.form': 'text' },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return result.outputFiles.map((file) => {
    const name = file.path.slice(file.path.indexOf('/assets/') + '/assets/'.length);
    return [name, { contentType: contentTypeOf(name), body: file.contents }];
  });
}
