// What the diagram shows for a replayed state: one mark per element that has a state at that point
// (active, completed, or a sequence flow taken) and the count badges. Pure: the replay comes from the
// server, the element kinds from the diagram; drawing is diagram-view.ts's job.
//
// The replay's terminatedElements are not drawn: the engine records a path not taken (a discarded
// branch) the same way as an interrupted activity, and the replay does not say which was entered.
import type { ReplayState } from './case-data';

export type ElementKind = 'activity' | 'flow' | 'other';
export type MarkState = 'active' | 'completed' | 'taken';

export interface ElementMark {
  elementId: string;
  state: MarkState;
  /** the number shown in a badge (how often the element completed), or null for no badge */
  badge: number | null;
}

export const MARKER_CLASS: Record<MarkState, string> = {
  active: 'bzf-active',
  completed: 'bzf-completed',
  taken: 'bzf-taken',
};

/**
 * Activities always show how often they completed (a send-back loop shows 2); other shapes only when
 * more than once.
 */
export function diagramMarks(state: ReplayState, kindOf: (elementId: string) => ElementKind | undefined): ElementMark[] {
  const marks = new Map<string, ElementMark>();
  const badgeFor = (id: string, count: number) => {
    if (count < 1) return null;
    return kindOf(id) === 'activity' || count > 1 ? count : null;
  };
  for (const [id, count] of Object.entries(state.completedElements)) {
    if (kindOf(id) === undefined || count < 1) continue;
    marks.set(id, { elementId: id, state: 'completed', badge: badgeFor(id, count) });
  }
  for (const id of state.activeElements) {
    if (kindOf(id) === undefined) continue;
    marks.set(id, { elementId: id, state: 'active', badge: badgeFor(id, state.completedElements[id] ?? 0) });
  }
  for (const [id, count] of Object.entries(state.takenFlows)) {
    if (kindOf(id) !== 'flow' || count < 1) continue;
    marks.set(id, { elementId: id, state: 'taken', badge: null });
  }
  return [...marks.values()];
}
