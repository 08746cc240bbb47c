import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { PgliteChangeFeed, PostgresChangeFeed, type ChangeFeed } from './change-feed';
import { redactUrl, type Config } from './config';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock';
import type { Logger } from './logger';

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'pglite';
  /** notices of committed changes (LISTEN/NOTIFY), for what servers keep in memory */
  changes: ChangeFeed;
  close(): Promise<void>;
}

export class DatabaseConnectError extends Error {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `无法连接数据库 ${redactUrl(url)}：${reason}\nCannot connect to the database ${redactUrl(url)}: ${reason}`,
      { cause },
    );
    this.name = 'DatabaseConnectError';
  }
}

// DATE columns as 'yyyy-mm-dd' strings: the default (a Date at local midnight) shifts days across
// time zones. One process-wide setting, the same for PostgreSQL and PGlite (both go through `pg`).
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (value: string) => value);

/** DATABASE_URL set → that PostgreSQL server; else PGlite in DATA_DIR, locked against a second process. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolMax'>,
  log: Logger,
): Promise<Database> {
  if (config.databaseUrl !== undefined) return openPostgres(config.databaseUrl, config.dbPoolMax, log);
  return openPgliteInDirectory(config.dataDir, log);
}

/** knex's own warnings go to pino instead of the console. */
function knexLog(log: Logger): Knex.Config['log'] {
  return {
    warn: (message: unknown) => log.warn({ knex: String(message) }, 'knex warning'),
    error: (message: unknown) => log.error({ knex: String(message) }, 'knex error'),
    deprecate: (method: string, alternative: string) => log.warn({ method, alternative }, 'knex deprecation'),
    debug: () => {},
  };
}

async function openPostgres(url: string, poolMax: number, log: Logger): Promise<Database> {
  const knex = knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 30_000,
    log: knexLog(log),
  });
  try {
    await knex.raw('select 1');
  } catch (error) {
    await knex.destroy();
    throw new DatabaseConnectError(url, error);
  }
  log.info({ db: 'postgres', url: redactUrl(url), poolMax }, 'database opened');
  const changes = new PostgresChangeFeed(url, log);
  return {
    knex,
    kind: 'postgres',
    changes,
    async close() {
      await changes.close();
      await knex.destroy();
    },
  };
}

async function openPgliteInDirectory(dataDir: string, log: Logger): Promise<Database> {
  const lock = await acquireDataDirLock(dataDir, log);
  try {
    const started = Date.now();
    const pglite = new PGlite(join(lock.dataDir, 'pglite'));
    await pglite.waitReady;
    const db = knexOverPglite(pglite, lock, log);
    await db.knex.raw('select 1');
    log.info({ db: 'pglite', dataDir: lock.dataDir, ms: Date.now() - started }, 'database opened');
    return db;
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** A fresh in-memory PGlite database (tests). */
export async function openPgliteInMemory(log?: Logger): Promise<Database> {
  const pglite = new PGlite();
  await pglite.waitReady;
  return knexOverPglite(pglite, undefined, log);
}

/**
 * knex over PGlite's node-postgres adapter: the same `pg` type parsing and error objects as on a
 * real server. PGlite has ONE connection: inside a transaction always use `trx`, or the query waits
 * for the pool until it times out.
 */
function knexOverPglite(pglite: PGlite, lock?: DataDirLock, log?: Logger): Database {
  const knex = knexFactory({
    client: 'pg',
    // knex types `connection` as plain settings; the PGlite config object is what `pg.Client` accepts.
    connection: createPgConfig(pglite) as unknown as Knex.PgConnectionConfig,
    pool: { min: 1, max: 1 },
    acquireConnectionTimeout: 60_000,
    ...(log ? { log: knexLog(log) } : {}),
  });
  let closed = false;
  const changes = new PgliteChangeFeed(knex, pglite);
  return {
    knex,
    kind: 'pglite',
    changes,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await changes.close();
        await knex.destroy();
        await pglite.close();
      } finally {
        await lock?.release();
      }
    },
  };
}
