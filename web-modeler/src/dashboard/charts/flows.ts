// 增减员 over the last years: 入编 (Z1–Z3 and others) and 出编 (J1–J3 and others) per year, and the net.
import { chartOf } from '../chart-spec';

export const staffFlows = chartOf('flows', {
  id: 'flows-by-year',
  title: '近五年增减员',
  description: '每年入编（增员）与出编（减员）人数及净增；区内调动不计入',
  emptyText: '近五年无增减员记录',
  model: (report) => ({
    kind: 'bar',
    categoryLabel: '年度',
    unit: '人',
    categories: report.years.map((y) => `${y.year}年`),
    series: [
      { name: '增员', values: report.years.map((y) => y.added.total), color: '#0b5cad' },
      { name: '减员', values: report.years.map((y) => y.reduced.total), color: '#b42318' },
      { name: '净增', values: report.years.map((y) => y.net), line: true, color: '#1f2328' },
    ],
  }),
});
