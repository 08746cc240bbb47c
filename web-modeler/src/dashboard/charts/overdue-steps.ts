// 超期环节 by department, live: the steps each department has open, those past their time limit (of
// which escalated to the leaders), and the steps completed late in the last 30 days.
import { chartOf } from '../chart-spec';

export const overdueStepsByDepartment = chartOf('overdue-steps', {
  id: 'overdue-steps-by-department',
  title: '超期环节（按部门）',
  description: '当前在办环节中超过办理时限、已报领导督办的数量，及近 30 天超期办结的环节（实时）',
  emptyText: '目前没有在办或近期办结的环节',
  model: (report) => ({
    kind: 'bar',
    categoryLabel: '部门',
    unit: '个',
    categories: report.byDepartment.map((d) => d.departmentName),
    series: [
      { name: '在办', values: report.byDepartment.map((d) => d.open), color: '#8c959f' },
      { name: '超期未办结', values: report.byDepartment.map((d) => d.overdue), color: '#b42318' },
      { name: '已督办', values: report.byDepartment.map((d) => d.escalated), color: '#9a6700' },
      { name: '近30天超期办结', values: report.byDepartment.map((d) => d.completedLate), color: '#0b5cad' },
    ],
  }),
});
