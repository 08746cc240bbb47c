// Age, gender, education and political structure of the persons 在编 (domain-spec.md §8), by unit, 编制类型
// and 职务层次, from the aggregates stored per snapshot when it was taken (snapshot_structure_cells / _ages /
// _medians, filled by snapshots.ts through cellsQuery, agesQuery and mediansQuery below over the snapshot's persons).
//
// Definitions (also returned in `definitions`):
// - age = completed years at the reference date (the snapshot's month end; the requested day when live), of the
//   birth date used for retirement (档案认定出生日期 when valid); bands ≤30, 31–35, …, 56–60, >60; mean to one
//   decimal; median = the middle value (mean of the two middle values for an even count);
// - gender: GB/T 2261.1 '1' 男, '2' 女; womenRate = 女 / all;
// - 学历 groups by domain/codes.ts educationGroup() (§7.3: 博士研究生 11–13, 硕士研究生 14–19, 本科 21–28, 大专
//   31–33, 中专 41–49, 高中 61–63, 其他); no code → 未填; 本科及以上 = 博士 + 硕士 + 本科;
// - 学位 doctor/master/bachelor/none, no code → 未填;
// - 政治面貌 (GB/T 4762): 党员 = 01 + 02, 团员 03, 民主党派 04–11, 无党派 12, 群众 13, no/other code → 未填;
// - 职务层次 = profile.leaderPost (level + 正职/副职) for leaders, 非领导职务 otherwise; `leaders` = all leaders.
import { CODE_TABLES, educationGroup } from '../../../domain/codes';
import { ageSql, header, unitFilter, BIANZHI_TYPE_NAMES, KIND_NAMES, type ExportColumn, type ExportTable, type ReportContext, type ReportResult } from './report';
import { join, num, ratio, raw, rows, sql, type Sql } from './sql';

export const AGE_BANDS = [
  { label: '≤30', max: 30 },
  { label: '31–35', max: 35 },
  { label: '36–40', max: 40 },
  { label: '41–45', max: 45 },
  { label: '46–50', max: 50 },
  { label: '51–55', max: 55 },
  { label: '56–60', max: 60 },
  { label: '>60', max: Infinity },
] as const;
export const EDUCATION_GROUPS = ['博士研究生', '硕士研究生', '本科', '大专', '中专', '高中', '其他', '未填'] as const;
/** 学位, in the order of the domain's code table */
export const DEGREES = CODE_TABLES.degree.entries.map((e) => ({ code: e.code, label: e.name }));
export const POLITICAL_GROUPS = [
  { label: '党员', codes: ['01', '02'] },
  { label: '团员', codes: ['03'] },
  { label: '民主党派', codes: ['04', '05', '06', '07', '08', '09', '10', '11'] },
  { label: '无党派', codes: ['12'] },
  { label: '群众', codes: ['13'] },
] as const;
export const NON_LEADER = '非领导职务';

export interface StructureFigures {
  count: number;
  men: number;
  women: number;
  womenRate: number | null;
  meanAge: number | null;
  medianAge: number | null;
  ageBands: Record<string, number>;
  education: Record<string, number>;
  bachelorPlus: number;
  bachelorPlusRate: number | null;
  degree: Record<string, number>;
  political: Record<string, number>;
  partyRate: number | null;
}

export interface StructureReport extends ReportResult {
  total: StructureFigures;
  leaders: StructureFigures;
  byUnit: Array<StructureFigures & { unitId: string; unitCode: string; unitName: string }>;
  byType: Array<StructureFigures & { bianzhiType: string }>;
  byLeaderLevel: Array<StructureFigures & { level: string }>;
}

export const DEFINITIONS = {
  age: '年龄 = 参照日（快照月末；实时统计为查询日）的周岁，出生日期按档案认定出生日期；中位数为居中值（偶数取两中间值的平均）',
  education: '学历分组按 GB/T 4658（§7.3）：博士研究生、硕士研究生、本科、大专、中专、高中、其他；未填写为“未填”；本科及以上 = 博士 + 硕士 + 本科',
  political: '政治面貌：党员 = 中共党员 + 预备党员（01、02），团员 03，民主党派 04–11，无党派 12，群众 13',
  leaderLevel: '职务层次 = 人员的领导职务（层级 + 正职/副职）；无领导职务为“非领导职务”',
  gender: '性别按 GB/T 2261.1：1 男，2 女；女性占比 = 女 / 合计',
};

const EDUCATION_MAP = CODE_TABLES.education.entries.map((e) => ({ code: e.code, grp: educationGroup(e.code) }));

