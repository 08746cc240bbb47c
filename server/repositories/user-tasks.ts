// The inbox table: user tasks the engine opened, as departments see and claim them. Who sees which
// task is decided by policy.ts (TaskAccess); `accessClause` is the same rule in SQL (a property test
// holds the two to the same answers).
import type { Knex } from 'knex';
import { SUPERVISOR_GROUP, UNIT_GROUP, type TaskAccess, type TaskFacts } from '../core/policy';

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

/** A task with what access and the inbox need besides its own row. */
export interface InboxTaskRow extends TaskRow {
  /** the case's unit (instance variable unitId), kept on the task by triggers (migration …350) */
  unit_id: string | null;
  /** the person the case is about: instance variable personName */
  person_name: string | null;
  /** the owner of a pending delegation */
  owner: string | null;
  escalated_at: Date | null;
}

export const taskFacts = (row: InboxTaskRow): TaskFacts => ({
  state: row.state,
  assignee: row.assignee,
  candidateGroups: row.candidate_groups,
  candidateUsers: row.candidate_users,
  unitId: row.unit_id,
  owner: row.owner,
});

export type TaskSort = 'due' | 'created' | 'priority';
export type TaskState = 'created' | 'completed' | 'canceled';
export const TASK_STATES: readonly TaskState[] = ['created', 'completed', 'canceled'];

export interface TaskFilter {
  state?: TaskState;
  candidateGroup?: string;
  assignee?: string;
  processKey?: string;
  /** the case's unit (id) */
  unitId?: string;
  dueBefore?: Date;
  /** true: open and past due; false: anything else */
  overdue?: boolean;
  createdFrom?: Date;
  createdTo?: Date;
  /** exact ID number (instance variable idNumber) */
  idNumber?: string;
  /** beginning of the person's name (instance variable personName) */
  personName?: string;
  sort: TaskSort;
  page: number;
  pageSize: number;
}

export interface TaskPage {
  items: InboxTaskRow[];
  /** tasks of the listed state (counted as `counts` are) */
  total: number;
  /** tasks per state under the same filters: open ones exactly, the others up to HISTORY_COUNT_LIMIT */
  counts: Record<TaskState, number>;
}

/**
 * Completed and canceled tasks are counted up to this many: a department's history holds hundreds
 * of thousands of them, and a badge or a pager needs "1000+", not a scan of all of them. Open tasks
 * are counted exactly (up to OPEN_COUNT_LIMIT, a guard that a district never reaches).
 */
export const HISTORY_COUNT_LIMIT = 1_000;
export const OPEN_COUNT_LIMIT = 100_000;
const countLimit = (state: TaskState) => (state === 'created' ? OPEN_COUNT_LIMIT : HISTORY_COUNT_LIMIT);

/**
 * The tasks `access` reaches, as one OR of index-friendly conditions (array containment and overlap
 * on GIN indexes, equality on B-trees, the pending delegations as an id array). `mode` 'see' includes
 * read-only access (auditors; 主管部门 clerks over their subordinate units); 'work' does not.
 */
export function accessClause(q: Knex.QueryBuilder, access: TaskAccess, mode: 'see' | 'work'): Knex.QueryBuilder {
  if (mode === 'see' && access.readAll) return q;
  const inUnitGroup = (group: string, unitIds: readonly string[]) => (x: Knex.QueryBuilder) =>
    x.whereRaw('t.candidate_groups @> array[?]::text[]', [group]).whereRaw('t.unit_id = any(?::text[])', [unitIds as string[]]);
  return q.where((w) => {
    w.where('t.assignee', access.username)
      .orWhereRaw('t.candidate_users @> array[?]::text[]', [access.username])
      .orWhereRaw(`t.id = any(array(select d.task_id from task_delegations d where d.owner = ? and d.state = 'pending'))`, [access.username]);
    if (access.groups.length) w.orWhereRaw('t.candidate_groups && ?::text[]', [access.groups]);
    if (access.unitIds.length) w.orWhere(inUnitGroup(UNIT_GROUP, access.unitIds));
    if (access.supervisedUnitIds.length) w.orWhere(inUnitGroup(SUPERVISOR_GROUP, access.supervisedUnitIds));
    if (mode === 'see' && access.readGroups.length) w.orWhereRaw('t.candidate_groups && ?::text[]', [access.readGroups]);
    if (mode === 'see' && access.readUnitIds.length) w.orWhere(inUnitGroup(UNIT_GROUP, access.readUnitIds));
  });
}

const ORDER: Record<TaskSort, string> = {
  due: 't.due_at asc nulls last, t.created_at asc, t.id asc',
  created: 't.created_at desc, t.id desc',
  priority: 't.priority desc, t.due_at asc nulls last, t.created_at asc, t.id asc',
};

function applyFilters(q: Knex.QueryBuilder, db: Knex, filter: Omit<TaskFilter, 'state' | 'sort' | 'page' | 'pageSize'>, now: Date): void {
  if (filter.candidateGroup) q.whereRaw('t.candidate_groups @> array[?]::text[]', [filter.candidateGroup]);
  if (filter.assignee) q.where('t.assignee', filter.assignee);
  if (filter.processKey) q.where('t.process_id', filter.processKey);
  if (filter.dueBefore) q.where('t.due_at', '<', filter.dueBefore);
  if (filter.createdFrom) q.where('t.created_at', '>=', filter.createdFrom);
  if (filter.createdTo) q.where('t.created_at', '<', filter.createdTo);
  if (filter.overdue === true) q.where('t.due_at', '<', now);
  if (filter.overdue === false) q.where((w) => w.whereNot('t.state', 'created').orWhereNull('t.due_at').orWhere('t.due_at', '>=', now));
  if (filter.unitId) q.where('t.unit_id', filter.unitId);
  // the cases about a person, as an id array: the task index on instance_id does the rest
  if (filter.idNumber) q.whereRaw(`t.instance_id = any(array(select id from process_instances where variables->>'idNumber' = ?))`, [filter.idNumber]);
  if (filter.personName) {
    const prefix = filter.personName.replace(/[\\%_]/g, (c) => `\\${c}`);
    q.whereRaw(`t.instance_id = any(array(select id from process_instances where variables->>'personName' like ?))`, [`${prefix}%`]);
  }
}

