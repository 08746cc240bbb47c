// The timeline over a case's history: a slider over the events (0 = before the first, N = after the
// N-th), previous/next event, previous/next step (the recorded inputs), and what the chosen event was:
// when, what, who, where. It reports the chosen position; showing its state is the page's job.
import { formatTime, h } from '../shared/dom';
import type { HistoryEvent } from './case-data';
import { actorLabel, kindLabel, STEP_KINDS } from './event-labels';

export interface Timeline {
  element: HTMLElement;
  readonly at: number;
  set(at: number): void;
}

export interface TimelineOptions {
  events: HistoryEvent[];
  nameOf(elementId: string): string;
  onChange(at: number): void;
}

/** 年-月-日 时:分:秒: the events of one step are seconds apart. */
const withSeconds = (iso: string) => `${formatTime(iso)}:${String(new Date(iso).getSeconds()).padStart(2, '0')}`;

export function createTimeline({ events, nameOf, onChange }: TimelineOptions): Timeline {
  const total = events.length;
  let at = total;
  const slider = h('input', { type: 'range', min: 0, max: total, step: 1, value: total, 'aria-label': '历史事件', class: 'timeline-slider' });
  const position = h('span', { class: 'timeline-position', 'aria-live': 'polite' });
  const when = h('span', { class: 'timeline-when' });
  const what = h('strong', { class: 'timeline-kind' });
  const where = h('span', { class: 'timeline-element' });
  const who = h('span', { class: 'timeline-actor muted' });
  const stepIndexes = events.flatMap((e, i) => (STEP_KINDS.has(e.kind) ? [i + 1] : []));

  const button = (label: string, title: string, target: () => number) =>
    h('button', { type: 'button', title, onclick: () => timeline.set(target()) }, label);
  const prevStep = () => [...stepIndexes].reverse().find((i) => i < at) ?? 0;
  const nextStep = () => stepIndexes.find((i) => i > at) ?? total;
  const buttons = {
    first: button('回到开始', '流程发起之前', () => 0),
    prevStep: button('« 上一步骤', '上一个办理步骤（提交、自动任务、消息、定时器）', prevStep),
    prev: button('‹ 上一事件', '上一条历史事件', () => at - 1),
    next: button('下一事件 ›', '下一条历史事件', () => at + 1),
    nextStep: button('下一步骤 »', '下一个办理步骤', nextStep),
    last: button('最新状态', '当前状态', () => total),
  };

  function render() {
    slider.value = String(at);
    position.textContent = `第 ${at} / ${total} 条事件`;
    const event = events[at - 1];
    when.textContent = event ? withSeconds(event.occurredAt) : '—';
    what.textContent = event ? kindLabel(event.kind) : '流程发起之前';
    where.textContent = event?.elementId ? nameOf(event.elementId) : '';
    who.textContent = event ? actorLabel(event.actor) : '';
    for (const b of [buttons.first, buttons.prevStep, buttons.prev]) b.disabled = at === 0;
    for (const b of [buttons.next, buttons.nextStep, buttons.last]) b.disabled = at === total;
  }

  const timeline: Timeline = {
    element: h(
      'section',
      { class: 'timeline', 'aria-label': '历史回放' },
      h('div', { class: 'toolbar' }, buttons.first, buttons.prevStep, buttons.prev, slider, buttons.next, buttons.nextStep, buttons.last, position),
      h('div', { class: 'timeline-event', 'data-testid': 'timeline-event' }, when, what, where, who),
    ),
    get at() {
      return at;
    },
    set(next) {
      const clamped = Math.max(0, Math.min(total, Math.round(next)));
      if (clamped === at) return;
      at = clamped;
      render();
      onChange(at);
    },
  };
  slider.addEventListener('input', () => timeline.set(Number(slider.value)));
  render();
  return timeline;
}
