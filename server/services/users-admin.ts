// User administration (admins) and a user's own password change. Every change is one audit event in the
// same transaction, with the fields that changed (before/after) and never a password or a hash; a request
// that changes nothing appends nothing. The last active administrator cannot be removed.
//
// Not here: a "must change the password at next sign-in" flag. The users table has no such column and
// sign-in (services/auth.ts) would have to enforce it; an admin reset revokes the user's sessions instead.
import type { Knex } from 'knex';
import { isRole, type AuthUser } from '../core/auth-user';
import { announceUsersChanged, sessionEvents } from '../core/auth-events';
import { passwordProblems } from '../core/auth-password-policy';
import { systemClock, type Clock } from '../core/clock';
import type { Config } from '../core/config';
import { conflict, notFound, requireUuid, tooManyAttempts, validationFailed, type FieldError } from '../core/errors';
import { hashPassword, verifyPassword } from '../core/passwords';
import { hashToken } from '../core/tokens';
import { appendAuditEvents } from '../repositories/audit-events';
import { createLoginFailuresRepository } from '../repositories/login-failures';
import { findUnit } from '../repositories/quotas';
import {
  countOtherActiveAdmins,
  createUsersRepository,
  departmentExists,
  listUserRecords,
  lockAdministrators,
  lockUserRecord,
  revokeUserSessions,
  setUserRoles,
  updateUserColumns,
  type UserListFilter,
  type UserRecord,
} from '../repositories/users';
import { changedFields, uniqueAs } from './units';

/** A user as administrators see it: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  departmentId: string | null;
  unitId: string | null;
  unitCode: string | null;
  active: boolean;
  isDemo: boolean;
}

export interface NewUserInput {
  username: string;
  displayName: string;
  roles: string[];
  departmentId?: string | null;
  unitId?: string | null;
  password: string;
}

export interface UserChanges {
  displayName?: string;
  roles?: string[];
  departmentId?: string | null;
  unitId?: string | null;
  active?: boolean;
}

export interface UserAdminService {
  list(filter: UserListFilter): Promise<UserView[]>;
  get(id: string): Promise<UserView>;
  create(input: NewUserInput, actor: AuthUser): Promise<UserView>;
  update(id: string, changes: UserChanges, actor: AuthUser): Promise<UserView>;
  /** Sets a new password (policy-checked) and ends the user's sessions. */
  resetPassword(id: string, password: string, actor: AuthUser): Promise<void>;
  /** The signed-in user changes the own password; other sessions of the user end, this one stays. */
  changeOwnPassword(user: AuthUser, currentToken: string | undefined, oldPassword: string, newPassword: string): Promise<void>;
}

export interface UserAdminDeps {
  db: Knex;
  config: Pick<Config, 'passwordHashCost' | 'demo' | 'loginMaxFailures' | 'loginFailureWindowSeconds'>;
  clock?: Clock;
}

const UNIT_ROLES = ['unit-clerk', 'supervisor-clerk'];
const DEPARTMENT_ROLES = ['clerk', 'leader'];

export function toUserView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: [...user.roles].sort(),
    departmentId: user.departmentId,
    unitId: user.unitId,
    unitCode: user.unitCode,
    active: user.disabledAt === null,
    isDemo: user.isDemo,
  };
}

/** The fields an administrator sets, as the audit payload's before/after name them. */
const adminFields = (u: Pick<UserView, 'displayName' | 'roles' | 'departmentId' | 'unitId' | 'active'>) => ({
  displayName: u.displayName,
  roles: [...u.roles].sort(),
  departmentId: u.departmentId,
  unitId: u.unitId,
  active: u.active,
});

const actorOf = (user: AuthUser) => `user:${user.username}`;

function policyProblems(password: string, username: string, field: string): FieldError[] {
  return passwordProblems(password, username).map((p) => ({ field, message: p.message, code: p.code }) as FieldError);
}

