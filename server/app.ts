import express, { type RequestHandler, type Router } from 'express';
import { authenticate } from './core/auth';
import type { Config } from './core/config';
import type { Database } from './core/db';
import { errorHandler, notFoundHandler } from './core/error-handler';
import type { Logger } from './core/logger';
import { requestContext } from './core/request-context';
import { healthRoutes } from './routes/health';
import { openapiRoutes } from './routes/openapi';
import { publicSessionRoutes, sessionRoutes } from './routes/session';
import type { CoreServices } from './services/index';

/**
 * A router with where and how to mount it. A bare Router means `{ path: '/api', router, auth: 'required' }`.
 * - auth 'required': behind `authenticate` (Bearer, or Basic for worker accounts); `req.user` is set.
 * - auth 'public': mounted before authentication (e.g. GET /verify/:number).
 */
export interface RouterMount {
  path: string;
  router: Router | RequestHandler;
  auth: 'required' | 'public';
}

export interface AppDeps {
  db: Database;
  log: Logger;
  config: Config;
  /** createCoreServices(...) plus whatever else routers need. */
  services: CoreServices & Record<string, unknown>;
  /** Mounted in order, before the 404 and error handlers. */
  routers?: Array<Router | RouterMount>;
}

function toMount(entry: Router | RouterMount): RouterMount {
  return 'router' in entry && 'auth' in entry ? entry : { path: '/api', router: entry as Router, auth: 'required' };
}

/**
 * The Express application, without listen() (supertest mounts it).
 * Order: request id + logger → JSON body → public routes → authenticate → protected routes →
 * 404 for unknown /api paths → error handler. Unknown /api paths answer 401 to callers without
 * credentials (nothing about the API is revealed before login) and 404 to signed-in callers.
 */
export function createApp(deps: AppDeps): express.Express {
  const { log, services } = deps;
  const mounts = (deps.routers ?? []).map(toMount);
  const app = express();
  app.disable('x-powered-by');

  app.use(requestContext(log));
  app.use(express.json({ limit: '1mb' }));

  app.use('/api', healthRoutes(services.health), openapiRoutes(), publicSessionRoutes(services.auth));
  for (const mount of mounts.filter((m) => m.auth === 'public')) app.use(mount.path, mount.router);

  const requireUser = authenticate(services.auth);
  app.use('/api', requireUser, sessionRoutes(services.auth));
  for (const mount of mounts.filter((m) => m.auth === 'required')) {
    app.use(mount.path, mount.path === '/api' ? [] : requireUser, mount.router);
  }

  app.use('/api', notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
