// Writes what one step did, inside the step's transaction: the engine state, the open waits as rows
// (jobs, inbox tasks, message subscriptions, timers), follow-up commands for call activities, and
// the audit events. Rows whose element no longer waits are closed.
//
// planStep evaluates everything that can fail (FEEL in retries, assignments, due dates, correlation
// keys) before applyStep writes anything, so a step either writes whole or raises an incident.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { appendAuditEvents, type AuditEventDraft } from '../../repositories/audit-events';
import { evaluateExpression, evaluateList, ExpressionError } from '../feel';
import type { Actor, Variables } from '../types';
import { StepError, type InstanceSession, type OpenRows, type SavedState, type WaitItem } from './instance-session';
import type { HandedJob, LocalJobWorker, SessionHandoff } from './local-jobs';

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
  /** jobs created for any worker to activate */
  jobsCreated: number;
  /** jobs created already activated by this process's in-process worker, to deliver after the commit */
  handed: HandedJob[];
  commandsCreated: number;
  completed: boolean;
}

type Row = Record<string, unknown>;

interface Changes {
  opened: Row[];
  closed: string[];
}

export interface StepPlan {
  instance: InstanceRow;
  jobs: Changes;
  userTasks: Changes;
  subscriptions: Changes;
  timers: Changes;
  callsOpened: Row[];
  callsClosed: string[];
  /** timers that fired in this step */
  timersFired: string[];
  state: SavedState;
  variables: Variables;
  completed: boolean;
  audit: AuditEventDraft[];
  /** the jobs of `jobs.opened` handed to the in-process worker */
  handed: HandedJob[];
  session: InstanceSession;
}

const OPEN_JOB_STATES = ['activatable', 'activated', 'failed', 'error_thrown', 'incident'];
const DEFAULT_JOB_RETRIES = 3;

export const actorLabel = (actor: Actor): string => `${actor.kind}:${actor.id}`;

/**
 * What the step will write; throws StepError (and writes nothing) where Zeebe would raise an incident.
 * `local`: the in-process worker that new jobs of its types are handed to (only in a transaction
 * whose commit the caller hears of).
 */
export async function planStep(instance: InstanceRow, session: InstanceSession, actor: Actor, extraAudit: AuditEventDraft[] = [], local: LocalJobWorker | null = null): Promise<StepPlan> {
  const waits = session.liveWaits();
  const byKind = (kind: WaitItem['kind']) => waits.filter((w) => w.kind === kind);
  const before = session.previousRows;
  const timers = session.completed ? [] : session.timers();
  const openRows: OpenRows = {
    jobs: byKind('job').map((w) => w.executionId),
    userTasks: byKind('userTask').map((w) => w.executionId),
    subscriptions: byKind('message').map((w) => w.executionId),
    calls: byKind('call').map((w) => w.executionId),
    timers: timers.map((t) => t.executionId),
  };
  const changes = (kind: keyof OpenRows, toRow: (executionId: string) => Row): Changes => {
    const was = new Set(before[kind]);
    const is = new Set(openRows[kind]);
    return {
      opened: openRows[kind].filter((id) => !was.has(id)).map(toRow),
      closed: before[kind].filter((id) => !is.has(id) && !session.finished.has(id)),
    };
  };
  const waitOf = (executionId: string) => waits.find((w) => w.executionId === executionId)!;
  const timerOf = (executionId: string) => timers.find((t) => t.executionId === executionId)!;
  const calls = changes('calls', (id) => callCommand(instance, waitOf(id)));
  const label = actorLabel(actor);
  const jobs = changes('jobs', (id) => jobRow(instance, waitOf(id)));
  const handed = local ? handToLocalWorker(instance, jobs.opened, local) : [];
  const userTasks = changes('userTasks', (id) => userTaskRow(instance, waitOf(id)));
  const variableChanges = session.variableChanges();
  const opened: AuditEventDraft[] = [
    ...jobs.opened.map((j) => ({ actor: label, kind: 'job.created', instanceId: instance.id, elementId: j.element_id as string, payload: { jobKey: j.id, type: j.type, retries: j.retries } })),
    ...handed.map((j) => ({ actor: `worker:${local!.worker}`, kind: 'job.activated', instanceId: instance.id, elementId: j.elementId, payload: { jobKey: j.key, type: j.type, retries: j.retries } })),
    ...userTasks.opened.map((t) => ({
      actor: label,
      kind: 'user-task.created',
      instanceId: instance.id,
      elementId: t.element_id as string,
      payload: { taskId: t.id, candidateGroups: t.candidate_groups, assignee: t.assignee, dueAt: t.due_at ? (t.due_at as Date).toISOString() : null },
    })),
    ...(variableChanges ? [{ actor: label, kind: 'variables.changed', instanceId: instance.id, elementId: null, payload: variableChanges }] : []),
  ];
  return {
    instance,
    jobs,
    userTasks,
    subscriptions: changes('subscriptions', (id) => subscriptionRow(instance, waitOf(id))),
    timers: changes('timers', (id) => {
      const t = timerOf(id);
      return { instance_id: instance.id, definition_id: instance.definition_id, element_id: t.elementId, execution_id: t.executionId, due_at: t.dueAt };
    }),
    callsOpened: calls.opened,
    callsClosed: calls.closed,
    timersFired: [...session.firedTimers],
    state: await session.savedState(openRows),
    variables: session.variables,
    completed: session.completed,
    audit: [
      ...extraAudit,
      ...session.events.map((e) => ({
        actor: label,
        kind: e.kind,
        instanceId: instance.id,
        elementId: e.elementId,
        payload: { ...e.payload, ...(e.executionId ? { executionId: e.executionId } : {}) },
      })),
      ...opened,
    ],
    handed,
    session,
  };
}

