// The state of an instance after its first N history events, computed from the events alone:
// which elements are active, which completed (and how often), which flows were taken, the variables.
import type { AuditEventRow } from '../repositories/audit-events';

export interface ReplayState {
  at: number;
  total: number;
  event: { seq: number; kind: string; elementId: string | null; occurredAt: string } | null;
  instanceState: 'active' | 'completed' | 'canceled' | 'terminated';
  activeElements: string[];
  completedElements: Record<string, number>;
  terminatedElements: Record<string, number>;
  takenFlows: Record<string, number>;
  variables: Record<string, unknown>;
  openIncidents: number;
}

export function replayEvents(events: AuditEventRow[], at: number): ReplayState {
  const upTo = events.slice(0, Math.max(0, Math.min(at, events.length)));
  const entered = new Map<string, number>();
  const completed: Record<string, number> = {};
  const terminated: Record<string, number> = {};
  const flows: Record<string, number> = {};
  let variables: Record<string, unknown> = {};
  let instanceState: ReplayState['instanceState'] = 'active';
  let incidents = 0;
  const bump = (map: Record<string, number>, id: string) => (map[id] = (map[id] ?? 0) + 1);

  for (const e of upTo) {
    const id = e.element_id ?? '';
    const payload = e.payload as Record<string, any>;
    switch (e.kind) {
      case 'instance.created':
        variables = { ...(payload.input ?? {}) };
        break;
      case 'element.entered':
        entered.set(id, (entered.get(id) ?? 0) + 1);
        break;
      case 'element.completed':
        bump(completed, id);
        break;
      case 'element.terminated':
        bump(terminated, id);
        break;
      case 'flow.taken':
        bump(flows, id);
        break;
      case 'variables.changed':
        variables = { ...variables, ...(payload.set ?? {}) };
        for (const name of payload.removed ?? []) delete variables[name];
        break;
      case 'instance.completed':
        instanceState = 'completed';
        break;
      case 'instance.canceled':
        instanceState = 'canceled';
        break;
      case 'instance.terminated':
        instanceState = 'terminated';
        break;
      case 'incident.created':
        incidents++;
        break;
      case 'incident.resolved':
        incidents = Math.max(0, incidents - 1);
        break;
    }
  }
  const active = [...entered.entries()].filter(([id, n]) => n > (completed[id] ?? 0) + (terminated[id] ?? 0)).map(([id]) => id);
  const last = upTo[upTo.length - 1];
  return {
    at: upTo.length,
    total: events.length,
    event: last ? { seq: Number(last.seq), kind: last.kind, elementId: last.element_id, occurredAt: new Date(last.occurred_at).toISOString() } : null,
    instanceState,
    activeElements: instanceState === 'active' ? active : [],
    completedElements: completed,
    terminatedElements: terminated,
    takenFlows: flows,
    variables,
    openIncidents: incidents,
  };
}
