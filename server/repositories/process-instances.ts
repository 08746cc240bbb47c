// Process instances, read side (the engine writes them, one step at a time).
import type { Knex } from 'knex';

export interface InstanceFilter {
  processKey?: string;
  state?: string;
  unitId?: string;
  businessKey?: string;
  page: number;
  pageSize: number;
}

export interface InstanceListItem {
  id: string;
  processId: string;
  version: number;
  businessKey: string | null;
  state: string;
  unitId: string | null;
  startedBy: string;
  createdAt: string;
  endedAt: string | null;
  incidents: number;
}

const toItem = (row: any): InstanceListItem => ({
  id: row.id,
  processId: row.process_id,
  version: row.version,
  businessKey: row.business_key,
  state: row.state,
  unitId: row.unit_id ?? null,
  startedBy: row.started_by,
  createdAt: new Date(row.created_at).toISOString(),
  endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
  incidents: Number(row.incidents ?? 0),
});

/** A page of instances; `unitScope` limits them to some units (a unit clerk's view). */
export async function listInstances(db: Knex, filter: InstanceFilter, unitScope: string[] | null): Promise<{ items: InstanceListItem[]; total: number }> {
  const base = db('process_instances as i').modify((q) => {
    if (filter.processKey) q.where('i.process_id', filter.processKey);
    if (filter.state) q.where('i.state', filter.state);
    if (filter.businessKey) q.where('i.business_key', filter.businessKey);
    if (filter.unitId) q.whereRaw("i.variables->>'unitId' = ?", [filter.unitId]);
    if (unitScope) q.whereRaw("i.variables->>'unitId' = any(?::text[])", [unitScope]);
  });
  const [{ count }] = await base.clone().count<{ count: string }[]>('* as count');
  const rows = await base
    .clone()
    .select('i.id', 'i.process_id', 'i.version', 'i.business_key', 'i.state', 'i.started_by', 'i.created_at', 'i.ended_at')
    .select(db.raw("i.variables->>'unitId' as unit_id"))
    .select(db.raw("(select count(*) from incidents n where n.instance_id = i.id and n.state = 'active') as incidents"))
    .orderBy('i.created_at', 'desc')
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize);
  return { items: rows.map(toItem), total: Number(count) };
}

export async function findInstance(db: Knex, id: string): Promise<any | undefined> {
  return db('process_instances').select('id', 'definition_id', 'process_id', 'version', 'business_key', 'state', 'variables', 'parent_instance_id', 'started_by', 'created_at', 'ended_at').where({ id }).first();
}

export async function listInstanceIncidents(db: Knex, instanceId: string): Promise<any[]> {
  return db('incidents').select('id', 'job_id', 'element_id', 'error_type', 'error_message', 'state', 'created_at', 'resolved_at').where({ instance_id: instanceId }).orderBy('created_at');
}

export async function listOpenElements(db: Knex, instanceId: string): Promise<{ elementId: string; kind: string }[]> {
  const rows = await db.raw(
    `select element_id, 'job' as kind from jobs where instance_id = ? and state in ('activatable','activated','failed','incident')
     union all select element_id, 'userTask' from user_tasks where instance_id = ? and state = 'created'
     union all select element_id, 'message' from message_subscriptions where instance_id = ? and state = 'open'
     union all select element_id, 'timer' from timers where instance_id = ? and state = 'active'`,
    [instanceId, instanceId, instanceId, instanceId],
  );
  return rows.rows.map((r: any) => ({ elementId: r.element_id, kind: r.kind }));
}