/** The count columns of a cell (snapshot_structure_cells), in order. */
export const CELL_COLUMNS = [
  'n',
  'men',
  'women',
  'age_sum',
  ...AGE_BANDS.map((_, i) => `band_${i}`),
  ...EDUCATION_GROUPS.map((_, i) => `edu_${i}`),
  ...DEGREES.map((_, i) => `deg_${i}`),
  ...POLITICAL_GROUPS.map((_, i) => `pol_${i}`),
];
const CELL_KEYS = ['unit_id', 'bianzhi_type', 'leader_label', 'is_leader'];
export const CELL_TABLE_COLUMNS = [...CELL_KEYS, ...CELL_COLUMNS].join(', ');
export const AGE_TABLE_COLUMNS = [...CELL_KEYS, 'age', 'n'].join(', ');

/** The persons (a relation with the snapshot_persons columns) with the report's dimensions and measures, ages at `referenceDate`. */
export function structurePersons(persons: Sql, referenceDate: string, filter: Sql = raw('')): Sql {
  const age = ageSql(referenceDate, 'p.birth_ymd');
  return sql`select p.unit_id, p.bianzhi_type, p.gender, p.degree, p.political, ${age} as age,
                    coalesce(e.grp, case when p.education is null or p.education = '' then '未填' else '其他' end) as edu,
                    coalesce(p.leader_level || case p.leader_kind when 'principal' then ${KIND_NAMES.principal} else ${KIND_NAMES.deputy} end, ${NON_LEADER}) as leader_label,
                    p.leader_level is not null as is_leader
               from (${persons}) p
               left join (select * from jsonb_to_recordset(${JSON.stringify(EDUCATION_MAP)}::jsonb) as e(code text, grp text)) e on e.code = p.education
              where true ${filter}`;
}

/** The cells: every count per unit × 编制类型 × 职务层次 (columns CELL_TABLE_COLUMNS), from structurePersons(). */
export function cellsQuery(persons: Sql): Sql {
  const counts: Sql[] = [
    raw(`count(*) as n`),
    raw(`count(*) filter (where gender = '1') as men`),
    raw(`count(*) filter (where gender = '2') as women`),
    raw(`coalesce(sum(age), 0) as age_sum`),
    ...AGE_BANDS.map((b, i) => sql`count(*) filter (where age > ${i === 0 ? -1 : AGE_BANDS[i - 1]!.max} ${b.max === Infinity ? raw('') : sql`and age <= ${b.max}`}) as ${raw(`band_${i}`)}`),
    ...EDUCATION_GROUPS.map((g, i) => sql`count(*) filter (where edu = ${g}) as ${raw(`edu_${i}`)}`),
    ...DEGREES.map((d, i) => sql`count(*) filter (where degree = ${d.code}) as ${raw(`deg_${i}`)}`),
    ...POLITICAL_GROUPS.map((g, i) => sql`count(*) filter (where political = any(string_to_array(${g.codes.join(',')}, ','))) as ${raw(`pol_${i}`)}`),
  ];
  return sql`select unit_id, bianzhi_type, leader_label, is_leader, ${join(counts, ', ')} from (${persons}) x group by 1, 2, 3, 4`;
}

/** The age histogram per unit × 编制类型 × 职务层次 (columns AGE_TABLE_COLUMNS), from structurePersons(). */
export const agesQuery = (persons: Sql): Sql => sql`select unit_id, bianzhi_type, leader_label, is_leader, age, count(*) as n from (${persons}) x group by 1, 2, 3, 4, 5`;

/**
 * The medians of the report's groups from an age histogram (unit_id, bianzhi_type, leader_label, is_leader,
 * age, n): the ages at positions ⌊(n+1)/2⌋ and ⌊n/2⌋+1 of each group, averaged.
 */
export function mediansQuery(histogram: Sql): Sql {
  const dims = raw('grouping(unit_id) as g_unit, grouping(bianzhi_type) as g_type, grouping(leader_label) as g_level, grouping(is_leader) as g_leader, unit_id, bianzhi_type, leader_label, is_leader');
  return sql`
    with h as (select ${dims}, age, sum(n) as n from (${histogram}) x
                group by grouping sets ((age), (unit_id, age), (bianzhi_type, age), (leader_label, age), (is_leader, age))),
         c as (select h.*, sum(n) over w as cum, sum(n) over (partition by g_unit, g_type, g_level, g_leader, unit_id, bianzhi_type, leader_label, is_leader) as total
                 from h window w as (partition by g_unit, g_type, g_level, g_leader, unit_id, bianzhi_type, leader_label, is_leader order by age))
    select g_unit, g_type, g_level, g_leader, unit_id, bianzhi_type, leader_label, is_leader,
           (min(age) filter (where cum >= floor((total + 1) / 2)) + min(age) filter (where cum >= floor(total / 2) + 1)) / 2.0 as median_age
      from c group by 1, 2, 3, 4, 5, 6, 7, 8`;
}

