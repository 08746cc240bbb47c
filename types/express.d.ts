import type { Logger } from 'pino';
import type { AuthUser } from '../server/core/auth-user';

declare global {
  namespace Express {
    interface Request {
      /** Set by the request-context middleware (X-Request-Id or a new uuid). */
      id: string;
      /** Child logger `{ reqId }`, `{ reqId, user }` once authenticated. */
      log: Logger;
      /** Set by `authenticate`. Read it through `currentUser(req)`. */
      user?: AuthUser;
    }
  }
}

export {};
