import type { Knex } from 'knex';
import { DEPARTMENTS, ROLE_NAMES, ROLES } from '../core/auth-user';
import { createDepartmentsRepository } from '../repositories/departments';
import { seedDefaultParameters } from './parameters';

/**
 * Departments and roles the code relies on (department ids are BPMN candidate groups) and the built-in
 * parameter defaults. Run at every start, after the migrations; inserts only what is missing.
 */
export async function ensureReferenceData(knex: Knex): Promise<void> {
  const repo = createDepartmentsRepository(knex);
  await repo.ensureDepartments(DEPARTMENTS);
  await repo.ensureRoles(ROLES.map((id) => ({ id, name: ROLE_NAMES[id] })));
  await seedDefaultParameters(knex);
}
