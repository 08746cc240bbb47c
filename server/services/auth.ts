import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { candidateGroups, isRole, type AuthUser } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import type { Config } from '../core/config';
import { notFound, tooManyAttempts, unauthenticated, validationFailed } from '../core/errors';
import type { Logger } from '../core/logger';
import { hashPassword, verifyPassword } from '../core/passwords';
import { hashToken, looksLikeSessionToken, newSessionToken } from '../core/tokens';
import { createLoginFailuresRepository } from '../repositories/login-failures';
import { createSessionsRepository } from '../repositories/sessions';
import { createUsersRepository, type UserRecord } from '../repositories/users';

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: AuthUser;
}

export interface NewUserInput {
  username: string;
  displayName: string;
  password: string;
  roles: readonly string[];
  departmentId: string | null;
  unitId?: string | null;
  isDemo?: boolean;
}

export interface AuthService {
  /** Checks the password, throttles repeated failures (429), opens a session. */
  login(username: string, password: string): Promise<LoginResult>;
  /** Revokes the session of `token`; a no-op for an unknown or already revoked token. */
  logout(token: string): Promise<void>;
  /** The user of a live session, or 401. */
  userForToken(token: string): Promise<AuthUser>;
  /** HTTP Basic, for `worker` accounts only (external task clients), or 401/429. */
  userForBasic(username: string, password: string): Promise<AuthUser>;
  createUser(input: NewUserInput): Promise<AuthUser>;
  getUser(id: string): Promise<AuthUser>;
}

export type AuthConfig = Pick<
  Config,
  'tokenTtlSeconds' | 'loginMaxFailures' | 'loginFailureWindowSeconds' | 'demo' | 'passwordHashCost'
>;

export interface AuthServiceDeps {
  knex: Knex;
  config: AuthConfig;
  log: Logger;
  clock?: Clock;
}

const BAD_CREDENTIALS = '用户名或密码错误';
const BASIC_CACHE_MS = 30_000;
const BASIC_CACHE_MAX = 1000;

export function toAuthUser(user: UserRecord): AuthUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: [...user.roles],
    departmentId: user.departmentId,
    unitId: user.unitId,
    unitCode: user.unitCode,
    groups: candidateGroups(user),
  };
}

export function createAuthService({ knex, config, log, clock = systemClock }: AuthServiceDeps): AuthService {
  const users = createUsersRepository(knex);
  const sessions = createSessionsRepository(knex);
  const failures = createLoginFailuresRepository(knex);
  const windowMs = config.loginFailureWindowSeconds * 1000;
  // Verifying against this when the user does not exist keeps the timing of both failures alike.
  const dummyHash = hashPassword('not-a-real-password', config.passwordHashCost);
  // Basic credentials are re-sent on every request; scrypt on each would cost ~0.2 s of CPU.
  const basicCache = new Map<string, { user: AuthUser; until: number }>();

  /** Demo users exist only for demo mode: outside it they cannot sign in. */
  function mayUse(user: UserRecord | undefined): user is UserRecord {
    return user !== undefined && user.disabledAt === null && (!user.isDemo || config.demo);
  }

  async function throttle(username: string, now: Date): Promise<void> {
    const since = new Date(now.getTime() - windowMs);
    const recent = await failures.since(username, since);
    if (recent.count >= config.loginMaxFailures) {
      const freeAt = (recent.oldest ?? now).getTime() + windowMs;
      throw tooManyAttempts(Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)));
    }
  }

  async function recordFailure(username: string, now: Date): Promise<void> {
    await failures.deleteBefore(username, new Date(now.getTime() - windowMs));
    await failures.record(username, now);
  }

  /** The user when name and password match, else undefined; failures are recorded. */
  async function checkCredentials(username: string, password: string, now: Date): Promise<UserRecord | undefined> {
    await throttle(username, now);
    const user = await users.findByUsername(username);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!matches || !mayUse(user)) {
      await recordFailure(username, now);
      log.info({ username }, 'login failed');
      return undefined;
    }
    await failures.clear(username);
    return user;
  }

  return {
    async login(username, password) {
      const now = clock();
      const user = await checkCredentials(username, password, now);
      if (!user) throw unauthenticated(BAD_CREDENTIALS);
      const token = newSessionToken();
      const expiresAt = new Date(now.getTime() + config.tokenTtlSeconds * 1000);
      await sessions.insert({ userId: user.id, tokenHash: hashToken(token), createdAt: now, expiresAt });
      log.info({ user: user.username }, 'session opened');
      return { token, expiresAt, user: toAuthUser(user) };
    },

    async logout(token) {
      if (!looksLikeSessionToken(token)) return;
      await sessions.revoke(hashToken(token), clock());
    },

    async userForToken(token) {
      if (!looksLikeSessionToken(token)) throw unauthenticated();
      const user = await sessions.findActiveUser(hashToken(token), clock());
      if (!mayUse(user)) throw unauthenticated();
      return toAuthUser(user);
    },

    async userForBasic(username, password) {
      const now = clock();
      const key = createHash('sha256').update(`${username}\u0000${password}`).digest('hex');
      const cached = basicCache.get(key);
      if (cached && cached.until > now.getTime()) return cached.user;
      const user = await checkCredentials(username, password, now);
      if (!user) throw unauthenticated(BAD_CREDENTIALS);
      if (!user.roles.includes('worker')) {
        throw unauthenticated('Basic 认证仅限外部任务执行器账号，请使用令牌登录');
      }
      const authUser = toAuthUser(user);
      if (basicCache.size >= BASIC_CACHE_MAX) basicCache.clear();
      basicCache.set(key, { user: authUser, until: now.getTime() + BASIC_CACHE_MS });
      return authUser;
    },

    async createUser(input) {
      const unknownRoles = input.roles.filter((r) => !isRole(r));
      if (unknownRoles.length > 0) {
        throw validationFailed([{ field: '/roles', message: `未知角色：${unknownRoles.join(', ')}` }]);
      }
      const passwordHash = await hashPassword(input.password, config.passwordHashCost);
      const id = await knex.transaction(async (trx) =>
        createUsersRepository(trx).insert({ ...input, passwordHash }),
      );
      const created = await users.findById(id);
      return toAuthUser(created!);
    },

    async getUser(id) {
      const user = await users.findById(id);
      if (!user) throw notFound('用户');
      return toAuthUser(user);
    },
  };
}
