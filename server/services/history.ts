// Auditors' view of an instance: its history, its state after any event, and a verification that
// the record is intact and that the recorded inputs, run again on the recorded diagram version,
// give the recorded path and variables.
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { validationFailed } from '../core/errors';
import type { DefinitionStore } from '../engine/embedded/definitions';
import { rerunInstance, type RerunResult } from '../engine/embedded/rerun';
import { listInstanceAuditEvents, type AuditEventRow } from '../repositories/audit-events';
import { verifyInstanceChain, verifyWholeChain, type ChainReport } from './audit-chain';
import { replayEvents, type ReplayState } from './instance-replay';
import type { ProcessInstanceService } from './process-instances';

export interface HistoryEvent {
  seq: number;
  occurredAt: string;
  actor: string;
  kind: string;
  elementId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  instanceId: string;
  verifiedAt: string;
  chain: ChainReport;
  rerun: RerunResult;
  ok: boolean;
}

export interface HistoryService {
  history(instanceId: string, user: AuthUser): Promise<HistoryEvent[]>;
  replay(instanceId: string, at: number | undefined, user: AuthUser): Promise<ReplayState>;
  verify(instanceId: string, user: AuthUser): Promise<VerifyResult>;
  verifyAll(): Promise<ChainReport>;
}

export const toHistoryEvent = (row: AuditEventRow): HistoryEvent => ({
  seq: Number(row.seq),
  occurredAt: new Date(row.occurred_at).toISOString(),
  actor: row.actor,
  kind: row.kind,
  elementId: row.element_id,
  payload: row.payload,
  prevHash: row.prev_hash,
  hash: row.hash,
});

export function createHistoryService(deps: { db: Knex; definitions: DefinitionStore; instances: ProcessInstanceService }): HistoryService {
  const { db, definitions, instances } = deps;

  async function eventsOf(instanceId: string, user: AuthUser): Promise<{ definitionId: string; events: AuditEventRow[] }> {
    const instance = await instances.get(instanceId, user); // 404 unless the caller may see it
    const row = await db('process_instances').select('definition_id').where({ id: instance.id }).first();
    return { definitionId: row.definition_id, events: await listInstanceAuditEvents(db, instance.id) };
  }

  return {
    async history(instanceId, user) {
      const { events } = await eventsOf(instanceId, user);
      return events.map(toHistoryEvent);
    },
    async replay(instanceId, at, user) {
      const { events } = await eventsOf(instanceId, user);
      if (at !== undefined && (at < 0 || at > events.length)) {
        throw validationFailed([{ field: '?at', message: `应为 0 到 ${events.length} 之间的整数` }]);
      }
      return replayEvents(events, at ?? events.length);
    },
    async verify(instanceId, user) {
      const { definitionId, events } = await eventsOf(instanceId, user);
      const chain = await verifyInstanceChain(db, events);
      const { model } = await definitions.byId(definitionId);
      const rerun = await rerunInstance(model, events);
      return { instanceId, verifiedAt: new Date().toISOString(), chain, rerun, ok: chain.intact && rerun.consistent };
    },
    verifyAll: () => verifyWholeChain(db),
  };
}
