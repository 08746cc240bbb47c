// 发起新案件: choose a workflow and give what its start event needs. The workflows have no start
// forms: a case starts with its unit (unit staff: their own, which the server fills in), and the
// workflows about someone already on the rolls with that person's id (and, for some, a date or a
// target unit); the first user task then asks for the rest.
import { api } from '../shared/api';
import { clear, h, message } from '../shared/dom';
import type { CurrentUser } from '../shared/session';
import { errorText, whileBusy } from './format';
import { createPersonPicker } from './person-picker';
import type { ProcessDefinitionSummary, Unit } from './types';

type InputKind = 'unit' | 'person' | 'date';

interface StartInput {
  key: string;
  label: string;
  kind: InputKind;
}

/** What each workflow's start needs besides the unit (test/processes/*.test.ts start them so). */
const START_INPUTS: Record<string, StartInput[]> = {
  'staff-adjust-establishment-type': [{ key: 'personId', label: '人员', kind: 'person' }],
  'staff-adjust-post': [{ key: 'personId', label: '人员', kind: 'person' }],
  'staff-adjust-transfer': [
    { key: 'personId', label: '人员', kind: 'person' },
    { key: 'targetUnitId', label: '调入单位', kind: 'unit' },
  ],
  'staff-reduce-exit': [{ key: 'personId', label: '人员', kind: 'person' }],
  'staff-reduce-retirement': [
    { key: 'personId', label: '人员', kind: 'person' },
    { key: 'eventDate', label: '退休日期', kind: 'date' },
  ],
  'staff-reduce-transfer-out': [{ key: 'personId', label: '人员', kind: 'person' }],
};

/** Fixed start values: the reason the reduction workflows record. */
const START_CONSTANTS: Record<string, Record<string, unknown>> = {
  'staff-reduce-retirement': { reason: '退休' },
  'staff-reduce-transfer-out': { reason: '调出' },
};

export interface StartCaseOptions {
  user: CurrentUser;
  processes: readonly ProcessDefinitionSummary[];
  onStarted(instanceId: string, processName: string): void;
  onCancel(): void;
}

export function createStartCase(options: StartCaseOptions): HTMLElement {
  const { user, processes } = options;
  const status = h('div', { 'aria-live': 'polite' });
  const fields = h('div', { class: 'start-fields' });
  const process = h('select', { id: 'start-process', required: true }, h('option', { value: '' }, '请选择流程'), ...processes.map((p) => h('option', { value: p.processId }, `${p.name ?? p.processId}（v${p.version}）`)));
  const submit = h('button', { type: 'submit', class: 'primary' }, '发起');
  const form = h(
    'form',
    { class: 'start-case', novalidate: true, 'aria-label': '发起新案件' },
    h('h1', {}, '发起新案件'),
    h('label', { for: 'start-process' }, '流程'),
    process,
    fields,
    h('div', { class: 'toolbar' }, submit, h('button', { type: 'button', onclick: () => options.onCancel() }, '取消')),
    status,
  );
  let units: Promise<Unit[]> | null = null;
  const loadUnits = () => (units ??= api.get<Unit[]>('/api/units'));

  async function drawFields(): Promise<void> {
    clear(fields);
    if (!process.value) return;
    const inputs: StartInput[] = [...(user.unitId ? [] : [{ key: 'unitId', label: '案件所属单位', kind: 'unit' as const }]), ...(START_INPUTS[process.value] ?? [])];
    if (user.unitId) fields.append(h('p', { class: 'muted' }, `案件所属单位：本单位${user.unitCode ? `（${user.unitCode}）` : ''}`));
    for (const input of inputs) fields.append(...(await inputFor(input)));
    if (!START_INPUTS[process.value]?.length) fields.append(h('p', { class: 'muted' }, '发起后，申请表在“待办”中由本单位填写。'));
  }

  async function inputFor(input: StartInput): Promise<HTMLElement[]> {
    const id = `start-${input.key}`;
    const label = h('label', { for: id }, input.label);
    if (input.kind === 'unit') {
      let choices: Unit[] = [];
      try {
        choices = await loadUnits();
      } catch (error) {
        return [label, message('error', errorText(error, '单位列表加载失败'))];
      }
      return [label, h('select', { id, name: input.key, required: true }, h('option', { value: '' }, '请选择单位'), ...choices.map((u) => h('option', { value: u.id }, `${u.code} ${u.name}`)))];
    }
    if (input.kind === 'date') return [label, h('input', { id, name: input.key, type: 'date', required: true })];
    return [label, ...createPersonPicker(id, input.key)];
  }

  process.addEventListener('change', () => void drawFields());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clear(status);
    if (!process.value) {
      status.append(message('error', '请选择流程'));
      return;
    }
    const variables: Record<string, unknown> = { ...(START_CONSTANTS[process.value] ?? {}) };
    for (const el of fields.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]')) {
      if (!el.value.trim()) {
        const labelled = el.id.endsWith('-choice') ? el.id.slice(0, -'-choice'.length) : el.id;
        status.append(message('error', `请填写${form.querySelector(`label[for="${labelled}"]`)?.textContent ?? el.name}`));
        el.focus();
        return;
      }
      variables[el.name] = el.value.trim();
    }
    void whileBusy(submit, async () => {
      try {
        const started = await api.post<{ id: string }>('/api/process-instances', { processKey: process.value, variables });
        const name = processes.find((p) => p.processId === process.value)?.name ?? process.value;
        options.onStarted(started.id, name);
      } catch (error) {
        status.append(message('error', errorText(error, '发起失败')));
      }
    });
  });
  return form;
}
