// Writes what one step did, inside the step's transaction: the engine state, the open waits as rows
// (jobs, inbox tasks, message subscriptions, timers), follow-up commands for call activities, and
// the audit events. Rows whose element no longer waits are closed.
import type { Knex } from 'knex';
import { appendAuditEvents, type AuditEventDraft } from '../../repositories/audit-events';
import { evaluateExpression, evaluateList, ExpressionError } from '../feel';
import type { Actor, Variables } from '../types';
import { StepError, type InstanceSession, type WaitItem } from './instance-session';

export interface InstanceRow {
  id: string;
  definition_id: string;
  process_id: string;
  version: number;
  business_key: string | null;
  state: string;
  start_event_id: string | null;
  engine_state: any;
  variables: Variables;
  parent_instance_id: string | null;
  parent_execution_id: string | null;
  started_by: string;
  step_count: number;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

export interface StepOutcome {
  jobsCreated: number;
  timersCreated: number;
  completed: boolean;
}

const OPEN_JOB_STATES = ['activatable', 'activated', 'failed', 'error_thrown', 'incident'];
const DEFAULT_JOB_RETRIES = 3;

export const actorLabel = (actor: Actor): string => `${actor.kind}:${actor.id}`;

export async function writeStep(trx: Knex.Transaction, instance: InstanceRow, session: InstanceSession, actor: Actor, extraAudit: AuditEventDraft[] = []): Promise<StepOutcome> {
  const waits = session.liveWaits();
  const live = new Set(waits.map((w) => w.executionId));
  const byKind = (kind: WaitItem['kind']) => waits.filter((w) => w.kind === kind);

  const jobsCreated = await syncJobs(trx, instance, byKind('job'), live);
  await syncUserTasks(trx, instance, byKind('userTask'), live);
  await syncSubscriptions(trx, instance, byKind('message'), live);
  await syncCalls(trx, instance, byKind('call'), live);
  const timersCreated = await syncTimers(trx, instance, session);

  const completed = session.completed;
  const state = await session.savedState();
  await trx('process_instances')
    .where({ id: instance.id })
    .update({
      engine_state: JSON.stringify(state),
      variables: JSON.stringify(session.variables),
      state: completed ? 'completed' : 'active',
      ended_at: completed ? trx.fn.now() : null,
      step_count: instance.step_count + 1,
      updated_at: trx.fn.now(),
    });
  if (completed && instance.parent_instance_id) {
    await trx('engine_commands').insert({
      instance_id: instance.parent_instance_id,
      kind: 'complete-call',
      payload: JSON.stringify({ executionId: instance.parent_execution_id, childInstanceId: instance.id, variables: session.variables }),
    });
  }

  const label = actorLabel(actor);
  await appendAuditEvents(trx, [
    ...extraAudit,
    ...session.events.map((e) => ({
      actor: label,
      kind: e.kind,
      instanceId: instance.id,
      elementId: e.elementId,
      payload: { ...e.payload, ...(e.executionId ? { executionId: e.executionId } : {}) },
    })),
  ]);
  return { jobsCreated, timersCreated, completed };
}

async function syncJobs(trx: Knex.Transaction, instance: InstanceRow, waits: WaitItem[], live: Set<string>): Promise<number> {
  const open: { id: string; execution_id: string }[] = await trx('jobs').select('id', 'execution_id').where({ instance_id: instance.id }).whereIn('state', OPEN_JOB_STATES);
  const known = new Set(open.map((j) => j.execution_id));
  const stale = open.filter((j) => !live.has(j.execution_id)).map((j) => j.id);
  if (stale.length) await trx('jobs').whereIn('id', stale).update({ state: 'canceled', updated_at: trx.fn.now() });
  const fresh = waits.filter((w) => !known.has(w.executionId));
  if (!fresh.length) return 0;
  const rows = fresh.map((w) => ({
    instance_id: instance.id,
    element_id: w.elementId,
    execution_id: w.executionId,
    type: w.spec.jobType,
    retries: retriesOf(w),
    custom_headers: JSON.stringify(w.spec.headers),
    variables: JSON.stringify(w.visible),
  }));
  // a job row of this execution may exist already (completed before a crash): never twice
  await trx('jobs').insert(rows).onConflict(['instance_id', 'execution_id']).ignore();
  return rows.length;
}

function retriesOf(wait: WaitItem): number {
  if (!wait.spec.retries) return DEFAULT_JOB_RETRIES;
  const value = Number(evaluateExpression(wait.spec.retries, wait.visible));
  if (!Number.isInteger(value) || value < 0) throw new StepError(`任务重试次数无效 (invalid retries) '${wait.spec.retries}'`, wait.elementId, 'EXPRESSION_ERROR');
  return value;
}

async function syncUserTasks(trx: Knex.Transaction, instance: InstanceRow, waits: WaitItem[], live: Set<string>): Promise<void> {
  const open: { id: string; execution_id: string }[] = await trx('user_tasks').select('id', 'execution_id').where({ instance_id: instance.id, state: 'created' });
  const known = new Set(open.map((t) => t.execution_id));
  const stale = open.filter((t) => !live.has(t.execution_id)).map((t) => t.id);
  if (stale.length) await trx('user_tasks').whereIn('id', stale).update({ state: 'canceled' });
  const fresh = waits.filter((w) => !known.has(w.executionId));
  if (!fresh.length) return;
  await trx('user_tasks')
    .insert(fresh.map((w) => userTaskRow(instance, w)))
    .onConflict(['instance_id', 'execution_id'])
    .ignore();
}

function userTaskRow(instance: InstanceRow, wait: WaitItem): Record<string, unknown> {
  const spec = wait.spec.userTask!;
  const vars = wait.visible;
  const assignee = spec.assignee ? evaluateExpression(spec.assignee, vars) : null;
  const priority = spec.priority ? Number(evaluateExpression(spec.priority, vars)) : 50;
  return {
    instance_id: instance.id,
    process_id: instance.process_id,
    element_id: wait.elementId,
    execution_id: wait.executionId,
    name: wait.spec.name,
    form_id: spec.formId,
    form_key: spec.formKey,
    candidate_groups: evaluateList(spec.candidateGroups ?? undefined, vars),
    candidate_users: evaluateList(spec.candidateUsers ?? undefined, vars),
    assignee: assignee === null || assignee === undefined || assignee === '' ? null : String(assignee),
    priority: Number.isFinite(priority) ? Math.max(0, Math.min(100, Math.round(priority))) : 50,
    due_at: dateOf(spec.dueDate, vars, wait.elementId),
    follow_up_at: dateOf(spec.followUpDate, vars, wait.elementId),
    variables: JSON.stringify(wait.local),
    business_key: instance.business_key,
  };
}

function dateOf(expression: string | null, vars: Variables, elementId: string): Date | null {
  if (!expression) return null;
  const value = evaluateExpression(expression, vars);
  if (value === null || value === undefined || value === '') return null;
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) {
    throw new StepError(`日期表达式的结果不是 ISO 8601 日期时间 (not an ISO 8601 date-time) '${expression}': ${String(value)}`, elementId, 'EXPRESSION_ERROR');
  }
  return date;
}

