// Retirement forecast for N years (domain-spec.md §8, §5.1): per year × unit × 编制类型 the persons 在编 who
// reach the statutory retirement month, and the quota that frees. The statutory month of each person was
// computed when the snapshot was taken (snapshot_persons.retire_month: chooseRetirementCategory + domain/
// retirement.ts with the rules in force at the month end); the take also stored the persons counted per unit ×
// 编制类型 × year (snapshot_retirement_counts, retirementCountsQuery below), which this reads.
//
// Definitions (also returned in `definitions`):
// - years Y0 … Y0+N−1, Y0 = the year of the reference date;
// - retiring(y) = persons whose statutory retirement month falls in year y after the reference month; year Y0
//   also counts those whose month is the reference month or earlier and who are still 在编 (overdue: 已到龄
//   仍在编, shown separately);
// - quotaFreed(u, k, y) = the rise in 空编 (establishment().vacant) that the retirements of y make when nobody
//   is added: vacant(A, R − retiring up to y) − vacant(A, R − retiring up to y − 1). Retirements of an 超编
//   unit free nothing until R falls below A — the 出一进一 figure of §2.3;
// - persons whose retirement month cannot be computed (gender not 1/2) are counted in `unknown`.
import { establishment } from '../../../domain/quota';
import { header, unitFilter, BIANZHI_TYPE_NAMES, type ExportTable, type ReportContext, type ReportResult } from './report';
import { num, rows, sql, type Sql } from './sql';

export interface ForecastRow {
  year: number;
  unitId: string;
  unitCode: string;
  unitName: string;
  bianzhiType: string;
  retiring: number;
  overdue: number;
  quotaFreed: number;
}

export interface ForecastYear {
  year: number;
  retiring: number;
  overdue: number;
  quotaFreed: number;
  byType: Record<string, { retiring: number; quotaFreed: number }>;
}

export interface RetirementForecastReport extends ReportResult {
  years: number;
  byYear: ForecastYear[];
  rows: ForecastRow[];
  unknown: number;
}

export const DEFINITIONS = {
  retiring: '退休人数：法定退休月份（§5.1，快照时按当月末有效的退休年龄参数计算）落在该年且晚于参照月的在编人员；首年另含已到龄仍在编人员（overdue）',
  quotaFreed: '腾出编制 = 该年退休后空编数的增加：max(A − (R − 截至该年累计退休), 0) − max(A − (R − 截至上年累计退休), 0)；超编单位退休至 R < A 前不腾出编制',
  unknown: '性别代码非 1/2 无法确定退休类别的人员数',
};

/** The persons per unit × 编制类型 × retirement year (null: no month; the reference year when at or past it) and overdue, ages at `referenceDate`. */
export function retirementCountsQuery(persons: Sql, referenceDate: string): Sql {
  const y0 = Number(referenceDate.slice(0, 4));
  const refMonth = `${referenceDate.slice(0, 7)}-01`;
  return sql`select p.unit_id, p.bianzhi_type,
                    case when p.retire_month is null then null when p.retire_month <= ${refMonth}::date then ${y0}::int else extract(year from p.retire_month)::int end as year,
                    coalesce(p.retire_month <= ${refMonth}::date, false) as overdue, count(*) as n
               from (${persons}) p
              group by 1, 2, 3, 4`;
}

