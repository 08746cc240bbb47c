import type { Server } from 'node:http';
import type { Router } from 'express';
import { createApp, type RouterMount } from './app';
import { ConfigError, loadConfig, type Config } from './core/config';
import { DataDirLockedError } from './core/data-dir-lock';
import { DatabaseConnectError, openDatabase } from './core/db';
import { createLogger, type Logger } from './core/logger';
import { migrateLatest } from './core/migrate';
import { installShutdown, type StopStep } from './core/shutdown';
import { formatDemoUsers, seedDemo } from './demo/seed';
import type { WorkerDefinition } from '../workers/registry';
import { startEngine } from './engine/index';
import { webRoutes } from './web/routes';
import { bootstrapAdmin } from './services/bootstrap';
import { createCoreServices } from './services/index';
import { ensureReferenceData } from './services/reference-data';

export interface ServerOptions {
  /** workers to run in this process besides those of workers/registry.ts (benchmarks, tests) */
  extraWorkers?: WorkerDefinition[];
}

/** Starts the whole service in this process; `npm start` runs it through server/main.ts. */
export async function runServer(options: ServerOptions = {}): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config);
  log.info({ engine: config.engine, demo: config.demo, db: config.databaseUrl ? 'postgres' : 'pglite' }, 'starting');

  const db = await openDatabase(config, log);
  /** Stopped in this order after the HTTP server has drained; the database closes last. */
  const stopSteps: StopStep[] = [];

  await migrateLatest(db.knex, log);
  await ensureReferenceData(db.knex);
  const services = createCoreServices({ db, config, log });
  if (config.demo) {
    const users = await seedDemo(db.knex, log, { district: { persons: config.demoPersons } });
    process.stdout.write(`\n${formatDemoUsers(users)}\n\n`);
  } else {
    await bootstrapAdmin({ knex: db.knex, auth: services.auth, log }, config.bootstrapAdminPassword);
  }

  const routers: Array<Router | RouterMount> = [];
  const engine = await startEngine({ db, config, log, extraWorkers: options.extraWorkers });
  stopSteps.push({ name: 'engine', stop: () => engine.stop() });
  routers.push(...engine.routers);
  routers.push({ path: '/', router: webRoutes(log), auth: 'public' });

  const app = createApp({ db, log, config, services, routers });
  const server = await listen(app, config, log);
  installShutdown({
    server,
    log,
    timeoutMs: config.shutdownTimeoutMs,
    steps: () => [...stopSteps, { name: 'database', stop: () => db.close() }],
  });
}

function loadConfigOrExit(): Config {
  try {
    // The one place that reads the environment.
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`配置错误 / configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, config: Config, log: Logger): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port);
    server.once('listening', () => {
      log.info({ port: config.port }, `listening on http://localhost:${config.port}`);
      resolve(server);
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`端口 ${config.port} 已被占用，请设置 PORT / port ${config.port} is already in use; set PORT`)
          : error,
      );
    });
  });
}

/** Prints a start failure the way an operator can act on it, and exits 1. */
export function exitOnStartFailure(error: unknown): never {
  const known = error instanceof DataDirLockedError || error instanceof DatabaseConnectError || error instanceof ConfigError;
  if (known || (error instanceof Error && error.message.startsWith('端口'))) {
    process.stderr.write(`${(error as Error).message}\n`);
  } else {
    process.stderr.write(`启动失败 / failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
}