async function syncSubscriptions(trx: Knex.Transaction, instance: InstanceRow, waits: WaitItem[], live: Set<string>): Promise<void> {
  const open: { id: string; execution_id: string }[] = await trx('message_subscriptions').select('id', 'execution_id').where({ instance_id: instance.id, state: 'open' });
  const known = new Set(open.map((s) => s.execution_id));
  const stale = open.filter((s) => !live.has(s.execution_id)).map((s) => s.id);
  if (stale.length) await trx('message_subscriptions').whereIn('id', stale).update({ state: 'closed' });
  const fresh = waits.filter((w) => !known.has(w.executionId));
  if (!fresh.length) return;
  await trx('message_subscriptions')
    .insert(
      fresh.map((w) => ({
        instance_id: instance.id,
        element_id: w.elementId,
        execution_id: w.executionId,
        message_name: w.spec.message?.name ?? w.elementId,
        correlation_key: correlationKeyOf(w),
      })),
    )
    .onConflict(['instance_id', 'execution_id'])
    .ignore();
}

function correlationKeyOf(wait: WaitItem): string | null {
  const expression = wait.spec.message?.correlationKey;
  if (!expression) return null;
  let value: unknown;
  try {
    value = evaluateExpression(expression, wait.visible);
  } catch (err) {
    if (err instanceof ExpressionError) throw new StepError(err.message, wait.elementId, 'EXTRACT_VALUE_ERROR');
    throw err;
  }
  if (value === null || value === undefined || (typeof value !== 'string' && typeof value !== 'number')) {
    throw new StepError(`消息关联键必须是字符串或数字 (correlation key must be a string or number) '${expression}'`, wait.elementId, 'EXTRACT_VALUE_ERROR');
  }
  return String(value);
}

async function syncCalls(trx: Knex.Transaction, instance: InstanceRow, waits: WaitItem[], live: Set<string>): Promise<void> {
  const children: { id: string; parent_execution_id: string }[] = await trx('process_instances')
    .select('id', 'parent_execution_id')
    .where({ parent_instance_id: instance.id, state: 'active' });
  const pending: { payload: { executionId: string } }[] = await trx('engine_commands').select('payload').where({ instance_id: instance.id, kind: 'start-child' });
  const known = new Set([...children.map((c) => c.parent_execution_id), ...pending.map((p) => p.payload.executionId)]);
  for (const child of children.filter((c) => !live.has(c.parent_execution_id))) {
    await trx('engine_commands').insert({ instance_id: child.id, kind: 'cancel', payload: JSON.stringify({ reason: 'parent element terminated' }) });
  }
  for (const wait of waits.filter((w) => !known.has(w.executionId))) {
    if (!wait.spec.calledProcessId) throw new StepError('调用活动缺少被调用流程 (call activity without processId)', wait.elementId, 'CALLED_ELEMENT_ERROR');
    const processId = String(evaluateExpression(wait.spec.calledProcessId, wait.visible));
    await trx('engine_commands').insert({
      instance_id: instance.id,
      kind: 'start-child',
      payload: JSON.stringify({ executionId: wait.executionId, elementId: wait.elementId, processId, variables: wait.visible }),
    });
  }
}

async function syncTimers(trx: Knex.Transaction, instance: InstanceRow, session: InstanceSession): Promise<number> {
  const timers = session.completed ? [] : session.timers();
  const live = new Set(timers.map((t) => t.executionId));
  const open: { id: string; execution_id: string }[] = await trx('timers').select('id', 'execution_id').where({ instance_id: instance.id, state: 'active' });
  const known = new Set(open.map((t) => t.execution_id));
  const stale = open.filter((t) => !live.has(t.execution_id)).map((t) => t.id);
  if (stale.length) await trx('timers').whereIn('id', stale).update({ state: 'canceled' });
  const fresh = timers.filter((t) => !known.has(t.executionId));
  if (!fresh.length) return 0;
  await trx('timers')
    .insert(
      fresh.map((t) => ({
        instance_id: instance.id,
        definition_id: instance.definition_id,
        element_id: t.elementId,
        execution_id: t.executionId,
        due_at: t.dueAt,
      })),
    )
    .onConflict(['instance_id', 'execution_id'])
    .ignore();
  return fresh.length;
}
