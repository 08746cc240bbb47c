// Appends to the hash-chained audit log. There is no other write path: the table refuses UPDATE and
// DELETE, and each row's hash covers the previous row's hash and the row's canonical JSON.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Knex } from 'knex';

export interface AuditEventDraft {
  actor: string;
  kind: string;
  instanceId?: string | null;
  elementId?: string | null;
  payload?: Record<string, unknown>;
}

export interface AuditEventRow {
  seq: string;
  occurred_at: Date;
  actor: string;
  kind: string;
  instance_id: string | null;
  element_id: string | null;
  payload: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
// One appender at a time, so that the chain has no forks: an advisory lock held until commit.
const AUDIT_LOCK_KEY = 0x6277_6175; // 'bwau'

/** The hash of a row: sha256 over the previous hash and the row's content as canonical JSON. */
export function hashAuditEvent(prevHash: string, event: { occurredAt: string; actor: string; kind: string; instanceId: string | null; elementId: string | null; payload: unknown }): string {
  const body = canonicalize({ ...event, prevHash }) ?? '';
  return createHash('sha256').update(body).digest('hex');
}

/** Appends events inside the caller's transaction; call it last in a transaction (it holds a lock until commit). */
export async function appendAuditEvents(trx: Knex.Transaction, drafts: AuditEventDraft[]): Promise<void> {
  if (!drafts.length) return;
  await trx.raw('select pg_advisory_xact_lock(?)', [AUDIT_LOCK_KEY]);
  const last = await trx('audit_events').select('hash').orderBy('seq', 'desc').first();
  let prevHash: string = last?.hash ?? GENESIS_HASH;
  const occurredAt = new Date().toISOString();
  const rows = drafts.map((draft) => {
    const event = {
      occurredAt,
      actor: draft.actor,
      kind: draft.kind,
      instanceId: draft.instanceId ?? null,
      elementId: draft.elementId ?? null,
      payload: draft.payload ?? {},
    };
    const hash = hashAuditEvent(prevHash, event);
    const row = {
      occurred_at: occurredAt,
      actor: event.actor,
      kind: event.kind,
      instance_id: event.instanceId,
      element_id: event.elementId,
      payload: JSON.stringify(event.payload),
      prev_hash: prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });
  await trx('audit_events').insert(rows);
}

export async function listInstanceAuditEvents(db: Knex, instanceId: string): Promise<AuditEventRow[]> {
  return db('audit_events').where({ instance_id: instanceId }).orderBy('seq');
}
