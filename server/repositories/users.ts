import type { Knex } from 'knex';

/** A user row with its roles and unit code; `passwordHash` never leaves the auth service. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  departmentId: string | null;
  unitId: string | null;
  unitCode: string | null;
  isDemo: boolean;
  disabledAt: Date | null;
  roles: string[];
  /** Units below the user's unit (any depth), in code order. */
  supervisedUnits: Array<{ id: string; code: string }>;
}

export interface NewUserRecord {
  username: string;
  displayName: string;
  passwordHash: string;
  departmentId: string | null;
  unitId?: string | null;
  isDemo?: boolean;
  roles: readonly string[];
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  department_id: string | null;
  unit_id: string | null;
  unit_code: string | null;
  is_demo: boolean;
  disabled_at: Date | null;
  roles: string[] | null;
  supervised_units: Array<{ id: string; code: string }> | null;
}

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    departmentId: row.department_id,
    unitId: row.unit_id,
    unitCode: row.unit_code,
    isDemo: row.is_demo,
    disabledAt: row.disabled_at,
    roles: row.roles ?? [],
    supervisedUnits: row.supervised_units ?? [],
  };
}

/** Select list + joins that produce a UserRow; shared with the sessions repository. */
export function selectUserRows(db: Knex): Knex.QueryBuilder {
  return db('users as u')
    .leftJoin('units as un', 'un.id', 'u.unit_id')
    .select(
      'u.id',
      'u.username',
      'u.display_name',
      'u.password_hash',
      'u.department_id',
      'u.unit_id',
      'un.code as unit_code',
      'u.is_demo',
      'u.disabled_at',
      db.raw('array(select ur.role_id from user_roles ur where ur.user_id = u.id order by ur.role_id) as roles'),
      // the units this unit supervises as 主管部门, all levels down (units.parent_unit_id)
      db.raw(`(
        with recursive below(id, code) as (
          select c.id, c.code from units c where c.parent_unit_id = u.unit_id
          union
          select c.id, c.code from units c join below b on c.parent_unit_id = b.id
        )
        select coalesce(jsonb_agg(jsonb_build_object('id', below.id, 'code', below.code) order by below.code), '[]'::jsonb) from below
      ) as supervised_units`),
    );
}

export interface UsersRepository {
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  /** Inserts the user and its roles; use inside a transaction (pass the trx to the factory). */
  insert(user: NewUserRecord): Promise<string>;
  existingUsernames(usernames: readonly string[]): Promise<Set<string>>;
  count(): Promise<number>;
  /** Active (not disabled) users of a department holding one of `roles`. */
  activeByDepartmentAndRoles(departmentId: string, roles: readonly string[]): Promise<UserRecord[]>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
}

/** `db` may be the root knex or a transaction. */
export function createUsersRepository(db: Knex): UsersRepository {
  return {
    async findByUsername(username) {
      const row = (await selectUserRows(db).where('u.username', username).first()) as UserRow | undefined;
      return row && toUserRecord(row);
    },
    async findById(id) {
      const row = (await selectUserRows(db).where('u.id', id).first()) as UserRow | undefined;
      return row && toUserRecord(row);
    },
    async insert(user) {
      const [inserted] = (await db('users')
        .insert({
          username: user.username,
          display_name: user.displayName,
          password_hash: user.passwordHash,
          department_id: user.departmentId,
          unit_id: user.unitId ?? null,
          is_demo: user.isDemo ?? false,
        })
        .returning('id')) as Array<{ id: string }>;
      const id = inserted!.id;
      if (user.roles.length > 0) {
        await db('user_roles').insert(user.roles.map((role) => ({ user_id: id, role_id: role })));
      }
      return id;
    },
    async existingUsernames(usernames) {
      if (usernames.length === 0) return new Set();
      const rows = (await db('users').whereIn('username', usernames).select('username')) as Array<{ username: string }>;
      return new Set(rows.map((r) => r.username));
    },
    async count() {
      const row = (await db('users').count<{ count: string }>({ count: '*' }).first()) as { count: string } | undefined;
      return Number(row?.count ?? 0);
    },
    async activeByDepartmentAndRoles(departmentId, roles) {
      const rows = (await selectUserRows(db)
        .where('u.department_id', departmentId)
        .whereNull('u.disabled_at')
        .whereExists((q) => q.select(db.raw('1')).from('user_roles as r').whereRaw('r.user_id = u.id').whereIn('r.role_id', [...roles]))
        .orderBy('u.username')) as UserRow[];
      return rows.map(toUserRecord);
    },
    async setPasswordHash(id, passwordHash) {
      await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: db.fn.now() });
    },
  };
}

