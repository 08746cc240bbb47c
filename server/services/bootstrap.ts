import type { Logger } from '../core/logger';
import { createUsersRepository } from '../repositories/users';
import type { AuthService } from './auth';
import type { Knex } from 'knex';

/**
 * Outside demo mode nothing has a default password. When BOOTSTRAP_ADMIN_PASSWORD is set and the
 * users table is empty, one `admin` account is created with it; otherwise nothing happens.
 */
export async function bootstrapAdmin(
  deps: { knex: Knex; auth: AuthService; log: Logger },
  password: string | undefined,
): Promise<boolean> {
  if (password === undefined) return false;
  if ((await createUsersRepository(deps.knex).count()) > 0) return false;
  await deps.auth.createUser({
    username: 'admin',
    displayName: '系统管理员',
    password,
    roles: ['admin'],
    departmentId: null,
  });
  deps.log.warn('created the first user "admin" from BOOTSTRAP_ADMIN_PASSWORD; change the password and unset it');
  return true;
}
