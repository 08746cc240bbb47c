// The department inbox: list one's tasks, claim / unclaim, complete with a validated form.
// A task the caller may not see answers 404, so that its existence does not leak.
import type { Knex } from 'knex';
import type { AuthUser } from '../core/auth-user';
import { conflict, notFound, requireUuid, validationFailed } from '../core/errors';
import type { Variables, WorkflowEngine } from '../engine/types';
import { appendAuditEvents } from '../repositories/audit-events';
import { claimTask, findFormSchema, findVisibleTask, listTasks, setAssignee, type InboxOwner, type TaskFilter, type TaskRow } from '../repositories/user-tasks';
import { validateAgainstForm } from './form-validation';
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
  candidateGroups: string[];
  candidateUsers: string[];
  priority: number;
  formId: string | null;
  dueAt: string | null;
  followUpAt: string | null;
  createdAt: string;
  completedAt: string | null;
  overdue: boolean;
}

export interface TaskDetail extends TaskView {
  form: Record<string, unknown> | null;
  variables: Variables;
}

export interface TaskService {
  list(filter: TaskFilter, user: AuthUser): Promise<{ items: TaskView[]; total: number }>;
  get(id: string, user: AuthUser): Promise<TaskDetail>;
  claim(id: string, user: AuthUser): Promise<TaskView>;
  unclaim(id: string, user: AuthUser): Promise<TaskView>;
  complete(id: string, variables: Variables, user: AuthUser): Promise<void>;
}

const ownerOf = (user: AuthUser): InboxOwner => ({ username: user.username, groups: user.groups });
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toTaskView(row: TaskRow, now = new Date()): TaskView {
  return {
    id: row.id,
    name: row.name,
    processId: row.process_id,
    instanceId: row.instance_id,
    elementId: row.element_id,
    businessKey: row.business_key,
    state: row.state,
    assignee: row.assignee,
    candidateGroups: row.candidate_groups,
    candidateUsers: row.candidate_users,
    priority: row.priority,
    formId: row.form_id,
    dueAt: iso(row.due_at),
    followUpAt: iso(row.follow_up_at),
    createdAt: new Date(row.created_at).toISOString(),
    completedAt: iso(row.completed_at),
    overdue: row.state === 'created' && !!row.due_at && new Date(row.due_at) < now,
  };
}

export function createTaskService(deps: { db: Knex; engine: WorkflowEngine }): TaskService {
  const { db, engine } = deps;

  async function visible(id: string, user: AuthUser): Promise<TaskRow> {
    const task = await findVisibleTask(db, ownerOf(user), requireUuid(id, '任务'));
    if (!task) throw notFound('任务');
    return task;
  }

  async function record(trx: Knex.Transaction, user: AuthUser, task: TaskRow, kind: string, payload: Record<string, unknown> = {}) {
    await appendAuditEvents(trx, [{ actor: `user:${user.username}`, kind, instanceId: task.instance_id, elementId: task.element_id, payload: { taskId: task.id, ...payload } }]);
  }

  return {
    async list(filter, user) {
      const { items, total } = await listTasks(db, ownerOf(user), filter);
      const now = new Date();
      return { items: items.map((t) => toTaskView(t, now)), total };
    },
    async get(id, user) {
      const task = await visible(id, user);
      const form = task.form_id ? ((await findFormSchema(db, task.form_id)) ?? null) : null;
      const instance = await db('process_instances').select('variables').where({ id: task.instance_id }).first();
      return { ...toTaskView(task), form, variables: { ...(instance?.variables ?? {}), ...task.variables } };
    },
    async claim(id, user) {
      const task = await visible(id, user);
      return db.transaction(async (trx) => {
        const claimed = await claimTask(trx, task.id, user.username);
        if (claimed) {
          await record(trx, user, claimed, 'user-task.claimed');
          return toTaskView(claimed);
        }
        const current = await trx('user_tasks').where({ id: task.id }).first();
        if (current.state !== 'created') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: current.state });
        if (current.assignee === user.username) return toTaskView(current);
        throw conflict('TASK_ALREADY_CLAIMED', `任务已被 ${current.assignee} 认领`, { assignee: current.assignee });
      });
    },
    async unclaim(id, user) {
      const task = await visible(id, user);
      const leaderOfGroup = user.roles.includes('leader') && task.candidate_groups.some((g) => user.groups.includes(g));
      if (task.assignee !== user.username && !leaderOfGroup) throw conflict('TASK_NOT_ASSIGNED_TO_YOU', '只能退回自己认领的任务');
      return db.transaction(async (trx) => {
        const row = await setAssignee(trx, task.id, null);
        if (!row) throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消');
        await record(trx, user, row, 'user-task.unclaimed', { previousAssignee: task.assignee });
        return toTaskView(row);
      });
    },
    async complete(id, variables, user) {
      const task = await visible(id, user);
      if (task.state !== 'created') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: task.state });
      if (task.assignee !== user.username) {
        if (task.assignee) throw conflict('TASK_ALREADY_CLAIMED', `任务已被 ${task.assignee} 认领`, { assignee: task.assignee });
        throw conflict('TASK_NOT_ASSIGNED_TO_YOU', '请先认领任务再办理');
      }
      if (task.form_id) {
        const form = await findFormSchema(db, task.form_id);
        if (!form) throw conflict('FORM_NOT_DEPLOYED', `任务表单 ${task.form_id} 未部署，无法办理`, { formId: task.form_id });
        const errors = validateAgainstForm(form, variables);
        if (errors.length) throw validationFailed(errors);
      } else if (Object.keys(variables).length) {
        // without a form nothing says which variables the step may set (unitId scopes a case)
        throw validationFailed(Object.keys(variables).map((key) => ({ field: `/variables/${key}`, message: '该任务没有表单，不接受提交的数据' })));
      }
      // the assignee is checked again under the step's row lock: a task reassigned meanwhile is refused
      await engine.completeUserTask(task.id, variables, actorOf(user), { requireAssignee: user.username });
    },
  };
}
