// The inbox table: user tasks the engine opened, as departments see and claim them.
import type { Knex } from 'knex';

export interface TaskRow {
  id: string;
  instance_id: string;
  process_id: string;
  element_id: string;
  name: string | null;
  state: string;
  form_id: string | null;
  form_key: string | null;
  candidate_groups: string[];
  candidate_users: string[];
  assignee: string | null;
  priority: number;
  due_at: Date | null;
  follow_up_at: Date | null;
  variables: Record<string, unknown>;
  business_key: string | null;
  created_at: Date;
  claimed_at: Date | null;
  completed_at: Date | null;
  completed_by: string | null;
}

/** Whose inbox: a task is someone's when one of their groups or they themselves are candidates, or it is assigned to them. */
export interface InboxOwner {
  username: string;
  groups: string[];
}

export interface TaskFilter {
  state?: string;
  candidateGroup?: string;
  assignee?: string;
  processKey?: string;
  dueBefore?: Date;
  sort: 'due' | 'created' | 'priority';
  page: number;
  pageSize: number;
}

export function visibleTo(q: Knex.QueryBuilder, owner: InboxOwner): Knex.QueryBuilder {
  return q.where((w) =>
    w
      .where('t.assignee', owner.username)
      .orWhereRaw('t.candidate_groups && ?::text[]', [owner.groups])
      .orWhereRaw('? = any(t.candidate_users)', [owner.username]),
  );
}

const SORTS = {
  due: [{ column: 't.due_at', order: 'asc', nulls: 'last' }, { column: 't.created_at', order: 'asc' }],
  created: [{ column: 't.created_at', order: 'desc' }],
  priority: [{ column: 't.priority', order: 'desc' }, { column: 't.created_at', order: 'asc' }],
} as const;

export async function listTasks(db: Knex, owner: InboxOwner, filter: TaskFilter): Promise<{ items: TaskRow[]; total: number }> {
  const base = visibleTo(db('user_tasks as t'), owner).modify((q) => {
    q.where('t.state', filter.state ?? 'created');
    if (filter.candidateGroup) q.whereRaw('? = any(t.candidate_groups)', [filter.candidateGroup]);
    if (filter.assignee) q.where('t.assignee', filter.assignee);
    if (filter.processKey) q.where('t.process_id', filter.processKey);
    if (filter.dueBefore) q.where('t.due_at', '<', filter.dueBefore);
  });
  const [{ count }] = await base.clone().count<{ count: string }[]>('* as count');
  const items = await base
    .clone()
    .select('t.*')
    .orderBy(SORTS[filter.sort] as never)
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize);
  return { items, total: Number(count) };
}

export async function findVisibleTask(db: Knex, owner: InboxOwner, id: string): Promise<TaskRow | undefined> {
  return visibleTo(db('user_tasks as t'), owner).select('t.*').where('t.id', id).first();
}

/** Sets the assignee only while nobody holds the task; the row tells who does when that fails. */
export async function claimTask(db: Knex, id: string, username: string): Promise<TaskRow | undefined> {
  const [row] = await db('user_tasks').where({ id, state: 'created' }).whereNull('assignee').update({ assignee: username, claimed_at: db.fn.now() }).returning('*');
  return row;
}

export async function setAssignee(db: Knex, id: string, assignee: string | null): Promise<TaskRow | undefined> {
  const [row] = await db('user_tasks')
    .where({ id, state: 'created' })
    .update({ assignee, claimed_at: assignee ? db.fn.now() : null })
    .returning('*');
  return row;
}

export async function findFormSchema(db: Knex, formId: string): Promise<Record<string, unknown> | undefined> {
  const row = await db('form_definitions').select('schema').where({ form_id: formId }).orderBy('version', 'desc').first();
  return row?.schema;
}
