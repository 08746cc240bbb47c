// 超缺编 by unit: the report's rows are unit × 编制类型; a unit's 空编 and 超编 are the sums of its rows.
import { chartOf } from '../chart-spec';

export const establishmentByUnit = chartOf('establishment', {
  id: 'establishment-by-unit',
  title: '各单位超缺编情况',
  description: '空编（缺编）= 核定 − 实有，超编 = 实有 − 核定，按单位汇总各编制类型',
  emptyText: '暂无单位编制数据',
  model(report) {
    const units = new Map<string, { name: string; vacant: number; over: number }>();
    for (const row of report.units) {
      const unit = units.get(row.unitId) ?? { name: `${row.unitName}（${row.unitCode}）`, vacant: 0, over: 0 };
      unit.vacant += row.vacant;
      unit.over += row.over;
      units.set(row.unitId, unit);
    }
    const list = [...units.values()];
    return {
      kind: 'bar',
      horizontal: true,
      categoryLabel: '单位',
      unit: '名',
      categories: list.map((u) => u.name),
      series: [
        { name: '空编（缺编）', values: list.map((u) => u.vacant), color: '#1a7f37' },
        { name: '超编', values: list.map((u) => u.over), color: '#b42318' },
      ],
    };
  },
});