export async function structureReport(ctx: ReportContext): Promise<StructureReport> {
  const { source } = ctx;
  // the aggregates the take stored for this snapshot (snapshot_structure_*): cells of a few rows per unit,
  // rolled up here (every count and the age sum add up); the medians of the district report as stored, those
  // of a unit's subset from the stored age histogram of its units
  const id = source.snapshotId;
  // the roll-up into the report's groups, in SQL: every count and the age sum add up
  const cellsSql = sql`select grouping(unit_id) as g_unit, grouping(bianzhi_type) as g_type, grouping(leader_label) as g_level, grouping(is_leader) as g_leader,
                              unit_id, bianzhi_type, leader_label, is_leader, ${raw(CELL_COLUMNS.map((c) => `sum(${c}) as ${c}`).join(', '))}
                         from snapshot_structure_cells where snapshot_id = ${id}::uuid ${unitFilter(ctx, 'unit_id')}
                        group by grouping sets ((), (unit_id), (bianzhi_type), (leader_label), (is_leader))`;
  const mediansSql = ctx.unitId
    ? mediansQuery(sql`select ${raw(AGE_TABLE_COLUMNS)} from snapshot_structure_ages where snapshot_id = ${id}::uuid ${unitFilter(ctx, 'unit_id')}`)
    : sql`select g_unit, g_type, g_level, g_leader, unit_id, bianzhi_type, leader_label, is_leader, median_age from snapshot_structure_medians where snapshot_id = ${id}::uuid`;
  const [cells, medians, unitRows] = await Promise.all([
    rows<Record<string, unknown>>(ctx.db, cellsSql),
    rows<Record<string, unknown>>(ctx.db, mediansSql),
    rows<{ unit_id: string; code: string; name: string }>(ctx.db, sql`select unit_id, code, name from (${source.units}) u`),
  ]);
  const found = cells.length ? cells : [{ g_unit: 1, g_type: 1, g_level: 1, g_leader: 1, unit_id: null, bianzhi_type: null, leader_label: null, is_leader: null }];
  const groupKey = (r: Record<string, unknown>) => [num(r.g_unit), num(r.g_type), num(r.g_level), num(r.g_leader), r.unit_id, r.bianzhi_type, r.leader_label, r.is_leader].map(String).join('|');
  const medianOf = new Map(medians.map((m) => [groupKey(m), m.median_age]));
  for (const r of found) r.median_age = medianOf.get(groupKey(r)) ?? null;
  const units = new Map(unitRows.map((u) => [u.unit_id, u]));
  const empty = figures({});
  const result: StructureReport = { snapshot: header(ctx), definitions: DEFINITIONS, total: empty, leaders: empty, byUnit: [], byType: [], byLeaderLevel: [] };
  for (const r of found) {
    const f = figures(r);
    const [gu, gt, gl, gi] = [num(r.g_unit), num(r.g_type), num(r.g_level), num(r.g_leader)];
    if (gu && gt && gl && gi) result.total = f;
    else if (!gu) {
      const u = units.get(String(r.unit_id));
      result.byUnit.push({ unitId: String(r.unit_id), unitCode: u?.code ?? '', unitName: u?.name ?? '', ...f });
    } else if (!gt) result.byType.push({ bianzhiType: String(r.bianzhi_type), ...f });
    else if (!gl) result.byLeaderLevel.push({ level: String(r.leader_label), ...f });
    else if (r.is_leader === true) result.leaders = f;
  }
  result.byUnit.sort((a, b) => a.unitCode.localeCompare(b.unitCode));
  result.byType.sort((a, b) => a.bianzhiType.localeCompare(b.bianzhiType));
  result.byLeaderLevel.sort((a, b) => a.level.localeCompare(b.level, 'zh-CN'));
  return result;
}

