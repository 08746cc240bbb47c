// Camunda user tasks (`<zeebe:userTask/>`) → our inbox table, by polling the REST v2 user-task search.
// Polling rather than task listeners: a listener is a job worker the broker must wait for at every
// task event (a listener that is down blocks the task), it sees no task created before it was
// deployed, and it still needs the search to repair what it missed. Polling is idempotent (the row is
// keyed by instance and userTaskKey), survives restarts, and needs nothing in the diagrams.
//
// One round:
//  1. open tasks of the cluster (state CREATED) that we have no row of → a row, `user-task.created`;
//     the assignee the cluster has (claimed in Tasklist) is copied where ours has none;
//  2. our open rows the cluster no longer lists → asked one by one (get user task): COMPLETED
//     elsewhere → completed (`user-task.completed` with no input: it did not come through us),
//     CANCELED (boundary timer, instance ended) → canceled;
//  3. our active instances → their state in the cluster (process-instance search): COMPLETED →
//     completed (`instance.completed`), TERMINATED → terminated, their open rows canceled.
// The search reads the cluster's secondary storage, so a task appears in the inbox about one export
// delay plus one poll interval after the broker created it.
import type { Knex } from 'knex';
import type { Logger } from '../../core/logger';
import { appendAuditEvents } from '../../repositories/audit-events';
import type { DefinitionStore } from '../embedded/definitions';
import type { CamundaRest } from './clients';
import { httpStatus } from './errors';
import { chunks, type InstanceKeys } from './instance-keys';

export const SYNC_ACTOR = 'system:zeebe-sync';
const PAGE = 100;
const MAX_PAGES = 50;

interface ClusterTask {
  userTaskKey: string;
  name?: string;
  state: string;
  assignee?: string;
  elementId: string;
  candidateGroups?: string[];
  candidateUsers?: string[];
  processDefinitionId: string;
  processDefinitionVersion?: number;
  processInstanceKey: string;
  creationDate?: string;
  completionDate?: string;
  dueDate?: string;
  followUpDate?: string;
  priority?: number;
  formKey?: string;
}

export interface SyncCounts {
  created: number;
  closed: number;
  instancesEnded: number;
}

export class UserTaskSync {
  constructor(private readonly deps: { db: Knex; rest: CamundaRest; keys: InstanceKeys; definitions: DefinitionStore; log: Logger }) {}

  async run(): Promise<SyncCounts> {
    const open = await this.openClusterTasks();
    const created = await this.insertNew(open);
    const closed = await this.closeGone(new Set(open.map((t) => t.userTaskKey)));
    const instancesEnded = await this.endInstances();
    return { created, closed, instancesEnded };
  }

  private async openClusterTasks(): Promise<ClusterTask[]> {
    const tasks: ClusterTask[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await this.deps.rest.searchUserTasks({ filter: { state: 'CREATED' }, page: { from: page * PAGE, limit: PAGE }, sort: [{ field: 'creationDate', order: 'ASC' }] } as never);
      const items = ((response as { items?: ClusterTask[] }).items ?? []).map((t) => ({ ...t, userTaskKey: String(t.userTaskKey), processInstanceKey: String(t.processInstanceKey) }));
      tasks.push(...items);
      if (items.length < PAGE) break;
    }
    return tasks;
  }

  private async insertNew(open: ClusterTask[]): Promise<number> {
    if (!open.length) return 0;
    const { db } = this.deps;
    const rows: { execution_id: string; assignee: string | null }[] = await db('user_tasks').whereIn('execution_id', open.map((t) => t.userTaskKey)).select('execution_id', 'assignee');
    const known = new Set(rows.map((r) => r.execution_id));
    const unassigned = new Set(rows.filter((r) => r.assignee === null).map((r) => r.execution_id));
    const fresh = open.filter((t) => !known.has(t.userTaskKey));
    await this.copyAssignees(open.filter((t) => unassigned.has(t.userTaskKey) && t.assignee));
    if (!fresh.length) return 0;
    const ids = await this.deps.keys.idsOf([...new Set(fresh.map((t) => t.processInstanceKey))]);
    let inserted = 0;
    for (const task of fresh) {
      const instanceId = ids.get(task.processInstanceKey);
      if (!instanceId) continue; // an instance not started through us: not in our inbox
      inserted += await db.transaction(async (trx) => {
        const instance = await trx('process_instances').where({ id: instanceId }).first('id', 'definition_id', 'business_key', 'state');
        if (!instance || instance.state !== 'active') return 0;
        const spec = await this.elementOf(trx, instance.definition_id, task.elementId);
        const [row] = await trx('user_tasks')
          .insert({
            instance_id: instanceId,
            process_id: task.processDefinitionId,
            element_id: task.elementId,
            execution_id: task.userTaskKey,
            name: task.name || spec?.name || null,
            form_id: spec?.userTask?.formId ?? null,
            form_key: spec?.userTask?.formKey ?? null,
            candidate_groups: task.candidateGroups ?? [],
            candidate_users: task.candidateUsers ?? [],
            assignee: task.assignee || null,
            priority: task.priority ?? 50,
            due_at: task.dueDate ?? null,
            follow_up_at: task.followUpDate ?? null,
            business_key: instance.business_key,
            created_at: task.creationDate ?? trx.fn.now(),
          })
          .onConflict(['instance_id', 'execution_id'])
          .ignore()
          .returning(['id']);
        if (!row) return 0;
        await appendAuditEvents(trx, [
          {
            actor: SYNC_ACTOR,
            kind: 'user-task.created',
            instanceId,
            elementId: task.elementId,
            payload: { taskId: row.id, candidateGroups: task.candidateGroups ?? [], assignee: task.assignee || null, dueAt: task.dueDate ?? null, engine: 'zeebe', userTaskKey: task.userTaskKey },
          },
        ]);
        return 1;
      });
    }
    return inserted;
  }