/** Marks the new jobs the in-process worker takes as activated by it; returns them as it will get them. */
function handToLocalWorker(instance: InstanceRow, opened: Row[], local: LocalJobWorker): HandedJob[] {
  const handed: HandedJob[] = [];
  for (const row of opened) {
    if (!local.takes(row.type as string)) continue;
    const deadline = local.deadline();
    Object.assign(row, { state: 'activated', worker: local.worker, deadline });
    handed.push({
      key: row.id as string,
      type: row.type as string,
      instanceId: instance.id,
      processId: instance.process_id,
      elementId: row.element_id as string,
      retries: row.retries as number,
      deadline: deadline.toISOString(),
      // as the activation query would return them from the row
      customHeaders: JSON.parse(row.custom_headers as string),
      variables: JSON.parse(row.variables as string),
    });
  }
  return handed;
}

/**
 * How a step writes its instance row: `update` it under the lock the step holds; `insert` it (the
 * step starts the instance: it closes nothing, so the statement may run outside a transaction);
 * `expect`: a condition the plan took for granted (step_guard aborts the statement unless it holds).
 * `guarded`, for a step planned without the lock (a handed job on the live session): update it only
 * if it is still active at the step count the plan started from, and abort the whole statement
 * (step_guard) unless that row and every command change hit their one row each.
 */
export type InstanceWrite = 'update' | 'insert' | 'guarded';

/**
 * Writes a planned step in one statement: every row change is a data-modifying CTE of a query
 * that appends the audit events (one round trip; the step's transaction commits it with the rest).
 */