/** The figures of one row of summed cell columns (CELL_COLUMNS) and its median_age. */
export function figures(r: Record<string, unknown>): StructureFigures {
  const count = num(r.n);
  const women = num(r.women);
  const education = Object.fromEntries(EDUCATION_GROUPS.map((g, i) => [g, num(r[`edu_${i}`])]));
  const bachelorPlus = education['博士研究生']! + education['硕士研究生']! + education['本科']!;
  const degree: Record<string, number> = Object.fromEntries(DEGREES.map((d, i) => [d.label, num(r[`deg_${i}`])]));
  degree['未填'] = count - Object.values(degree).reduce((a, b) => a + b, 0);
  const political: Record<string, number> = Object.fromEntries(POLITICAL_GROUPS.map((g, i) => [g.label, num(r[`pol_${i}`])]));
  political['未填'] = count - Object.values(political).reduce((a, b) => a + b, 0);
  return {
    count,
    men: num(r.men),
    women,
    womenRate: ratio(women, count),
    meanAge: count === 0 ? null : Math.round((num(r.age_sum) / count) * 10) / 10,
    medianAge: r.median_age === null || r.median_age === undefined ? null : Number(r.median_age),
    ageBands: Object.fromEntries(AGE_BANDS.map((b, i) => [b.label, num(r[`band_${i}`])])),
    education,
    bachelorPlus,
    bachelorPlusRate: ratio(bachelorPlus, count),
    degree,
    political,
    partyRate: ratio(political['党员']!, count),
  };
}

const FIGURE_COLUMNS: ExportColumn[] = [
  { key: 'count', header: '人数', type: 'int' },
  { key: 'men', header: '男', type: 'int' },
  { key: 'women', header: '女', type: 'int' },
  { key: 'womenRate', header: '女性占比', type: 'percent' },
  { key: 'meanAge', header: '平均年龄', type: 'number' },
  { key: 'medianAge', header: '年龄中位数', type: 'number' },
  ...AGE_BANDS.map((b) => ({ key: `age:${b.label}`, header: `${b.label}岁`, type: 'int' as const })),
  ...EDUCATION_GROUPS.map((g) => ({ key: `edu:${g}`, header: `学历-${g}`, type: 'int' as const })),
  { key: 'bachelorPlus', header: '本科及以上', type: 'int' },
  { key: 'bachelorPlusRate', header: '本科及以上占比', type: 'percent' },
  ...[...DEGREES.map((d) => d.label), '未填'].map((d) => ({ key: `deg:${d}`, header: `学位-${d}`, type: 'int' as const })),
  ...[...POLITICAL_GROUPS.map((g) => g.label), '未填'].map((g) => ({ key: `pol:${g}`, header: `政治面貌-${g}`, type: 'int' as const })),
  { key: 'partyRate', header: '党员占比', type: 'percent' },
];

function flat(f: StructureFigures): Record<string, unknown> {
  const out: Record<string, unknown> = { ...f };
  for (const [k, v] of Object.entries(f.ageBands)) out[`age:${k}`] = v;
  for (const [k, v] of Object.entries(f.education)) out[`edu:${k}`] = v;
  for (const [k, v] of Object.entries(f.degree)) out[`deg:${k}`] = v;
  for (const [k, v] of Object.entries(f.political)) out[`pol:${k}`] = v;
  return out;
}

export function structureTables(report: StructureReport): ExportTable[] {
  return [
    {
      name: 'total',
      title: '全区',
      columns: [{ key: 'scope', header: '范围', type: 'text', width: 16 }, ...FIGURE_COLUMNS],
      rows: [
        { scope: '全区合计', ...flat(report.total) },
        { scope: '领导职务人员', ...flat(report.leaders) },
      ],
    },
    {
      name: 'by-unit',
      title: '按单位',
      columns: [{ key: 'unitCode', header: '单位代码', type: 'text', width: 12 }, { key: 'unitName', header: '单位名称', type: 'text', width: 28 }, ...FIGURE_COLUMNS],
      rows: (function* () {
        for (const u of report.byUnit) yield { unitCode: u.unitCode, unitName: u.unitName, ...flat(u) };
      })(),
    },
    {
      name: 'by-type',
      title: '按编制类型',
      columns: [{ key: 'typeName', header: '编制类型', type: 'text', width: 14 }, ...FIGURE_COLUMNS],
      rows: report.byType.map((t) => ({ typeName: BIANZHI_TYPE_NAMES[t.bianzhiType] ?? t.bianzhiType, ...flat(t) })),
    },
    {
      name: 'by-leader-level',
      title: '按职务层次',
      columns: [{ key: 'level', header: '职务层次', type: 'text', width: 16 }, ...FIGURE_COLUMNS],
      rows: report.byLeaderLevel.map((l) => ({ level: l.level, ...flat(l) })),
    },
  ];
}
