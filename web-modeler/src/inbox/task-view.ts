// An opened task: what it is about, claim / unclaim, and three tabs — the form, the case's
// documents, the diagram with the current step.
import { api } from '../shared/api';
import { clear, formatTime, h, message } from '../shared/dom';
import { createDiagramPanel } from './diagram';
import { createDocumentsPanel } from './documents';
import { errorText, whileBusy } from './format';
import { groupLabel, TASK_STATE_LABELS } from './labels';
import { createTaskForm } from './task-form';
import type { InstanceDetail, TaskDetail } from './types';

export interface TaskViewOptions {
  processNames: ReadonlyMap<string, string>;
  /** back to the list, with a message to show there */
  onDone(notice?: { kind: 'success' | 'info'; text: string }): void;
}

export interface TaskView {
  element: HTMLElement;
  destroy(): void;
}

export function createTaskView(taskId: string, options: TaskViewOptions): TaskView {
  const element = h('section', { class: 'task-view', 'aria-label': '任务' }, h('p', { class: 'loading' }, '正在打开任务…'));
  const cleanups: Array<() => void> = [];
  const back = () => h('button', { type: 'button', class: 'link', onclick: () => options.onDone() }, '← 返回待办列表');

  async function render(notice?: HTMLElement): Promise<void> {
    let task: TaskDetail;
    let instance: InstanceDetail | null;
    try {
      task = await api.get<TaskDetail>(`/api/tasks/${taskId}`);
      instance = await api.get<InstanceDetail>(`/api/process-instances/${task.instanceId}`).catch(() => null);
    } catch (error) {
      clear(element);
      element.append(back(), message('error', errorText(error, '任务打开失败')));
      return;
    }
    cleanups.splice(0).forEach((f) => f());
    const form = await createTaskForm(task, {
      onCompleted: () => options.onDone({ kind: 'success', text: `任务「${task.name ?? task.elementId}」已办理完成，案件已转入下一环节` }),
    });
    cleanups.push(form.destroy);
    const documents = createDocumentsPanel(task.instanceId);
    const diagram = instance ? createDiagramPanel(instance) : null;
    if (diagram) cleanups.push(diagram.destroy);

    clear(element);
    element.append(back(), header(task), notice ?? '', claimButtons(task));
    const panels: Array<[string, HTMLElement, () => void]> = [
      ['表单', form.element, () => undefined],
      ['文书', documents.element, () => void documents.load()],
      ['流程图', diagram?.element ?? message('info', '无权查看此案件的流程'), () => void diagram?.show()],
    ];
    const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': '任务内容' });
    const select = (index: number) => {
      panels.forEach(([, panel], i) => {
        panel.hidden = i !== index;
        tabs.children[i]!.setAttribute('aria-selected', String(i === index));
      });
      panels[index]![2]();
    };
    panels.forEach(([label], i) => tabs.append(h('button', { type: 'button', role: 'tab', onclick: () => select(i) }, label)));
    element.append(tabs, ...panels.map(([, panel]) => panel));
    select(0);
  }

  function header(task: TaskDetail): HTMLElement {
    return h(
      'header',
      { class: 'task-header' },
      h('h1', {}, task.name ?? task.elementId),
      h(
        'p',
        { class: 'muted' },
        [
          options.processNames.get(task.processId) ?? task.processId,
          task.businessKey ? `案件 ${task.businessKey}` : null,
          task.personName ? `人员 ${task.personName}` : null,
          `状态 ${TASK_STATE_LABELS[task.state]}`,
          `候选组 ${task.candidateGroups.map(groupLabel).join('、') || '—'}`,
          `办理人 ${task.assignee ?? '未认领'}`,
          task.dueAt ? `办理期限 ${formatTime(task.dueAt)}` : null,
        ]
          .filter(Boolean)
          .join(' · '),
        task.overdue ? h('span', { class: 'badge badge-error' }, '超期') : null,
      ),
    );
  }

  function claimButtons(task: TaskDetail): HTMLElement {
    const bar = h('div', { class: 'toolbar' });
    const act = (label: string, path: string, done: string) => {
      const button = h('button', { type: 'button', class: label === '认领' ? 'primary' : null }, label);
      button.addEventListener('click', () =>
        void whileBusy(button, async () => {
          try {
            await api.post(`/api/tasks/${task.id}/${path}`);
            await render(message('success', done));
          } catch (error) {
            bar.append(message('error', errorText(error)));
          }
        }),
      );
      bar.append(button);
    };
    if (task.actions.includes('claim')) act('认领', 'claim', '已认领，可以办理');
    if (task.actions.includes('unclaim')) act('退回认领', 'unclaim', '已退回认领');
    return bar;
  }

  void render();
  return { element, destroy: () => cleanups.splice(0).forEach((f) => f()) };
}
