// GET /, /modeler, /inbox, /instances/:id, /dashboard and their /assets/*: public (the shells hold
// no data; the pages call the API with the user's token). The Content-Security-Policy keeps every
// request on this server: no page may load or send anything elsewhere.
import { Router, type Response } from 'express';
import type { Logger } from '../core/logger';
import { buildWebBundle, type WebBundle } from './bundle';
import { pageShell, WEB_PAGES } from './pages';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The bundle is built on the first page or asset request (a few seconds), not at start: servers that
 * only answer the API (workers' clusters, the durability tests' processes) never pay for it.
 */
export function webRoutes(log: Logger, build: () => Promise<WebBundle> = () => buildWebBundle(log)): Router {
  let bundle: Promise<WebBundle> | undefined;
  const bundled = () => {
    bundle ??= build().catch((error: unknown) => {
      log.error({ err: error }, 'web pages could not be bundled');
      bundle = undefined; // a failed build is retried on the next request
      throw error;
    });
    return bundle;
  };

  const secure = (res: Response) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
  };

  const router = Router();
  router.get('/assets/:name', async (req, res) => {
    const asset = (await bundled()).assets.get(req.params.name);
    secure(res);
    if (!asset) {
      res.status(404).type('text/plain').send('未找到');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type(asset.contentType).send(Buffer.from(asset.body));
  });
  for (const page of WEB_PAGES) {
    router.get(page.path, async (_req, res) => {
      const { assets, failures } = await bundled();
      secure(res);
      res.setHeader('Cache-Control', 'no-store');
      const failure = failures.get(page.entry);
      if (failure) {
        res.status(500).type('text/plain; charset=utf-8').send(`页面 ${page.entry} 构建失败 / page failed to build:\n${failure}`);
        return;
      }
      res.type('text/html; charset=utf-8').send(pageShell(page, assets.has(`${page.entry}.css`)));
    });
  }
  return router;
}
