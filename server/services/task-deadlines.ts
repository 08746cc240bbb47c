// Time limits (办理时限) of user tasks. A task's due time comes from the diagram (zeebe:taskSchedule
// dueDate) or, when the diagram sets none, from the parameter `task.time-limit-days`. A periodic check
// escalates each open task past its due time once: in one transaction it adds the leaders' group of
// each department among the task's candidate groups (`bianban` → `bianban-leader`), records the
// escalation (task_escalations, audit event `user-task.escalated`) and notifies the holder (overdue)
// and the leaders (escalated). Several server processes may run the check: the escalation row makes
// the second one a no-op. The diagrams' non-interrupting timers reach the same escalation through
// the worker task.escalate (escalateInstanceTasks, escalateOverdueCase): one function, escalateTask,
// escalates one task for both.
import type { Knex } from 'knex';
import { DEPARTMENTS } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { startPeriodic, type PeriodicJob } from '../core/periodic';
import { appendAuditEvents } from '../repositories/audit-events';
import { pruneIdempotencyKeys } from '../repositories/idempotency-keys';
import { pruneInboxChanges } from '../repositories/inbox-changes';
import { insertNotifications, type NotificationDraft } from '../repositories/notifications';
import { addCandidateGroups, findOverdueUnescalated, type TaskRow } from '../repositories/user-tasks';
import { createUsersRepository } from '../repositories/users';

/** Departments whose groups escalate to `<department>-leader` ('unit' has no leaders' group). */
const LEADING_DEPARTMENTS = new Set<string>(DEPARTMENTS.map((d) => d.id).filter((id) => id !== 'unit'));

export const TIME_LIMIT_PARAMETER = 'task.time-limit-days';
const ACTOR = 'system:deadline-check';

export interface DeadlineCheckResult {
  /** open tasks without a due time that got one from the parameter */
  scheduled: number;
  escalated: number;
}

/** The leaders' groups a task escalates to: `<department>-leader` of each department candidate group. */
export function escalationGroups(candidateGroups: readonly string[]): string[] {
  return [...new Set(candidateGroups.filter((g) => LEADING_DEPARTMENTS.has(g)).map((g) => `${g}-leader`))].filter((g) => !candidateGroups.includes(g));
}

/**
 * Calendar days per task from the parameter `task.time-limit-days` (latest version valid at `now`):
 * `{ "<processId>/<elementId>": days, "<processId>": days, "*": days }`, the most specific wins.
 */
export async function applyTimeLimits(db: Knex, now: Date): Promise<number> {
  const today = now.toISOString().slice(0, 10);
  const parameter = await db('parameters')
    .where({ key: TIME_LIMIT_PARAMETER })
    .where('valid_from', '<=', today)
    .where((q) => q.whereNull('valid_to').orWhere('valid_to', '>', today))
    .orderBy('version', 'desc')
    .first('value');
  const limits = parameter?.value as Record<string, unknown> | undefined;
  if (!limits || typeof limits !== 'object') return 0;
  let updated = 0;
  for (const [key, days] of Object.entries(bySpecificity(limits))) {
    if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) continue;
    const [processId, elementId] = key.split('/');
    const q = db('user_tasks').where({ state: 'created' }).whereNull('due_at');
    if (key !== '*') q.where({ process_id: processId });
    if (elementId !== undefined) q.where({ element_id: elementId });
    // more specific keys first: a task set by one is no longer null for the next
    updated += await q.update({ due_at: db.raw(`created_at + make_interval(days => ?)`, [Math.round(days)]) });
  }
  return updated;
}

/** Sorted so that '<process>/<element>' keys run before '<process>' and '*'. */
function bySpecificity(limits: Record<string, unknown>): Record<string, unknown> {
  const rank = (k: string) => (k === '*' ? 2 : k.includes('/') ? 0 : 1);
  return Object.fromEntries(Object.entries(limits).sort(([a], [b]) => rank(a) - rank(b)));
}

