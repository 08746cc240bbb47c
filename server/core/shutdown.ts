import type { Server } from 'node:http';
import type { Logger } from './logger';

export type StopStep = { name: string; stop: () => Promise<void> };

/**
 * Graceful shutdown on SIGTERM/SIGINT: with a server, stop accepting connections and let in-flight
 * requests finish (idle keep-alive connections are closed at once; after `timeoutMs` the rest are
 * cut); then run the stop steps in order (engine, workers, … database last), then exit 0. A second
 * signal exits at once.
 */
export function installShutdown(
  options: { log: Logger; steps: () => StopStep[] } & ({ server: Server; timeoutMs: number } | { server?: undefined }),
): void {
  const { log } = options;
  let stopping = false;

  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    let code = 0;
    try {
      if (options.server) await closeServer(options.server, options.timeoutMs, log);
      for (const step of options.steps()) {
        try {
          await step.stop();
          log.info({ step: step.name }, 'stopped');
        } catch (error) {
          code = 1;
          log.error({ err: error, step: step.name }, 'stop step failed');
        }
      }
    } catch (error) {
      code = 1;
      log.error({ err: error }, 'shutdown failed');
    }
    log.info({ code }, 'bye');
    process.exit(code);
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

export function closeServer(server: Server, timeoutMs: number, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      log.warn({ timeoutMs }, 'in-flight requests did not finish in time; closing their connections');
      server.closeAllConnections();
    }, timeoutMs);
    timer.unref();
    server.close((error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
