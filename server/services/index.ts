import type { Clock } from '../core/clock';
import type { Config } from '../core/config';
import type { Database } from '../core/db';
import type { Logger } from '../core/logger';
import { createAuthService, type AuthService } from './auth';
import { createHealthService, type HealthService } from './health';

/** The services the platform layer provides; createApp needs them. Add yours beside them. */
// A type alias (not an interface) so that it is assignable to Record<string, unknown>.
export type CoreServices = {
  auth: AuthService;
  health: HealthService;
};

export interface CoreServiceDeps {
  db: Database;
  config: Config;
  log: Logger;
  clock?: Clock;
}

export function createCoreServices({ db, config, log, clock }: CoreServiceDeps): CoreServices {
  return {
    auth: createAuthService({ knex: db.knex, config, log, clock, changes: db.changes }),
    health: createHealthService(db),
  };
}