export async function applyStep(trx: Knex, plan: StepPlan, commandChanges: Knex.QueryBuilder[] = [], write: InstanceWrite = 'update', expect?: Knex.Raw): Promise<StepOutcome> {
  const { instance } = plan;
  if (plan.callsClosed.length) await cancelChildren(trx, instance, plan.callsClosed);
  const notifiesParent = plan.completed && !!instance.parent_instance_id;
  const changes: Knex.QueryBuilder[] = [
    ...commandChanges,
    ...closeRows(trx, 'jobs', instance.id, plan.jobs.closed, OPEN_JOB_STATES, { state: 'canceled', updated_at: trx.fn.now() }),
    ...insertRows(trx, 'jobs', plan.jobs.opened),
    ...closeRows(trx, 'user_tasks', instance.id, plan.userTasks.closed, ['created'], { state: 'canceled' }),
    ...insertRows(trx, 'user_tasks', plan.userTasks.opened),
    ...closeRows(trx, 'message_subscriptions', instance.id, plan.subscriptions.closed, ['open'], { state: 'closed' }),
    ...insertRows(trx, 'message_subscriptions', plan.subscriptions.opened),
    ...plan.subscriptions.opened.map((sub) => takeBufferedMessage(trx, sub)),
    ...closeRows(trx, 'timers', instance.id, plan.timers.closed, ['active'], { state: 'canceled' }),
    ...closeRows(trx, 'timers', instance.id, plan.timersFired, ['active'], { state: 'fired' }),
    ...insertRows(trx, 'timers', plan.timers.opened),
    ...(plan.callsOpened.length ? [trx('engine_commands').insert(plan.callsOpened)] : []),
    ...(notifiesParent
      ? [
          trx('engine_commands').insert({
            instance_id: instance.parent_instance_id,
            kind: 'complete-call',
            payload: JSON.stringify({ executionId: instance.parent_execution_id, childInstanceId: instance.id, variables: plan.variables }),
          }),
        ]
      : []),
    instanceChange(trx, plan, write),
  ];
  let statement = changes.reduce<Knex.QueryBuilder>((query, change, i) => query.with(`change_${i}`, change), trx.queryBuilder());
  if (write === 'guarded') {
    // the command changes come first, the instance change last
    const counted = [...commandChanges.map((_, i) => `change_${i}`), `change_${changes.length - 1}`];
    statement = statement.select(trx.raw(`step_guard(${counted.map((name) => `(select count(*) from ${name})`).join(' + ')} = ${counted.length})`));
  }
  // what else the plan took for granted (the latest version of a definition): the whole statement aborts unless it holds
  if (expect) statement = statement.select(trx.raw('step_guard(?)', [expect]));
  await appendAuditEvents(trx, plan.audit, statement);
  return {
    jobsCreated: plan.jobs.opened.length - plan.handed.length,
    handed: withHandoff(plan),
    // a new subscription may have found a buffered message: the command loop looks at once
    commandsCreated: plan.callsOpened.length + plan.callsClosed.length + plan.subscriptions.opened.length + (notifiesParent ? 1 : 0),
    completed: plan.completed,
  };
}

/** The instance row as the step leaves it (InstanceWrite). */
function instanceChange(trx: Knex, plan: StepPlan, write: InstanceWrite): Knex.QueryBuilder {
  const { instance } = plan;
  const after = {
    engine_state: JSON.stringify(plan.state),
    variables: JSON.stringify(plan.variables),
    state: plan.completed ? 'completed' : 'active',
    ended_at: plan.completed ? trx.fn.now() : null,
    step_count: instance.step_count + 1,
  };
  switch (write) {
    case 'update':
      return trx('process_instances').where({ id: instance.id }).update({ ...after, updated_at: trx.fn.now() });
    case 'guarded':
      return trx('process_instances').where({ id: instance.id, step_count: instance.step_count, state: 'active' }).update({ ...after, updated_at: trx.fn.now() }).returning('id');
    case 'insert': {
      const { created_at: _created, updated_at: _updated, ...columns } = instance;
      return trx('process_instances').insert({ ...columns, ...after });
    }
  }
}

/** The handed jobs, carrying the live session unless a timer waits (a due one must fire on the next load). */
function withHandoff(plan: StepPlan): HandedJob[] {
  if (!plan.handed.length || plan.completed || plan.state.openRows.timers.length) return plan.handed;
  const instance: InstanceRow = { ...plan.instance, step_count: plan.instance.step_count + 1, variables: plan.variables, state: 'active' };
  const handedKeys = new Set(plan.handed.map((job) => job.key));
  const jobs = new Map(
    plan.jobs.opened.filter((row) => handedKeys.has(row.id as string)).map((row) => [row.id as string, { executionId: row.execution_id as string, type: row.type as string, worker: row.worker as string }]),
  );
  const handoff: SessionHandoff = { session: plan.session, instance, jobs, taken: false };
  return plan.handed.map((job) => ({ ...job, handoff }));
}

export async function writeStep(
  trx: Knex.Transaction,
  instance: InstanceRow,
  session: InstanceSession,
  actor: Actor,
  extraAudit: AuditEventDraft[] = [],
  commandChanges: Knex.QueryBuilder[] = [],
  local: LocalJobWorker | null = null,
): Promise<StepOutcome> {
  return applyStep(trx, await planStep(instance, session, actor, extraAudit, local), commandChanges);
}

