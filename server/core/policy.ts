import type { AuthUser, Role } from './auth-user';

/**
 * The authorization policy: which roles may perform which action. Routes ask `can(user, action)`
 * (through requirePermission) and never test roles themselves. Object-level scoping — which unit's
 * data, which candidate group's task — is the service's job, using `user.unitId` and `user.groups`.
 *
 * `writes: true` marks actions that change state; auditors never get one (a test holds that).
 */
interface Rule {
  readonly writes: boolean;
  readonly roles: readonly Role[];
  readonly doc: string;
}

const DEPARTMENT_STAFF: readonly Role[] = ['clerk', 'leader'];
const UNIT_STAFF: readonly Role[] = ['unit-clerk', 'supervisor-clerk'];
const HUMAN_ROLES: readonly Role[] = [...UNIT_STAFF, ...DEPARTMENT_STAFF, 'policy-editor', 'auditor', 'admin'];

export const policy = {
  'session.self': { writes: false, roles: [...HUMAN_ROLES, 'worker'], doc: 'read one\'s own account' },
  'process-definition.read': { writes: false, roles: HUMAN_ROLES, doc: 'list deployed workflows and their diagrams' },
  'deployment.create': { writes: true, roles: ['policy-editor'], doc: 'lint and deploy diagrams, forms, templates' },
  'process-instance.start': { writes: true, roles: [...UNIT_STAFF, ...DEPARTMENT_STAFF], doc: 'start a workflow' },
  'process-instance.read': { writes: false, roles: HUMAN_ROLES, doc: 'read instances (scoped by unit/department in the service)' },
  'process-instance.read-all': { writes: false, roles: ['auditor', 'admin'], doc: 'read every instance unscoped' },
  'process-instance.cancel': { writes: true, roles: ['admin'], doc: 'cancel a running instance' },
  'incident.resolve': { writes: true, roles: ['admin'], doc: 'raise a job\'s retries and resolve an incident' },
  'history.read': { writes: false, roles: HUMAN_ROLES, doc: 'read an instance\'s history and replay it (scoped)' },
  'history.verify': { writes: false, roles: ['auditor', 'admin'], doc: 'verify the hash chain and re-run an instance' },
  'message.correlate': { writes: true, roles: [...DEPARTMENT_STAFF, 'worker', 'admin'], doc: 'correlate a message' },
  'task.work': { writes: true, roles: [...UNIT_STAFF, ...DEPARTMENT_STAFF], doc: 'list, claim, complete tasks of one\'s groups' },
  'task.assign': { writes: true, roles: ['leader'], doc: 'assign a task of one\'s groups to someone' },
  'external-task.work': { writes: true, roles: ['worker'], doc: 'fetch and complete jobs (external task API)' },
  'document.read': { writes: false, roles: HUMAN_ROLES, doc: 'read generated documents (scoped)' },
  'unit.read': { writes: false, roles: HUMAN_ROLES, doc: 'read units and their establishment (scoped for unit staff)' },
  'unit.write': { writes: true, roles: ['admin'], doc: 'change units, quotas, plans' },
  'parameter.read': { writes: false, roles: HUMAN_ROLES, doc: 'read parameter tables' },
  'parameter.write': { writes: true, roles: ['policy-editor', 'admin'], doc: 'add a parameter version' },
  'stats.read': { writes: false, roles: [...DEPARTMENT_STAFF, 'auditor', 'admin'], doc: 'district statistics' },
  'calc.use': { writes: false, roles: HUMAN_ROLES, doc: 'domain calculators for previews' },
  'user.admin': { writes: true, roles: ['admin'], doc: 'manage users and departments' },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof policy;

export function hasAnyRole(user: Pick<AuthUser, 'roles'>, roles: readonly string[]): boolean {
  return user.roles.some((role) => roles.includes(role));
}

/** Whether `user` may perform `action`. */
export function can(user: Pick<AuthUser, 'roles'> | undefined, action: Action): boolean {
  if (!user) return false;
  const rule: Rule = policy[action];
  return hasAnyRole(user, rule.roles);
}
