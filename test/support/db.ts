/**
 * The test database. With DATABASE_URL: a fresh database `bzf_test_<pid>_<rand>` on that server,
 * migrated, dropped after the run (root hook in hooks.ts). Without: one in-memory PGlite per mocha
 * process, migrated once. Tests share it: reset with `resetDatabase` in a beforeEach.
 */
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { openDatabase, openPgliteInMemory, type Database } from '../../server/core/db';
import { createSilentLogger } from '../../server/core/logger';
import { migrateLatest } from '../../server/core/migrate';
import { ensureReferenceData } from '../../server/services/reference-data';

/** The one place the tests read the environment: the server to run on, if any. */
export const testServerUrl: string | undefined = process.env.DATABASE_URL || undefined;

let shared: Promise<Database> | undefined;
const cleanups: Array<() => Promise<void>> = [];

/** The shared, migrated test database. */
export function getTestDatabase(): Promise<Database> {
  shared ??= openScratchDatabase().then(async (db) => {
    await migrateLatest(db.knex);
    return db;
  });
  return shared;
}

/**
 * A new, empty (unmigrated) database of the same kind, for tests that must not disturb the shared
 * one (migration round trips). Close it with the returned `drop`.
 */
export async function openScratchDatabase(): Promise<Database & { drop(): Promise<void> }> {
  if (testServerUrl === undefined) {
    const db = await openPgliteInMemory();
    return { ...db, drop: () => db.close() };
  }
  const name = `bzf_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withServerAdmin((admin) => admin.raw(`create database "${name}"`));
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir: '', dbPoolMax: 10 }, createSilentLogger());
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await db.close();
    await withServerAdmin((admin) => admin.raw(`drop database if exists "${name}" with (force)`));
  };
  cleanups.push(drop);
  return { ...db, drop };
}

async function withServerAdmin<T>(work: (admin: Knex) => Promise<T>): Promise<T> {
  const url = new URL(testServerUrl!);
  url.pathname = '/postgres';
  const admin = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  try {
    return await work(admin);
  } finally {
    await admin.destroy();
  }
}

/** Called once by the root hook after all tests: closes and drops what this process created. */
export async function closeTestDatabases(): Promise<void> {
  if (shared) {
    const db = await shared.catch(() => undefined);
    shared = undefined;
    if (db && testServerUrl === undefined) await db.close();
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
}

const KEEP = new Set(['knex_migrations', 'knex_migrations_lock']);

/**
 * Empties every table but knex's own. User triggers (e.g. the append-only guard on audit_events) are
 * switched off for the truncate and back on in the same transaction; the test user owns the tables.
 */
export async function truncateAll(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    const rows = (
      await trx.raw<{ rows: Array<{ tablename: string }> }>(
        `select tablename from pg_tables where schemaname = current_schema()`,
      )
    ).rows;
    const tables = rows.map((r) => `"${r.tablename}"`).filter((t) => !KEEP.has(t.slice(1, -1)));
    if (tables.length === 0) return;
    for (const table of tables) await trx.raw(`alter table ${table} disable trigger user`);
    await trx.raw(`truncate table ${tables.join(', ')} restart identity cascade`);
    for (const table of tables) await trx.raw(`alter table ${table} enable trigger user`);
  });
}

/** truncateAll, then the departments and roles every start inserts. */
export async function resetDatabase(knex: Knex): Promise<void> {
  await truncateAll(knex);
  await ensureReferenceData(knex);
}

/**
 * For tests that need several connections or processes: without DATABASE_URL they are skipped,
 * visibly. Call as the first line of the test or of a `before` hook (`function () {}`, not an arrow).
 */
export function requireRealPostgres(ctx: Mocha.Context, why: string): void {
  if (testServerUrl !== undefined) return;
  // Visible in the spec reporter's output, next to the pending test.
  console.log(`      SKIPPED (needs real PostgreSQL: ${why})`);
  ctx.skip();
}
