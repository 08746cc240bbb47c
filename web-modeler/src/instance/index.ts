// 案件回放 /instances/:id: the case header, its verification and case-file exports, and the diagram of
// the version it ran on with the state at any event of its history (timeline below the diagram).
import '../shared/base.css';
import './instance.css';
import { ApiError } from '../shared/api';
import { clear, h, message } from '../shared/dom';
import { can } from '../shared/session';
import { startPage } from '../shared/shell';
import { caseExports } from './case-exports';
import { caseHeader } from './case-header';
import { loadDiagramXml, loadHistory, loadInstance, loadProcessName, loadReplay, verifyInstance, type ReplayState } from './case-data';
import { diagramMarks } from './diagram-state';
import { openDiagram } from './diagram-view';
import { followReplay } from './replay-follower';
import { createTimeline } from './timeline';
import { createVerifyBadge } from './verify-badge';

const LEGEND: Array<[string, string]> = [
  ['legend-completed', '已完成'],
  ['legend-active', '办理中'],
  ['legend-taken', '已走过的连线'],
];

async function main(): Promise<void> {
  const page = await startPage('/instances', { requires: 'history.read' });
  if (!page) return;
  const { user, main } = page;
  main.classList.add('instance-page');
  const instanceId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
  main.append(h('p', { class: 'loading' }, '正在加载案件…'));

  try {
    const [instance, events] = await Promise.all([loadInstance(instanceId), loadHistory(instanceId)]);
    const [xml, processName] = await Promise.all([loadDiagramXml(instance.processId, instance.version), loadProcessName(instance.processId).catch(() => null)]);
    clear(main);
    const canvas = h('div', { class: 'instance-diagram', 'data-testid': 'diagram', 'aria-label': '流程图（已完成、办理中与走过的连线已标出）', role: 'img' });
    const replayStatus = h('div', { class: 'replay-status' });
    main.append(
      caseHeader(instance, processName),
      h('div', { class: 'case-actions' }, can(user, 'history.verify') ? createVerifyBadge(() => verifyInstance(instance.id)) : null, caseExports(instance.id)),
      h('div', { class: 'legend', 'aria-label': '图例' }, ...LEGEND.map(([cls, label]) => h('span', { class: `legend-item ${cls}` }, label))),
      canvas,
      replayStatus,
    );
    const view = await openDiagram(canvas, xml);
    const showAt = followReplay({
      load: (at, signal) => loadReplay(instance.id, at, signal),
      show: (state: ReplayState) => {
        view.show(diagramMarks(state, view.kindOf));
        canvas.dataset.stateAt = String(state.at);
        replayStatus.replaceChildren();
      },
      onError: (error) => replayStatus.replaceChildren(message('error', `无法回放到该事件：${error.message}`)),
    });
    const timeline = createTimeline({ events, nameOf: view.nameOf, onChange: (at) => showAt(at) });
    canvas.after(timeline.element);
    showAt(timeline.at, { immediate: true });
  } catch (error) {
    clear(main);
    const text = error instanceof ApiError && error.status === 404 ? '未找到该案件，或您无权查看' : (error as Error).message;
    main.append(message('error', text));
  }
}

void main();
