import type { Knex } from 'knex';

export interface LoginFailuresRepository {
  /** Failures for `username` at or after `since`: how many, and the oldest one's time. */
  since(username: string, since: Date): Promise<{ count: number; oldest: Date | null }>;
  record(username: string, at: Date): Promise<void>;
  clear(username: string): Promise<void>;
  deleteBefore(username: string, before: Date): Promise<void>;
}

export function createLoginFailuresRepository(db: Knex): LoginFailuresRepository {
  return {
    async since(username, since) {
      const row = (await db('login_failures')
        .where({ username })
        .where('failed_at', '>=', since)
        .select(db.raw('count(*)::int as count'), db.raw('min(failed_at) as oldest'))
        .first()) as { count: number; oldest: Date | null };
      return { count: row.count, oldest: row.oldest };
    },
    async record(username, at) {
      await db('login_failures').insert({ username, failed_at: at });
    },
    async clear(username) {
      await db('login_failures').where({ username }).delete();
    },
    async deleteBefore(username, before) {
      await db('login_failures').where({ username }).where('failed_at', '<', before).delete();
    },
  };
}
