// 退休预测: who reaches retirement in each of the next years (the first year includes those past it
// and still 在编), and the 编制 that frees.
import { chartOf } from '../chart-spec';

export const retirementForecast = chartOf('retirement-forecast', {
  id: 'retirement-forecast',
  title: '退休预测（按年度）',
  description: '未来各年度达到法定退休年龄的在编人数及腾出编制数；首年含已到龄仍在编人员',
  emptyText: '预测期内无人员到龄退休',
  model: (report) => ({
    kind: 'bar',
    categoryLabel: '年度',
    unit: '人',
    categories: report.byYear.map((y) => `${y.year}年`),
    series: [
      { name: '退休人数', values: report.byYear.map((y) => y.retiring), color: '#9a6700' },
      { name: '其中已到龄', values: report.byYear.map((y) => y.overdue), color: '#d4a72c' },
      { name: '腾出编制', values: report.byYear.map((y) => y.quotaFreed), color: '#1a7f37' },
    ],
  }),
});
