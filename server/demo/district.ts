/**
 * The demo district (示范区): six units covering 机关 and 事业 (全额 / 差额 / 自收自支), one over
 * quota (超编), one key-managed (重点管理), one frozen (冻结). Counts are small so the data stays readable.
 */

export interface DemoQuota {
  bianzhiType: 'XZ' | 'ZF' | 'SY' | 'GQ' | 'LG';
  approved: number;
  actual: number;
  planned: number; // this year's 用编计划
}

export interface DemoUnit {
  code: string;
  name: string;
  nature: 'organ' | 'institution' | 'institution_cs';
  level: string;
  fundingForm: 'full' | 'partial' | 'self';
  parentCode: string | null;
  keyManagedReason?: string;
  frozen?: { reason: string; docNo: string };
  supervises: boolean;
  quotas: DemoQuota[];
  leaderPosts: Array<{ level: string; kind: 'principal' | 'deputy'; approved: number; actual: number }>;
}

export const DEMO_UNITS: readonly DemoUnit[] = [
  {
    code: 'U001', name: '示范区人民政府办公室', nature: 'organ', level: '正科', fundingForm: 'full', parentCode: null,
    supervises: true,
    quotas: [
      { bianzhiType: 'XZ', approved: 12, actual: 9, planned: 2 },
      { bianzhiType: 'GQ', approved: 2, actual: 2, planned: 0 },
    ],
    leaderPosts: [
      { level: '乡科级', kind: 'principal', approved: 1, actual: 1 },
      { level: '乡科级', kind: 'deputy', approved: 3, actual: 2 },
    ],
  },
  {
    code: 'U002', name: '示范区教育和体育局', nature: 'organ', level: '正科', fundingForm: 'full', parentCode: null,
    supervises: true,
    quotas: [{ bianzhiType: 'XZ', approved: 10, actual: 8, planned: 1 }],
    leaderPosts: [
      { level: '乡科级', kind: 'principal', approved: 1, actual: 1 },
      { level: '乡科级', kind: 'deputy', approved: 2, actual: 2 },
    ],
  },
  {
    code: 'U003', name: '示范区第一中学', nature: 'institution', level: '副科', fundingForm: 'full', parentCode: 'U002',
    supervises: false,
    quotas: [{ bianzhiType: 'SY', approved: 30, actual: 27, planned: 3 }],
    leaderPosts: [{ level: '乡科级', kind: 'deputy', approved: 2, actual: 1 }],
  },
  {
    code: 'U004', name: '示范区人民医院', nature: 'institution', level: '正科', fundingForm: 'partial', parentCode: 'U005',
    supervises: false,
    quotas: [{ bianzhiType: 'SY', approved: 20, actual: 22, planned: 0 }], // 超编 2
    leaderPosts: [{ level: '乡科级', kind: 'principal', approved: 1, actual: 1 }],
  },
  {
    code: 'U005', name: '示范区卫生健康局', nature: 'organ', level: '正科', fundingForm: 'full', parentCode: null,
    supervises: true,
    keyManagedReason: '机构改革/撤并中',
    quotas: [{ bianzhiType: 'XZ', approved: 8, actual: 6, planned: 1 }],
    leaderPosts: [{ level: '乡科级', kind: 'principal', approved: 1, actual: 1 }],
  },
  {
    code: 'U006', name: '示范区城市建设服务中心', nature: 'institution', level: '股级', fundingForm: 'self', parentCode: 'U001',
    supervises: false,
    frozen: { reason: '机构改革期间冻结编制', docNo: '示编委〔2026〕3号' },
    quotas: [{ bianzhiType: 'SY', approved: 6, actual: 4, planned: 0 }],
    leaderPosts: [],
  },
];

/** The `units` row of a named or a generated demo unit (a generated frozen unit has a date it ends). */
export function unitRow(unit: DemoUnit & { frozen?: { until?: string } }, parentUnitId: string | null): Record<string, unknown> {
  return {
    code: unit.code,
    name: unit.name,
    nature: unit.nature,
    level: unit.level,
    funding_form: unit.fundingForm,
    parent_unit_id: parentUnitId,
    key_managed: unit.keyManagedReason !== undefined,
    key_managed_reason: unit.keyManagedReason ?? null,
    frozen: unit.frozen !== undefined,
    frozen_reason: unit.frozen?.reason ?? null,
    frozen_doc_no: unit.frozen?.docNo ?? null,
    frozen_until: unit.frozen?.until ?? null,
  };
}

export interface DemoUserSpec {
  username: string;
  displayName: string;
  roles: string[];
  departmentId: string | null;
  unitCode?: string;
}

export const DEMO_STAFF: readonly DemoUserSpec[] = [
  { username: 'bianban-clerk', displayName: '编办经办人', roles: ['clerk'], departmentId: 'bianban' },
  { username: 'bianban-leader', displayName: '编办领导', roles: ['leader'], departmentId: 'bianban' },
  { username: 'org-clerk', displayName: '组织部经办人', roles: ['clerk'], departmentId: 'org' },
  { username: 'hrss-clerk', displayName: '人社局经办人', roles: ['clerk'], departmentId: 'hrss' },
  { username: 'insurance-clerk', displayName: '社保经办人', roles: ['clerk'], departmentId: 'insurance' },
  { username: 'finance-clerk', displayName: '财政局经办人', roles: ['clerk'], departmentId: 'finance' },
  { username: 'veterans-clerk', displayName: '老干部局经办人', roles: ['clerk'], departmentId: 'veterans' },
  { username: 'policy-editor', displayName: '流程配置员', roles: ['policy-editor'], departmentId: 'bianban' },
  { username: 'auditor', displayName: '审计监督员', roles: ['auditor'], departmentId: null },
  { username: 'admin', displayName: '系统管理员', roles: ['admin'], departmentId: null },
  { username: 'worker', displayName: '外部任务执行器', roles: ['worker'], departmentId: null },
];

/** One clerk per unit: `unit-<code>`; units that supervise others also get supervisor-clerk. */
export function demoUnitClerks(units: readonly DemoUnit[] = DEMO_UNITS): DemoUserSpec[] {
  return units.map((unit) => ({
    username: `unit-${unit.code}`,
    displayName: `${unit.name}经办人`,
    roles: unit.supervises ? ['unit-clerk', 'supervisor-clerk'] : ['unit-clerk'],
    departmentId: 'unit',
    unitCode: unit.code,
  }));
}

export const DEMO_PASSWORD = 'demo';
