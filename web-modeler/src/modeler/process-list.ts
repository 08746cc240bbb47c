// The deployed processes (latest version of each), as a list to open one from.
import { api } from '../shared/api';
import { clear, h } from '../shared/dom';
import type { ProcessDefinitionSummary } from './types';

export interface ProcessList {
  element: HTMLElement;
  refresh(): Promise<ProcessDefinitionSummary[]>;
  markOpen(processId: string): void;
}

export function createProcessList(onOpen: (processId: string) => void): ProcessList {
  const list = h('ul', { class: 'mp-list', 'aria-label': '已部署流程' });
  const element = h('aside', { class: 'mp-sidebar' }, h('h2', {}, '流程'), list);
  let open = '';
  const items = new Map<string, HTMLButtonElement>();

  return {
    element,
    async refresh() {
      const processes = await api.get<ProcessDefinitionSummary[]>('/api/process-definitions');
      clear(list);
      items.clear();
      for (const p of processes) {
        const button = h(
          'button',
          { type: 'button', class: p.processId === open ? 'mp-item active' : 'mp-item', 'data-process-id': p.processId, onclick: () => onOpen(p.processId) },
          h('span', {}, p.name ?? p.processId),
          h('span', { class: 'muted' }, `${p.processId} · 版本 ${p.version}`),
        );
        items.set(p.processId, button);
        list.append(h('li', {}, button));
      }
      return processes;
    },
    markOpen(processId) {
      open = processId;
      for (const [id, button] of items) button.classList.toggle('active', id === processId);
    },
  };
}
