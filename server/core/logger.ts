import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear. Request bodies and process variables are never logged
 * at all (they hold personal data); this list is the safety net for credentials.
 */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

/** The process logger. `destination` lets tests capture lines. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'bianzhi-flow' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing (tests, tools). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

export interface RequestLogContext {
  reqId: string;
  /** Username once the caller is authenticated. */
  user?: string;
}

/** The child logger of one HTTP request: `{ reqId }`, and `{ reqId, user }` after authentication. */
export function requestLogger(log: Logger, context: RequestLogContext): Logger {
  return log.child(context.user === undefined ? { reqId: context.reqId } : { reqId: context.reqId, user: context.user });
}
