// The department inbox: list one's tasks, claim / unclaim, assign (leaders), delegate and return,
// complete with a validated form (idempotently with an Idempotency-Key). Who may see and do what is
// policy.ts; this service applies it to one task under its row lock. A task the caller may not see
// answers 404, so that its existence does not leak; every such denial goes to the audit log.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import { AppError, conflict, forbidden, notFound, requireUuid, validationFailed, type FieldError } from '../core/errors';
import { canSeeTask, isCandidate, taskAccessOf, taskActions, type TaskActionName } from '../core/policy';
import type { Variables, WorkflowEngine } from '../engine/types';
import { appendAuditEvents, changeRecorded, type AuditEventDraft } from '../repositories/audit-events';
import { claimIdempotencyKey, finishIdempotencyKey, releaseIdempotencyKey } from '../repositories/idempotency-keys';
import { insertNotifications, type NotificationDraft } from '../repositories/notifications';
import { createUsersRepository } from '../repositories/users';
import {
  claimTask,
  findFormSchema,
  findInboxTask,
  listTasks,
  setAssignee,
  taskFacts,
  type InboxTaskRow,
  type TaskRow,
  type TaskFilter,
  type TaskState,
} from '../repositories/user-tasks';
import { toAuthUser } from './auth';
import { validateAgainstForm } from './form-validation';
import { createNotificationService, type NotificationService } from './notifications';
import { actorOf } from './process-instances';

export interface TaskView {
  id: string;
  name: string | null;
  processId: string;
  instanceId: string;
  elementId: string;
  businessKey: string | null;
  state: string;
  assignee: string | null;
  /** who delegated the task and waits for it back; null when it is not out on delegation */
  owner: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  priority: number;
  formId: string | null;
  dueAt: string | null;
  followUpAt: string | null;
  createdAt: string;
  completedAt: string | null;
  overdue: boolean;
  escalated: boolean;
  /** the case's unit and the person it is about (instance variables unitId, personName) */
  unitId: string | null;
  personName: string | null;
  /** what the caller may do with the task now */
  actions: TaskActionName[];
}

export interface TaskDetail extends TaskView {
  form: Record<string, unknown> | null;
  variables: Variables;
}

export interface TaskListQuery extends Omit<TaskFilter, 'unitId' | 'idNumber' | 'personName'> {
  /** the case's unit: a unit id, or a unit code ('U001') */
  unit?: string;
  /** a person: an ID number (exact, 15 or 18 characters) or the beginning of a name */
  person?: string;
}

export interface TaskList {
  items: TaskView[];
  total: number;
  counts: Record<TaskState, number>;
}

export interface CompleteResult {
  /** true when an earlier request with the same Idempotency-Key completed the task: nothing changed now */
  replayed: boolean;
}

export interface TaskService {
  list(query: TaskListQuery, user: AuthUser): Promise<TaskList>;
  get(id: string, user: AuthUser): Promise<TaskDetail>;
  claim(id: string, user: AuthUser): Promise<TaskView>;
  unclaim(id: string, user: AuthUser): Promise<TaskView>;
  assign(id: string, assignee: string, user: AuthUser): Promise<TaskView>;
  delegate(id: string, delegate: string, user: AuthUser): Promise<TaskView>;
  returnToOwner(id: string, comment: string | undefined, user: AuthUser): Promise<TaskView>;
  complete(id: string, variables: Variables, user: AuthUser, options?: { idempotencyKey?: string }): Promise<CompleteResult>;
  /** The notifications of the same database (for the routes mounted beside the inbox). */
  readonly notifications: NotificationService;
  readonly db: Knex;
}

