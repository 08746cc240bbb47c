// A dashboard chart: its title and description (zh-CN), the report it is drawn from, and how that
// report becomes a ChartModel.
import type { ChartModel } from './chart-model';
import type { ReportLoader, ReportName, Reports } from './reports';

export interface ChartSpec {
  /** stable id: the panel's DOM id and the tests' handle */
  id: string;
  title: string;
  /** one sentence under the title: what is counted */
  description: string;
  /** what the panel says when the report has nothing to draw */
  emptyText: string;
  report: ReportName;
  load(loader: ReportLoader): Promise<ChartModel>;
}

export function chartOf<N extends ReportName>(
  report: N,
  spec: Omit<ChartSpec, 'report' | 'load'> & { model(report: Reports[N]): ChartModel },
): ChartSpec {
  const { model, ...rest } = spec;
  return { ...rest, report, load: async (loader) => model(await loader.load(report)) };
}
