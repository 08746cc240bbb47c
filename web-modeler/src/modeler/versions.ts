// The versions of the open process: a select to open any version, and an XML diff between two.
import { api } from '../shared/api';
import { clear, formatTime, h, message } from '../shared/dom';
import type { ProcessDefinitionSummary } from './types';
import { renderXmlDiff } from './xml-diff';

export interface VersionPanel {
  /** the version select for the toolbar */
  select: HTMLSelectElement;
  /** the diff panel */
  element: HTMLElement;
  /** loads the versions of a process and selects one (default: the latest) */
  load(processId: string, selected?: number): Promise<ProcessDefinitionSummary[]>;
}

export const fetchXml = (processId: string, version: number): Promise<string> =>
  api.get<string>(`/api/process-definitions/${encodeURIComponent(processId)}/xml?version=${version}`, { as: 'text' });

export function createVersionPanel(onOpen: (version: number) => void): VersionPanel {
  const select = h('select', { 'aria-label': '版本', onchange: () => onOpen(Number(select.value)) });
  const from = h('select', { 'aria-label': '对比：旧版本' });
  const to = h('select', { 'aria-label': '对比：新版本' });
  const output = h('div', { class: 'mp-diff-output' });
  let processId = '';
  const compare = h('button', {
    type: 'button',
    onclick: async () => {
      clear(output);
      output.append(h('p', { class: 'muted' }, '正在比较…'));
      try {
        const [before, after] = await Promise.all([fetchXml(processId, Number(from.value)), fetchXml(processId, Number(to.value))]);
        clear(output);
        output.append(renderXmlDiff(before, after));
      } catch (error) {
        clear(output);
        output.append(message('error', (error as Error).message));
      }
    },
  }, '对比 XML');
  const element = h('section', { class: 'mp-versions', 'aria-label': '版本对比' }, h('h3', {}, '版本对比'), h('div', { class: 'toolbar' }, from, h('span', {}, '→'), to, compare), output);

  return {
    select,
    element,
    async load(id, selected) {
      processId = id;
      const versions = await api.get<ProcessDefinitionSummary[]>(`/api/process-definitions/${encodeURIComponent(id)}/versions`);
      const option = (v: ProcessDefinitionSummary) => h('option', { value: v.version }, `版本 ${v.version}（${formatTime(v.deployedAt)}）`);
      for (const el of [select, from, to]) clear(el);
      select.append(...versions.map(option));
      from.append(...versions.map(option));
      to.append(...versions.map(option));
      select.value = String(selected ?? versions[0]?.version ?? '');
      to.value = String(versions[0]?.version ?? '');
      from.value = String(versions[1]?.version ?? versions[0]?.version ?? '');
      clear(output);
      return versions;
    },
  };
}
