// 减员出编时限 by unit (compliance report): of the J1–J3 cases in the window, how many were 出编 within
// the working-day limit, late, overdue and still open, or still within the limit.
import { chartOf } from '../chart-spec';

export const reductionDeadlines = chartOf('compliance', {
  id: 'compliance-overdue',
  title: '减员出编时限（按单位）',
  description: '近 12 个月减员案件：按时出编、超时出编、逾期未出编、期限内办理中',
  emptyText: '统计期内没有减员案件',
  model(report) {
    const units = report.reductions.byUnit;
    const stack = 'cases';
    return {
      kind: 'bar',
      horizontal: true,
      categoryLabel: '单位',
      unit: '件',
      categories: units.map((u) => (u.unitName ? `${u.unitName}（${u.unitCode}）` : u.unitCode || '未知单位')),
      series: [
        { name: '按时出编', values: units.map((u) => u.onTime), stack, color: '#1a7f37' },
        { name: '超时出编', values: units.map((u) => u.late), stack, color: '#9a6700' },
        { name: '逾期未出编', values: units.map((u) => u.overdue), stack, color: '#b42318' },
        { name: '期限内办理中', values: units.map((u) => u.pending), stack, color: '#8c959f' },
      ],
    };
  },
});
