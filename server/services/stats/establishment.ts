// 超缺编 per unit (domain-spec.md §8, formulas §2.2 through domain/quota.ts establishment()).
//
// Definitions (also returned in `definitions`):
// - one row per unit × 编制类型 that has a quota, a person 在编 or an annual plan in the source;
// - A 核定编制数 and P 预占 as recorded; R 实有 = persons 在编 counted (the recorded counter is shown beside it
//   as recordedActual: a difference is a data problem to look into); F 允许溢出数; Vlead is not held back;
// - 可用 = A − R − P + F; 空编 = max(A − R, 0); 超编 = max(R − A, 0); 使用率 = R / A (null when A = 0);
// - flag 'over' (超编, red) when R > A; 'full' (满编, amber) when not over and 可用 ≤ 0;
// - roll-ups (主管部门, 编制类型, 经费形式, district) add A, R, P, 可用 and add the rows' 空编 and 超编 (one
//   unit's 空编 does not cancel another's 超编); their 使用率 is ΣR / ΣA; overRows / fullRows count flagged rows;
// - 主管部门 of a unit = its parent unit (units.parent_unit_id); a unit without a parent is its own;
// - plan: the annual plan (年度用编计划) of the source's year: planned, used.
import { establishment } from '../../../domain/quota';
import { header, unitFilter, BIANZHI_TYPE_NAMES, FUNDING_NAMES, NATURE_NAMES, type ExportTable, type ReportContext, type ReportResult } from './report';
import { num, numOrNull, ratio, rows, sql } from './sql';

export interface EstablishmentRow {
  unitId: string;
  unitCode: string;
  unitName: string;
  nature: string;
  fundingForm: string;
  supervisorId: string;
  supervisorCode: string;
  supervisorName: string;
  bianzhiType: string;
  approved: number;
  actual: number;
  recordedActual: number;
  reserved: number;
  overflowAllowance: number;
  available: number;
  vacant: number;
  over: number;
  usageRate: number | null;
  flag: 'over' | 'full' | null;
  planPlanned: number | null;
  planUsed: number | null;
}

export interface EstablishmentRollup {
  key: string;
  label: string;
  rows: number;
  approved: number;
  actual: number;
  reserved: number;
  available: number;
  vacant: number;
  over: number;
  usageRate: number | null;
  overRows: number;
  fullRows: number;
}

export interface EstablishmentReport extends ReportResult {
  units: EstablishmentRow[];
  bySupervisor: EstablishmentRollup[];
  byType: EstablishmentRollup[];
  byFundingForm: EstablishmentRollup[];
  total: EstablishmentRollup;
}

export const DEFINITIONS = {
  actual: '实有人数 R：快照时在编人员（persons.status = active）按单位 × 编制类型计数；recordedActual 为编制台账记录值',
  available: '可用编制 = 核定 A − 实有 R − 预占 P + 允许溢出 F（§2.2，领导职数预留为 0）',
  vacant: '空编数 = max(A − R, 0)；汇总时为各行空编之和',
  over: '超编数 = max(R − A, 0)；汇总时为各行超编之和',
  usageRate: '编制使用率 = R / A；A = 0 时为空（—）',
  flag: "over 超编（红）：R > A；full 满编（黄）：未超编且可用编制 ≤ 0",
  supervisor: '主管部门 = 单位的上级单位（parent_unit_id）；无上级的单位以自身为主管部门',
};

export async function establishmentReport(ctx: ReportContext): Promise<EstablishmentReport> {
  const { source } = ctx;
  const found = await rows<Record<string, unknown>>(
    ctx.db,
    sql`select q.unit_id, u.code, u.name, u.nature, u.funding_form, coalesce(s.unit_id, u.unit_id) as supervisor_id,
               coalesce(s.code, u.code) as supervisor_code, coalesce(s.name, u.name) as supervisor_name, q.bianzhi_type,
               q.approved, q.actual, q.actual_recorded, q.reserved, q.overflow_allowance, q.plan_planned, q.plan_used
          from (${source.quotas}) q
          join (${source.units}) u on u.unit_id = q.unit_id
          left join (${source.units}) s on s.unit_id = u.parent_unit_id
         where true ${unitFilter(ctx, 'q.unit_id')}
         order by u.code, q.bianzhi_type`,
  );
  const units: EstablishmentRow[] = found.map((r) => {
    const e = establishment({ approved: num(r.approved), actual: num(r.actual), reserved: num(r.reserved), overflowAllowance: num(r.overflow_allowance) });
    return {
      unitId: String(r.unit_id),
      unitCode: String(r.code),
      unitName: String(r.name),
      nature: String(r.nature),
      fundingForm: String(r.funding_form),
      supervisorId: String(r.supervisor_id),
      supervisorCode: String(r.supervisor_code),
      supervisorName: String(r.supervisor_name),
      bianzhiType: String(r.bianzhi_type),
      approved: e.approved,
      actual: e.actual,
      recordedActual: num(r.actual_recorded),
      reserved: e.reserved,
      overflowAllowance: num(r.overflow_allowance),
      available: e.available,
      vacant: e.vacant,
      over: e.over,
      usageRate: ratio(e.actual, e.approved),
      flag: e.actual > e.approved ? 'over' : e.available <= 0 ? 'full' : null,
      planPlanned: numOrNull(r.plan_planned),
      planUsed: numOrNull(r.plan_used),
    };
  });
  return {
    snapshot: header(ctx),
    definitions: DEFINITIONS,
    units,
    bySupervisor: rollup(units, (r) => [r.supervisorId, `${r.supervisorCode} ${r.supervisorName}`]),
    byType: rollup(units, (r) => [r.bianzhiType, BIANZHI_TYPE_NAMES[r.bianzhiType] ?? r.bianzhiType]),
    byFundingForm: rollup(units, (r) => [r.fundingForm, FUNDING_NAMES[r.fundingForm] ?? r.fundingForm]),
    total: rollup(units, () => ['total', '全区合计'])[0] ?? emptyRollup('total', '全区合计'),
  };
}

