// The statistics service (domain-spec.md §8): the reports over month-end snapshots, their exports, and the
// snapshots themselves. District statistics are for users who see every unit (policy stats.read; a user
// scoped to some units is refused); `unitId` narrows a report to a unit and the units it is 主管部门 of.
import type { Knex } from 'knex';
import type { Writable } from 'node:stream';
import type { AuthUser } from '../../core/auth-user';
import { systemClock, type Clock } from '../../core/clock';
import { forbidden, isUuid, validationFailed } from '../../core/errors';
import { caseScopeOf } from '../../core/policy';
import type { ParameterStore } from '../parameters';
import { overdueStepsReport, type OverdueStepsReport } from './overdue-steps';
import { complianceReport, complianceTables, payrollMismatches, type PayrollMismatchPage } from './compliance';
import { establishmentReport, establishmentTables } from './establishment';
import { writeCsv, writeXlsx } from './export';
import { flowsReport, flowsTables } from './flows';
import { leaderPostsReport, leaderPostsTables } from './leader-posts';
import { MISMATCH_KINDS, type MismatchKind } from './payroll';
import type { ExportTable, ReportContext, ReportResult } from './report';
import { retirementForecastReport, retirementForecastTables } from './retirement-forecast';
import { actorLabel, listSnapshots, requireMonth, resolveSource, takeSnapshot, type SnapshotInfo, type TakeOptions } from './snapshots';
import { structureReport, structureTables } from './structure';

export const REPORTS = ['establishment', 'structure', 'retirement-forecast', 'leader-posts', 'flows', 'compliance'] as const;
export type ReportName = (typeof REPORTS)[number];

export const REPORT_TITLES: Record<ReportName, string> = {
  establishment: '超缺编统计',
  structure: '人员结构统计',
  'retirement-forecast': '退休预测',
  'leader-posts': '领导职数使用情况',
  flows: '增减员流动与趋势',
  compliance: '合规指标',
};

export interface StatsQuery {
  /** yyyy-mm-dd, default today */
  date?: string;
  unitId?: string;
  /** retirement-forecast (default 5), flows (default 5) */
  years?: number;
  /** compliance window in months (default 12) */
  months?: number;
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  write(out: Writable): Promise<void>;
}

export interface StatsService {
  report(name: ReportName, query: StatsQuery, user: AuthUser): Promise<ReportResult>;
  /** `table`: for CSV, which table (default the report's first) */
  exportFile(name: ReportName, format: 'xlsx' | 'csv', query: StatsQuery & { table?: string }, user: AuthUser): Promise<ExportFile>;
  /** a page of the payroll reconciliation's mismatch lists of the report's month (compliance) */
  payrollMismatches(query: StatsQuery & { kind?: string; offset?: number; limit?: number }, user: AuthUser): Promise<PayrollMismatchPage>;
  takeSnapshot(input: { month: unknown; replace?: unknown; reason?: unknown }, user: AuthUser): Promise<SnapshotInfo>;
  listSnapshots(user: AuthUser): Promise<SnapshotInfo[]>;
  /** open, overdue and escalated steps by department now; steps completed late in the last `days` days */
  overdueSteps(query: { days: number }, user: AuthUser): Promise<OverdueStepsReport>;
}

export interface StatsDeps {
  db: Knex;
  parameters: ParameterStore;
  clock?: Clock;
}

type Runner = { run(ctx: ReportContext, q: StatsQuery, parameters: ParameterStore): Promise<ReportResult>; tables(r: ReportResult): ExportTable[] };

const RUNNERS: Record<ReportName, Runner> = {
  establishment: { run: (ctx) => establishmentReport(ctx), tables: (r) => establishmentTables(r as never) },
  structure: { run: (ctx) => structureReport(ctx), tables: (r) => structureTables(r as never) },
  'retirement-forecast': { run: (ctx, q) => retirementForecastReport(ctx, q.years ?? 5), tables: (r) => retirementForecastTables(r as never) },
  'leader-posts': { run: (ctx) => leaderPostsReport(ctx), tables: (r) => leaderPostsTables(r as never) },
  flows: { run: (ctx, q) => flowsReport(ctx, q.years ?? 5), tables: (r) => flowsTables(r as never) },
  compliance: { run: (ctx, q, parameters) => complianceReport(ctx, parameters, q.months ?? 12), tables: (r) => complianceTables(r as never) },
};

/** The tables a report exports (for tests and tools). */
export const reportTables = (name: ReportName, result: ReportResult): ExportTable[] => RUNNERS[name].tables(result);

export function createStatsService(deps: StatsDeps): StatsService {
  const allowed = (user: AuthUser) => {
    if (caseScopeOf(user).kind !== 'all') throw forbidden('全区统计仅限可查看全部单位的用户');
  };
  const context = async (query: StatsQuery, user: AuthUser) => {
    allowed(user);
    if (query.unitId !== undefined && !isUuid(query.unitId)) throw validationFailed([{ field: '?unitId', message: '应为单位 id (uuid)' }]);
    const source = await resolveSource(deps, query.date);
    return { db: deps.db, source, unitId: query.unitId };
  };
  const run = async (name: ReportName, query: StatsQuery, user: AuthUser): Promise<ReportResult> => RUNNERS[name].run(await context(query, user), query, deps.parameters);
  return {
    report: run,
    async overdueSteps(query, user) {
      allowed(user);
      return overdueStepsReport(deps.db, (deps.clock ?? systemClock)(), query.days);
    },
    async payrollMismatches(query, user) {
      if (query.kind !== undefined && !(MISMATCH_KINDS as readonly string[]).includes(query.kind)) {
        throw validationFailed([{ field: '?kind', message: `应为以下值之一：${MISMATCH_KINDS.join('、')}` }]);
      }
      return payrollMismatches(await context(query, user), { kind: query.kind as MismatchKind | undefined, offset: query.offset, limit: query.limit });
    },
    async exportFile(name, format, query, user) {
      const result = await run(name, query, user);
      const tables = RUNNERS[name].tables(result);
      const base = `stats-${name}-${result.snapshot.live ? `${result.snapshot.referenceDate}-live` : result.snapshot.month}`;
      if (format === 'xlsx') {
        return {
          fileName: `${base}.xlsx`,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          write: (out) => writeXlsx(out, REPORT_TITLES[name], result.snapshot, result.definitions, tables),
        };
      }
      const table = query.table === undefined ? tables[0]! : tables.find((t) => t.name === query.table);
      if (!table) throw validationFailed([{ field: '?table', message: `应为以下值之一：${tables.map((t) => t.name).join('、')}` }]);
      return { fileName: `${base}-${table.name}.csv`, contentType: 'text/csv; charset=utf-8', write: (out) => writeCsv(out, table) };
    },
    async takeSnapshot(input, user) {
      const month = requireMonth(input.month);
      if (input.replace !== undefined && typeof input.replace !== 'boolean') throw validationFailed([{ field: 'replace', message: '应为布尔值' }]);
      if (input.reason !== undefined && (typeof input.reason !== 'string' || input.reason.length > 500)) throw validationFailed([{ field: 'reason', message: '应为不超过 500 字的文本' }]);
      const options: TakeOptions = { replace: input.replace === true, reason: input.reason as string | undefined };
      return takeSnapshot(deps, month, actorLabel(user), options);
    },
    async listSnapshots(user) {
      allowed(user);
      return listSnapshots(deps.db);
    },
  };
}

export { startSnapshotJob } from './snapshots';
/** Call after a payroll roster import of `month` has committed: re-reconciles that month's snapshots. */
export { reconcilePayroll, MISMATCH_KINDS } from './payroll';
