// The case's diagram on a bpmn-js NavigatedViewer (read-only, pan and zoom; the bpmn.io watermark
// stays, as its licence asks): draws the marks of diagram-state.ts as canvas markers (CSS classes on
// the element's SVG group) and count badges as overlays.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import type Overlays from 'diagram-js/lib/features/overlays/Overlays';
import { h } from '../shared/dom';
import { MARKER_CLASS, type ElementKind, type ElementMark } from './diagram-state';

const BADGE_OVERLAY = 'bzf-count';

interface BusinessObject {
  $type: string;
  name?: string;
}

export interface DiagramView {
  kindOf(elementId: string): ElementKind | undefined;
  /** the element's name on the diagram, else its id */
  nameOf(elementId: string): string;
  show(marks: ElementMark[]): void;
  destroy(): void;
}

function kindOfType(type: string): ElementKind {
  if (type === 'bpmn:SequenceFlow') return 'flow';
  if (/Task$|^bpmn:(SubProcess|CallActivity|Transaction)$/.test(type)) return 'activity';
  return 'other';
}

/** Fits the whole diagram, centred, with room at the edges for the count badges. */
function fitWithMargin(canvas: Canvas, margin: number): void {
  canvas.zoom('fit-viewport');
  const { x, y, width, height, scale } = canvas.viewbox();
  const m = margin / scale;
  canvas.viewbox({ x: x - m, y: y - m, width: width + 2 * m, height: height + 2 * m });
}

export async function openDiagram(container: HTMLElement, xml: string): Promise<DiagramView> {
  const viewer = new NavigatedViewer({ container });
  await viewer.importXML(xml);
  const canvas = viewer.get<Canvas>('canvas');
  const registry = viewer.get<ElementRegistry>('elementRegistry');
  const overlays = viewer.get<Overlays>('overlays');
  fitWithMargin(canvas, 24);

  const businessObject = (id: string): BusinessObject | undefined => (registry.get(id) as { businessObject?: BusinessObject } | undefined)?.businessObject;
  let shown: ElementMark[] = [];

  return {
    kindOf: (id) => {
      const bo = businessObject(id);
      return bo ? kindOfType(bo.$type) : undefined;
    },
    nameOf: (id) => businessObject(id)?.name?.trim() || id,
    show(marks) {
      for (const mark of shown) canvas.removeMarker(mark.elementId, MARKER_CLASS[mark.state]);
      overlays.remove({ type: BADGE_OVERLAY });
      for (const mark of marks) {
        canvas.addMarker(mark.elementId, MARKER_CLASS[mark.state]);
        if (mark.badge === null) continue;
        const html = h('span', { class: `bzf-count bzf-count-${mark.state}`, 'data-count-for': mark.elementId, title: `已完成 ${mark.badge} 次` }, `×${mark.badge}`);
        overlays.add(mark.elementId, BADGE_OVERLAY, { position: { top: -10, right: 10 }, html });
      }
      shown = marks;
    },
    destroy: () => viewer.destroy(),
  };
}
