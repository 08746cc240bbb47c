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
    );
}

export interface UsersRepository {
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  /** Inserts the user and its roles; use inside a transaction (pass the trx to the factory). */
  insert(user: NewUserRecord): Promise<string>;
  existingUsernames(usernames: readonly string[]): Promise<Set<string>>;
  count(): Promise<number>;
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
  };
}