export interface TaskServiceDeps {
  db: Knex;
  engine: WorkflowEngine;
  clock?: Clock;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toTaskView(row: InboxTaskRow, user: AuthUser, now = new Date()): TaskView {
  return {
    id: row.id,
    name: row.name,
    processId: row.process_id,
    instanceId: row.instance_id,
    elementId: row.element_id,
    businessKey: row.business_key,
    state: row.state,
    assignee: row.assignee,
    owner: row.owner,
    candidateGroups: row.candidate_groups,
    candidateUsers: row.candidate_users,
    priority: row.priority,
    formId: row.form_id,
    dueAt: iso(row.due_at),
    followUpAt: iso(row.follow_up_at),
    createdAt: new Date(row.created_at).toISOString(),
    completedAt: iso(row.completed_at),
    overdue: row.state === 'created' && !!row.due_at && new Date(row.due_at) < now,
    escalated: row.escalated_at !== null,
    unitId: row.unit_id,
    personName: row.person_name,
    actions: taskActions(user, taskFacts(row)),
  };
}

const ID_NUMBER_LIKE = /^(\d{15}|\d{17}[\dXx])$/;
const IDEMPOTENCY_STALE_MS = 5 * 60_000;
const taskLabel = (task: { name: string | null; element_id: string }) => task.name ?? task.element_id;

export function createTaskService(deps: TaskServiceDeps): TaskService {
  const { db, engine } = deps;
  const clock = deps.clock ?? systemClock;
  const notifications = createNotificationService({ db });

  async function deny(user: AuthUser, task: InboxTaskRow, status: 403 | 404, action: string, reason: string): Promise<never> {
    await db.transaction((trx) =>
      appendAuditEvents(trx, [
        { actor: `user:${user.username}`, kind: 'access.denied', instanceId: task.instance_id, elementId: task.element_id, payload: { taskId: task.id, status, action, reason } },
      ]),
    );
    throw status === 404 ? notFound('任务') : forbidden();
  }

  /** The task if the caller may see it; 404 (recorded) when it exists but is not theirs. */
  async function visible(id: string, user: AuthUser, action: string): Promise<InboxTaskRow> {
    const task = await findInboxTask(db, requireUuid(id, '任务'));
    if (!task) throw notFound('任务');
    if (!canSeeTask(taskAccessOf(user), taskFacts(task))) await deny(user, task, 404, action, 'scope');
    return task;
  }

  /**
   * Runs `work` on the task under its row lock, if the caller may do `action` with it now (policy.ts
   * taskActions); a denial is recorded after the transaction, which it leaves unchanged.
   */
  async function change(id: string, user: AuthUser, action: TaskActionName, work: (trx: Knex.Transaction, task: InboxTaskRow) => Promise<void>): Promise<TaskView> {
    requireUuid(id, '任务');
    type Outcome = { kind: 'done'; task: InboxTaskRow } | { kind: 'denied'; task: InboxTaskRow; status: 403 | 404 };
    const outcome = await db.transaction(async (trx): Promise<Outcome> => {
      const task = await findInboxTask(trx, id, { forUpdate: true });
      if (!task) throw notFound('任务');
      const facts = taskFacts(task);
      if (!canSeeTask(taskAccessOf(user), facts)) return { kind: 'denied', task, status: 404 };
      if (task.state !== 'created') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: task.state });
      if (!taskActions(user, facts).includes(action)) return { kind: 'denied', task, status: 403 };
      await work(trx, task);
      return { kind: 'done', task: (await findInboxTask(trx, id))! };
    });
    if (outcome.kind === 'denied') return deny(user, outcome.task, outcome.status, `task.${action}`, outcome.status === 404 ? 'scope' : 'not-allowed');
    return toTaskView(outcome.task, user, clock());
  }

  return {
    notifications,
    db,

    async list(query, user) {
      const { unit, person, ...rest } = query;
      const filter: TaskFilter = { ...rest };
      if (unit !== undefined) filter.unitId = (await resolveUnit(db, unit)) ?? '00000000-0000-0000-0000-000000000000';
      if (person !== undefined) {
        if (ID_NUMBER_LIKE.test(person)) filter.idNumber = person.toUpperCase();
        else filter.personName = person;
      }
      const now = clock();
      const page = await listTasks(db, taskAccessOf(user), filter, now);
      return { items: page.items.map((t) => toTaskView(t, user, now)), total: page.total, counts: page.counts };
    },

    async get(id, user) {
      const task = await visible(id, user, 'task.read');
      const form = task.form_id ? ((await findFormSchema(db, task.form_id)) ?? null) : null;
      const instance = await db('process_instances').select('variables').where({ id: task.instance_id }).first();
      return { ...toTaskView(task, user, clock()), form, variables: { ...(instance?.variables ?? {}), ...task.variables } };
    },

    async claim(id, user) {
      const task = await visible(id, user, 'task.claim');
      if (task.assignee !== user.username && !isCandidate(taskAccessOf(user), taskFacts(task))) {
        return deny(user, task, 403, 'task.claim', 'not-a-candidate');
      }
      // one atomic UPDATE … WHERE assignee IS NULL, recorded in the same statement: of concurrent claims exactly one wins
      const [claimed] = await changeRecorded<TaskRow>(db, claimTask(db, task.id, user.username), [eventOf(user, task, 'user-task.claimed')]);
      if (claimed) return toTaskView({ ...task, ...claimed }, user, clock());
      const current = (await findInboxTask(db, task.id))!;
      if (current.state !== 'created') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: current.state });
      if (current.assignee === user.username) return toTaskView(current, user, clock());
      throw conflict('TASK_ALREADY_CLAIMED', `任务已被 ${current.assignee} 认领`, { assignee: current.assignee });
    },

    unclaim: (id, user) =>
      change(id, user, 'unclaim', async (trx, task) => {
        await setAssignee(trx, task.id, null);
        await record(trx, user, task, 'user-task.unclaimed', { previousAssignee: task.assignee });
      }),

    assign: (id, assignee, user) =>
      change(id, user, 'assign', async (trx, task) => {
        const target = await activeUser(trx, assignee);
        if (!target || !isCandidate(taskAccessOf(target), taskFacts(task))) {
          throw validationFailed([coded('/assignee', 'NOT_A_CANDIDATE', '只能指派给该任务候选组的成员')], '指派对象不符合要求');
        }
        if (task.assignee === target.username && task.owner === null) return;
        await endDelegation(trx, task, user, 'canceled');
        await setAssignee(trx, task.id, target.username);
        await record(trx, user, task, 'user-task.assigned', { previousAssignee: task.assignee, assignee: target.username });
        await notify(trx, [{ username: target.username, kind: 'task.assigned', title: `任务「${taskLabel(task)}」已指派给你`, taskId: task.id, instanceId: task.instance_id, actor: user.username }]);
      }),

    delegate: (id, delegate, user) =>
      change(id, user, 'delegate', async (trx, task) => {
        const target = await activeUser(trx, delegate);
        if (!target || target.username === user.username || !isCandidate(taskAccessOf(target), taskFacts(task))) {
          throw validationFailed([coded('/assignee', 'NOT_A_CANDIDATE', '只能委派给该任务候选组的其他成员')], '委派对象不符合要求');
        }
        await trx('task_delegations').insert({ task_id: task.id, owner: user.username, delegate: target.username });
        await setAssignee(trx, task.id, target.username);
        await record(trx, user, task, 'user-task.delegated', { owner: user.username, delegate: target.username });
        await notify(trx, [{ username: target.username, kind: 'task.delegated', title: `${user.username} 将任务「${taskLabel(task)}」委派给你`, taskId: task.id, instanceId: task.instance_id, actor: user.username }]);
      }),

    returnToOwner: (id, comment, user) =>
      change(id, user, 'return', async (trx, task) => {
        const owner = task.owner!;
        await endDelegation(trx, task, user, 'returned', comment);
        await setAssignee(trx, task.id, owner);
        await record(trx, user, task, 'user-task.returned', { owner, delegate: task.assignee });
        if (owner !== user.username) {
          await notify(trx, [{ username: owner, kind: 'task.returned', title: `任务「${taskLabel(task)}」已由 ${user.username} 交回`, taskId: task.id, instanceId: task.instance_id, actor: user.username }]);
        }
      }),

    async complete(id, variables, user, options = {}) {
      const task = await visible(id, user, 'task.complete');
      const key = options.idempotencyKey;
      if (key !== undefined) {
        const requestHash = createHash('sha256').update(canonicalize({ taskId: task.id, variables }) ?? '').digest('hex');
        const held = await claimIdempotencyKey(db, { username: user.username, key, operation: 'task.complete', targetId: task.id, requestHash });
        if (held) {
          if (held.operation !== 'task.complete' || held.target_id !== task.id || held.request_hash !== requestHash) {
            throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', '该 Idempotency-Key 已用于另一请求，请换用新的键');
          }
          if (held.status === 'done') return { replayed: true };
          // pending: another request with this key runs now, or one died after the engine committed
          if (task.state === 'completed' && task.completed_by === user.username) {
            await finishIdempotencyKey(db, user.username, key, 204, null);
            return { replayed: true };
          }
          if (clock().getTime() - new Date(held.created_at).getTime() < IDEMPOTENCY_STALE_MS) {
            throw conflict('REQUEST_IN_PROGRESS', '使用同一 Idempotency-Key 的请求正在处理，请稍后再试');
          }
          await db('idempotency_keys').where({ username: user.username, key }).update({ created_at: clock() });
        }
      }
      try {
        await completeOnce(task, variables, user);
      } catch (error) {
        if (key !== undefined) await releaseIdempotencyKey(db, user.username, key);
        throw error;
      }
      if (key !== undefined) await finishIdempotencyKey(db, user.username, key, 204, null);
      return { replayed: false };
    },
  };

  async function completeOnce(task: InboxTaskRow, variables: Variables, user: AuthUser): Promise<void> {
    if (task.state !== 'created') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: task.state });
    if (task.owner !== null && (task.assignee === user.username || task.owner === user.username)) {
      throw conflict('TASK_DELEGATED', '任务处于委派中：受托人交回后由委派人办理', { owner: task.owner, assignee: task.assignee });
    }
    if (task.assignee !== user.username) {
      if (!isCandidate(taskAccessOf(user), taskFacts(task))) return deny(user, task, 403, 'task.complete', 'not-a-candidate');
      if (task.assignee) throw conflict('TASK_ALREADY_CLAIMED', `任务已被 ${task.assignee} 认领`, { assignee: task.assignee });
      throw conflict('TASK_NOT_ASSIGNED_TO_YOU', '请先认领任务再办理');
    }
    if (task.form_id) {
      const form = await findFormSchema(db, task.form_id);
      if (!form) throw conflict('FORM_NOT_DEPLOYED', `任务表单 ${task.form_id} 未部署，无法办理`, { formId: task.form_id });
      const instance = await db('process_instances').select('variables').where({ id: task.instance_id }).first();
      const errors = validateAgainstForm(form, variables, { context: { ...(instance?.variables ?? {}), ...task.variables }, now: clock() });
      if (errors.length) throw validationFailed(errors);
    } else if (Object.keys(variables).length) {
      // without a form nothing says which variables the step may set (unitId scopes a case)
      throw validationFailed(Object.keys(variables).map((key) => coded(`/${key}`, 'UNKNOWN_FIELD', '该任务没有表单，不接受提交的数据')));
    }
    // the assignee is checked again under the step's row lock: a task reassigned meanwhile is refused
    await engine.completeUserTask(task.id, variables, actorOf(user), { requireAssignee: user.username });
  }
}

