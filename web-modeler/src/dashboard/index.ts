// 统计看板 /dashboard: the district's establishment, staff structure, retirement forecast, staff flows
// overdue steps by department and reduction deadlines, each as an ECharts chart with its data table, from GET /api/stats/<report>.
import '../shared/base.css';
import './dashboard.css';
import { h } from '../shared/dom';
import { startPage } from '../shared/shell';
import { chartPanel } from './chart-panel';
import type { ChartSpec } from './chart-spec';
import { establishmentByUnit } from './charts/establishment';
import { reductionDeadlines } from './charts/compliance';
import { staffFlows } from './charts/flows';
import { overdueStepsByDepartment } from './charts/overdue-steps';
import { retirementForecast } from './charts/retirement';
import { ageStructure, educationStructure, genderStructure } from './charts/structure';
import { createReportLoader, type ReportLoader } from './reports';

const CHARTS: readonly ChartSpec[] = [establishmentByUnit, ageStructure, genderStructure, educationStructure, retirementForecast, staffFlows, overdueStepsByDepartment, reductionDeadlines];

/** Which snapshot the figures come from (the same for every report of one view). */
function snapshotNote(loader: ReportLoader): HTMLElement {
  const note = h('p', { class: 'muted snapshot-note', 'data-testid': 'snapshot-note' });
  loader
    .load('establishment')
    .then(({ snapshot }) => {
      note.textContent = snapshot.note ?? `数据来源：${snapshot.month} 月末快照`;
    })
    .catch(() => undefined); // the establishment panel shows the error
  return note;
}

async function main(): Promise<void> {
  const page = await startPage('/dashboard', { requires: 'stats.read' });
  if (!page) return;
  const loader = createReportLoader();
  page.main.append(h('h1', { class: 'dashboard-title' }, '统计看板'), snapshotNote(loader), h('div', { class: 'chart-grid' }, ...CHARTS.map((spec) => chartPanel(spec, loader))));
}

void main();
