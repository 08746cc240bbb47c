/**
 * `npm run workers -- --url http://localhost:3000/engine-rest --user worker --password demo`:
 * the registered job handlers in a process of their own, taking jobs over the Camunda-7
 * external-task API. SIGTERM/SIGINT stop polling, let the handlers at work finish, close the
 * database, exit 0.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, redactUrl } from '../server/core/config';
import { openDatabase } from '../server/core/db';
import { createLogger } from '../server/core/logger';
import { installShutdown } from '../server/core/shutdown';
import { createWorkerDeps } from '../server/engine/worker-deps';
import { createHandlers, workers } from './registry';
import { startExternalTaskWorkers } from './runtime/external-task';

const HELP = `npm run workers -- --url <engine-rest URL> --user <worker account> (--password <p> | --password-file <file>) [options]

Runs the job handlers of workers/registry.ts as external-task workers (camunda-external-task-client-js)
against a bianzhi-flow server's /engine-rest, or any Camunda 7 / Operaton engine.

  --url <url>                  the engine's REST root, e.g. http://localhost:3000/engine-rest
  --user <name>                a worker account (role worker; demo mode: worker / demo)
  --password <p>               its password (visible to ps: prefer --password-file)
  --password-file <file>       a file holding the password (first line)
  --worker-id <id>             default <host>-<pid>
  --topics <a,b,…>             only these job types (default: every registered one)
  --max-tasks <n>              tasks locked and worked on at once (default 8)
  --lock-duration <ms>         lock per task; a dead worker's tasks go to another after it (default 60000)
  --async-response-timeout <ms>  long-polling wait per fetch (default 20000)
  -h, --help

The handlers read and write the domain data (units, quotas, persons, parameters, documents) in the
same PostgreSQL database as the server: run this with the server's environment —
  DATABASE_URL                 required; the server's database (PGlite cannot be shared: a second
                               process cannot open it, so start the server on PostgreSQL)
  DEMO, DOCUMENT_SIGNING_SECRET, DISTRICT_CODE, DISTRICT_NAME, PUBLIC_BASE_URL
                               as the server has them (documents are numbered and signed here)
  DB_POOL_MAX, LOG_LEVEL       as for the server
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} 应为正整数 / must be a positive integer: ${value}`);
  return n;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        url: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        'password-file': { type: 'string' },
        'worker-id': { type: 'string' },
        topics: { type: 'string' },
        'max-tasks': { type: 'string' },
        'lock-duration': { type: 'string' },
        'async-response-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  if (!args.url) fail('--url 未给出 / --url is required');
  if (!args.user) fail('--user 未给出 / --user is required');
  const password = args['password-file'] ? readFileSync(args['password-file'], 'utf8').split(/\r?\n/)[0] : args.password;
  if (!password) fail('--password 或 --password-file 未给出 / a password is required');

  let config;
  try {
    // The one place this process reads the environment.
    config = loadConfig(process.env, ['databaseUrl', 'dbPoolMax', 'dataDir', 'logLevel', 'port', 'demo', 'documentSigningSecret', 'districtCode', 'districtName', 'publicBaseUrl']);
  } catch (error) {
    if (error instanceof ConfigError) fail(`配置错误 / configuration error: ${error.message}`);
    throw error;
  }
  if (config.databaseUrl === undefined) {
    fail('DATABASE_URL 未设置：外部执行器读写与服务器相同的 PostgreSQL 数据库；PGlite 只能由一个进程打开 / DATABASE_URL is required: the workers use the server\'s PostgreSQL database, and PGlite cannot be opened by a second process');
  }

  const log = createLogger(config).child({ component: 'external-task-workers' });
  const db = await openDatabase(config, log);
  const all = createHandlers(workers, createWorkerDeps(db.knex, config, log));
  const wanted = args.topics?.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = wanted?.filter((t) => !all.has(t)) ?? [];
  if (unknown.length) fail(`未注册的作业类型 / unknown job types: ${unknown.join(', ')}`);
  const handlers = wanted ? new Map([...all].filter(([type]) => wanted.includes(type))) : all;

  log.info({ url: args.url, user: args.user, db: redactUrl(config.databaseUrl) }, 'starting');
  const running = startExternalTaskWorkers({
    baseUrl: args.url,
    username: args.user,
    password,
    handlers,
    log,
    workerId: args['worker-id'],
    maxTasks: positiveInt('max-tasks', args['max-tasks']),
    lockDurationMs: positiveInt('lock-duration', args['lock-duration']),
    asyncResponseTimeoutMs: positiveInt('async-response-timeout', args['async-response-timeout']),
  });

  // one step: the handlers at work finish before the database they use is closed
  installShutdown({
    log,
    steps: () => [
      {
        name: 'external-task workers',
        stop: async () => {
          await running.stop();
          await db.close();
        },
      },
    ],
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`外部执行器启动失败 / external-task workers failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