/** A field error with a stable code (the form validator's shape). */
const coded = (field: string, code: string, message: string): FieldError => ({ field, code, message }) as FieldError;

async function record(trx: Knex.Transaction, user: AuthUser, task: InboxTaskRow, kind: string, payload: Record<string, unknown> = {}): Promise<void> {
  await appendAuditEvents(trx, [eventOf(user, task, kind, payload)]);
}

/** What a user did with a task, as the audit log records it. */
function eventOf(user: AuthUser, task: InboxTaskRow, kind: string, payload: Record<string, unknown> = {}): AuditEventDraft {
  return { actor: `user:${user.username}`, kind, instanceId: task.instance_id, elementId: task.element_id, payload: { taskId: task.id, ...payload } };
}

async function notify(trx: Knex.Transaction, drafts: NotificationDraft[]): Promise<void> {
  await insertNotifications(trx, drafts);
}

async function endDelegation(trx: Knex.Transaction, task: InboxTaskRow, user: AuthUser, state: 'returned' | 'canceled', comment?: string): Promise<void> {
  if (task.owner === null) return;
  await trx('task_delegations')
    .where({ task_id: task.id, state: 'pending' })
    .update({ state, ended_at: trx.fn.now(), ended_by: user.username, comment: comment ?? null });
}

async function activeUser(db: Knex, username: string): Promise<AuthUser | undefined> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(username)) return undefined;
  const record = await createUsersRepository(db).findByUsername(username);
  return record && record.disabledAt === null ? toAuthUser(record) : undefined;
}

/** A unit id or code → the unit's id; undefined when no such unit. */
async function resolveUnit(db: Knex, unit: string): Promise<string | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(unit);
  const row = await db('units').select('id').where(isUuid ? { id: unit } : { code: unit }).first();
  return row?.id;
}