/** Escalates the open tasks that are past due and not escalated yet (at most `limit` per call). */
export async function escalateOverdueTasks(db: Knex, now: Date, limit = 200): Promise<number> {
  const overdue = await findOverdueUnescalated(db, now, limit);
  let escalated = 0;
  for (const candidate of overdue) {
    if (await escalateTask(db, candidate.id, now)) escalated += 1;
  }
  return escalated;
}

export interface EscalateTaskOptions {
  /** the audit actor and the notifications' sender (default 'system:deadline-check') */
  actor?: string;
  /**
   * Escalate although the task has no due time or is not past it yet: the time limit is a diagram timer
   * that fired (task.escalate) or the case's limit (J1–J3). Default false: only past-due tasks escalate.
   */
  force?: boolean;
  /** recorded in the audit payload when given (e.g. 'timer', 'case-overdue') */
  reason?: string;
  /** without force: escalate when due before this moment (default `now`; a timer allows for the milliseconds between its start and the task's) */
  dueBy?: Date;
}

/**
 * Escalates one open task, once, in one transaction: the task row is locked; a task_escalations row
 * (unique per task) makes a second escalation a no-op; the leaders' groups of its departments are added;
 * the audit event `user-task.escalated` is written; the holder (task.overdue) and the leaders of those
 * groups (task.escalated) are notified. True when this call escalated it. Used by the periodic check and by
 * the worker task.escalate.
 */
export async function escalateTask(db: Knex, taskId: string, now: Date, options: EscalateTaskOptions = {}): Promise<boolean> {
  const actor = options.actor ?? ACTOR;
  return db.transaction(async (trx) => {
    const task = (await trx('user_tasks').where({ id: taskId, state: 'created' }).forUpdate().first()) as TaskRow | undefined;
    if (!task) return false;
    if (!options.force && (!task.due_at || new Date(task.due_at) >= (options.dueBy ?? now))) return false;
    const groups = escalationGroups(task.candidate_groups);
    const inserted = await trx('task_escalations')
      .insert({ task_id: task.id, due_at: task.due_at ?? now, escalated_at: now, groups_added: groups })
      .onConflict('task_id')
      .ignore()
      .returning('task_id');
    if (!inserted.length) return false;
    if (groups.length) await addCandidateGroups(trx, task.id, groups);
    await appendAuditEvents(trx, [
      {
        actor,
        kind: 'user-task.escalated',
        instanceId: task.instance_id,
        elementId: task.element_id,
        payload: {
          taskId: task.id,
          dueAt: task.due_at ? new Date(task.due_at).toISOString() : null,
          groupsAdded: groups,
          ...(options.reason === undefined ? {} : { reason: options.reason }),
        },
      },
    ]);
    const label = task.name ?? task.element_id;
    const drafts: NotificationDraft[] = [];
    if (task.assignee) drafts.push({ username: task.assignee, kind: 'task.overdue', title: `任务「${label}」已超过办理时限`, taskId: task.id, instanceId: task.instance_id, actor });
    const users = createUsersRepository(trx);
    for (const group of groups) {
      const department = group.slice(0, -'-leader'.length);
      for (const leader of await users.activeByDepartmentAndRoles(department, ['leader'])) {
        drafts.push({ username: leader.username, kind: 'task.escalated', title: `任务「${label}」已超期，已升级至部门领导`, taskId: task.id, instanceId: task.instance_id, actor });
      }
    }
    await insertNotifications(trx, drafts);
    return true;
  });
}

/**
 * Escalates the open tasks of one instance (escalateTask each): with `elementId`, the open tasks of that
 * element whatever their due time (its timer fired); with `force`, every open task; else those past due.
 * Returns how many this call escalated.
 */
