import type { AuthUser, Role } from './auth-user';

/**
 * The authorization policy, in one place:
 * - the action table: which roles may perform which action. Routes ask `can(user, action)` (through
 *   requirePermission) and never test roles themselves;
 * - object-level scope: which units' cases a user sees (`caseScopeOf`), which tasks a user sees and
 *   may work on (`taskAccessOf`, `canSeeTask`, `canWorkTask`, `isCandidate`), and what a user may do
 *   with one task now (`taskActions`). Repositories turn the same descriptors into SQL; a property
 *   test holds the SQL and these functions to the same answers.
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
const READ_ALL: readonly Role[] = ['auditor', 'admin'];

export const policy = {
  'session.self': { writes: false, roles: [...HUMAN_ROLES, 'worker'], doc: 'read one\'s own account' },
  'process-definition.read': { writes: false, roles: HUMAN_ROLES, doc: 'list deployed workflows and their diagrams' },
  'deployment.create': { writes: true, roles: ['policy-editor'], doc: 'lint and deploy diagrams, forms, templates' },
  'process-instance.start': { writes: true, roles: [...UNIT_STAFF, ...DEPARTMENT_STAFF], doc: 'start a workflow' },
  'process-instance.read': { writes: false, roles: HUMAN_ROLES, doc: 'read instances (scoped by unit/department: caseScopeOf)' },
  'process-instance.read-all': { writes: false, roles: READ_ALL, doc: 'read every instance unscoped' },
  'process-instance.cancel': { writes: true, roles: ['admin'], doc: 'cancel a running instance' },
  'incident.resolve': { writes: true, roles: ['admin'], doc: 'raise a job\'s retries and resolve an incident' },
  'history.read': { writes: false, roles: HUMAN_ROLES, doc: 'read an instance\'s history and replay it (scoped)' },
  'history.verify': { writes: false, roles: READ_ALL, doc: 'verify the hash chain and re-run an instance' },
  'message.correlate': { writes: true, roles: [...DEPARTMENT_STAFF, 'worker', 'admin'], doc: 'correlate a message' },
  'task.read': { writes: false, roles: [...UNIT_STAFF, ...DEPARTMENT_STAFF, ...READ_ALL], doc: 'list and open tasks: one\'s inbox (scoped: canSeeTask)' },
  'task.read-all': { writes: false, roles: READ_ALL, doc: 'list and open every task, read-only' },
  'task.work': { writes: true, roles: [...UNIT_STAFF, ...DEPARTMENT_STAFF], doc: 'claim, unclaim, delegate, return and complete tasks of one\'s groups' },
  'task.assign': { writes: true, roles: ['leader'], doc: 'assign a task of one\'s department to a member of its groups' },
  'notification.read': { writes: false, roles: HUMAN_ROLES, doc: 'read one\'s own notifications and inbox stream' },
  'notification.mark-read': { writes: true, roles: [...UNIT_STAFF, ...DEPARTMENT_STAFF, 'policy-editor', 'admin'], doc: 'mark one\'s own notifications read' },
  'external-task.work': { writes: true, roles: ['worker'], doc: 'fetch and complete jobs (external task API)' },
  'document.read': { writes: false, roles: HUMAN_ROLES, doc: 'read generated documents (scoped)' },
  'unit.read': { writes: false, roles: HUMAN_ROLES, doc: 'read units and their establishment (scoped for unit staff)' },
  'person.read': { writes: false, roles: HUMAN_ROLES, doc: 'find staff on the rolls by name or ID number (scoped: caseScopeOf)' },
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

/** Every action `user` may perform, in the table's order (the pages build their menus from it). */
export function allowedActions(user: Pick<AuthUser, 'roles'>): Action[] {
  return (Object.keys(policy) as Action[]).filter((action) => can(user, action));
}

// ---- cases (process instances): which units' ----------------------------------------------------

/**
 * Which cases a user may see: every unit's, or those of a list of units (the case's unit is the
 * instance variable `unitId`). Department staff and policy editors work across units; auditors and
 * admins read everything; a unit clerk sees the own unit; a 主管部门 clerk also its subordinate units.
 * An empty list means nothing (a unit account without a unit).
 */
export type CaseScope = { kind: 'all' } | { kind: 'units'; unitIds: string[] };

type ScopedUser = Pick<AuthUser, 'roles' | 'unitId'> & { supervisedUnitIds?: readonly string[] };

export function caseScopeOf(user: ScopedUser): CaseScope {
  if (can(user, 'process-instance.read-all')) return { kind: 'all' };
  if (hasAnyRole(user, [...DEPARTMENT_STAFF, 'policy-editor'])) return { kind: 'all' };
  const unitIds = new Set<string>();
  if (user.unitId !== null && hasAnyRole(user, UNIT_STAFF)) unitIds.add(user.unitId);
  if (user.roles.includes('supervisor-clerk')) for (const id of user.supervisedUnitIds ?? []) unitIds.add(id);
  return { kind: 'units', unitIds: [...unitIds] };
}

export function inCaseScope(scope: CaseScope, unitId: unknown): boolean {
  return scope.kind === 'all' || (typeof unitId === 'string' && scope.unitIds.includes(unitId));
}

// ---- tasks --------------------------------------------------------------------------------------

/**
 * Generic candidate groups a diagram may use for unit work; the case's unit (instance variable
 * `unitId`) says which unit: 'unit' → the clerks of that unit, 'supervisor' → the clerks of its
 * 主管部门. Explicit groups (`unit:U001`, `supervisor:U002`) name the unit directly.
 */
