import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { DenialRecord } from '../core/auth';
import { candidateGroups, isRole, type AuthUser } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import type { Config } from '../core/config';
import { notFound, tooManyAttempts, unauthenticated, validationFailed } from '../core/errors';
import type { Logger } from '../core/logger';
import { hashPassword, verifyPassword } from '../core/passwords';
import { passwordProblems } from '../core/auth-password-policy';
import { sessionEvents } from '../core/auth-events';
import { AUTH_CHANGED, type ChangeFeed } from '../core/change-feed';
import { SessionCache } from './session-cache';
import { hashToken, looksLikeSessionToken, newSessionToken } from '../core/tokens';
import { appendAuditEvents, type AuditEventDraft } from '../repositories/audit-events';
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
  /** The session's user; `fresh`: from the database, not from what this process kept (a periodic re-check). */
  userForToken(token: string, options?: { fresh?: boolean }): Promise<AuthUser>;
  /** HTTP Basic, for `worker` accounts only (external task clients), or 401/429. */
  userForBasic(username: string, password: string): Promise<AuthUser>;
  /** Creates a user; a non-demo user's password must pass the password policy (400 otherwise). */
  createUser(input: NewUserInput): Promise<AuthUser>;
  getUser(id: string): Promise<AuthUser>;
  /** An active user by username (for assignment targets), or undefined. */
  findActiveUser(username: string): Promise<AuthUser | undefined>;
  /** Active users of a department holding one of `roles` (notification recipients). */
  departmentMembers(departmentId: string, roles: readonly string[]): Promise<AuthUser[]>;
  /** Records a refused request (403, or a 404 that hides something) in the audit log. */
  recordDenial(user: AuthUser | undefined, denial: AccessDenial): Promise<void>;
}

export type AccessDenial = DenialRecord;

export type AuthConfig = Pick<
  Config,
  'tokenTtlSeconds' | 'loginMaxFailures' | 'loginFailureWindowSeconds' | 'demo' | 'passwordHashCost'
>;

export interface AuthServiceDeps {
  knex: Knex;
  config: AuthConfig;
  log: Logger;
  clock?: Clock;
  /** the database's change notices: without them every request looks its session up */
  changes?: ChangeFeed;
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
    supervisedUnitIds: user.supervisedUnits.map((u) => u.id),
    supervisedUnitCodes: user.supervisedUnits.map((u) => u.code),
  };
}

const USERNAME_FORMAT = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

/** The audit actor of a login attempt: a well-formed username as typed, never arbitrary text (which could be a password typed in the wrong field). */
const attemptActor = (username: string) => (USERNAME_FORMAT.test(username) ? `user:${username}` : 'anonymous');

