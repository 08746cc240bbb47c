import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from './logger';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const MIGRATION_FILE = /^(\d{14}_[a-z0-9_]+)\.(ts|js|mjs)$/;

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Lists migrations/ and `import()`s each file (works under tsx and on compiled JavaScript alike).
 * Recorded names carry no extension, so .ts and .js builds share one history. Order: file name.
 */
export function directoryMigrationSource(dir = MIGRATIONS_DIR): Knex.MigrationSource<string> {
  return {
    async getMigrations() {
      const files = (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts'));
      const byName = new Map<string, string>();
      for (const file of files.sort()) {
        const name = migrationName(file);
        if (byName.has(name)) throw new Error(`migration ${name} exists twice (${byName.get(name)}, ${file})`);
        byName.set(name, file);
      }
      return [...byName.values()];
    },
    getMigrationName: migrationName,
    async getMigration(file) {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as Partial<MigrationModule>;
      if (typeof module.up !== 'function' || typeof module.down !== 'function') {
        throw new Error(`migration ${file} must export async functions up(knex) and down(knex)`);
      }
      return { up: module.up, down: module.down };
    },
  };
}

function migrationName(file: string): string {
  return file.replace(/\.(ts|js|mjs)$/, '');
}

function migratorConfig(dir?: string): Knex.MigratorConfig {
  return { migrationSource: directoryMigrationSource(dir), tableName: 'knex_migrations' };
}

// Several server processes may start on one fresh database at the same moment; knex's own lock
// table is created racily, so the whole migration run is serialized by an advisory lock.
const MIGRATION_LOCK_KEY = 0x627a_6d67; // 'bzmg'

/** Applies every pending migration, each in its own transaction. Returns the names applied. */
export async function migrateLatest(knex: Knex, log?: Logger, dir?: string): Promise<string[]> {
  const [, applied] = (await withMigrationLock(knex, () => knex.migrate.latest(migratorConfig(dir)))) as [number, string[]];
  if (applied.length > 0) log?.info({ migrations: applied }, 'migrations applied');
  return applied;
}

/**
 * Holds a session advisory lock on a connection of its own while `work` runs on the others. With a
 * single connection (PGlite) there is no second process to keep out: the data-dir lock did that.
 */
async function withMigrationLock<T>(knex: Knex, work: () => Promise<T>): Promise<T> {
  const poolMax = (knex.client.config as { pool?: { max?: number } }).pool?.max ?? 10;
  if (poolMax < 2) return work();
  const connection = await knex.client.acquireConnection();
  try {
    await knex.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    try {
      return await work();
    } finally {
      await knex.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/** Rolls back every applied migration, newest first. Returns the names rolled back. */
export async function rollbackAll(knex: Knex, log?: Logger, dir?: string): Promise<string[]> {
  const [, rolledBack] = (await knex.migrate.rollback(migratorConfig(dir), true)) as [number, string[]];
  if (rolledBack.length > 0) log?.info({ migrations: rolledBack }, 'migrations rolled back');
  return rolledBack;
}

/** Names of applied and pending migrations. */
export async function migrationStatus(knex: Knex, dir?: string): Promise<{ applied: string[]; pending: string[] }> {
  const [completed, pending] = (await knex.migrate.list(migratorConfig(dir))) as [
    Array<{ name: string }>,
    Array<string | { file: string }>,
  ];
  return {
    applied: completed.map((m) => m.name),
    pending: pending.map((m) => migrationName(typeof m === 'string' ? m : m.file)),
  };
}
