// `/inbox`: the department queue (#), an opened task (#/tasks/<id>) and 发起新案件 (#/start), with
// live refresh of the queue while it is shown.
import '../shared/base.css';
import './inbox.css';
import { api } from '../shared/api';
import { clear, h, message } from '../shared/dom';
import { can } from '../shared/session';
import { startPage } from '../shared/shell';
import { errorText } from './format';
import { watchInbox } from './live';
import { createStartCase } from './start-case';
import { createTaskList } from './task-list';
import { createTaskView } from './task-view';
import type { ProcessDefinitionSummary } from './types';

async function main(): Promise<void> {
  const page = await startPage('/inbox', { requires: 'task.read' });
  if (!page) return;
  const { user, main } = page;

  let processes: ProcessDefinitionSummary[] = [];
  try {
    processes = await api.get<ProcessDefinitionSummary[]>('/api/process-definitions');
  } catch (error) {
    main.append(message('error', `流程列表加载失败：${errorText(error)}`));
  }
  const processNames = new Map(processes.map((p) => [p.processId, p.name ?? p.processId]));
  const mayStart = can(user, 'process-instance.start');

  const list = createTaskList({ user, processNames, onOpen: (id) => (location.hash = `#/tasks/${id}`) });
  const startButton = h('button', { type: 'button', class: 'primary', onclick: () => (location.hash = '#/start') }, '发起新案件');
  const listScreen = h('div', { class: 'inbox' }, h('div', { class: 'inbox-head' }, h('h1', {}, '待办'), mayStart ? startButton : null), list.element);
  const area = h('div', {});
  main.append(area);

  let leave: () => void = () => undefined;
  const backToList = (notice?: { kind: 'success' | 'info'; text: string }) => {
    if (notice) list.notify(notice.kind, notice.text);
    location.hash = '';
  };

  function route(): void {
    leave();
    leave = () => undefined;
    clear(area);
    const hash = location.hash;
    const task = /^#\/tasks\/([\w-]+)$/.exec(hash);
    if (task) {
      const view = createTaskView(task[1]!, { processNames, onDone: backToList });
      area.append(view.element);
      leave = view.destroy;
    } else if (hash === '#/start' && mayStart) {
      area.append(
        createStartCase({
          user,
          processes,
          onStarted: (id, name) => backToList({ kind: 'success', text: `已发起「${name}」案件（${id.slice(0, 8)}），请在待办中填写申请` }),
          onCancel: () => backToList(),
        }),
      );
    } else {
      area.append(listScreen);
      void list.reload();
      leave = watchInbox(() => void list.reload());
    }
  }

  window.addEventListener('hashchange', route);
  route();
}

void main();
