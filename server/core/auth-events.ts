import { EventEmitter } from 'node:events';

/**
 * Session events inside this process: 'revoked' (token hash) when a session is logged out, so that
 * long-lived connections of that session (the inbox event stream) close at once. Other processes
 * notice at their next heartbeat, when they check the session again.
 */
export const sessionEvents = new EventEmitter();
sessionEvents.setMaxListeners(0);
