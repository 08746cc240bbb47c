// Flows and trends over N years (domain-spec.md §8): per year 增员 by workflow (Z1/Z2/Z3), 减员 by workflow
// (J1/J2/J3), net change, A versus R, 财政供养人数 by funding form, average age, % 本科及以上, year-over-year
// change and the CAGR of R.
//
// Definitions (also returned in `definitions`):
// - years Y0−N+1 … Y0, Y0 = the year of the reference date; the last year runs to the reference date;
// - flows from person_events (append-only) with occurred_on in the year, up to the reference date, recorded up
//   to the snapshot's taken_at (so a past report reproduces): 增员 = 'enter' events, by the process of the case
//   (Z1 staff-add-recruitment, Z2 staff-add-transfer-in, Z3 staff-add-placement, else 其他); 减员 = 'leave' and
//   'retire' events (J1 staff-reduce-retirement, J2 staff-reduce-transfer-out, J3 staff-reduce-exit, else 其他);
//   区内调动 ('transfer', T1) is shown apart and is not in the net; net = 增员 − 减员; the unit of an event is
//   the unit entered or left;
// - stock figures of a year (A, R, 财政供养 by funding form, average age, % 本科+) come from the year-end
//   snapshot (the latest complete snapshot of that year, for Y0 the report's own source); null when there is none;
// - 财政供养人数 = R in units of each 经费形式 (全额拨款 / 差额拨款 / 自收自支);
// - rChange = R(y) − R(y−1); CAGR = (R_last / R_first)^(1 / (last − first)) − 1 over the first and last years
//   with a snapshot (null with fewer than two).
import { header, unitFilter, FUNDING_NAMES, type ExportTable, type ReportContext, type ReportResult } from './report';
import { yearEndSource, type Source } from './snapshots';
import { num, raw, rows, sql, type Sql } from './sql';
import { CELL_COLUMNS, figures } from './structure';

export const ADD_PROCESSES: Record<string, string> = { 'staff-add-recruitment': 'Z1', 'staff-add-transfer-in': 'Z2', 'staff-add-placement': 'Z3' };
export const REDUCE_PROCESSES: Record<string, string> = { 'staff-reduce-retirement': 'J1', 'staff-reduce-transfer-out': 'J2', 'staff-reduce-exit': 'J3' };

export interface FlowYear {
  year: number;
  added: { Z1: number; Z2: number; Z3: number; other: number; total: number };
  reduced: { J1: number; J2: number; J3: number; other: number; total: number };
  net: number;
  internalTransfers: number;
  /** the year-end snapshot the stock figures come from (null: none) */
  stockMonth: string | null;
  approved: number | null;
  actual: number | null;
  financed: Record<string, number> | null;
  meanAge: number | null;
  bachelorPlusRate: number | null;
  rChange: number | null;
}

export interface FlowsReport extends ReportResult {
  years: FlowYear[];
  cagr: number | null;
}

export const DEFINITIONS = {
  flows: '增员 = 当年入编事件（person_events enter），按所属流程分 Z1 新录用、Z2 调入、Z3 安置、其他；减员 = 当年出编事件（leave、retire），分 J1 退休、J2 调出、J3 其他离职、其他；净增 = 增员 − 减员；区内调动（T1）单列，不计入净增。只计快照时已登记的事件',
  stock: '核定 A、实有 R、财政供养人数（按经费形式的实有人数）、平均年龄、本科及以上占比：取该年年末（该年最后一个）月末快照；末年取本报表所用快照；无快照为空',
  rChange: '实有人数同比变化 = R(当年) − R(上年)',
  cagr: '年均复合增长率 CAGR = (R末 / R初)^(1 / 年数) − 1，取有快照的首末年',
};

interface Stock {
  approved: number;
  actual: number;
  financed: Record<string, number>;
  meanAge: number | null;
  bachelorPlusRate: number | null;
}

