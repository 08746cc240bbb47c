// Auditors' view of an instance: its history, its state after any event, and a verification that
// the record is intact and that the recorded inputs, run again on the recorded diagram version,
// give the recorded path and variables; and the case file (档案) made of them: a JSON export and a
// PDF case report.
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { validationFailed } from '../core/errors';
import type { DefinitionStore } from '../engine/embedded/definitions';
import { rerunInstance, type RerunResult } from '../engine/embedded/rerun';
import { listInstanceAuditEvents, toHistoryEvent, type AuditEventRow, type HistoryEvent } from '../repositories/audit-events';
import { verifyInstanceChain, verifyWholeChain, type ChainReport } from './audit-chain';
import { caseReportFileName, renderCaseReport } from './case-report';
import { actorDisplayNames, auditLogHead, buildHistoryExport, exportFileName, listCaseDocuments, unitOf, type CaseFile, type InstanceHistoryExport } from './history-export';
import { replayEvents, type ReplayState } from './instance-replay';
import { cjkFonts } from './pdf-fonts';
import type { InstanceDetail, ProcessInstanceService } from './process-instances';

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
  /** the instance's whole record as one JSON document, verified at export time */
  exportJson(instanceId: string, user: AuthUser): Promise<{ fileName: string; content: InstanceHistoryExport }>;
  /** the PDF case report for the case file */
  report(instanceId: string, user: AuthUser): Promise<{ fileName: string; pdf: Buffer }>;
}


export function createHistoryService(deps: { db: Knex; definitions: DefinitionStore; instances: ProcessInstanceService }): HistoryService {
  const { db, definitions, instances } = deps;

  async function eventsOf(instanceId: string, user: AuthUser): Promise<{ instance: InstanceDetail; definitionId: string; events: AuditEventRow[] }> {
    const instance = await instances.get(instanceId, user); // 404 unless the caller may see it
    const row = await db('process_instances').select('definition_id').where({ id: instance.id }).first();
    return { instance, definitionId: row.definition_id, events: await listInstanceAuditEvents(db, instance.id) };
  }

  async function verifyEvents(instanceId: string, definitionId: string, events: AuditEventRow[]): Promise<VerifyResult> {
    const chain = await verifyInstanceChain(db, events);
    const { model } = await definitions.byId(definitionId);
    const rerun = await rerunInstance(model, events);
    return { instanceId, verifiedAt: new Date().toISOString(), chain, rerun, ok: chain.intact && rerun.consistent };
  }

  async function caseFile(instanceId: string, user: AuthUser): Promise<CaseFile> {
    const { instance, definitionId, events } = await eventsOf(instanceId, user);
    const [{ row: definition, model }, verification, documents, actorNames, unit, logHead] = await Promise.all([
      definitions.byId(definitionId),
      verifyEvents(instance.id, definitionId, events),
      listCaseDocuments(db, instance.id),
      actorDisplayNames(db, [...events.map((e) => e.actor), instance.startedBy]),
      unitOf(db, instance.variables.unitId),
      auditLogHead(db),
    ]);
    return { instance, definition, model, events, verification, documents, actorNames, unit, logHead, exportedAt: new Date().toISOString(), exportedBy: user.username };
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
      const { instance, definitionId, events } = await eventsOf(instanceId, user);
      return verifyEvents(instance.id, definitionId, events);
    },
    verifyAll: () => verifyWholeChain(db),
    async exportJson(instanceId, user) {
      const file = await caseFile(instanceId, user);
      return { fileName: exportFileName(file.instance.id), content: buildHistoryExport(file) };
    },
    async report(instanceId, user) {
      cjkFonts(); // 503 before any work when the font is missing
      const file = await caseFile(instanceId, user);
      return { fileName: caseReportFileName(file.instance.id), pdf: await renderCaseReport(file) };
    },
  };
}
