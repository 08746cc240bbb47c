import type { Request, RequestHandler } from 'express';
import type { AuthUser, Role } from './auth-user';
import { forbidden, unauthenticated } from './errors';
import { can, hasAnyRole, type Action } from './policy';

export type { AuthUser } from './auth-user';
export { can, type Action } from './policy';

/** What `authenticate` needs from the auth service. */
export interface Authenticator {
  userForToken(token: string): Promise<AuthUser>;
  userForBasic(username: string, password: string): Promise<AuthUser>;
}

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

/**
 * Requires `Authorization: Bearer <token>` — or `Basic` for worker accounts — and sets `req.user`
 * and a request logger that names the user. 401 otherwise.
 */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    const credentials = readCredentials(req.headers.authorization);
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

/** 403 unless the policy table lets the caller perform `action`. */
export function requirePermission(action: Action): RequestHandler {
  return (req, _res, next) => {
    if (!can(currentUser(req), action)) throw forbidden();
    next();
  };
}