const emptyRollup = (key: string, label: string): EstablishmentRollup => ({ key, label, rows: 0, approved: 0, actual: 0, reserved: 0, available: 0, vacant: 0, over: 0, usageRate: null, overRows: 0, fullRows: 0 });

function rollup(units: EstablishmentRow[], keyOf: (r: EstablishmentRow) => [string, string]): EstablishmentRollup[] {
  const groups = new Map<string, EstablishmentRollup>();
  for (const r of units) {
    const [key, label] = keyOf(r);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = emptyRollup(key, label)));
    g.rows += 1;
    g.approved += r.approved;
    g.actual += r.actual;
    g.reserved += r.reserved;
    g.available += r.available;
    g.vacant += r.vacant;
    g.over += r.over;
    if (r.flag === 'over') g.overRows += 1;
    if (r.flag === 'full') g.fullRows += 1;
  }
  for (const g of groups.values()) g.usageRate = ratio(g.actual, g.approved);
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
}

const ROLLUP_COLUMNS = (label: string): ExportTable['columns'] => [
  { key: 'label', header: label, type: 'text', width: 28 },
  { key: 'rows', header: '单位×编制类型数', type: 'int' },
  { key: 'approved', header: '核定编制数', type: 'int' },
  { key: 'actual', header: '实有人数', type: 'int' },
  { key: 'reserved', header: '预占编制数', type: 'int' },
  { key: 'available', header: '可用编制数', type: 'int' },
  { key: 'vacant', header: '空编数', type: 'int' },
  { key: 'over', header: '超编数', type: 'int' },
  { key: 'usageRate', header: '编制使用率', type: 'percent' },
  { key: 'overRows', header: '超编（行）', type: 'int' },
  { key: 'fullRows', header: '满编（行）', type: 'int' },
];

export function establishmentTables(report: EstablishmentReport): ExportTable[] {
  const flagName = { over: '超编', full: '满编' } as const;
  return [
    {
      name: 'units',
      title: '单位超缺编',
      columns: [
        { key: 'unitCode', header: '单位代码', type: 'text', width: 12 },
        { key: 'unitName', header: '单位名称', type: 'text', width: 28 },
        { key: 'supervisor', header: '主管部门', type: 'text', width: 28 },
        { key: 'natureName', header: '机构性质', type: 'text' },
        { key: 'fundingName', header: '经费形式', type: 'text' },
        { key: 'typeName', header: '编制类型', type: 'text', width: 14 },
        { key: 'approved', header: '核定编制数', type: 'int' },
        { key: 'actual', header: '实有人数', type: 'int' },
        { key: 'reserved', header: '预占编制数', type: 'int' },
        { key: 'overflowAllowance', header: '允许溢出数', type: 'int' },
        { key: 'available', header: '可用编制数', type: 'int' },
        { key: 'vacant', header: '空编数', type: 'int' },
        { key: 'over', header: '超编数', type: 'int' },
        { key: 'usageRate', header: '编制使用率', type: 'percent' },
        { key: 'flagName', header: '标识', type: 'text' },
        { key: 'planPlanned', header: '年度用编计划', type: 'int' },
        { key: 'planUsed', header: '计划已用', type: 'int' },
        { key: 'recordedActual', header: '台账实有数', type: 'int' },
      ],
      rows: (function* () {
        for (const r of report.units) {
          yield {
            ...r,
            supervisor: `${r.supervisorCode} ${r.supervisorName}`,
            natureName: NATURE_NAMES[r.nature] ?? r.nature,
            fundingName: FUNDING_NAMES[r.fundingForm] ?? r.fundingForm,
            typeName: BIANZHI_TYPE_NAMES[r.bianzhiType] ?? r.bianzhiType,
            flagName: r.flag ? flagName[r.flag] : '',
          };
        }
      })(),
    },
    { name: 'by-supervisor', title: '按主管部门', columns: ROLLUP_COLUMNS('主管部门'), rows: report.bySupervisor as unknown as Record<string, unknown>[] },
    { name: 'by-type', title: '按编制类型', columns: ROLLUP_COLUMNS('编制类型'), rows: report.byType as unknown as Record<string, unknown>[] },
    { name: 'by-funding-form', title: '按经费形式', columns: ROLLUP_COLUMNS('经费形式'), rows: report.byFundingForm as unknown as Record<string, unknown>[] },
    { name: 'total', title: '全区合计', columns: ROLLUP_COLUMNS('范围'), rows: [report.total as unknown as Record<string, unknown>] },
  ];
}
