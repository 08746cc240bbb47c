import { EventEmitter } from 'node:events';

/**
 * Session events inside this process: 'revoked' (token hash) when a session is logged out, so that
 * long-lived connections of that session (the inbox event stream) close at once. Other processes
 * notice at their next heartbeat, when they check the session again. 'users-changed' when a user's
 * roles, department or unit — or a unit's code or place — changed here: what this process kept of
 * signed-in users is stale at once (other processes hear it from the database, core/change-feed.ts).
 */
export const sessionEvents = new EventEmitter();
sessionEvents.setMaxListeners(0);

export const announceUsersChanged = (): void => void sessionEvents.emit('users-changed');
