// The chart's numbers as a table: the accessible alternative to the picture, from the same model.
import { h } from '../shared/dom';
import type { ChartModel } from './chart-model';

export function dataTable(model: ChartModel, caption: string): HTMLTableElement {
  const unit = model.unit ? `（${model.unit}）` : '';
  return h(
    'table',
    { class: 'data-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, model.categoryLabel), ...model.series.map((s) => h('th', { scope: 'col' }, `${s.name}${unit}`)))),
    h(
      'tbody',
      {},
      ...model.categories.map((category, i) =>
        h('tr', {}, h('th', { scope: 'row' }, category), ...model.series.map((s) => h('td', { class: 'num' }, s.values[i] ?? 0))),
      ),
    ),
  );
}