export const UNIT_GROUP = 'unit';
export const SUPERVISOR_GROUP = 'supervisor';

/** What one user may see and work on, as data: the repository turns it into SQL. */
export interface TaskAccess {
  username: string;
  /** auditors and admins: every task, read-only */
  readAll: boolean;
  /** work: tasks with one of these candidate groups */
  groups: string[];
  /** work: tasks of group 'unit' whose case belongs to one of these units */
  unitIds: string[];
  /** work: tasks of group 'supervisor' whose case belongs to one of these units */
  supervisedUnitIds: string[];
  /** read-only: tasks with one of these groups (a 主管部门 clerk: its subordinate units' `unit:<code>`) */
  readGroups: string[];
  /** read-only: tasks of group 'unit' whose case belongs to one of these units */
  readUnitIds: string[];
}

/** The facts about a task that access depends on. */
export interface TaskFacts {
  state: string;
  assignee: string | null;
  candidateGroups: readonly string[];
  candidateUsers: readonly string[];
  /** the case's unit (instance variable unitId) */
  unitId: string | null;
  /** who delegated the task and waits for it back (null when not delegated) */
  owner: string | null;
}

type AccessUser = Pick<AuthUser, 'username' | 'roles' | 'groups' | 'unitId'> & {
  supervisedUnitIds?: readonly string[];
  supervisedUnitCodes?: readonly string[];
};

export function taskAccessOf(user: AccessUser): TaskAccess {
  const works = can(user, 'task.work');
  const reads = can(user, 'task.read');
  const supervisor = works && user.roles.includes('supervisor-clerk');
  const supervised = supervisor ? [...(user.supervisedUnitIds ?? [])] : [];
  return {
    username: user.username,
    readAll: can(user, 'task.read-all'),
    groups: works ? [...user.groups] : [],
    unitIds: works && user.unitId !== null && user.roles.includes('unit-clerk') ? [user.unitId] : [],
    supervisedUnitIds: supervised,
    readGroups: reads && supervisor ? (user.supervisedUnitCodes ?? []).map((code) => `unit:${code}`) : [],
    readUnitIds: reads ? supervised : [],
  };
}

const intersects = (a: readonly string[], b: readonly string[]) => a.some((x) => b.includes(x));

/** Whether `access` makes the user a candidate of the task: by name, group, or unit of the case. */
export function isCandidate(access: TaskAccess, task: TaskFacts): boolean {
  if (task.candidateUsers.includes(access.username)) return true;
  if (intersects(task.candidateGroups, access.groups)) return true;
  if (task.unitId !== null && task.candidateGroups.includes(UNIT_GROUP) && access.unitIds.includes(task.unitId)) return true;
  if (task.unitId !== null && task.candidateGroups.includes(SUPERVISOR_GROUP) && access.supervisedUnitIds.includes(task.unitId)) return true;
  return false;
}

/** In the user's inbox and workable: assigned to them, delegated by them, or they are a candidate. */
export function canWorkTask(access: TaskAccess, task: TaskFacts): boolean {
  return task.assignee === access.username || task.owner === access.username || isCandidate(access, task);
}

/** Visible at all: workable, or read-only (auditors; a 主管部门 clerk for subordinate units). */
export function canSeeTask(access: TaskAccess, task: TaskFacts): boolean {
  if (access.readAll || canWorkTask(access, task)) return true;
  if (intersects(task.candidateGroups, access.readGroups)) return true;
  return task.unitId !== null && task.candidateGroups.includes(UNIT_GROUP) && access.readUnitIds.includes(task.unitId);
}

export type TaskActionName = 'claim' | 'unclaim' | 'complete' | 'assign' | 'delegate' | 'return';

/**
 * What the user may do with the task now (the service enforces exactly this; the list answers it so
 * that a page shows only the buttons that work):
 * - claim: a candidate, while nobody holds the task;
 * - unclaim: the holder, or a leader of one of the task's department groups (not while delegated);
 * - complete: the holder, when the task is not out on delegation;
 * - delegate: the holder, when the task is not out on delegation;
 * - return: the delegate gives it back, or the owner takes it back;
 * - assign: a leader of one of the task's department groups.
 */
export function taskActions(user: AccessUser, task: TaskFacts, access = taskAccessOf(user)): TaskActionName[] {
  if (task.state !== 'created' || !can(user, 'task.work') || !canWorkTask(access, task)) return [];
  const me = access.username;
  const delegated = task.owner !== null;
  const actions: TaskActionName[] = [];
  const leads = leadsTaskGroup(user, task);
  if (task.assignee === null && isCandidate(access, task)) actions.push('claim');
  if (!delegated && task.assignee !== null && (task.assignee === me || leads)) actions.push('unclaim');
  if (!delegated && task.assignee === me) actions.push('complete', 'delegate');
  if (delegated && (task.assignee === me || task.owner === me)) actions.push('return');
  if (leads) actions.push('assign');
  return actions;
}

/** A leader whose department (or `<department>-leader` group) is among the task's candidate groups. */
export function leadsTaskGroup(user: Pick<AuthUser, 'roles' | 'groups'>, task: Pick<TaskFacts, 'candidateGroups'>): boolean {
  const departmentGroups = user.groups.filter((g) => !g.includes(':'));
  return can(user, 'task.assign') && intersects(task.candidateGroups, departmentGroups);
}