export function createAuthService({ knex, config, log, clock = systemClock, changes }: AuthServiceDeps): AuthService {
  const users = createUsersRepository(knex);
  const sessions = createSessionsRepository(knex);
  const failures = createLoginFailuresRepository(knex);
  const windowMs = config.loginFailureWindowSeconds * 1000;
  // Verifying against this when the user does not exist keeps the timing of both failures alike.
  const dummyHash = hashPassword('not-a-real-password', config.passwordHashCost);
  // Basic credentials are re-sent on every request; scrypt on each would cost ~0.2 s of CPU.
  const basicCache = new Map<string, { user: AuthUser; until: number }>();
  const sessionCache = new SessionCache(changes);
  // a worker account disabled or changed anywhere: its Basic credentials are checked afresh
  changes?.subscribe(AUTH_CHANGED, () => basicCache.clear());
  sessionEvents.on('users-changed', () => basicCache.clear());

  /** Demo users exist only for demo mode: outside it they cannot sign in. */
  function mayUse(user: UserRecord | undefined): user is UserRecord {
    return user !== undefined && user.disabledAt === null && (!user.isDemo || config.demo);
  }

  async function audit(drafts: AuditEventDraft[]): Promise<void> {
    await knex.transaction((trx) => appendAuditEvents(trx, drafts));
  }

  async function throttle(username: string, now: Date, scheme: 'password' | 'basic'): Promise<void> {
    const since = new Date(now.getTime() - windowMs);
    const recent = await failures.since(username, since);
    if (recent.count >= config.loginMaxFailures) {
      const freeAt = (recent.oldest ?? now).getTime() + windowMs;
      await audit([{ actor: attemptActor(username), kind: 'session.login-throttled', payload: { scheme } }]);
      throw tooManyAttempts(Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)));
    }
  }

  async function recordFailure(username: string, now: Date, scheme: 'password' | 'basic'): Promise<void> {
    await knex.transaction(async (trx) => {
      const repo = createLoginFailuresRepository(trx);
      await repo.deleteBefore(username, new Date(now.getTime() - windowMs));
      await repo.record(username, now);
      await appendAuditEvents(trx, [{ actor: attemptActor(username), kind: 'session.login-failed', payload: { scheme } }]);
    });
    // no username in the log: a mistyped one can be a password or a person's name
    log.info({ scheme }, 'login failed');
  }

  /** The user when name and password match, else undefined; failures are recorded. */
  async function checkCredentials(username: string, password: string, now: Date, scheme: 'password' | 'basic'): Promise<UserRecord | undefined> {
    await throttle(username, now, scheme);
    const user = await users.findByUsername(username);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!matches || !mayUse(user)) {
      await recordFailure(username, now, scheme);
      return undefined;
    }
    await failures.clear(username);
    return user;
  }

  return {
    async login(username, password) {
      const now = clock();
      const user = await checkCredentials(username, password, now, 'password');
      if (!user) throw unauthenticated(BAD_CREDENTIALS);
      const token = newSessionToken();
      const expiresAt = new Date(now.getTime() + config.tokenTtlSeconds * 1000);
      await knex.transaction(async (trx) => {
        await createSessionsRepository(trx).insert({ userId: user.id, tokenHash: hashToken(token), createdAt: now, expiresAt });
        await appendAuditEvents(trx, [{ actor: `user:${user.username}`, kind: 'session.opened', payload: { expiresAt: expiresAt.toISOString() } }]);
      });
      log.info({ user: user.username }, 'session opened');
      return { token, expiresAt, user: toAuthUser(user) };
    },

    async logout(token) {
      if (!looksLikeSessionToken(token)) return;
      const tokenHash = hashToken(token);
      const user = await sessions.findActiveUser(tokenHash, clock());
      const revoked = await knex.transaction(async (trx) => {
        const done = await createSessionsRepository(trx).revoke(tokenHash, clock());
        if (done && user) await appendAuditEvents(trx, [{ actor: `user:${user.username}`, kind: 'session.closed' }]);
        return done;
      });
      if (revoked) sessionEvents.emit('revoked', tokenHash);
      else sessionCache.forget(tokenHash);
    },

    async userForToken(token, options = {}) {
      if (!looksLikeSessionToken(token)) throw unauthenticated();
      const tokenHash = hashToken(token);
      const now = clock();
      const kept = options.fresh ? undefined : sessionCache.get(tokenHash, now.getTime());
      if (kept) return kept;
      const mark = sessionCache.mark();
      const session = await sessions.findActiveSession(tokenHash, now);
      if (!session || !mayUse(session.user)) throw unauthenticated();
      const user = toAuthUser(session.user);
      sessionCache.keep(tokenHash, user, session.expiresAt.getTime(), now.getTime(), mark);
      return user;
    },

    async userForBasic(username, password) {
      const now = clock();
      const key = createHash('sha256').update(`${username}\u0000${password}`).digest('hex');
      const cached = basicCache.get(key);
      if (cached && cached.until > now.getTime()) return cached.user;
      const user = await checkCredentials(username, password, now, 'basic');
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
      if (!input.isDemo) {
        const [problem] = passwordProblems(input.password, input.username);
        if (problem) throw validationFailed([problem], '密码不符合要求');
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

    async findActiveUser(username) {
      if (!USERNAME_FORMAT.test(username)) return undefined;
      const user = await users.findByUsername(username);
      return mayUse(user) ? toAuthUser(user) : undefined;
    },

    async departmentMembers(departmentId, roles) {
      return (await users.activeByDepartmentAndRoles(departmentId, roles)).filter(mayUse).map(toAuthUser);
    },

    async recordDenial(user, denial) {
      await audit([
        {
          actor: user ? `user:${user.username}` : 'anonymous',
          kind: 'access.denied',
          instanceId: denial.instanceId ?? null,
          payload: {
            method: denial.method,
            path: denial.path,
            status: denial.status,
            reason: denial.reason,
            ...(denial.action === undefined ? {} : { action: denial.action }),
            ...(denial.taskId === undefined ? {} : { taskId: denial.taskId }),
          },
        },
      ]);
    },
  };
}
