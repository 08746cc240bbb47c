// The database each benchmark makes for itself on the PostgreSQL server of DATABASE_URL.
import knexFactory, { type Knex } from 'knex';

/** DATABASE_URL (the server the benchmark runs on); without it a message and exit code 2. */
export function serverUrlOrExit(command: string): string {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    console.error(`${command} 需要真实的 PostgreSQL：请设置 DATABASE_URL / the benchmark needs DATABASE_URL (real PostgreSQL)`);
    process.exit(2);
  }
  return serverUrl;
}

/** The URL of database `name` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops database `name` if it exists and creates it empty; returns its URL. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  await onServer(serverUrl, async (admin) => {
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.raw(`create database ${name}`);
  });
  return databaseUrl(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, (admin) => admin.raw(`drop database if exists ${name} with (force)`));
}

async function onServer(serverUrl: string, work: (admin: Knex) => Promise<unknown>): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  try {
    await work(admin);
  } finally {
    await admin.destroy();
  }
}