/** How many years of flows a snapshot stores (the route allows up to 30). */
export const FLOW_YEARS = 30;

/** The 增员/减员/调动 events per year × type × process from `first` (a year) to `referenceDate`, recorded by `recordedBy`. */
export function flowEventsQuery(first: number, referenceDate: string, recordedBy: string, filter: Sql = raw('')): Sql {
  return sql`select extract(year from e.occurred_on)::int as year, e.event_type, pi.process_id, count(*) as n
               from person_events e
               left join process_instances pi on pi.id = e.process_instance_id
              where e.event_type in ('enter', 'leave', 'retire', 'transfer')
                and e.occurred_on >= make_date(${first}::int, 1, 1) and e.occurred_on <= ${referenceDate}::date
                and e.recorded_at <= ${recordedBy}::timestamptz ${filter}
              group by 1, 2, 3`;
}

async function stockOf(ctx: ReportContext, source: Source): Promise<Stock> {
  // the snapshot's stored structure cells summed, as the structure report's figures (structure.ts: mean age at
  // the snapshot's reference date, 本科及以上)
  const [cells] = await rows(
    ctx.db,
    sql`select ${raw(CELL_COLUMNS.map((c) => `sum(c.${c}) as ${c}`).join(', '))}
          from snapshot_structure_cells c where c.snapshot_id = ${source.snapshotId}::uuid ${unitFilter({ ...ctx, source }, 'c.unit_id')}`,
  );
  const structure = figures(cells ?? {});
  const quotas = await rows<{ funding_form: string; approved: string; actual: string }>(
    ctx.db,
    sql`select u.funding_form, sum(q.approved) as approved, sum(q.actual) as actual
          from (${source.quotas}) q join (${source.units}) u on u.unit_id = q.unit_id
         where true ${unitFilter({ ...ctx, source }, 'q.unit_id')} group by 1`,
  );
  return {
    approved: quotas.reduce((a, q) => a + num(q.approved), 0),
    actual: quotas.reduce((a, q) => a + num(q.actual), 0),
    financed: Object.fromEntries(Object.keys(FUNDING_NAMES).map((f) => [f, num(quotas.find((q) => q.funding_form === f)?.actual)])),
    meanAge: structure.meanAge,
    bachelorPlusRate: structure.bachelorPlusRate,
  };
}

export async function flowsReport(ctx: ReportContext, years = 5): Promise<FlowsReport> {
  const { source } = ctx;
  const y0 = Number(source.referenceDate.slice(0, 4));
  const first = y0 - years + 1;
  // district-wide, the counts the take stored (FLOW_YEARS years up to the reference date); for one unit, or
  // more years than stored, the events themselves
  const events = await rows<{ year: number; event_type: string; process_id: string | null; n: string }>(
    ctx.db,
    !ctx.unitId && years <= FLOW_YEARS
      ? sql`select year, event_type, process_id, n from snapshot_flow_counts where snapshot_id = ${source.snapshotId}::uuid and year >= ${first}::int`
      : flowEventsQuery(first, source.referenceDate, source.eventsRecordedBy, unitFilter(ctx, 'e.unit_id')),
  );
  const stocks = await Promise.all(
    Array.from({ length: years }, async (_, i) => {
      const yearSource = await yearEndSource(ctx.db, source, first + i);
      return yearSource ? { month: yearSource.month, stock: await stockOf(ctx, yearSource) } : null;
    }),
  );
  const out: FlowYear[] = Array.from({ length: years }, (_, i) => {
    const s = stocks[i];
    return {
      year: first + i,
      added: { Z1: 0, Z2: 0, Z3: 0, other: 0, total: 0 },
      reduced: { J1: 0, J2: 0, J3: 0, other: 0, total: 0 },
      net: 0,
      internalTransfers: 0,
      stockMonth: s?.month ?? null,
      approved: s?.stock.approved ?? null,
      actual: s?.stock.actual ?? null,
      financed: s?.stock.financed ?? null,
      meanAge: s?.stock.meanAge ?? null,
      bachelorPlusRate: s?.stock.bachelorPlusRate ?? null,
      rChange: null,
    };
  });
  for (const e of events) {
    const y = out[Number(e.year) - first];
    if (!y) continue;
    const n = num(e.n);
    if (e.event_type === 'enter') {
      const code = (ADD_PROCESSES[e.process_id ?? ''] ?? 'other') as keyof FlowYear['added'];
      y.added[code] += n;
      y.added.total += n;
    } else if (e.event_type === 'transfer') {
      y.internalTransfers += n;
    } else {
      const code = (REDUCE_PROCESSES[e.process_id ?? ''] ?? 'other') as keyof FlowYear['reduced'];
      y.reduced[code] += n;
      y.reduced.total += n;
    }
  }
  for (const [i, y] of out.entries()) {
    y.net = y.added.total - y.reduced.total;
    const previous = out[i - 1];
    if (previous && previous.actual !== null && y.actual !== null) y.rChange = y.actual - previous.actual;
  }
  const withStock = out.filter((y) => y.actual !== null);
  const [a, b] = [withStock[0], withStock.at(-1)];
  const cagr = a && b && b.year > a.year && a.actual! > 0 ? Math.round((Math.pow(b.actual! / a.actual!, 1 / (b.year - a.year)) - 1) * 10_000) / 10_000 : null;
  return { snapshot: header(ctx), definitions: DEFINITIONS, years: out, cagr };
}

