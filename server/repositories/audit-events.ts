// Appends to the hash-chained audit log. There is no other write path: the table refuses UPDATE and
// DELETE, and rows go in only through the database function audit_append, which chains each row's
// hash to the one before: hash = sha256(prevHash || body), body = the event's canonical JSON.
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

export interface AuditEventContent {
  occurredAt: string;
  actor: string;
  kind: string;
  instanceId: string | null;
  elementId: string | null;
  payload: unknown;
}

/** An audit row as the API shows it. */
export interface HistoryEvent {
  seq: number;
  occurredAt: string;
  actor: string;
  kind: string;
  instanceId: string | null;
  elementId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** What a stored row's hash covers (besides the previous hash). */
export const contentOf = (row: AuditEventRow): AuditEventContent => ({
  occurredAt: new Date(row.occurred_at).toISOString(),
  actor: row.actor,
  kind: row.kind,
  instanceId: row.instance_id,
  elementId: row.element_id,
  payload: row.payload,
});

export const toHistoryEvent = (row: AuditEventRow): HistoryEvent => ({
  seq: Number(row.seq),
  ...(contentOf(row) as Omit<HistoryEvent, 'seq' | 'prevHash' | 'hash'>),
  prevHash: row.prev_hash,
  hash: row.hash,
});

export const GENESIS_HASH = '0'.repeat(64);

/** The canonical JSON (RFC 8785) of an event: what its hash covers besides the previous hash. */
export function auditEventBody(event: AuditEventContent): string {
  return canonicalize(event) ?? '';
}

/** The hash a row must carry, given the row before it. */
export function hashAuditEvent(prevHash: string, event: AuditEventContent): string {
  return createHash('sha256').update(prevHash + auditEventBody(event)).digest('hex');
}

/**
 * Appends events in one round trip, inside the caller's transaction (it holds the log's lock until
 * commit) or, given the database itself, as a statement that is its own transaction.
 * `withChanges` (a query of data-modifying CTEs) is run in the same statement.
 */
export async function appendAuditEvents(trx: Knex.Transaction | Knex, drafts: AuditEventDraft[], withChanges?: Knex.QueryBuilder): Promise<void> {
  if (!drafts.length) {
    if (withChanges) await withChanges.select(trx.raw('1'));
    return;
  }
  const append = trx.raw('audit_append(?::jsonb)', [eventsJson(drafts)]);
  await (withChanges ? withChanges.select(append) : trx.select(append));
}

/**
 * Runs `change` (a data-modifying query with RETURNING) and appends the events only if it changed a
 * row, in one statement — by itself a transaction when `db` is the database, so that a change
 * refused by its WHERE records nothing. Returns the changed rows.
 */
export async function changeRecorded<T>(db: Knex, change: Knex.QueryBuilder, drafts: AuditEventDraft[]): Promise<T[]> {
  const rows: unknown[] = await db
    .with('changed', change)
    .with('appended', db.raw('select audit_append(?::jsonb) from (select 1 from changed limit 1) as one', [eventsJson(drafts)]))
    .select('changed.*')
    .from('changed')
    .crossJoin('appended' as never);
  return rows as T[];
}

/** The events as audit_append takes them: each with its canonical body. */
function eventsJson(drafts: AuditEventDraft[]): string {
  const occurredAt = new Date().toISOString();
  const events = drafts.map((draft) => {
    const content: AuditEventContent = {
      occurredAt,
      actor: draft.actor,
      kind: draft.kind,
      instanceId: draft.instanceId ?? null,
      elementId: draft.elementId ?? null,
      payload: draft.payload ?? {},
    };
    return { ...content, body: auditEventBody(content) };
  });
  return JSON.stringify(events);
}

export async function listInstanceAuditEvents(db: Knex, instanceId: string): Promise<AuditEventRow[]> {
  return db('audit_events').where({ instance_id: instanceId }).orderBy('seq');
}
