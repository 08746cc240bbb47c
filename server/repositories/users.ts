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
