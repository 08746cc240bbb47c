import type { Knex } from 'knex';
import { selectUserRows, toUserRecord, type UserRecord } from './users';

export interface NewSession {
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionsRepository {
  insert(session: NewSession): Promise<void>;
  /** The user of a session that is neither revoked nor expired at `now`. */
  findActiveUser(tokenHash: string, now: Date): Promise<UserRecord | undefined>;
  /** The same, with when the session expires. */
  findActiveSession(tokenHash: string, now: Date): Promise<{ user: UserRecord; expiresAt: Date } | undefined>;
  /** Returns whether an active session was revoked. */
  revoke(tokenHash: string, now: Date): Promise<boolean>;
  deleteExpiredBefore(before: Date): Promise<number>;
}

export function createSessionsRepository(db: Knex): SessionsRepository {
  return {
    async insert(session) {
      await db('sessions').insert({
        user_id: session.userId,
        token_hash: session.tokenHash,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
      });
    },
    async findActiveUser(tokenHash, now) {
      return (await this.findActiveSession(tokenHash, now))?.user;
    },
    async findActiveSession(tokenHash, now) {
      const row = await selectUserRows(db)
        .select('s.expires_at as session_expires_at')
        .join('sessions as s', 's.user_id', 'u.id')
        .where('s.token_hash', tokenHash)
        .whereNull('s.revoked_at')
        .where('s.expires_at', '>', now)
        .first();
      return row ? { user: toUserRecord(row), expiresAt: new Date(row.session_expires_at) } : undefined;
    },
    async revoke(tokenHash, now) {
      const count = await db('sessions')
        .where({ token_hash: tokenHash })
        .whereNull('revoked_at')
        .update({ revoked_at: now });
      return count > 0;
    },
    async deleteExpiredBefore(before) {
      return db('sessions').where('expires_at', '<', before).delete();
    },
  };
}
