// One chart on the dashboard: its heading and description, then loading → the chart (with a toggle to
// its data table), its empty state, or its error with a retry.
import type { ApiError } from '../shared/api';
import { h, message } from '../shared/dom';
import { isEmptyModel } from './chart-model';
import { chartHeight, renderChart } from './chart-render';
import type { ChartSpec } from './chart-spec';
import { dataTable } from './data-table';
import type { ReportLoader } from './reports';

export function chartPanel(spec: ChartSpec, loader: ReportLoader): HTMLElement {
  const headingId = `${spec.id}-title`;
  const body = h('div', { class: 'chart-body' });
  const toggle = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-controls': `${spec.id}-table`, hidden: true }, '显示数据表');
  const panel = h(
    'section',
    { class: 'chart-panel', id: spec.id, 'aria-labelledby': headingId, 'data-state': 'loading' },
    h('header', { class: 'chart-head' }, h('h2', { id: headingId }, spec.title), toggle),
    h('p', { class: 'muted chart-description' }, spec.description),
    body,
  );

  const setState = (state: 'loading' | 'ready' | 'empty' | 'error', ...content: HTMLElement[]) => {
    panel.dataset.state = state;
    body.replaceChildren(...content);
    toggle.hidden = state !== 'ready';
  };

  async function load() {
    setState('loading', h('p', { class: 'chart-loading muted', role: 'status' }, '正在加载…'));
    try {
      const model = await spec.load(loader);
      if (isEmptyModel(model)) {
        setState('empty', h('p', { class: 'chart-empty', role: 'status' }, spec.emptyText));
        return;
      }
      const canvas = h('div', { class: 'chart', role: 'img', 'aria-label': spec.title });
      canvas.style.height = `${chartHeight(model)}px`;
      const table = h('div', { class: 'chart-table', id: `${spec.id}-table`, hidden: true }, dataTable(model, spec.title));
      setState('ready', canvas, table);
      renderChart(canvas, model, spec.title);
      toggle.onclick = () => {
        const show = table.hidden;
        table.hidden = !show;
        toggle.setAttribute('aria-expanded', String(show));
        toggle.textContent = show ? '隐藏数据表' : '显示数据表';
      };
    } catch (error) {
      const retry = h('button', { type: 'button', onclick: () => void load() }, '重试');
      setState('error', h('div', {}, message('error', `加载失败：${(error as ApiError).message}`), retry));
    }
  }
  void load();
  return panel;
}
