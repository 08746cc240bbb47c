// Compliance KPIs (domain-spec.md §8, [A, S2, S3]): the 10-working-day 出编 limit of 减员, and the payroll
// reconciliation with the finance roster (工资统发名单, table payroll_roster) — "吃空饷" risk.
//
// Definitions (also returned in `definitions`):
// - 减员 cases: J1/J2/J3 instances, not canceled or terminated, as they stood at the snapshot
//   (snapshot_reductions), whose event date (variables.eventDate, else the 出编 event's date) lies in the
//   `months` months up to the reference date;
// - 出编 day: the day (Asia/Shanghai) the case's leave/retire person_event was recorded (编办 减员销编);
//   after the reference date it counts as not yet done;
// - working days between the event and the 出编 = working days after the event day up to and including the
//   出编 day, on the calendar parameter `calendar.working-days` in force at the reference date
//   (domain/working-days.ts isWorkingDay; weekends only when there is no version);
// - onTime: done within 10 working days; late: done after more; overdue: not done and more than 10 working
//   days have passed at the reference date; pending: not done, still within the limit;
//   rate = onTime / (onTime + late + overdue) (pending cases are not yet decided); within15Days: done within 15
//   calendar days (the S2 variant), over the done cases;
// - payroll (the roster of the report's month): notOnRoster = persons 在编 whose ID number is not on the
//   roster; onRosterNotEnrolled = roster entries matching no person 在编, of which noRecord = no person with
//   the ID number or one without any 入编 record (persons.entered_on and an 'enter' event both missing) — paid
//   without an 入编 record — and left = the person had 入编 but is no longer 在编; unitMismatch = 在编 and on the
//   roster under another unit. Per unit: the unit 在编 (persons side) or the roster's unit (roster side).
//   Reconciled once per (snapshot, roster month) and stored — at the take and after each roster import of the
//   month (payroll.ts reconcilePayroll); `reconciledAt` says when; the lists are paged (payrollMismatches).
import { addMonths } from '../../../domain/salary';
import type { WorkingDayCalendar } from '../../../domain/working-days';
import { isWorkingDay } from '../../../domain/working-days';
import { CALENDAR_PARAMETER } from '../../../workers/time-limits.plan';
import type { ParameterStore } from '../parameters';
import { REDUCE_PROCESSES } from './flows';
import { header, unitFilter, type ExportTable, type ReportContext, type ReportResult } from './report';
import { ensureReconciled, type MismatchKind } from './payroll';
import { num, ratio, rows, sql } from './sql';

export const WORKING_DAY_LIMIT = 10;
export const CALENDAR_DAY_LIMIT = 15;

export interface ReductionFigures {
  cases: number;
  onTime: number;
  late: number;
  overdue: number;
  pending: number;
  rate: number | null;
  within15Days: number;
  within15Rate: number | null;
}

export interface PayrollFigures {
  enrolled: number;
  rosterEntries: number;
  notOnRoster: number;
  onRosterNotEnrolled: number;
  noRecord: number;
  left: number;
  unitMismatch: number;
}

export interface ComplianceReport extends ReportResult {
  months: number;
  window: { from: string; to: string };
  calendar: { version: number | null; validFrom: string | null };
  reductions: ReductionFigures & {
    byProcess: Array<ReductionFigures & { process: string; code: string }>;
    byUnit: Array<ReductionFigures & { unitId: string | null; unitCode: string; unitName: string }>;
  };
  payroll: { month: string; imported: boolean; reconciledAt: string } & PayrollFigures & { byUnit: Array<PayrollFigures & { unitId: string | null; unitCode: string; unitName: string }> };
}

export const DEFINITIONS = {
  reductions: '减员案件：J1/J2/J3 流程（未撤销/终止）中事件日期在统计区间内者；出编日 = 编办减员销编登记日（北京时间）',
  rate: `按时率 = 事件日后 ${WORKING_DAY_LIMIT} 个工作日内出编的案件 / (按时 + 超时 + 逾期未出编)；工作日按参数 calendar.working-days；期限内未办结者不计入`,
  within15Rate: `${CALENDAR_DAY_LIMIT} 日内出编率（S2 口径，自然日）= ${CALENDAR_DAY_LIMIT} 日内出编 / 已出编`,
  payroll: '工资统发名单核对（报表月份）：在编未在册 = 在编人员身份证号不在名单；在册未在编 = 名单人员无对应在编人员，其中“无入编记录”为查无此人或从未入编（吃空饷风险），“已出编”为曾入编现已不在编；单位不符 = 在编且在册但单位不同',
};