export function createUserAdminService(deps: UserAdminDeps): UserAdminService {
  const { db, config } = deps;
  const clock = deps.clock ?? systemClock;
  const isAdmin = (u: { roles: readonly string[]; active: boolean; isDemo: boolean }) => u.roles.includes('admin') && u.active && (!u.isDemo || config.demo);

  /** Roles, department and unit fit together and exist. */
  async function checkAssignment(trx: Knex, next: { roles: string[]; departmentId: string | null; unitId: string | null }): Promise<void> {
    const problems: FieldError[] = [];
    const unknown = next.roles.filter((r) => !isRole(r));
    if (unknown.length) problems.push({ field: '/roles', message: `未知角色：${unknown.join('、')}` });
    if (new Set(next.roles).size !== next.roles.length) problems.push({ field: '/roles', message: '角色不能重复' });
    if (next.departmentId !== null && !(await departmentExists(trx, next.departmentId))) problems.push({ field: '/departmentId', message: '部门不存在' });
    if (next.unitId !== null && !(await findUnit(trx, next.unitId))) problems.push({ field: '/unitId', message: '单位不存在' });
    if (next.unitId === null && next.roles.some((r) => UNIT_ROLES.includes(r))) {
      problems.push({ field: '/unitId', message: '单位经办人、主管部门经办人须关联单位' });
    }
    if ((next.departmentId === null || next.departmentId === 'unit') && next.roles.some((r) => DEPARTMENT_ROLES.includes(r))) {
      problems.push({ field: '/departmentId', message: '部门经办人、部门领导须关联部门（不能是用人单位）' });
    }
    if (problems.length) throw validationFailed(problems);
  }

  async function throttle(username: string, now: Date): Promise<void> {
    const windowMs = config.loginFailureWindowSeconds * 1000;
    const recent = await createLoginFailuresRepository(db).since(username, new Date(now.getTime() - windowMs));
    if (recent.count >= config.loginMaxFailures) {
      const freeAt = (recent.oldest ?? now).getTime() + windowMs;
      throw tooManyAttempts(Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)));
    }
  }

  const announceRevoked = (tokenHashes: string[]) => {
    for (const tokenHash of tokenHashes) sessionEvents.emit('revoked', tokenHash);
  };

  async function get(id: string): Promise<UserView> {
    const user = await createUsersRepository(db).findById(requireUuid(id, '用户'));
    if (!user) throw notFound('用户');
    return toUserView(user);
  }

  return {
    async list(filter) {
      return (await listUserRecords(db, filter)).map(toUserView);
    },

    get,

    async create(input, actor) {
      const next = { roles: [...input.roles].sort(), departmentId: input.departmentId ?? null, unitId: input.unitId ?? null };
      const problems = policyProblems(input.password, input.username, '/password');
      if (problems.length) throw validationFailed(problems, '密码不符合要求');
      const passwordHash = await hashPassword(input.password, config.passwordHashCost);
      const id = await uniqueAs('users_username_unique', 'USERNAME_TAKEN', `用户名 ${input.username} 已存在`, () =>
        db.transaction(async (trx) => {
          await checkAssignment(trx, next);
          const userId = await createUsersRepository(trx).insert({ username: input.username, displayName: input.displayName.trim(), passwordHash, ...next, isDemo: false });
          await appendAuditEvents(trx, [
            {
              actor: actorOf(actor),
              kind: 'admin.user.created',
              payload: { userId, username: input.username, before: null, after: adminFields({ displayName: input.displayName.trim(), ...next, active: true }) },
            },
          ]);
          return userId;
        }),
      );
      return get(id);
    },

    async update(id, changes, actor) {
      requireUuid(id, '用户');
      const { view, revoked } = await db.transaction(async (trx) => {
        await lockAdministrators(trx);
        const user = await lockUserRecord(trx, id);
        if (!user) throw notFound('用户');
        const current = toUserView(user);
        const next = {
          displayName: changes.displayName !== undefined ? changes.displayName.trim() : current.displayName,
          roles: changes.roles !== undefined ? [...changes.roles].sort() : current.roles,
          departmentId: changes.departmentId !== undefined ? changes.departmentId : current.departmentId,
          unitId: changes.unitId !== undefined ? changes.unitId : current.unitId,
          active: changes.active ?? current.active,
        };
        const diff = changedFields(adminFields(current), adminFields(next));
        if (!diff) return { view: current, revoked: [] as string[] };
        await checkAssignment(trx, next);
        if (isAdmin(current) && !isAdmin({ ...next, isDemo: current.isDemo }) && (await countOtherActiveAdmins(trx, user.id, config.demo)) === 0) {
          throw conflict('LAST_ADMIN', '不能停用或撤销最后一个有效的系统管理员');
        }
        const now = clock();
        await updateUserColumns(trx, user.id, {
          ...('displayName' in diff.after ? { displayName: next.displayName } : {}),
          ...('departmentId' in diff.after ? { departmentId: next.departmentId } : {}),
          ...('unitId' in diff.after ? { unitId: next.unitId } : {}),
          ...('active' in diff.after ? { disabledAt: next.active ? null : now } : {}),
        });
        if ('roles' in diff.after) await setUserRoles(trx, user.id, next.roles);
        const ended = next.active ? [] : await revokeUserSessions(trx, user.id, now);
        await appendAuditEvents(trx, [
          {
            actor: actorOf(actor),
            kind: 'admin.user.changed',
            payload: { userId: user.id, username: user.username, ...diff, ...(ended.length ? { sessionsRevoked: ended.length } : {}) },
          },
        ]);
        return { view: toUserView((await createUsersRepository(trx).findById(user.id))!), revoked: ended };
      });
      announceRevoked(revoked);
      announceUsersChanged();
      return view;
    },

    async resetPassword(id, password, actor) {
      requireUuid(id, '用户');
      const target = await createUsersRepository(db).findById(id);
      if (!target) throw notFound('用户');
      const problems = policyProblems(password, target.username, '/password');
      if (problems.length) throw validationFailed(problems, '密码不符合要求');
      const passwordHash = await hashPassword(password, config.passwordHashCost);
      const revoked = await db.transaction(async (trx) => {
        const user = await lockUserRecord(trx, id);
        if (!user) throw notFound('用户');
        await createUsersRepository(trx).setPasswordHash(user.id, passwordHash);
        const ended = await revokeUserSessions(trx, user.id, clock());
        await appendAuditEvents(trx, [
          { actor: actorOf(actor), kind: 'admin.user.password-reset', payload: { userId: user.id, username: user.username, sessionsRevoked: ended.length } },
        ]);
        return ended;
      });
      await createLoginFailuresRepository(db).clear(target.username);
      announceRevoked(revoked);
    },

    async changeOwnPassword(user, currentToken, oldPassword, newPassword) {
      const now = clock();
      await throttle(user.username, now);
      const record = await createUsersRepository(db).findById(user.id);
      if (!record) throw notFound('用户');
      if (!(await verifyPassword(oldPassword, record.passwordHash))) {
        await createLoginFailuresRepository(db).record(user.username, now);
        throw validationFailed([{ field: '/oldPassword', message: '原密码不正确' }], '原密码不正确');
      }
      const problems = policyProblems(newPassword, user.username, '/newPassword');
      if (oldPassword === newPassword) problems.push({ field: '/newPassword', message: '新密码不能与原密码相同' });
      if (problems.length) throw validationFailed(problems, '密码不符合要求');
      const passwordHash = await hashPassword(newPassword, config.passwordHashCost);
      const revoked = await db.transaction(async (trx) => {
        await lockUserRecord(trx, user.id);
        await createUsersRepository(trx).setPasswordHash(user.id, passwordHash);
        const ended = await revokeUserSessions(trx, user.id, now, currentToken === undefined ? undefined : hashToken(currentToken));
        await appendAuditEvents(trx, [{ actor: actorOf(user), kind: 'user.password-changed', payload: { userId: user.id, username: user.username, otherSessionsRevoked: ended.length } }]);
        return ended;
      });
      await createLoginFailuresRepository(db).clear(user.username);
      announceRevoked(revoked);
    },
  };
}
