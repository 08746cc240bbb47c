// The live lint panel: every change of the diagram (debounced) is sent to POST /api/deployments/lint —
// the checks a deployment runs — and the findings are listed (click → select the element) and drawn
// on the canvas: a marker on the element and a badge whose title holds the messages. A refused deploy
// shows its findings the same way.
import type Modeler from 'bpmn-js/lib/Modeler';
import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import type EventBus from 'diagram-js/lib/core/EventBus';
import type Overlays from 'diagram-js/lib/features/overlays/Overlays';
import type Selection from 'diagram-js/lib/features/selection/Selection';
import { api, ApiError } from '../shared/api';
import { clear, h } from '../shared/dom';
import { diagramXml } from './bpmn-editor';
import type { LintFinding } from './types';

const DEBOUNCE_MS = 500;
const OVERLAY_TYPE = 'mp-lint';
const MARKERS = { error: 'mp-has-error', warn: 'mp-has-warning' } as const;

export interface LintPanel {
  element: HTMLElement;
  /** lints the current diagram after the debounce (nothing for users who may not deploy) */
  schedule(): void;
  /** shows findings (from a lint or a refused deploy) on the list and the canvas */
  show(findings: readonly LintFinding[], source: string): void;
  reset(): void;
}

export function createLintPanel(modeler: Modeler, options: { enabled: boolean; resourceName: () => string }): LintPanel {
  const summary = h('p', { class: 'mp-lint-summary muted', role: 'status' }, options.enabled ? '尚未检查' : '只有流程编辑人员可以检查和部署流程图');
  const list = h('ul', { class: 'mp-lint-list', 'aria-label': '检查结果' });
  const element = h('section', { class: 'mp-lint', 'aria-label': '部署前检查' }, h('h3', {}, '部署前检查'), summary, list);
  const marked = new Map<string, string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: AbortController | undefined;

  const canvas = modeler.get<Canvas>('canvas');
  const registry = modeler.get<ElementRegistry>('elementRegistry');
  const overlays = modeler.get<Overlays>('overlays');
  const selection = modeler.get<Selection>('selection');

  function unmark(): void {
    overlays.remove({ type: OVERLAY_TYPE });
    for (const [id, marker] of marked) if (registry.get(id)) canvas.removeMarker(id, marker);
    marked.clear();
  }

  function mark(findings: readonly LintFinding[]): void {
    const root = canvas.getRootElement();
    const byElement = new Map<string, LintFinding[]>();
    for (const finding of findings) byElement.set(finding.id, [...(byElement.get(finding.id) ?? []), finding]);
    for (const [id, own] of byElement) {
      const shape = id ? registry.get(id) : undefined;
      if (!shape || shape === root) continue;
      const worst = own.some((f) => f.category === 'error') ? 'error' : 'warn';
      canvas.addMarker(id, MARKERS[worst]);
      marked.set(id, MARKERS[worst]);
      const badge = h('span', { class: `mp-lint-badge mp-lint-badge-${worst}`, title: own.map((f) => f.message).join('\n'), 'data-finding-for': id }, String(own.length));
      overlays.add(id, OVERLAY_TYPE, { position: { top: -10, right: 10 }, html: badge });
    }
  }

  function focus(id: string): void {
    const shape = registry.get(id);
    if (!shape || shape === canvas.getRootElement()) return;
    selection.select(shape);
    canvas.scrollToElement(shape);
  }

  function show(findings: readonly LintFinding[], source: string): void {
    unmark();
    clear(list);
    const errors = findings.filter((f) => f.category === 'error').length;
    const warnings = findings.length - errors;
    summary.className = `mp-lint-summary ${errors ? 'mp-lint-failed' : 'mp-lint-ok'}`;
    summary.textContent = errors || warnings ? `${source}：${errors} 个错误，${warnings} 个警告${errors ? '（有错误时不能部署）' : ''}` : `${source}：未发现问题，可以部署`;
    for (const finding of [...findings].sort((a, b) => (a.category === b.category ? 0 : a.category === 'error' ? -1 : 1))) {
      const shape = finding.id ? registry.get(finding.id) : undefined;
      const name = (shape?.businessObject as { name?: string } | undefined)?.name;
      list.append(
        h(
          'li',
          { class: `mp-finding mp-finding-${finding.category}` },
          h(
            'button',
            { type: 'button', class: 'link', 'data-element': finding.id, onclick: () => focus(finding.id), title: `规则 ${finding.rule}` },
            h('span', { class: `badge ${finding.category === 'error' ? 'badge-error' : 'badge-warn'}` }, finding.category === 'error' ? '错误' : '警告'),
            ' ',
            h('strong', {}, name ? `${name}（${finding.id}）` : finding.id || '整个流程图'),
          ),
          h('span', { class: 'mp-finding-message' }, finding.message),
        ),
      );
    }
    mark(findings);
  }

  async function run(): Promise<void> {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    summary.textContent = '正在检查…';
    try {
      const content = await diagramXml(modeler);
      const result = await api.post<{ findings: LintFinding[] }>('/api/deployments/lint', { name: options.resourceName(), content }, { signal: controller.signal });
      if (running === controller) show(result.findings, '实时检查');
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      summary.className = 'mp-lint-summary mp-lint-failed';
      summary.textContent = `检查失败：${error instanceof ApiError ? error.message : (error as Error).message}`;
    }
  }

  function schedule(): void {
    if (!options.enabled) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  }

  modeler.get<EventBus>('eventBus').on('commandStack.changed', schedule);

  return {
    element,
    schedule,
    show,
    reset() {
      clearTimeout(timer);
      running?.abort();
      unmark();
      clear(list);
      summary.className = 'mp-lint-summary muted';
      summary.textContent = options.enabled ? '尚未检查' : '只有流程编辑人员可以检查和部署流程图';
    },
  };
}
