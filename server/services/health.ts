import type { Database } from '../core/db';
import { databaseUnavailable } from '../core/errors';

export interface HealthReport {
  status: 'ok';
  db: Database['kind'];
}

export interface HealthService {
  /** Pings the database; 503 DATABASE_UNAVAILABLE when it does not answer within the timeout. */
  check(): Promise<HealthReport>;
}

export function createHealthService(db: Database, timeoutMs = 3000): HealthService {
  return {
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(databaseUnavailable('数据库未在规定时间内响应')), timeoutMs);
      });
      try {
        await Promise.race([db.knex.raw('select 1'), timeout]);
      } catch (error) {
        throw error instanceof Error && error.name === 'AppError' ? error : databaseUnavailable();
      } finally {
        clearTimeout(timer);
      }
      return { status: 'ok', db: db.kind };
    },
  };
}
