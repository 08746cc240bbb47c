// Time limits (办理时限) of user tasks. A task's due time comes from the diagram (zeebe:taskSchedule
// dueDate) or, when the diagram sets none, from the parameter `task.time-limit-days`. A periodic check
// escalates each open task past its due time once: in one transaction it adds the leaders' group of
// each department among the task's candidate groups (`bianban` → `bianban-leader`), records the
// escalation (task_escalations, audit event `user-task.escalated`) and notifies the holder (overdue)
// and the leaders (escalated). Several server processes may run the check: the escalation row makes
// the second one a no-op.
import type { Knex } from 'knex';
import { DEPARTMENTS } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
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
    const done = await db.transaction(async (trx) => {
      const task = (await trx('user_tasks').where({ id: candidate.id, state: 'created' }).forUpdate().first()) as TaskRow | undefined;
      if (!task || !task.due_at || new Date(task.due_at) >= now) return false;
      const groups = escalationGroups(task.candidate_groups);
      const inserted = await trx('task_escalations')
        .insert({ task_id: task.id, due_at: task.due_at, escalated_at: now, groups_added: groups })
        .onConflict('task_id')
        .ignore()
        .returning('task_id');
      if (!inserted.length) return false;
      if (groups.length) await addCandidateGroups(trx, task.id, groups);
      await appendAuditEvents(trx, [
        {
          actor: ACTOR,
          kind: 'user-task.escalated',
          instanceId: task.instance_id,
          elementId: task.element_id,
          payload: { taskId: task.id, dueAt: new Date(task.due_at).toISOString(), groupsAdded: groups },
        },
      ]);
      const label = task.name ?? task.element_id;
      const drafts: NotificationDraft[] = [];
      if (task.assignee) drafts.push({ username: task.assignee, kind: 'task.overdue', title: `任务「${label}」已超过办理时限`, taskId: task.id, instanceId: task.instance_id, actor: ACTOR });
      const users = createUsersRepository(trx);
      for (const group of groups) {
        const department = group.slice(0, -'-leader'.length);
        for (const leader of await users.activeByDepartmentAndRoles(department, ['leader'])) {
          drafts.push({ username: leader.username, kind: 'task.escalated', title: `任务「${label}」已超期，已升级至部门领导`, taskId: task.id, instanceId: task.instance_id, actor: ACTOR });
        }
      }
      await insertNotifications(trx, drafts);
      return true;
    });
    if (done) escalated += 1;
  }
  return escalated;
}

/** One run of the periodic check: due times from the parameter, escalations, pruning of old feed rows and keys. */
export async function runDeadlineCheck(db: Knex, now: Date): Promise<DeadlineCheckResult> {
  const scheduled = await applyTimeLimits(db, now);
  const escalated = await escalateOverdueTasks(db, now);
  await pruneInboxChanges(db, new Date(now.getTime() - 3600_000));
  await pruneIdempotencyKeys(db, new Date(now.getTime() - 7 * 24 * 3600_000));
  return { scheduled, escalated };
}

export interface DeadlineMonitor {
  stop(): Promise<void>;
}

/** Runs the check every `intervalMs` (default one minute) until stopped; a failed run is logged and retried next time. */
export function startTaskDeadlineMonitor(deps: { db: Knex; log: Logger; clock?: Clock; intervalMs?: number }): DeadlineMonitor {
  const clock = deps.clock ?? systemClock;
  const intervalMs = deps.intervalMs ?? 60_000;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    timer = setTimeout(() => {
      running = runDeadlineCheck(deps.db, clock())
        .then((result) => {
          if (result.escalated || result.scheduled) deps.log.info(result, 'task deadlines checked');
        })
        .catch((error: unknown) => deps.log.warn({ err: error }, 'task deadline check failed'))
        .finally(() => {
          if (!stopped) tick();
        });
    }, intervalMs);
    timer.unref();
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