// ---- administration (services/users-admin.ts) ---------------------------------------------------

export interface UserListFilter {
  role?: string;
  departmentId?: string;
  unitId?: string;
  active?: boolean;
}

/** Users in username order, with roles and unit code (the hash is in the record: never return it). */
export async function listUserRecords(db: Knex, filter: UserListFilter = {}): Promise<UserRecord[]> {
  const rows = (await selectUserRows(db)
    .modify((q) => {
      if (filter.role !== undefined) q.whereExists((s) => s.select(db.raw('1')).from('user_roles as r').whereRaw('r.user_id = u.id').where('r.role_id', filter.role!));
      if (filter.departmentId !== undefined) q.where('u.department_id', filter.departmentId);
      if (filter.unitId !== undefined) q.where('u.unit_id', filter.unitId);
      if (filter.active === true) q.whereNull('u.disabled_at');
      if (filter.active === false) q.whereNotNull('u.disabled_at');
    })
    .orderBy('u.username')) as UserRow[];
  return rows.map(toUserRecord);
}

/** Locks the user row until the end of the transaction and returns the user. */
export async function lockUserRecord(trx: Knex.Transaction, id: string): Promise<UserRecord | undefined> {
  const locked = await trx('users').where({ id }).forUpdate().first('id');
  if (!locked) return undefined;
  return createUsersRepository(trx).findById(id);
}

export interface UserColumnChanges {
  displayName?: string;
  departmentId?: string | null;
  unitId?: string | null;
  disabledAt?: Date | null;
}

export async function updateUserColumns(trx: Knex.Transaction, id: string, changes: UserColumnChanges): Promise<void> {
  const row: Record<string, unknown> = {};
  if (changes.displayName !== undefined) row.display_name = changes.displayName;
  if (changes.departmentId !== undefined) row.department_id = changes.departmentId;
  if (changes.unitId !== undefined) row.unit_id = changes.unitId;
  if (changes.disabledAt !== undefined) row.disabled_at = changes.disabledAt;
  await trx('users').where({ id }).update({ ...row, updated_at: trx.fn.now() });
}

/** Replaces the user's roles. */
export async function setUserRoles(trx: Knex.Transaction, id: string, roles: readonly string[]): Promise<void> {
  await trx('user_roles').where({ user_id: id }).delete();
  if (roles.length > 0) await trx('user_roles').insert(roles.map((role) => ({ user_id: id, role_id: role })));
}

/**
 * Serializes changes that can remove an administrator (until the end of the transaction), so that two
 * administrators demoting each other at once cannot both succeed.
 */
export async function lockAdministrators(trx: Knex.Transaction): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['users:administrators']);
}

/** Active (not disabled) admins other than `exceptUserId`; demo accounts count only when `includeDemo`. */
export async function countOtherActiveAdmins(db: Knex, exceptUserId: string, includeDemo: boolean): Promise<number> {
  const row = (await db('users as u')
    .join('user_roles as r', 'r.user_id', 'u.id')
    .where('r.role_id', 'admin')
    .whereNull('u.disabled_at')
    .whereNot('u.id', exceptUserId)
    .modify((q) => {
      if (!includeDemo) q.where('u.is_demo', false);
    })
    .count<{ count: string }>({ count: '*' })
    .first()) as { count: string } | undefined;
  return Number(row?.count ?? 0);
}

/** Revokes the user's live sessions (all, or all but the one of `keepTokenHash`); returns their token hashes. */
export async function revokeUserSessions(trx: Knex.Transaction, userId: string, now: Date, keepTokenHash?: string): Promise<string[]> {
  const rows = (await trx('sessions')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .modify((q) => {
      if (keepTokenHash !== undefined) q.whereNot('token_hash', keepTokenHash);
    })
    .update({ revoked_at: now })
    .returning('token_hash')) as Array<{ token_hash: string }>;
  return rows.map((r) => r.token_hash);
}

export async function departmentExists(db: Knex, id: string): Promise<boolean> {
  return (await db('departments').where({ id }).first('id')) !== undefined;
}