export async function retirementForecastReport(ctx: ReportContext, years = 5): Promise<RetirementForecastReport> {
  const { source } = ctx;
  const y0 = Number(source.referenceDate.slice(0, 4));
  // the counts per unit × 编制类型 × year the take stored (retirementCountsQuery), the first `years` years
  const found = await rows<{ unit_id: string; bianzhi_type: string; year: number | null; overdue: boolean; n: string }>(
    ctx.db,
    sql`select unit_id, bianzhi_type, year, overdue, n from snapshot_retirement_counts
         where snapshot_id = ${source.snapshotId}::uuid and (year is null or year < ${y0 + years}::int) ${unitFilter(ctx, 'unit_id')}`,
  );
  const quotas = await rows<{ unit_id: string; bianzhi_type: string; approved: number; actual: number; code: string; name: string }>(
    ctx.db,
    sql`select q.unit_id, q.bianzhi_type, q.approved, q.actual, u.code, u.name from (${source.quotas}) q join (${source.units}) u on u.unit_id = q.unit_id where true ${unitFilter(ctx, 'q.unit_id')}`,
  );
  const slot = new Map(quotas.map((q) => [`${q.unit_id} ${q.bianzhi_type}`, q]));
  const perSlot = new Map<string, Map<number, { retiring: number; overdue: number }>>();
  let unknown = 0;
  for (const r of found) {
    if (r.year === null) {
      unknown += num(r.n);
      continue;
    }
    const key = `${r.unit_id} ${r.bianzhi_type}`;
    let byYear = perSlot.get(key);
    if (!byYear) perSlot.set(key, (byYear = new Map()));
    const cell = byYear.get(Number(r.year)) ?? { retiring: 0, overdue: 0 };
    cell.retiring += num(r.n);
    if (r.overdue) cell.overdue += num(r.n);
    byYear.set(Number(r.year), cell);
  }
  const out: ForecastRow[] = [];
  const byYear: ForecastYear[] = Array.from({ length: years }, (_, i) => ({ year: y0 + i, retiring: 0, overdue: 0, quotaFreed: 0, byType: {} }));
  for (const [key, cells] of perSlot) {
    const q = slot.get(key);
    const [unitId, bianzhiType] = key.split(' ') as [string, string];
    const approved = num(q?.approved);
    const actual = num(q?.actual);
    let gone = 0;
    for (let i = 0; i < years; i++) {
      const year = y0 + i;
      const cell = cells.get(year);
      if (!cell) continue;
      const before = establishment({ approved, actual: Math.max(actual - gone, 0), reserved: 0 }).vacant;
      gone += cell.retiring;
      const after = establishment({ approved, actual: Math.max(actual - gone, 0), reserved: 0 }).vacant;
      const row: ForecastRow = { year, unitId, unitCode: q?.code ?? '', unitName: q?.name ?? '', bianzhiType, retiring: cell.retiring, overdue: cell.overdue, quotaFreed: after - before };
      out.push(row);
      const y = byYear[i]!;
      y.retiring += row.retiring;
      y.overdue += row.overdue;
      y.quotaFreed += row.quotaFreed;
      const t = (y.byType[bianzhiType] ??= { retiring: 0, quotaFreed: 0 });
      t.retiring += row.retiring;
      t.quotaFreed += row.quotaFreed;
    }
  }
  out.sort((a, b) => a.year - b.year || a.unitCode.localeCompare(b.unitCode) || a.bianzhiType.localeCompare(b.bianzhiType));
  return { snapshot: header(ctx), definitions: DEFINITIONS, years, byYear, rows: out, unknown };
}

export function retirementForecastTables(report: RetirementForecastReport): ExportTable[] {
  const types = [...new Set(report.byYear.flatMap((y) => Object.keys(y.byType)))].sort();
  return [
    {
      name: 'by-year',
      title: '按年度',
      columns: [
        { key: 'year', header: '年度', type: 'int' },
        { key: 'retiring', header: '退休人数', type: 'int' },
        { key: 'overdue', header: '其中已到龄仍在编', type: 'int' },
        { key: 'quotaFreed', header: '腾出编制数', type: 'int' },
        ...types.map((t) => ({ key: `type:${t}`, header: `${BIANZHI_TYPE_NAMES[t] ?? t}退休`, type: 'int' as const })),
      ],
      rows: report.byYear.map((y) => ({ ...y, ...Object.fromEntries(types.map((t) => [`type:${t}`, y.byType[t]?.retiring ?? 0])) })),
    },
    {
      name: 'by-unit',
      title: '按年度单位编制类型',
      columns: [
        { key: 'year', header: '年度', type: 'int' },
        { key: 'unitCode', header: '单位代码', type: 'text', width: 12 },
        { key: 'unitName', header: '单位名称', type: 'text', width: 28 },
        { key: 'typeName', header: '编制类型', type: 'text', width: 14 },
        { key: 'retiring', header: '退休人数', type: 'int' },
        { key: 'overdue', header: '其中已到龄仍在编', type: 'int' },
        { key: 'quotaFreed', header: '腾出编制数', type: 'int' },
      ],
      rows: (function* () {
        for (const r of report.rows) yield { ...r, typeName: BIANZHI_TYPE_NAMES[r.bianzhiType] ?? r.bianzhiType };
      })(),
    },
  ];
}
