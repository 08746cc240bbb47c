// The statistics reports the dashboard draws (GET /api/stats/<report>), the parts of their JSON it
// reads, each loaded once per page view however many charts use it.
import type { OverdueStepsReport } from '../../../server/services/stats/overdue-steps';
import { api } from '../shared/api';

export interface SnapshotView {
  month: string;
  takenAt: string;
  live: boolean;
  note?: string;
}

interface Report {
  snapshot: SnapshotView;
  definitions: Record<string, string>;
}

export interface EstablishmentReport extends Report {
  units: Array<{ unitId: string; unitCode: string; unitName: string; bianzhiType: string; approved: number; actual: number; vacant: number; over: number }>;
}

export interface StructureFigures {
  count: number;
  men: number;
  women: number;
  ageBands: Record<string, number>;
  education: Record<string, number>;
}

export interface StructureReport extends Report {
  total: StructureFigures;
}

export interface RetirementForecastReport extends Report {
  years: number;
  byYear: Array<{ year: number; retiring: number; overdue: number; quotaFreed: number }>;
}

export interface FlowsReport extends Report {
  years: Array<{ year: number; added: { total: number }; reduced: { total: number }; net: number }>;
}

export interface ReductionFigures {
  cases: number;
  onTime: number;
  late: number;
  overdue: number;
  pending: number;
}

export interface ComplianceReport extends Report {
  window: { from: string; to: string };
  reductions: ReductionFigures & { byUnit: Array<ReductionFigures & { unitId: string | null; unitCode: string; unitName: string }> };
}

export interface Reports {
  establishment: EstablishmentReport;
  structure: StructureReport;
  'retirement-forecast': RetirementForecastReport;
  flows: FlowsReport;
  compliance: ComplianceReport;
  'overdue-steps': OverdueStepsReport;
}

export type ReportName = keyof Reports;

export interface ReportLoader {
  load<N extends ReportName>(name: N): Promise<Reports[N]>;
}

export function createReportLoader(): ReportLoader {
  const loading = new Map<ReportName, Promise<unknown>>();
  return {
    load<N extends ReportName>(name: N): Promise<Reports[N]> {
      let pending = loading.get(name) as Promise<Reports[N]> | undefined;
      if (!pending) {
        pending = api.get<Reports[N]>(`/api/stats/${name}`);
        pending.catch(() => loading.delete(name)); // a failed load is tried again on retry
        loading.set(name, pending);
      }
      return pending;
    },
  };
}
