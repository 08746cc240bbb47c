import type { Request, RequestHandler, Response } from 'express';
import type { AuthUser, Role } from './auth-user';
import { forbidden, unauthenticated } from './errors';
import { can, hasAnyRole, type Action } from './policy';

export type { AuthUser } from './auth-user';
export { can, type Action } from './policy';

/** A refused request, for the audit log (no bodies, no query strings). */
export interface DenialRecord {
  method: string;
  path: string;
  status: 403 | 404;
  action?: string;
  reason: string;
  instanceId?: string | null;
  taskId?: string;
}

/** What `authenticate` needs from the auth service. */
export interface Authenticator {
  userForToken(token: string, options?: { fresh?: boolean }): Promise<AuthUser>;
  userForBasic(username: string, password: string): Promise<AuthUser>;
  /** Records a denial in the audit log; `requirePermission` calls it before answering 403. */
  recordDenial?(user: AuthUser | undefined, denial: DenialRecord): Promise<void>;
}

/**
 * Paths that may carry the session token as `?token=` instead of a header: the browser's EventSource
 * cannot set headers. Only GET, only these paths; the request log never contains query strings.
 */
export const QUERY_TOKEN_PATHS: ReadonlySet<string> = new Set(['/api/tasks/stream']);

type Credentials =
  | { scheme: 'bearer'; token: string }
  | { scheme: 'basic'; username: string; password: string };

function readCredentials(header: string | undefined): Credentials | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value) return { scheme: 'bearer', token: value };
  if (scheme === 'basic' && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** The bearer token of a request, if it carries one. */
export function readBearerToken(req: Request): string | undefined {
  const credentials = readCredentials(req.headers.authorization);
  return credentials?.scheme === 'bearer' ? credentials.token : undefined;
}

/** The session token of a request: its Bearer header, or `?token=` on a QUERY_TOKEN_PATHS GET. */
export function readSessionToken(req: Request): string | undefined {
  const bearer = readBearerToken(req);
  if (bearer !== undefined) return bearer;
  return queryToken(req);
}

function queryToken(req: Request): string | undefined {
  if (req.method !== 'GET' || req.headers.authorization !== undefined) return undefined;
  if (!QUERY_TOKEN_PATHS.has(req.originalUrl.split('?')[0]!)) return undefined;
  const token = req.query.token;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

const AUTHENTICATOR = Symbol('authenticator');

/** The authenticator that authenticated this request (to record denials). */
export function authenticatorOf(res: Response): Authenticator | undefined {
  return (res.locals as Record<symbol, Authenticator | undefined>)[AUTHENTICATOR];
}

/**
 * Requires `Authorization: Bearer <token>` — or `Basic` for worker accounts, or `?token=` on the
 * event stream — and sets `req.user` and a request logger that names the user. 401 otherwise.
 */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    (res.locals as Record<symbol, Authenticator>)[AUTHENTICATOR] = authenticator;
    const fromQuery = queryToken(req);
    const credentials: Credentials | undefined = fromQuery !== undefined ? { scheme: 'bearer', token: fromQuery } : readCredentials(req.headers.authorization);
    if (!credentials) throw unauthenticated();
    const user =
      credentials.scheme === 'bearer'
        ? await authenticator.userForToken(credentials.token)
        : await authenticator.userForBasic(credentials.username, credentials.password);
    req.user = user;
    req.log = req.log.child({ user: user.username });
    next();
  };
}

/** The authenticated caller; 401 when the route is not behind `authenticate`. */
export function currentUser(req: Request): AuthUser {
  if (!req.user) throw unauthenticated();
  return req.user;
}

/** 403 unless the caller holds one of `roles`. Prefer requirePermission(action). */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!hasAnyRole(currentUser(req), roles)) throw forbidden();
    next();
  };
}

/** The route pattern of a request inside a route handler ('/api/tasks/:id'), else its path. */
export function routePath(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : req.originalUrl.split('?')[0]!;
}

/** Records a denial through the request's authenticator; a failure to record is logged, never answered. */
export async function recordDenial(req: Request, res: Response, denial: Omit<DenialRecord, 'method' | 'path'>): Promise<void> {
  const authenticator = authenticatorOf(res);
  if (!authenticator?.recordDenial) return;
  try {
    await authenticator.recordDenial(req.user, { method: req.method, path: routePath(req), ...denial });
  } catch (error) {
    req.log.warn({ err: error }, 'could not record a denial in the audit log');
  }
}

/** A route guard that names its action (the authorization-matrix test reads it off the routes). */
export type PermissionGuard = RequestHandler & { readonly permission: Action };

/** 403 unless the policy table lets the caller perform `action`; the denial goes to the audit log. */
export function requirePermission(action: Action): PermissionGuard {
  const guard: RequestHandler = async (req, res, next) => {
    if (!can(currentUser(req), action)) {
      await recordDenial(req, res, { status: 403, action, reason: 'role' });
      throw forbidden();
    }
    next();
  };
  return Object.assign(guard, { permission: action });
}
