// The district's staff structure (total of the structure report): age bands, gender, education.
import { chartOf } from '../chart-spec';
import type { ChartModel } from '../chart-model';

const bars = (categoryLabel: string, counts: Record<string, number>, name: string, color: string): ChartModel => ({
  kind: 'bar',
  categoryLabel,
  unit: '人',
  categories: Object.keys(counts),
  series: [{ name, values: Object.values(counts), color }],
});

export const ageStructure = chartOf('structure', {
  id: 'structure-age',
  title: '年龄结构',
  description: '在编人员按年龄段（周岁）分布',
  emptyText: '暂无在编人员',
  model: (report) => bars('年龄段', report.total.ageBands, '人数', '#0b5cad'),
});

export const genderStructure = chartOf('structure', {
  id: 'structure-gender',
  title: '性别结构',
  description: '在编人员男女人数',
  emptyText: '暂无在编人员',
  model: (report) => ({
    kind: 'pie',
    categoryLabel: '性别',
    unit: '人',
    categories: ['男', '女'],
    series: [{ name: '人数', values: [report.total.men, report.total.women] }],
  }),
});

export const educationStructure = chartOf('structure', {
  id: 'structure-education',
  title: '学历结构',
  description: '在编人员按最高学历分组（GB/T 4658），含未填写',
  emptyText: '暂无在编人员',
  model: (report) => bars('学历', report.total.education, '人数', '#8250df'),
});
