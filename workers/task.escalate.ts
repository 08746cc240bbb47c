// Where the diagrams' non-interrupting timers lead: the time limit of a step (the boundary timer
// `=timeLimits.Task_X` of time-limits.plan) or of the whole case (J1–J3: 10 working days, caseDeadline)
// has passed. The escalation is the periodic deadline check's (server/services/task-deadlines.ts,
// escalateTask): leaders' groups added, task_escalations (once per task), audit event
// `user-task.escalated`, the holder and the leaders notified. Idempotent: a second delivery escalates
// nothing more and notifies nobody again.
//
// Headers: scope — 'task' (default) | 'case';
//      element — (scope task, optional) the user task the timer is attached to: its open tasks escalate
//      whatever their stored due time (the timer is the limit); without it, the instance's open tasks due
//      before now + 1 minute escalate (the boundary timer and the inbox due time both start when the task
//      starts, a few milliseconds apart).
// In:  caseDeadline (scope case, optional: recorded in the audit event).
// Scope 'case': every open user task of the instance escalates, and the 编办 leaders are notified once that
//      the case is overdue (audit event `case.overdue`).
// Out: { escalatedAt } (ISO date-time). Errors: a bad header fails with 0 retries.
import { escalateInstanceTasks, escalateOverdueCase } from '../server/services/task-deadlines';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'task.escalate';
const ACTOR = `worker:${jobType}`;
/** A timer fires at the limit; the task's due time may lie a few milliseconds after it. */
const TIMER_GRACE_MS = 60_000;

interface In {
  caseDeadline?: unknown;
}

export const createHandler = (deps: WorkerDeps): JobHandler<In> => async (job) => {
  const scope = job.customHeaders?.scope?.trim() || 'task';
  if (scope !== 'task' && scope !== 'case') return fail({ message: `task.escalate: header scope "${scope}" 应为 task 或 case`, retries: 0 });
  const now = deps.clock();
  if (scope === 'case') {
    const caseDeadline = typeof job.variables.caseDeadline === 'string' ? job.variables.caseDeadline : null;
    const result = await escalateOverdueCase(deps.db, job.instanceId, now, { actor: ACTOR, caseDeadline });
    job.log.info(result, 'case escalated');
  } else {
    const element = job.customHeaders?.element?.trim() || undefined;
    const escalated = await escalateInstanceTasks(deps.db, job.instanceId, now, {
      actor: ACTOR,
      reason: 'timer',
      dueBy: new Date(now.getTime() + TIMER_GRACE_MS),
      ...(element ? { elementId: element } : {}),
    });
    job.log.info({ escalated, element }, 'tasks escalated');
  }
  return complete({ escalatedAt: now.toISOString() });
};

export const worker: WorkerDefinition = { jobType, createHandler };