  /** A task claimed in Tasklist: the inbox shows who holds it. Ours is never cleared from the cluster's. */
  private async copyAssignees(tasks: ClusterTask[]): Promise<void> {
    for (const task of tasks) {
      await this.deps.db('user_tasks').where({ execution_id: task.userTaskKey, state: 'created' }).whereNull('assignee').update({ assignee: task.assignee, claimed_at: this.deps.db.fn.now() });
    }
  }

  private async closeGone(openKeys: Set<string>): Promise<number> {
    const { db, rest } = this.deps;
    // our open rows of cluster tasks (execution_id is the numeric userTaskKey)
    const rows: { id: string; instance_id: string; element_id: string; execution_id: string; assignee: string | null }[] = await db('user_tasks')
      .where({ state: 'created' })
      .whereRaw(`execution_id ~ '^[0-9]+$'`)
      .select('id', 'instance_id', 'element_id', 'execution_id', 'assignee');
    let closed = 0;
    for (const row of rows.filter((r) => !openKeys.has(r.execution_id))) {
      const task = (await rest.getUserTask(row.execution_id).catch((err: unknown) => {
        if (httpStatus(err) === 404) return { state: 'CANCELED' } as ClusterTask;
        throw err;
      })) as ClusterTask;
      if (task.state === 'CREATED') continue; // the search lags behind; next round
      const completed = task.state === 'COMPLETED';
      closed += await db.transaction(async (trx) => {
        const updated = await trx('user_tasks')
          .where({ id: row.id, state: 'created' })
          .update(completed ? { state: 'completed', completed_at: task.completionDate ?? trx.fn.now(), completed_by: task.assignee ?? null } : { state: 'canceled' });
        if (!updated) return 0;
        if (completed) {
          // completed in Tasklist or another client: the submission did not pass through us
          await appendAuditEvents(trx, [
            { actor: task.assignee ? `user:${task.assignee}` : SYNC_ACTOR, kind: 'user-task.completed', instanceId: row.instance_id, elementId: row.element_id, payload: { taskId: row.id, input: null, outside: true, engine: 'zeebe', userTaskKey: row.execution_id } },
          ]);
        }
        return 1;
      });
    }
    return closed;
  }

  private async endInstances(): Promise<number> {
    const { db, rest, keys } = this.deps;
    const active: string[] = await db('process_instances').where({ state: 'active' }).whereNull('engine_state').orderBy('created_at').limit(1000).pluck('id');
    if (!active.length) return 0;
    const keyOf = await keys.keysOf(active);
    const idOf = new Map([...keyOf].map(([id, key]) => [key, id]));
    let ended = 0;
    for (const batch of chunks([...idOf.keys()], PAGE)) {
      const response = await rest.searchProcessInstances({ filter: { processInstanceKey: { $in: batch } }, page: { from: 0, limit: batch.length } } as never);
      for (const item of (response as { items?: { processInstanceKey: string; state: string; endDate?: string }[] }).items ?? []) {
        const state = item.state === 'COMPLETED' ? 'completed' : item.state === 'TERMINATED' || item.state === 'CANCELED' ? 'terminated' : null;
        const id = idOf.get(String(item.processInstanceKey));
        if (!state || !id) continue;
        ended += await db.transaction(async (trx) => {
          const row = await trx('process_instances').where({ id, state: 'active' }).forUpdate().first('process_id');
          if (!row) return 0;
          await trx('process_instances').where({ id }).update({ state, ended_at: item.endDate ?? trx.fn.now(), updated_at: trx.fn.now() });
          await trx('user_tasks').where({ instance_id: id, state: 'created' }).update({ state: 'canceled' });
          await appendAuditEvents(trx, [{ actor: SYNC_ACTOR, kind: `instance.${state}`, instanceId: id, elementId: row.process_id, payload: { engine: 'zeebe', processInstanceKey: String(item.processInstanceKey) } }]);
          return 1;
        });
      }
    }
    return ended;
  }

  private async elementOf(trx: Knex.Transaction, definitionId: string, elementId: string) {
    try {
      const { model } = await this.deps.definitions.byId(definitionId, trx);
      return model.elements.get(elementId) ?? null;
    } catch (err) {
      this.deps.log.warn({ err, definitionId, elementId }, 'diagram of a Zeebe user task could not be read');
      return null;
    }
  }
}
