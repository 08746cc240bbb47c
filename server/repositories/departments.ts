import type { Knex } from 'knex';

export interface DepartmentsRepository {
  /** Inserts the departments that are missing; existing rows are left as they are. */
  ensureDepartments(departments: ReadonlyArray<{ id: string; name: string }>): Promise<void>;
  /** Inserts the roles that are missing. */
  ensureRoles(roles: ReadonlyArray<{ id: string; name: string }>): Promise<void>;
}

export function createDepartmentsRepository(db: Knex): DepartmentsRepository {
  return {
    async ensureDepartments(departments) {
      if (departments.length === 0) return;
      await db('departments').insert(departments.map((d) => ({ id: d.id, name: d.name }))).onConflict('id').ignore();
    },
    async ensureRoles(roles) {
      if (roles.length === 0) return;
      await db('roles').insert(roles.map((r) => ({ id: r.id, name: r.name }))).onConflict('id').ignore();
    },
  };
}
