// The department queue: the filters GET /api/tasks offers (state, mine, candidate group, workflow,
// overdue, person, sort), counts from meta, paging, and claim / unclaim in place.
import { api } from '../shared/api';
import { clear, formatTime, h, message } from '../shared/dom';
import type { CurrentUser } from '../shared/session';
import { errorText, whileBusy } from './format';
import { groupLabel, TASK_STATE_LABELS, taskGroupOf } from './labels';
import type { TaskItem, TaskListMeta, TaskState } from './types';

const PAGE_SIZE = 20;

export interface TaskListOptions {
  user: CurrentUser;
  /** processId → workflow name */
  processNames: ReadonlyMap<string, string>;
  onOpen(taskId: string): void;
}

export interface TaskList {
  element: HTMLElement;
  /** reloads the current page with the current filters (live refresh calls it) */
  reload(): Promise<void>;
  /** shows a message above the table until the next action */
  notify(kind: 'success' | 'error' | 'info', text: string): void;
}

interface Filters {
  state: TaskState;
  scope: string; // '' all I may see, 'mine', or 'group:<candidate group>'
  processKey: string;
  overdue: boolean;
  person: string;
  sort: '' | 'due' | 'created' | 'priority';
  page: number;
}

export function createTaskList(options: TaskListOptions): TaskList {
  const { user, processNames } = options;
  const filters: Filters = { state: 'created', scope: '', processKey: '', overdue: false, person: '', sort: '', page: 1 };
  const status = h('div', { class: 'inbox-status', 'aria-live': 'polite' });
  const body = h('div', { class: 'inbox-table' });
  const pager = h('nav', { class: 'inbox-pager', 'aria-label': '分页' });
  const stateTabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': '任务状态' });
  let generation = 0;

  const rerun = (change: Partial<Filters>) => {
    Object.assign(filters, { page: 1 }, change);
    clear(status);
    void load();
  };

  const groups = [...new Set(user.groups.map(taskGroupOf))];
  const scopeSelect = select('inbox-scope', '范围', [['', '我可见的全部'], ['mine', '我办理的'], ...groups.map((g): [string, string] => [`group:${g}`, `${groupLabel(g)}的任务`])], (value) => rerun({ scope: value }));
  const processSelect = select('inbox-process', '流程', [['', '全部流程'], ...[...processNames].map(([id, name]): [string, string] => [id, name])], (value) => rerun({ processKey: value }));
  const sortSelect = select('inbox-sort', '排序', [['', '默认'], ['due', '按办理期限'], ['created', '最新在前'], ['priority', '按优先级']], (value) => rerun({ sort: value as Filters['sort'] }));
  const overdue = h('input', { type: 'checkbox', id: 'inbox-overdue' });
  overdue.addEventListener('change', () => rerun({ overdue: overdue.checked }));
  const person = h('input', { type: 'search', id: 'inbox-person', placeholder: '姓名或身份证号码', maxlength: 40 });
  const searchForm = h('form', { class: 'inbox-search', role: 'search' }, h('label', { for: 'inbox-person' }, '人员'), person, h('button', { type: 'submit' }, '查询'));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    rerun({ person: person.value.trim() });
  });

  const element = h(
    'section',
    { class: 'inbox-list', 'aria-label': '任务列表' },
    stateTabs,
    h('div', { class: 'toolbar' }, scopeSelect, processSelect, sortSelect, h('span', { class: 'inbox-check' }, overdue, h('label', { for: 'inbox-overdue' }, '仅看超期')), searchForm),
    status,
    body,
    pager,
  );

  function drawStateTabs(counts?: Record<TaskState, number>, limit?: number): void {
    clear(stateTabs);
    for (const state of ['created', 'completed', 'canceled'] as const) {
      const count = counts ? counts[state] : undefined;
      const shown = count === undefined ? '' : ` (${limit !== undefined && state !== 'created' && count >= limit ? `${count}+` : count})`;
      stateTabs.append(h('button', { type: 'button', role: 'tab', 'aria-selected': String(filters.state === state), onclick: () => rerun({ state }) }, `${TASK_STATE_LABELS[state]}${shown}`));
    }
  }

  function query(): string {
    const q = new URLSearchParams({ state: filters.state, page: String(filters.page), pageSize: String(PAGE_SIZE) });
    if (filters.scope === 'mine') q.set('assignee', user.username);
    else if (filters.scope.startsWith('group:')) q.set('candidateGroup', filters.scope.slice('group:'.length));
    if (filters.processKey) q.set('processKey', filters.processKey);
    if (filters.overdue) q.set('overdue', 'true');
    if (filters.person) q.set('person', filters.person);
    if (filters.sort) q.set('sort', filters.sort);
    return q.toString();
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    if (!body.firstChild) body.append(h('p', { class: 'loading' }, '正在加载任务…'));
    body.setAttribute('aria-busy', 'true');
    try {
      const res = await api.get<{ data: TaskItem[]; meta: TaskListMeta }>(`/api/tasks?${query()}`, { as: 'json' });
      if (mine !== generation) return; // a newer load is under way
      drawStateTabs(res.meta.counts, res.meta.historyCountLimit);
      drawTable(res.data);
      drawPager(res.meta.total);
    } catch (error) {
      if (mine !== generation) return;
      clear(body);
      body.append(message('error', errorText(error, '任务列表加载失败')));
    } finally {
      if (mine === generation) body.removeAttribute('aria-busy');
    }
  }

  function drawTable(tasks: TaskItem[]): void {
    clear(body);
    if (!tasks.length) {
      body.append(h('p', { class: 'muted inbox-empty' }, filters.state === 'created' ? '暂无待办任务' : '没有符合条件的任务'));
      return;
    }
    body.append(
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...['任务', '案件', '流程', '候选组', '办理人', '办理期限', '创建时间', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...tasks.map(row)),
      ),
    );
  }

  function row(task: TaskItem): HTMLElement {
    const title = task.name ?? task.elementId;
    const due = task.dueAt ? formatTime(task.dueAt) : '—';
    return h(
      'tr',
      { 'data-task-id': task.id },
      h('td', {}, h('a', { href: `#/tasks/${task.id}` }, title)),
      h('td', {}, [task.businessKey, task.personName].filter(Boolean).join(' · ') || task.instanceId.slice(0, 8)),
      h('td', {}, processNames.get(task.processId) ?? task.processId),
      h('td', {}, task.candidateGroups.map(groupLabel).join('、') || '—'),
      h('td', {}, task.assignee ?? h('span', { class: 'muted' }, '未认领')),
      h('td', {}, due, task.overdue ? h('span', { class: 'badge badge-error' }, '超期') : null, task.escalated ? h('span', { class: 'badge badge-warn' }, '已催办') : null),
      h('td', {}, formatTime(task.createdAt)),
      h('td', { class: 'inbox-actions' }, ...actionButtons(task)),
    );
  }

  function actionButtons(task: TaskItem): HTMLElement[] {
    const buttons: HTMLElement[] = [];
    if (task.actions.includes('claim')) buttons.push(actionButton('认领', `认领任务「${task.name ?? ''}」`, () => api.post(`/api/tasks/${task.id}/claim`), '已认领任务'));
    if (task.actions.includes('unclaim')) buttons.push(actionButton('退回认领', `退回认领「${task.name ?? ''}」`, () => api.post(`/api/tasks/${task.id}/unclaim`), '已退回认领，任务回到组内待认领'));
    buttons.push(h('button', { type: 'button', class: task.actions.includes('complete') ? 'primary' : null, onclick: () => options.onOpen(task.id) }, task.actions.includes('complete') ? '办理' : '查看'));
    return buttons;
  }

  function actionButton(label: string, ariaLabel: string, act: () => Promise<unknown>, done: string): HTMLButtonElement {
    const button = h('button', { type: 'button', 'aria-label': ariaLabel }, label);
    button.addEventListener('click', () =>
      void whileBusy(button, async () => {
        try {
          await act();
          notify('success', done);
        } catch (error) {
          notify('error', errorText(error));
        }
        await load();
      }),
    );
    return button;
  }

  function drawPager(total: number): void {
    clear(pager);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    pager.append(
      h('span', { class: 'muted' }, `共 ${total} 条，第 ${filters.page} / ${pages} 页`),
      h('button', { type: 'button', disabled: filters.page <= 1, onclick: () => goTo(filters.page - 1) }, '上一页'),
      h('button', { type: 'button', disabled: filters.page >= pages, onclick: () => goTo(filters.page + 1) }, '下一页'),
    );
  }

  function goTo(page: number): void {
    filters.page = page;
    void load();
  }

  function notify(kind: 'success' | 'error' | 'info', text: string): void {
    clear(status);
    status.append(message(kind, text));
  }

  drawStateTabs();
  return { element, reload: load, notify };
}

function select(id: string, label: string, choices: Array<[string, string]>, onChange: (value: string) => void): HTMLElement {
  const el = h('select', { id }, ...choices.map(([value, text]) => h('option', { value }, text)));
  el.addEventListener('change', () => onChange(el.value));
  return h('span', { class: 'inbox-field' }, h('label', { for: id }, label), el);
}