const emptyReduction = (): ReductionFigures => ({ cases: 0, onTime: 0, late: 0, overdue: 0, pending: 0, rate: null, within15Days: 0, within15Rate: null });
const emptyPayroll = (): PayrollFigures => ({ enrolled: 0, rosterEntries: 0, notOnRoster: 0, onRosterNotEnrolled: 0, noRecord: 0, left: 0, unitMismatch: 0 });

function finish(f: ReductionFigures): ReductionFigures {
  f.rate = ratio(f.onTime, f.onTime + f.late + f.overdue);
  f.within15Rate = ratio(f.within15Days, f.onTime + f.late);
  return f;
}

/** Working-day index of each day from `from` to `to`: index(d) − index(e) = working days after e up to d. */
function workingDayIndex(from: string, to: string, calendar: WorkingDayCalendar): Array<{ d: string; i: number }> {
  const out: Array<{ d: string; i: number }> = [];
  let i = 0;
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (out.length > 0 && isWorkingDay(d, calendar)) i += 1;
    out.push({ d, i });
  }
  return out;
}

export async function complianceReport(ctx: ReportContext, parameters: ParameterStore, months = 12): Promise<ComplianceReport> {
  const { source } = ctx;
  const ref = source.referenceDate;
  const from = `${addMonths(ref.slice(0, 7), -(months - 1))}-01`;
  const calendarParam = await parameters.find<WorkingDayCalendar>(CALENDAR_PARAMETER, ref);
  const calendar: WorkingDayCalendar = calendarParam?.value ?? { holidays: [], adjustedWorkdays: [] };
  const dayBefore = new Date(Date.parse(`${from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const index = workingDayIndex(dayBefore, ref, calendar);

  const cases = await rows<Record<string, unknown>>(
    ctx.db,
    sql`with wd as (select * from jsonb_to_recordset(${JSON.stringify(index)}::jsonb) as w(d date, i int)),
             r as (select r.*, (r.vacated_on is not null and r.vacated_on <= ${ref}::date) as done
                     from (${source.reductions}) r
                    where r.event_date between ${from}::date and ${ref}::date ${unitFilter(ctx, 'r.unit_id')})
        select r.process_id, r.unit_id, u.code, u.name, count(*) as cases,
               count(*) filter (where r.done and wv.i - we.i <= ${WORKING_DAY_LIMIT}) as on_time,
               count(*) filter (where r.done and wv.i - we.i > ${WORKING_DAY_LIMIT}) as late,
               count(*) filter (where not r.done and wr.i - we.i > ${WORKING_DAY_LIMIT}) as overdue,
               count(*) filter (where not r.done and wr.i - we.i <= ${WORKING_DAY_LIMIT}) as pending,
               count(*) filter (where r.done and r.vacated_on - r.event_date <= ${CALENDAR_DAY_LIMIT}) as within15
          from r
          join wd we on we.d = r.event_date
          left join wd wv on wv.d = greatest(r.vacated_on, r.event_date)
          cross join (select i from wd where d = ${ref}::date) wr
          left join (${source.units}) u on u.unit_id = r.unit_id
         group by 1, 2, 3, 4`,
  );
  const total = emptyReduction();
  const byProcess = new Map<string, ReductionFigures & { process: string; code: string }>();
  const byUnit = new Map<string, ReductionFigures & { unitId: string | null; unitCode: string; unitName: string }>();
  for (const c of cases) {
    const add = (f: ReductionFigures) => {
      f.cases += num(c.cases);
      f.onTime += num(c.on_time);
      f.late += num(c.late);
      f.overdue += num(c.overdue);
      f.pending += num(c.pending);
      f.within15Days += num(c.within15);
    };
    add(total);
    const p = String(c.process_id);
    if (!byProcess.has(p)) byProcess.set(p, { process: p, code: REDUCE_PROCESSES[p] ?? p, ...emptyReduction() });
    add(byProcess.get(p)!);
    const u = c.unit_id === null ? '' : String(c.unit_id);
    if (!byUnit.has(u)) byUnit.set(u, { unitId: c.unit_id === null ? null : u, unitCode: c.code === null ? '' : String(c.code), unitName: c.name === null ? '（未知单位）' : String(c.name), ...emptyReduction() });
    add(byUnit.get(u)!);
  }

  const payroll = await payrollFigures(ctx);
  return {
    snapshot: header(ctx),
    definitions: DEFINITIONS,
    months,
    window: { from, to: ref },
    calendar: { version: calendarParam?.version ?? null, validFrom: calendarParam?.validFrom ?? null },
    reductions: {
      ...finish(total),
      byProcess: [...byProcess.values()].map((f) => ({ ...f, ...finish(f) })).sort((a, b) => a.code.localeCompare(b.code)),
      byUnit: [...byUnit.values()].map((f) => ({ ...f, ...finish(f) })).sort((a, b) => a.unitCode.localeCompare(b.unitCode)),
    },
    payroll,
  };
}

async function payrollFigures(ctx: ReportContext): Promise<ComplianceReport['payroll']> {
  // reconciled once per (snapshot, roster month) and stored (payroll.ts): read the counts per unit
  const { source } = ctx;
  const month = source.month;
  const run = await ensureReconciled(ctx.db, { id: source.snapshotId, month });
  const result: ComplianceReport['payroll'] = { month, imported: run.imported, reconciledAt: run.reconciledAt, ...emptyPayroll(), byUnit: [] };
  if (!result.imported) return result;
  const [stored, unitRows] = await Promise.all([
    rows<Record<string, unknown>>(
      ctx.db,
      sql`select unit_id, enrolled, roster_entries, not_on_roster, on_roster_not_enrolled, no_record, unit_mismatch
            from snapshot_payroll_units where snapshot_id = ${source.snapshotId}::uuid ${unitFilter(ctx, 'unit_id')}`,
    ),
    rows<{ unit_id: string; code: string; name: string }>(ctx.db, sql`select unit_id, code, name from (${source.units}) u`),
  ]);
  const units = new Map(unitRows.map((u) => [u.unit_id, u]));
  const perUnit = new Map<string, ComplianceReport['payroll']['byUnit'][number]>();
  const cell = (unitId: unknown) => {
    const key = unitId === null || unitId === undefined ? '' : String(unitId);
    let c = perUnit.get(key);
    if (!c) {
      const u = units.get(key);
      perUnit.set(key, (c = { unitId: key || null, unitCode: u?.code ?? '', unitName: u?.name ?? '（未匹配单位）', ...emptyPayroll() }));
    }
    return c;
  };
  for (const r of stored) {
    const c = cell(r.unit_id);
    c.enrolled += num(r.enrolled);
    c.notOnRoster += num(r.not_on_roster);
    c.unitMismatch += num(r.unit_mismatch);
    c.rosterEntries += num(r.roster_entries);
    c.onRosterNotEnrolled += num(r.on_roster_not_enrolled);
    c.noRecord += num(r.no_record);
    c.left += num(r.on_roster_not_enrolled) - num(r.no_record);
  }
  for (const c of perUnit.values()) {
    for (const k of Object.keys(emptyPayroll()) as Array<keyof PayrollFigures>) result[k] += c[k];
  }
  result.byUnit = [...perUnit.values()].filter((c) => c.notOnRoster + c.onRosterNotEnrolled + c.unitMismatch > 0).sort((a, b) => a.unitCode.localeCompare(b.unitCode));
  return result;
}

export interface PayrollMismatch {
  kind: MismatchKind;
  idNumber: string;
  personId: string | null;
  personName: string | null;
  unitId: string | null;
  unitCode: string;
  unitName: string;
  rosterUnitId: string | null;
  rosterUnitCode: string;
}

export interface PayrollMismatchPage {
  snapshot: ReturnType<typeof header>;
  month: string;
  kind: MismatchKind | null;
  offset: number;
  limit: number;
  total: number;
  items: PayrollMismatch[];
}

/** One page of the stored mismatch lists of the source's month (kind: one list, else all four), in a stable order. */
export async function payrollMismatches(ctx: ReportContext, page: { kind?: MismatchKind; offset?: number; limit?: number }): Promise<PayrollMismatchPage> {
  const { source } = ctx;
  await ensureReconciled(ctx.db, { id: source.snapshotId, month: source.month });
  const offset = page.offset ?? 0;
  const limit = page.limit ?? 100;
  const where = sql`m.snapshot_id = ${source.snapshotId}::uuid ${page.kind ? sql`and m.kind = ${page.kind}` : sql``} ${unitFilter(ctx, 'm.unit_id')}`;
  const [[count], items] = await Promise.all([
    rows<{ n: string }>(ctx.db, sql`select count(*) as n from snapshot_payroll_mismatches m where ${where}`),
    rows<Record<string, unknown>>(
      ctx.db,
      sql`select m.kind, m.id_number, m.person_id, pp.name as person_name, m.unit_id, u.code, u.name, m.roster_unit_id, ru.code as roster_code
            from (select * from snapshot_payroll_mismatches m where ${where} order by m.kind, m.id limit ${limit} offset ${offset}) m
            left join persons pp on pp.id = m.person_id
            left join (${source.units}) u on u.unit_id = m.unit_id
            left join (${source.units}) ru on ru.unit_id = m.roster_unit_id
           order by m.kind, m.id`,
    ),
  ]);
  return {
    snapshot: header(ctx),
    month: source.month,
    kind: page.kind ?? null,
    offset,
    limit,
    total: num(count?.n),
    items: items.map((r) => ({
      kind: r.kind as MismatchKind,
      idNumber: String(r.id_number),
      personId: (r.person_id as string | null) ?? null,
      personName: (r.person_name as string | null) ?? null,
      unitId: (r.unit_id as string | null) ?? null,
      unitCode: r.code === null || r.code === undefined ? '' : String(r.code),
      unitName: r.name === null || r.name === undefined ? '（未匹配单位）' : String(r.name),
      rosterUnitId: (r.roster_unit_id as string | null) ?? null,
      rosterUnitCode: r.roster_code === null || r.roster_code === undefined ? '' : String(r.roster_code),
    })),
  };
}

const REDUCTION_COLUMNS: ExportTable['columns'] = [
  { key: 'cases', header: '减员案件', type: 'int' },
  { key: 'onTime', header: `${WORKING_DAY_LIMIT}个工作日内出编`, type: 'int' },
  { key: 'late', header: '超时出编', type: 'int' },
  { key: 'overdue', header: '逾期未出编', type: 'int' },
  { key: 'pending', header: '期限内未出编', type: 'int' },
  { key: 'rate', header: '按时率', type: 'percent' },
  { key: 'within15Days', header: `${CALENDAR_DAY_LIMIT}日内出编`, type: 'int' },
  { key: 'within15Rate', header: `${CALENDAR_DAY_LIMIT}日内出编率`, type: 'percent' },
];

const PAYROLL_COLUMNS: ExportTable['columns'] = [
  { key: 'enrolled', header: '在编人数', type: 'int' },
  { key: 'rosterEntries', header: '统发名单人数', type: 'int' },
  { key: 'notOnRoster', header: '在编未在册', type: 'int' },
  { key: 'onRosterNotEnrolled', header: '在册未在编', type: 'int' },
  { key: 'noRecord', header: '其中无入编记录', type: 'int' },
  { key: 'left', header: '其中已出编', type: 'int' },
  { key: 'unitMismatch', header: '单位不符', type: 'int' },
];

export function complianceTables(report: ComplianceReport): ExportTable[] {
  const unitCols: ExportTable['columns'] = [
    { key: 'unitCode', header: '单位代码', type: 'text', width: 12 },
    { key: 'unitName', header: '单位名称', type: 'text', width: 28 },
  ];
  return [
    {
      name: 'reductions',
      title: '减员出编时限',
      columns: [{ key: 'label', header: '范围', type: 'text', width: 24 }, ...REDUCTION_COLUMNS],
      rows: [{ label: '全部', ...report.reductions }, ...report.reductions.byProcess.map((p) => ({ label: `${p.code} ${p.process}`, ...p }))],
    },
    { name: 'reductions-by-unit', title: '减员出编时限按单位', columns: [...unitCols, ...REDUCTION_COLUMNS], rows: report.reductions.byUnit as unknown as Record<string, unknown>[] },
    {
      name: 'payroll',
      title: '工资统发核对',
      columns: [{ key: 'month', header: '月份', type: 'text' }, { key: 'importedText', header: '名单已导入', type: 'text' }, ...PAYROLL_COLUMNS],
      rows: [{ ...report.payroll, importedText: report.payroll.imported ? '是' : '否' }],
    },
    { name: 'payroll-by-unit', title: '工资统发核对按单位', columns: [...unitCols, ...PAYROLL_COLUMNS], rows: report.payroll.byUnit as unknown as Record<string, unknown>[] },
  ];
}