const ENRICH = `
  i.variables->>'personName' as person_name,
  (select d.owner from task_delegations d where d.task_id = t.id and d.state = 'pending') as owner,
  (select e.escalated_at from task_escalations e where e.task_id = t.id) as escalated_at`;

/**
 * One page of the tasks `access` may see, with the total and the count per state (badges). The page
 * is chosen on the covering indexes (ids only, so that an index-only scan can skip to a deep page) and
 * then read with what the inbox shows besides the row.
 */
export async function listTasks(db: Knex, access: TaskAccess, filter: TaskFilter, now: Date): Promise<TaskPage> {
  const state = filter.state ?? 'created';
  // open-and-overdue is a property of open tasks: the other states have none
  const possible = (s: TaskState) => !(filter.overdue === true && s !== 'created');
  const scoped = (s: TaskState) => accessClause(db('user_tasks as t'), access, 'see').where('t.state', s).modify((q) => applyFilters(q, db, filter, now));
  const pageIds = scoped(state).select('t.id').orderByRaw(ORDER[filter.sort]).limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize);
  const count = async (s: TaskState) => {
    if (!possible(s)) return 0;
    const [row] = await db.from(scoped(s).select(db.raw('1')).limit(countLimit(s)).as('c')).count<{ count: string }[]>('* as count');
    return Number(row!.count);
  };
  const [rows, ...numbers] = await Promise.all([
    possible(state)
      ? db('user_tasks as t').join('process_instances as i', 'i.id', 't.instance_id').select(db.raw(`t.*, ${ENRICH}`)).whereRaw('t.id = any(array(?))', [pageIds]).orderByRaw(ORDER[filter.sort])
      : Promise.resolve([]),
    ...TASK_STATES.map(count),
  ]);
  const counts = Object.fromEntries(TASK_STATES.map((s, i) => [s, numbers[i]!])) as Record<TaskState, number>;
  return { items: rows as InboxTaskRow[], total: counts[state], counts };
}

/** A task with its access facts, whoever may see it (the caller decides with policy.ts). */
export async function findInboxTask(db: Knex, id: string, options: { forUpdate?: boolean } = {}): Promise<InboxTaskRow | undefined> {
  if (options.forUpdate) {
    // lock the task row only (FOR UPDATE cannot apply to the nullable side of the joins)
    const locked = await db('user_tasks').select('id').where({ id }).forUpdate().first();
    if (!locked) return undefined;
  }
  const row = await db('user_tasks as t').join('process_instances as i', 'i.id', 't.instance_id').select(db.raw(`t.*, ${ENRICH}`)).where('t.id', id).first();
  return row as InboxTaskRow | undefined;
}

/** Visible task ids among `ids` (the event stream checks changed tasks against a user's access). */
export async function findInboxTasks(db: Knex, ids: readonly string[]): Promise<InboxTaskRow[]> {
  if (!ids.length) return [];
  const rows = await db('user_tasks as t').join('process_instances as i', 'i.id', 't.instance_id').select(db.raw(`t.*, ${ENRICH}`)).whereIn('t.id', [...ids]);
  return rows as InboxTaskRow[];
}

/**
 * The claim: sets the assignee only while nobody holds the task, returning the row it changed (none
 * when that fails; the row then tells who holds it). A query to run with its audit event
 * (audit-events.ts changeRecorded).
 */
export function claimTask(db: Knex, id: string, username: string): Knex.QueryBuilder {
  return db('user_tasks').where({ id, state: 'created' }).whereNull('assignee').update({ assignee: username, claimed_at: db.fn.now() }).returning('*');
}

export async function setAssignee(db: Knex, id: string, assignee: string | null): Promise<TaskRow | undefined> {
  const [row] = await db('user_tasks')
    .where({ id, state: 'created' })
    .update({ assignee, claimed_at: assignee ? db.fn.now() : null })
    .returning('*');
  return row;
}

/** Adds candidate groups to an open task (escalation); returns the row, or undefined when it is no longer open. */
export async function addCandidateGroups(db: Knex, id: string, groups: readonly string[]): Promise<TaskRow | undefined> {
  const [row] = await db('user_tasks')
    .where({ id, state: 'created' })
    .update({ candidate_groups: db.raw('candidate_groups || array(select g from unnest(?::text[]) g where g <> all(candidate_groups))', [groups as string[]]) })
    .returning('*');
  return row;
}

export async function findFormSchema(db: Knex, formId: string): Promise<Record<string, unknown> | undefined> {
  const row = await db('form_definitions').select('schema').where({ form_id: formId }).orderBy('version', 'desc').first();
  return row?.schema;
}

/** Open tasks past their due time that were not escalated yet, oldest due first. */
export async function findOverdueUnescalated(db: Knex, now: Date, limit: number): Promise<TaskRow[]> {
  return db('user_tasks as t')
    .select('t.*')
    .where('t.state', 'created')
    .where('t.due_at', '<', now)
    .whereNotExists((q) => q.select(db.raw('1')).from('task_escalations as e').whereRaw('e.task_id = t.id'))
    .orderBy('t.due_at')
    .limit(limit);
}