export function flowsTables(report: FlowsReport): ExportTable[] {
  return [
    {
      name: 'years',
      title: '年度增减与趋势',
      columns: [
        { key: 'year', header: '年度', type: 'int' },
        { key: 'Z1', header: '增员-新录用(Z1)', type: 'int' },
        { key: 'Z2', header: '增员-调入(Z2)', type: 'int' },
        { key: 'Z3', header: '增员-安置(Z3)', type: 'int' },
        { key: 'addOther', header: '增员-其他', type: 'int' },
        { key: 'added', header: '增员合计', type: 'int' },
        { key: 'J1', header: '减员-退休(J1)', type: 'int' },
        { key: 'J2', header: '减员-调出(J2)', type: 'int' },
        { key: 'J3', header: '减员-其他离职(J3)', type: 'int' },
        { key: 'reduceOther', header: '减员-其他', type: 'int' },
        { key: 'reduced', header: '减员合计', type: 'int' },
        { key: 'net', header: '净增', type: 'int' },
        { key: 'internalTransfers', header: '区内调动', type: 'int' },
        { key: 'stockMonth', header: '存量快照月份', type: 'text' },
        { key: 'approved', header: '核定编制数', type: 'int' },
        { key: 'actual', header: '实有人数', type: 'int' },
        { key: 'rChange', header: '实有人数同比变化', type: 'int' },
        ...Object.entries(FUNDING_NAMES).map(([k, v]) => ({ key: `fin:${k}`, header: `财政供养-${v}`, type: 'int' as const })),
        { key: 'meanAge', header: '平均年龄', type: 'number' },
        { key: 'bachelorPlusRate', header: '本科及以上占比', type: 'percent' },
      ],
      rows: report.years.map((y) => ({
        ...y,
        ...y.added,
        addOther: y.added.other,
        added: y.added.total,
        ...y.reduced,
        reduceOther: y.reduced.other,
        reduced: y.reduced.total,
        ...Object.fromEntries(Object.keys(FUNDING_NAMES).map((k) => [`fin:${k}`, y.financed?.[k] ?? null])),
      })),
    },
    { name: 'cagr', title: '复合增长率', columns: [{ key: 'label', header: '指标', type: 'text', width: 30 }, { key: 'value', header: '数值', type: 'percent' }], rows: [{ label: '实有人数年均复合增长率 (CAGR)', value: report.cagr }] },
  ];
}
