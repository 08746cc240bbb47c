// What the instance page reads from the API: the case, its history, its state after any event (the
// server's replay is the one place for that rule), its verification, and the diagram version it ran on.
import type { ProcessDefinitionSummary } from '../../../server/repositories/process-definitions';
import { api } from '../shared/api';

export interface InstanceDetail {
  id: string;
  processId: string;
  version: number;
  businessKey: string | null;
  state: string;
  startedBy: string;
  createdAt: string;
  endedAt: string | null;
  variables: Record<string, unknown>;
}

export interface HistoryEvent {
  seq: number;
  occurredAt: string;
  actor: string;
  kind: string;
  elementId: string | null;
  payload: Record<string, unknown>;
}

/** GET /api/process-instances/:id/replay?at=N: the state after the first N events. */
export interface ReplayState {
  at: number;
  total: number;
  event: { seq: number; kind: string; elementId: string | null; occurredAt: string } | null;
  instanceState: 'active' | 'completed' | 'canceled' | 'terminated';
  activeElements: string[];
  completedElements: Record<string, number>;
  takenFlows: Record<string, number>;
  openIncidents: number;
}

export interface VerifyResult {
  ok: boolean;
  verifiedAt: string;
  chain: { intact: boolean; checked: number; headHash: string | null; problem: { kind: string; seq: number; message: string } | null };
  rerun: { consistent: boolean; inputsApplied: number; divergence: { seq: number; kind: string; elementId: string | null; message: string } | null };
}

const base = (id: string) => `/api/process-instances/${encodeURIComponent(id)}`;

export const loadInstance = (id: string) => api.get<InstanceDetail>(base(id));
export const loadHistory = (id: string) => api.get<HistoryEvent[]>(`${base(id)}/history`);
export const loadReplay = (id: string, at: number, signal?: AbortSignal) => api.get<ReplayState>(`${base(id)}/replay?at=${at}`, { signal });
export const verifyInstance = (id: string) => api.post<VerifyResult>(`${base(id)}/verify`);
export const exportJsonPath = (id: string) => `${base(id)}/export.json`;
export const reportPdfPath = (id: string) => `${base(id)}/report.pdf`;

/** The BPMN XML of the version the case runs on. */
export const loadDiagramXml = (processId: string, version: number) =>
  api.get<string>(`/api/process-definitions/${encodeURIComponent(processId)}/xml?version=${version}`, { as: 'text', headers: { Accept: 'application/xml' } });

/** The process's display name (null when the list does not have it). */
export async function loadProcessName(processId: string): Promise<string | null> {
  const definitions = await api.get<ProcessDefinitionSummary[]>('/api/process-definitions');
  return definitions.find((d) => d.processId === processId)?.name ?? null;
}
