/** Roles; a user may hold several. Authorization decisions on them live in policy.ts. */
export const ROLES = [
  'unit-clerk',
  'supervisor-clerk',
  'clerk',
  'leader',
  'policy-editor',
  'auditor',
  'admin',
  'worker',
] as const;
export type Role = (typeof ROLES)[number];

/** Departments. Their ids are the BPMN candidate groups. 'unit' holds the unit clerks. */
export const DEPARTMENTS = [
  { id: 'bianban', name: '编办' },
  { id: 'org', name: '组织部' },
  { id: 'hrss', name: '人社局' },
  { id: 'insurance', name: '社保' },
  { id: 'finance', name: '财政局' },
  { id: 'veterans', name: '老干部局' },
  { id: 'unit', name: '用人单位' },
] as const;
export type DepartmentId = (typeof DEPARTMENTS)[number]['id'];

export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  'unit-clerk': '单位经办人',
  'supervisor-clerk': '主管部门经办人',
  clerk: '部门经办人',
  leader: '部门领导',
  'policy-editor': '流程配置员',
  auditor: '审计监督',
  admin: '系统管理员',
  worker: '外部任务执行器',
};

/** The authenticated caller, as every route and service sees it. */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  departmentId: string | null;
  unitId: string | null;
  unitCode: string | null;
  /** Candidate groups this user may take tasks from. */
  groups: string[];
  /**
   * Units under the user's unit (its 主管部门 role), all levels down, and their codes, in code
   * order. Only a supervisor-clerk's scope uses them (policy.ts). Optional: absent means none.
   */
  supervisedUnitIds?: string[];
  supervisedUnitCodes?: string[];
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Candidate groups of a user:
 * - clerks and leaders of a department: the department id ('bianban');
 * - leaders also `${departmentId}-leader` ('bianban-leader');
 * - unit clerks `unit:${unitCode}` ('unit:U001') — never the bare 'unit' group, which would span units;
 * - supervising-unit clerks also `supervisor:${unitCode}`.
 */
export function candidateGroups(user: Pick<AuthUser, 'roles' | 'departmentId' | 'unitCode'>): string[] {
  const groups: string[] = [];
  const roles = new Set(user.roles);
  const department = user.departmentId;
  if (department !== null && department !== 'unit' && (roles.has('clerk') || roles.has('leader'))) groups.push(department);
  if (department !== null && department !== 'unit' && roles.has('leader')) groups.push(`${department}-leader`);
  if (user.unitCode !== null && roles.has('unit-clerk')) groups.push(`unit:${user.unitCode}`);
  if (user.unitCode !== null && roles.has('supervisor-clerk')) groups.push(`supervisor:${user.unitCode}`);
  return groups;
}
