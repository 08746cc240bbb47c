import type { Router } from 'express';
import type express from 'express';
import supertest from 'supertest';
import { createApp, type RouterMount } from '../../server/app';
import type { Clock } from '../../server/core/clock';
import { loadConfig, type Config } from '../../server/core/config';
import type { Database } from '../../server/core/db';
import { createSilentLogger, type Logger } from '../../server/core/logger';
import { createCoreServices, type CoreServices } from '../../server/services/index';
import type { AuthUser } from '../../server/core/auth-user';
import { getTestDatabase } from './db';

/** Config for tests: demo on, silent logs, cheap password hashes; override any variable. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ DEMO: '1', LOG_LEVEL: 'silent', PASSWORD_HASH_COST: '10', ...overrides });
}

export interface TestApp {
  app: express.Express;
  db: Database;
  config: Config;
  log: Logger;
  services: CoreServices & Record<string, unknown>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  routers?: Array<Router | RouterMount>;
  services?: Record<string, unknown>;
  db?: Database;
  log?: Logger;
}

/** createApp on the shared test database, with real services. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await getTestDatabase());
  const config = testConfig(options.env);
  const log = options.log ?? createSilentLogger();
  const services = { ...createCoreServices({ db, config, log, clock: options.clock }), ...options.services };
  const app = createApp({ db, log, config, services, routers: options.routers });
  return { app, db, config, log, services };
}

export interface TestUserInput {
  username: string;
  password?: string;
  roles: string[];
  departmentId?: string | null;
  unitId?: string | null;
  isDemo?: boolean;
}

/** Creates a user through the auth service (password default 'secret-password-1'). */
export function createTestUser(services: Pick<CoreServices, 'auth'>, input: TestUserInput): Promise<AuthUser> {
  return services.auth.createUser({
    username: input.username,
    displayName: input.username,
    password: input.password ?? 'secret-password-1',
    roles: input.roles,
    departmentId: input.departmentId ?? null,
    unitId: input.unitId ?? null,
    isDemo: input.isDemo,
  });
}

/** Logs in through the API and returns the bearer token. */
export async function tokenFor(app: express.Express, username: string, password = 'secret-password-1'): Promise<string> {
  const res = await supertest(app).post('/api/session').send({ username, password });
  if (res.status !== 201) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { data: { token: string } }).data.token;
}
