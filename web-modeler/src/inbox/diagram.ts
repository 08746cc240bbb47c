// The case's diagram (the version the case runs on) in a NavigatedViewer, its current steps marked.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { api } from '../shared/api';
import { h, message } from '../shared/dom';
import { errorText } from './format';
import type { InstanceDetail } from './types';

export const CURRENT_STEP_MARKER = 'current-step';

export interface DiagramPanel {
  element: HTMLElement;
  /** draws the diagram; call once the panel is visible (the viewer measures its container) */
  show(): Promise<void>;
  destroy(): void;
}

export function createDiagramPanel(instance: InstanceDetail): DiagramPanel {
  const canvasHost = h('div', { class: 'diagram-canvas' });
  const legend = h('p', { class: 'muted' }, '高亮处为案件当前所在环节。可拖动、滚轮缩放。');
  const element = h('section', { class: 'diagram', 'aria-label': '流程图' }, legend, canvasHost);
  let viewer: NavigatedViewer | null = null;
  let drawn: Promise<void> | null = null;

  async function draw(): Promise<void> {
    try {
      const xml = await api.get<string>(`/api/process-definitions/${encodeURIComponent(instance.processId)}/xml?version=${instance.version}`, {
        as: 'text',
        headers: { Accept: 'application/xml' },
      });
      viewer = new NavigatedViewer({ container: canvasHost });
      await viewer.importXML(xml);
      const canvas = viewer.get<{ zoom(level: string): void; addMarker(id: string, marker: string): void }>('canvas');
      const registry = viewer.get<{ get(id: string): unknown }>('elementRegistry');
      canvas.zoom('fit-viewport');
      for (const open of instance.openElements) {
        if (registry.get(open.elementId)) canvas.addMarker(open.elementId, CURRENT_STEP_MARKER);
      }
    } catch (error) {
      element.append(message('error', errorText(error, '流程图加载失败')));
    }
  }

  return {
    element,
    show: () => (drawn ??= draw()),
    destroy: () => viewer?.destroy(),
  };
}
