// The case at a glance: process name and version, business key, state, who started it and when.
import { formatTime, h } from '../shared/dom';
import type { InstanceDetail } from './case-data';
import { actorLabel } from './event-labels';

const STATE_LABELS: Record<string, { label: string; badge: string }> = {
  active: { label: '办理中', badge: 'badge' },
  completed: { label: '已办结', badge: 'badge badge-ok' },
  canceled: { label: '已撤销', badge: 'badge badge-warn' },
  terminated: { label: '已终止', badge: 'badge badge-error' },
};

export function caseHeader(instance: InstanceDetail, processName: string | null): HTMLElement {
  const state = STATE_LABELS[instance.state] ?? { label: instance.state, badge: 'badge' };
  const field = (label: string, value: Node | string) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
  // startedBy is a username; the history's actors are `user:<name>`
  const startedBy = instance.startedBy.includes(':') ? actorLabel(instance.startedBy) : instance.startedBy;
  return h(
    'section',
    { class: 'case-header', 'aria-label': '案件信息' },
    h('h1', {}, processName ?? instance.processId),
    h(
      'dl',
      {},
      field('流程版本', `${instance.processId} · 第 ${instance.version} 版`),
      field('业务编号', instance.businessKey ?? '—'),
      field('状态', h('span', { class: state.badge, 'data-testid': 'instance-state' }, state.label)),
      field('发起人', startedBy),
      field('发起时间', formatTime(instance.createdAt)),
      field('办结时间', formatTime(instance.endedAt)),
      field('实例编号', h('code', {}, instance.id)),
    ),
  );
}
