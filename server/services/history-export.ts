// One instance's record for the case file (档案): what the JSON export and the PDF case report are
// made from. The JSON export holds everything needed to check the record without the server: every
// event with its hashes (and the rule to recompute them), the diagram version that ran, the result
// of the verification at export time and the heads of the chain.
import type { Knex } from 'knex';
import { GENESIS_HASH, toHistoryEvent, type AuditEventRow, type HistoryEvent } from '../repositories/audit-events';
import type { DefinitionRow } from '../engine/embedded/definitions';
import type { ProcessModel } from '../engine/embedded/zeebe-model';
import type { VerifyResult } from './history';
import type { InstanceDetail } from './process-instances';

export interface CaseDocument {
  id: string;
  number: string;
  type: string;
  issuedBy: string | null;
  issuedAt: string;
  signed: boolean;
}

/** Everything the export and the report show, read once. */
export interface CaseFile {
  instance: InstanceDetail;
  definition: DefinitionRow;
  model: ProcessModel;
  events: AuditEventRow[];
  verification: VerifyResult;
  documents: CaseDocument[];
  /** actor label ('user:bianban-clerk') → the user's display name, for the users among the actors */
  actorNames: Record<string, string>;
  /** the instance's unit (variable unitId), when it names one */
  unit: { id: string; code: string; name: string } | null;
  /** the last row of the whole audit log when the file was read: the value anchored externally */
  logHead: { seq: number; hash: string } | null;
  exportedAt: string;
  exportedBy: string;
}

/** An exported event is the API's history event (with its instance id and both hashes). */
export type ExportedEvent = HistoryEvent;

export interface InstanceHistoryExport {
  format: 'bianzhi-flow/instance-history';
  formatVersion: 1;
  exportedAt: string;
  exportedBy: string;
  hashing: { algorithm: 'sha256'; rule: string; bodyFields: string[]; canonicalJson: string; genesisPrevHash: string };
  instance: InstanceDetail & { unit: CaseFile['unit'] };
  definition: { id: string; processId: string; version: number; name: string | null; resourceName: string; checksum: string; deployedBy: string; deployedAt: string; xml: string };
  events: ExportedEvent[];
  documents: CaseDocument[];
  actors: Record<string, string>;
  verification: VerifyResult;
  /** hash of the instance's last event */
  headHash: string | null;
  headSeq: number | null;
  /** the whole log's last row at export time (compare with an externally anchored head) */
  logHead: { seq: number; hash: string } | null;
}

/** Documents issued in the case: linked by process_instance_id, or naming the instance in their payload. */
export async function listCaseDocuments(db: Knex, instanceId: string): Promise<CaseDocument[]> {
  const rows = await db('documents as d')
    .leftJoin('users as u', 'u.id', 'd.issued_by')
    .select('d.id', 'd.number', 'd.type', 'd.signature', 'd.created_at', 'u.username', 'u.display_name')
    .where('d.process_instance_id', instanceId)
    .orWhereRaw('strpos(d.payload::text, ?) > 0', [instanceId])
    .orderBy('d.created_at')
    .orderBy('d.number');
  return rows.map((r: any) => ({
    id: r.id,
    number: r.number,
    type: r.type,
    issuedBy: r.username ? `${r.display_name}（${r.username}）` : null,
    issuedAt: new Date(r.created_at).toISOString(),
    signed: !!r.signature,
  }));
}

/** Display names of the users among the actor labels ('user:<username>'). */
export async function actorDisplayNames(db: Knex, actors: string[]): Promise<Record<string, string>> {
  const usernames = [...new Set(actors.filter((a) => a.startsWith('user:')).map((a) => a.slice('user:'.length)))];
  if (!usernames.length) return {};
  const rows: { username: string; display_name: string }[] = await db('users').select('username', 'display_name').whereIn('username', usernames);
  return Object.fromEntries(rows.map((r) => [`user:${r.username}`, r.display_name]));
}

export async function unitOf(db: Knex, unitId: unknown): Promise<CaseFile['unit']> {
  if (typeof unitId !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(unitId)) return null;
  const row = await db('units').select('id', 'code', 'name').where({ id: unitId }).first();
  return row ? { id: row.id, code: row.code, name: row.name } : null;
}

export async function auditLogHead(db: Knex): Promise<CaseFile['logHead']> {
  const row = await db('audit_events').select('seq', 'hash').orderBy('seq', 'desc').first();
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

export const exportFileName = (instanceId: string): string => `instance-${instanceId}-history.json`;

export function buildHistoryExport(file: CaseFile): InstanceHistoryExport {
  const { definition: d, events } = file;
  const last = events[events.length - 1];
  return {
    format: 'bianzhi-flow/instance-history',
    formatVersion: 1,
    exportedAt: file.exportedAt,
    exportedBy: file.exportedBy,
    hashing: {
      algorithm: 'sha256',
      rule: 'hash = hex(sha256(prevHash || canonicalJson({ occurredAt, actor, kind, instanceId, elementId, payload })))',
      bodyFields: ['occurredAt', 'actor', 'kind', 'instanceId', 'elementId', 'payload'],
      canonicalJson: 'RFC 8785 (JSON Canonicalization Scheme)',
      genesisPrevHash: GENESIS_HASH,
    },
    instance: { ...file.instance, unit: file.unit },
    definition: {
      id: d.id,
      processId: d.process_id,
      version: d.version,
      name: d.name,
      resourceName: d.resource_name,
      checksum: d.checksum,
      deployedBy: d.deployed_by,
      deployedAt: new Date(d.deployed_at).toISOString(),
      xml: d.xml,
    },
    events: events.map(toHistoryEvent),
    documents: file.documents,
    actors: file.actorNames,
    verification: file.verification,
    headHash: last?.hash ?? null,
    headSeq: last ? Number(last.seq) : null,
    logHead: file.logHead,
  };
}