export async function escalateInstanceTasks(
  db: Knex,
  instanceId: string,
  now: Date,
  options: EscalateTaskOptions & { elementId?: string } = {},
): Promise<number> {
  const q = db('user_tasks').where({ instance_id: instanceId, state: 'created' }).orderBy('created_at').select('id');
  if (options.elementId !== undefined) q.where({ element_id: options.elementId });
  const rows = (await q) as Array<{ id: string }>;
  const force = options.force === true || options.elementId !== undefined;
  let escalated = 0;
  for (const row of rows) {
    if (await escalateTask(db, row.id, now, { actor: options.actor, reason: options.reason, force, dueBy: options.dueBy })) escalated += 1;
  }
  return escalated;
}

/** The department whose leaders hear of an overdue case (J1–J3: 编办, which 销编s last). */
export const CASE_OVERDUE_DEPARTMENT = 'bianban';

/**
 * A case past its limit (J1–J3: 10 working days): every open task of the instance is escalated, and the
 * 编办 leaders are told once (the audit event `case.overdue`, written in the same transaction as their
 * notifications under a lock of the instance, makes a second call a no-op for them). Returns the number of
 * tasks escalated by this call and whether the leaders were notified now.
 */
export async function escalateOverdueCase(
  db: Knex,
  instanceId: string,
  now: Date,
  options: { actor?: string; caseDeadline?: string | null } = {},
): Promise<{ tasksEscalated: number; leadersNotified: boolean }> {
  const actor = options.actor ?? ACTOR;
  const tasksEscalated = await escalateInstanceTasks(db, instanceId, now, { actor, force: true, reason: 'case-overdue' });
  const leadersNotified = await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`case-overdue:${instanceId}`]);
    const instance = (await trx('process_instances').where({ id: instanceId }).first('id', 'process_id')) as { id: string; process_id: string } | undefined;
    if (!instance) return false;
    if (await trx('audit_events').where({ kind: 'case.overdue', instance_id: instanceId }).first('seq')) return false;
    const leaders = await createUsersRepository(trx).activeByDepartmentAndRoles(CASE_OVERDUE_DEPARTMENT, ['leader']);
    await appendAuditEvents(trx, [
      {
        actor,
        kind: 'case.overdue',
        instanceId,
        payload: { caseDeadline: options.caseDeadline ?? null, tasksEscalated, notified: leaders.map((l) => l.username) },
      },
    ]);
    await insertNotifications(
      trx,
      leaders.map((leader) => ({ username: leader.username, kind: 'task.escalated' as const, title: '案件已超过办理时限（10 个工作日），请督办', instanceId, actor })),
    );
    return true;
  });
  return { tasksEscalated, leadersNotified };
}

/** One run of the periodic check: due times from the parameter, escalations, pruning of old feed rows and keys. */
export async function runDeadlineCheck(db: Knex, now: Date): Promise<DeadlineCheckResult> {
  const scheduled = await applyTimeLimits(db, now);
  const escalated = await escalateOverdueTasks(db, now);
  await pruneInboxChanges(db, new Date(now.getTime() - 3600_000));
  await pruneIdempotencyKeys(db, new Date(now.getTime() - 7 * 24 * 3600_000));
  return { scheduled, escalated };
}

export type DeadlineMonitor = PeriodicJob;

/** Runs the check every `intervalMs` (default one minute) until stopped; a failed run is logged and retried next time. */
export function startTaskDeadlineMonitor(deps: { db: Knex; log: Logger; clock?: Clock; intervalMs?: number }): DeadlineMonitor {
  const clock = deps.clock ?? systemClock;
  return startPeriodic({
    intervalMs: deps.intervalMs ?? 60_000,
    runAtStart: false,
    async run() {
      const result = await runDeadlineCheck(deps.db, clock());
      if (result.escalated || result.scheduled) deps.log.info(result, 'task deadlines checked');
    },
    onError: (error) => deps.log.warn({ err: error }, 'task deadline check failed'),
  });
}