/** Closes the rows of executions that no longer wait; rows a command already finished keep their state. */
function closeRows(trx: Knex, table: string, instanceId: string, executionIds: string[], openStates: string[], update: Row): Knex.QueryBuilder[] {
  if (!executionIds.length) return [];
  return [trx(table).where({ instance_id: instanceId }).whereIn('execution_id', executionIds).whereIn('state', openStates).update(update)];
}

// a row of this execution may exist already (written before a crash by the same step): never twice
function insertRows(trx: Knex, table: string, rows: Row[]): Knex.QueryBuilder[] {
  if (!rows.length) return [];
  return [trx(table).insert(rows).onConflict(['instance_id', 'execution_id']).ignore()];
}

function jobRow(instance: InstanceRow, w: WaitItem): Row {
  return {
    id: randomUUID(),
    instance_id: instance.id,
    process_id: instance.process_id,
    element_id: w.elementId,
    execution_id: w.executionId,
    type: w.spec.jobType,
    retries: retriesOf(w),
    custom_headers: JSON.stringify(w.spec.headers),
    variables: JSON.stringify(w.visible),
  };
}

function retriesOf(wait: WaitItem): number {
  if (!wait.spec.retries) return DEFAULT_JOB_RETRIES;
  const value = Number(evaluateExpression(wait.spec.retries, wait.visible));
  if (!Number.isInteger(value) || value < 0) throw new StepError(`任务重试次数无效 (invalid retries) '${wait.spec.retries}'`, wait.elementId, 'EXPRESSION_ERROR');
  return value;
}

function userTaskRow(instance: InstanceRow, wait: WaitItem): Row {
  const spec = wait.spec.userTask!;
  const vars = wait.visible;
  const assignee = spec.assignee ? evaluateExpression(spec.assignee, vars) : null;
  const priority = spec.priority ? Number(evaluateExpression(spec.priority, vars)) : 50;
  return {
    id: randomUUID(),
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

function subscriptionRow(instance: InstanceRow, w: WaitItem): Row {
  return {
    instance_id: instance.id,
    element_id: w.elementId,
    execution_id: w.executionId,
    message_name: w.spec.message?.name ?? w.elementId,
    correlation_key: correlationKeyOf(w),
  };
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

function callCommand(instance: InstanceRow, wait: WaitItem): Row {
  if (!wait.spec.calledProcessId) throw new StepError('调用活动缺少被调用流程 (call activity without processId)', wait.elementId, 'CALLED_ELEMENT_ERROR');
  const processId = String(evaluateExpression(wait.spec.calledProcessId, wait.visible));
  return {
    instance_id: instance.id,
    kind: 'start-child',
    payload: JSON.stringify({ executionId: wait.executionId, elementId: wait.elementId, processId, variables: wait.visible }),
  };
}

/** A follow-up command for a buffered message that the new subscription can take, if there is one. */
function takeBufferedMessage(trx: Knex, subscription: Row): Knex.QueryBuilder {
  const key = subscription.correlation_key as string | null;
  return trx
    .into(trx.raw('?? (??, ??, ??)', ['engine_commands', 'instance_id', 'kind', 'payload']))
    .insert(
    trx('messages')
      .select(
        trx.raw('?::uuid as instance_id', [subscription.instance_id as string]),
        trx.raw("'correlate-buffered' as kind"),
        trx.raw("jsonb_build_object('messageId', id, 'executionId', ?::text) as payload", [subscription.execution_id as string]),
      )
      .where({ name: subscription.message_name as string, state: 'buffered' })
      .where('expires_at', '>', trx.fn.now())
      .modify((q) => (key === null ? q.whereNull('correlation_key') : q.where({ correlation_key: key })))
      .orderBy('created_at')
      .limit(1),
  );
}

async function cancelChildren(trx: Knex, instance: InstanceRow, executionIds: string[]): Promise<void> {
  const children: { id: string }[] = await trx('process_instances').select('id').where({ parent_instance_id: instance.id, state: 'active' }).whereIn('parent_execution_id', executionIds);
  await trx('engine_commands').where({ instance_id: instance.id, kind: 'start-child' }).whereRaw("payload->>'executionId' = any(?)", [executionIds]).delete();
  for (const child of children) {
    await trx('engine_commands').insert({ instance_id: child.id, kind: 'cancel', payload: JSON.stringify({ reason: 'parent element terminated' }) });
  }
}
