// The embedded engine: Zeebe-dialect diagrams on bpmn-engine, with PostgreSQL as the source of truth.
// Every command is one step: lock the instance row, load its engine from the saved state, apply the
// command, write state + rows + audit events, commit. No instance stays in memory between steps.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import { AppError, conflict, notFound, validationFailed } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { appendAuditEvents, type AuditEventDraft } from '../../repositories/audit-events';
import type {
  ActivateJobsRequest,
  ActivatedJob,
  Actor,
  DeployResource,
  DeployResult,
  FailJobCommand,
  InstanceSummary,
  JobOutcomeOptions,
  PublishMessageCommand,
  PublishMessageResult,
  StartInstanceCommand,
  Variables,
  WorkflowEngine,
} from '../types';
import { DefinitionStore, isStillLatest, type LoadedDefinition } from './definitions';
import { deployResources } from './deployer';
import { InstanceSession, StepError, WaitGoneError } from './instance-session';
import { takeHandoff, type LocalWorkerBinding, type SessionHandoff } from './local-jobs';
import { lockActiveJob, lockInstance, requireActiveJob } from './locks';
import { isStepGuardFailure, StepRunner, SYSTEM, type DeferringAction, type IncidentCommand } from './step-runner';
import { actorLabel, applyStep, planStep, type InstanceRow, type StepOutcome, type StepPlan } from './step-writer';
import { findErrorCatcher } from './zeebe-model';
import { BackgroundLoop } from './background-loop';
import { nextCycleDue } from './timer-durations';

/** The definition a new instance runs on; `checkStillLatest` when read from memory, not from the database. */
type StartDefinition = LoadedDefinition & { checkStillLatest?: boolean };

export interface EmbeddedEngineOptions {
  db: Knex;
  log: Logger;
  timerPollIntervalMs: number;
  commandPollIntervalMs?: number;
  /** the clock for due timers; tests move it */
  now?: () => Date;
}

export class EmbeddedEngine extends EventEmitter implements WorkflowEngine {
  readonly kind = 'embedded' as const;
  readonly definitions: DefinitionStore;
  private readonly db: Knex;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly loops: BackgroundLoop[];
  private readonly runner: StepRunner;

  constructor(private readonly options: EmbeddedEngineOptions) {
    super();
    this.db = options.db;
    this.log = options.log.child({ component: 'embedded-engine' });
    this.now = options.now ?? (() => new Date());
    this.definitions = new DefinitionStore(this.db);
    this.runner = new StepRunner({ db: this.db, log: this.log, definitions: this.definitions, notify: (notice) => this.emit(notice) });
    this.loops = [
      new BackgroundLoop('timers', options.timerPollIntervalMs, () => this.fireDueTimers(), this.log),
      new BackgroundLoop('commands', options.commandPollIntervalMs ?? options.timerPollIntervalMs, () => this.runPendingCommands(), this.log),
    ];
    this.on('commands', () => this.loops[1].wake());
  }

  async start(): Promise<void> {
    for (const loop of this.loops) loop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /**
   * This process's in-process worker: new jobs of the types it takes are written activated by it
   * and delivered after the step commits (local-jobs.ts); null detaches it.
   */
  attachLocalWorker(worker: LocalWorkerBinding | null): void {
    this.runner.attachLocalWorker(worker && { worker: worker.worker, takes: (type) => worker.takes(type), deliver: (jobs) => worker.deliver(jobs), deadline: () => new Date(this.now().getTime() + worker.timeoutMs) });
  }

  // ---- deployments ----

  async deploy(resources: DeployResource[], actor: Actor): Promise<DeployResult> {
    return deployResources(this.db, this.definitions, resources, actor, this.now);
  }

  // ---- instances ----

  async startInstance(command: StartInstanceCommand, actor: Actor): Promise<InstanceSummary> {
    // the latest version as last read saves a query per start; the start's statement checks it still is
    // (only one a start by id can run on: a last-read version without a none start event is read again)
    const lastRead = command.version === undefined ? this.definitions.lastReadLatest(command.processKey) : undefined;
    const definition: StartDefinition =
      lastRead?.model.noneStartEvents.length ? { ...lastRead, checkStillLatest: true } : await this.definitions.latest(command.processKey, command.version);
    const start = definition.model.noneStartEvents[0];
    if (!start) {
      throw validationFailed([{ field: 'processKey', message: `流程 ${command.processKey} 没有空启动事件，只能由消息或定时器启动` }]);
    }
    try {
      const row = await this.createInstance(definition, start.id, command.variables ?? {}, command.businessKey ?? null, actor, null);
      return this.summaryOf(row, row.engine_state === null && row.step_count === 0 ? 1 : 0);
    } catch (err) {
      if (!definition.checkStillLatest || !isStepGuardFailure(err)) throw err;
      // deployed since (here or on another server): start on what the database says is latest
      this.definitions.forgetLatest(command.processKey);
      return this.startInstance(command, actor);
    }
  }

  /** When a worker last gave back jobs whose deadline passed; that sweep runs at most once a second. */
  private lastReclaim = 0;

  private async reclaimExpiredJobs(trx: Knex.Transaction, now: Date): Promise<void> {
    if (now.getTime() - this.lastReclaim < 1000) return;
    this.lastReclaim = now.getTime();
    await trx('jobs').where({ state: 'activated' }).where('deadline', '<', now).update({ state: 'activatable', worker: null, deadline: null, updated_at: now });
  }

  /** Creates and runs a new instance; an engine error at the start leaves it with an incident. */
  private async createInstance(
    definition: StartDefinition,
    startEventId: string,
    variables: Variables,
    businessKey: string | null,
    actor: Actor,
    parent: { instanceId: string; executionId: string } | null,
    trigger?: (session: InstanceSession) => Promise<void>,
    outerTrx?: Knex.Transaction,
  ): Promise<InstanceRow> {
    const now = new Date();
    const row: InstanceRow = {
      id: randomUUID(),
      definition_id: definition.row.id,
      process_id: definition.row.process_id,
      version: definition.row.version,
      business_key: businessKey,
      state: 'active',
      start_event_id: startEventId,
      engine_state: null,
      variables,
      parent_instance_id: parent?.instanceId ?? null,
      parent_execution_id: parent?.executionId ?? null,
      started_by: actorLabel(actor),
      step_count: 0,
      created_at: now,
      updated_at: now,
      ended_at: null,
    };
    // the engine runs before the transaction opens: it needs no database, and a failure writes nothing
    let plan: StepPlan | null = null;
    let failure: StepError | null = null;
    try {
      const session = await InstanceSession.start(definition.model, row.id, variables, startEventId);
      if (trigger) await trigger(session);
      const created = { actor: actorLabel(actor), kind: 'instance.created', instanceId: row.id, elementId: startEventId, payload: { processId: row.process_id, version: row.version, definitionId: row.definition_id, businessKey, input: variables } };
      plan = await planStep(row, session, actor, [created], this.runner.localWorkerFor(outerTrx));
    } catch (err) {
      if (!(err instanceof StepError)) throw err;
      failure = err;
    }
    const started = (outcome: StepOutcome): InstanceRow =>
      Object.assign(row, { state: outcome.completed ? 'completed' : 'active', variables: plan!.variables, step_count: 1, ended_at: outcome.completed ? new Date() : null });
    if (plan && !outerTrx) {
      // the whole step, the instance row included, is one statement: no transaction around it
      const ready = plan;
      return started(await this.runner.statement((db) => applyStep(db, ready, [], 'insert', definition.checkStillLatest ? isStillLatest(db, definition.row) : undefined)));
    }
    const write = async (trx: Knex.Transaction) => {
      if (definition.checkStillLatest) await trx.raw('select step_guard(?)', [isStillLatest(trx, definition.row)]);
      if (plan) {
        const outcome = await applyStep(trx, plan, [], 'insert');
        this.runner.announce(trx, outcome);
        return started(outcome);
      }
      await trx('process_instances').insert({ ...row, variables: JSON.stringify(variables), created_at: undefined, updated_at: undefined });
      await this.runner.recordIncident(trx, row, failure!, { kind: 'start' }, actor, null);
      return row;
    };
    return outerTrx ? write(outerTrx) : this.runner.transaction(write);
  }

  private summaryOf(row: InstanceRow, incidents: number): InstanceSummary {
    return {
      id: row.id,
      processId: row.process_id,
      version: row.version,
      deploymentId: row.definition_id,
      businessKey: row.business_key,
      state: row.state as InstanceSummary['state'],
      variables: row.variables,
      createdAt: new Date(row.created_at).toISOString(),
      endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
      parentInstanceId: row.parent_instance_id,
      incidents,
    };
  }

  async getInstance(id: string, db: Knex = this.db): Promise<InstanceSummary> {
    const row: InstanceRow | undefined = await db('process_instances').where({ id }).first();
    if (!row) throw notFound('流程实例');
    const [{ count }] = await db('incidents').where({ instance_id: id, state: 'active' }).count<{ count: string }[]>('* as count');
    return this.summaryOf(row, Number(count));
  }

  async cancelInstance(instanceId: string, actor: Actor): Promise<void> {
    await this.runner.transaction(async (trx) => {
      const row = await lockInstance(trx, instanceId);
      await this.cancelInTransaction(trx, row, actor, 'canceled');
    });
  }

  private async cancelInTransaction(trx: Knex.Transaction, row: InstanceRow, actor: Actor, state: 'canceled' | 'terminated'): Promise<void> {
    const id = row.id;
    await trx('process_instances').where({ id }).update({ state, ended_at: trx.fn.now(), updated_at: trx.fn.now() });
    await trx('jobs').where({ instance_id: id }).whereNotIn('state', ['completed', 'canceled']).update({ state: 'canceled', updated_at: trx.fn.now() });
    await trx('user_tasks').where({ instance_id: id, state: 'created' }).update({ state: 'canceled' });
    await trx('timers').where({ instance_id: id, state: 'active' }).update({ state: 'canceled' });
    await trx('message_subscriptions').where({ instance_id: id, state: 'open' }).update({ state: 'closed' });
    await trx('incidents').where({ instance_id: id, state: 'active' }).update({ state: 'resolved', resolved_at: trx.fn.now(), resolved_by: actorLabel(actor) });
    await trx('engine_commands').where({ instance_id: id }).delete();
    const children: { id: string }[] = await trx('process_instances').select('id').where({ parent_instance_id: id, state: 'active' });
    for (const child of children) {
      const childRow = await lockInstance(trx, child.id);
      await this.cancelInTransaction(trx, childRow, actor, 'terminated');
    }
    await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: `instance.${state}`, instanceId: id, elementId: row.process_id }]);
  }

  // ---- messages ----

  async publishMessage(command: PublishMessageCommand, actor: Actor): Promise<PublishMessageResult> {
    const key = command.correlationKey === undefined || command.correlationKey === null ? null : String(command.correlationKey);
    const variables = command.variables ?? {};
    const query = this.db('message_subscriptions').select('instance_id', 'execution_id').where({ message_name: command.name, state: 'open' });
    const subscriptions: { instance_id: string; execution_id: string }[] = await (key === null ? query.whereNull('correlation_key') : query.where({ correlation_key: key }));
    const correlated: string[] = [];
    const seen = new Set<string>();
    for (const sub of subscriptions) {
      if (seen.has(sub.instance_id)) continue; // Zeebe: a message is correlated once per instance
      const ok = await this.runner.step(sub.instance_id, actor, { kind: 'correlate', executionId: sub.execution_id, name: command.name, variables }, async (session, trx, _row, defer) => {
        const open = await trx('message_subscriptions').where({ instance_id: sub.instance_id, execution_id: sub.execution_id, state: 'open' }).forUpdate().first();
        if (!open) throw conflict('SUBSCRIPTION_CLOSED', '该实例已不再等待此消息');
        await session.complete(sub.execution_id, variables, 'message.correlated', { name: command.name, correlationKey: key });
        defer(trx('message_subscriptions').where({ id: open.id }).update({ state: 'correlated' }));
      }).then(
        () => true,
        (err) => {
          if (err instanceof AppError && err.status === 409) return false;
          throw err;
        },
      );
      if (ok) {
        correlated.push(sub.instance_id);
        seen.add(sub.instance_id);
      }
    }
    const started = await this.startByMessage(command.name, variables, actor);
    const bufferedMessageId = correlated.length || started.length ? null : await this.bufferMessage(command, key, actor);
    return { correlated, started, bufferedMessageId };
  }

  /** Keeps a message nobody took for its time to live; a subscription opened later takes it (a follow-up command). */
  private async bufferMessage(command: PublishMessageCommand, key: string | null, actor: Actor): Promise<string | null> {
    const ttl = Math.max(0, Math.floor(command.timeToLiveMs ?? 0));
    if (!ttl) return null;
    return this.runner.transaction(async (trx) => {
      if (command.messageId) {
        const waiting = await trx('messages').where({ name: command.name, message_id: command.messageId, state: 'buffered' }).where('expires_at', '>', trx.fn.now()).first();
        if (waiting) throw conflict('MESSAGE_ALREADY_PUBLISHED', `消息 ${command.name}（messageId ${command.messageId}）已在暂存中`, { bufferedMessageId: waiting.id });
        // an expired one of the same id gives way
        await trx('messages').where({ name: command.name, message_id: command.messageId, state: 'buffered' }).update({ message_id: null });
      }
      const [row] = await trx('messages')
        .insert({
          name: command.name,
          correlation_key: key,
          message_id: command.messageId ?? null,
          variables: JSON.stringify(command.variables ?? {}),
          // message lifetimes run on the database clock, as their expiry is checked in SQL
          expires_at: trx.raw("now() + (? * interval '1 millisecond')", [ttl]),
        })
        .returning('id');
      await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'message.buffered', payload: { messageId: row.id, name: command.name, correlationKey: key, timeToLiveMs: ttl } }]);
      return row.id as string;
    });
  }

  private async startByMessage(name: string, variables: Variables, actor: Actor): Promise<string[]> {
    const latest: { id: string }[] = await this.db
      .select('d.id')
      .from('process_definitions as d')
      .whereRaw('d.version = (select max(version) from process_definitions x where x.process_id = d.process_id)');
    const started: string[] = [];
    for (const { id } of latest) {
      const definition = await this.definitions.byId(id);
      for (const start of definition.model.messageStartEvents.filter((s) => s.message?.name === name)) {
        const { id: instanceId } = await this.createInstance(definition, start.id, {}, null, actor, null, async (session) => {
          const wait = [...session.waits.values()].find((w) => w.elementId === start.id);
          if (wait) await session.complete(wait.executionId, variables, 'message.correlated', { name, startEvent: true });
        });
        started.push(instanceId);
      }
    }
    return started;
  }

  // ---- user tasks ----

  async completeUserTask(taskId: string, variables: Variables, actor: Actor, options: { requireAssignee?: string } = {}): Promise<void> {
    const complete: DeferringAction = async (session, db, _row, defer, current) => {
      if (!current) throw notFound('任务');
      if (current.state !== 'created') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: current.state });
      if (options.requireAssignee !== undefined && current.assignee !== options.requireAssignee) {
        throw conflict('TASK_NOT_ASSIGNED_TO_YOU', '任务已不由你办理', { assignee: current.assignee });
      }
      await session.complete(current.execution_id, variables, 'user-task.completed', { taskId });
      // what the check above read must still hold when the step is written without the lock
      const expected = { id: taskId, state: 'created', ...(options.requireAssignee !== undefined ? { assignee: options.requireAssignee } : {}) };
      defer(db('user_tasks').where(expected).update({ state: 'completed', completed_at: db.fn.now(), completed_by: actor.id }).returning('id'));
    };
    if (await this.runner.guardedStep({ taskId }, actor, complete)) return;
    await this.runner.step({ taskId }, actor, { kind: 'complete-user-task', taskId, variables }, complete);
  }

  // ---- jobs ----

  async activateJobs(request: ActivateJobsRequest): Promise<ActivatedJob[]> {
    if (!request.types.length || request.maxJobs <= 0) return [];
    const now = this.now();
    const deadline = new Date(now.getTime() + request.timeoutMs);
    return this.runner.transaction(async (trx) => {
      // jobs whose worker went silent past the deadline become activatable again (at-least-once)
      await this.reclaimExpiredJobs(trx, now);
      const rows = await trx('jobs')
        .whereIn(
          'id',
          trx('jobs')
            .select('id')
            .where({ state: 'activatable' })
            .whereIn('type', request.types)
            .andWhere((q) => q.whereNull('retry_at').orWhere('retry_at', '<=', now))
            .orderBy('created_at')
            .limit(request.maxJobs)
            .forUpdate()
            .skipLocked(),
        )
        .update({ state: 'activated', worker: request.worker, deadline, updated_at: now })
        .returning('*');
      if (!rows.length) return [];
      await appendAuditEvents(
        trx,
        rows.map((r: any) => ({ actor: `worker:${request.worker}`, kind: 'job.activated', instanceId: r.instance_id, elementId: r.element_id, payload: { jobKey: r.id, type: r.type, retries: r.retries } })),
      );
      return rows.map((r: any) => ({
        key: r.id,
        type: r.type,
        instanceId: r.instance_id,
        processId: r.process_id,
        elementId: r.element_id,
        retries: r.retries,
        deadline: deadline.toISOString(),
        customHeaders: r.custom_headers,
        variables: r.variables,
      }));
    });
  }

  async completeJob(jobKey: string, variables: Variables, actor: Actor, options: JobOutcomeOptions = {}): Promise<void> {
    if (options.handoff && (await this.completeOnHandoff(jobKey, variables, actor, options.handoff as SessionHandoff))) return;
    await this.runner.step({ jobKey }, actor, { kind: 'complete-job', jobKey, variables }, async (session, trx, _row, defer, job) => {
      const current = lockedBy(requireActiveJob(job ?? undefined, jobKey), options);
      await session.complete(current.execution_id, variables, 'job.completed', { jobKey, type: current.type, worker: current.worker });
      defer(trx('jobs').where({ id: jobKey }).update({ state: 'completed', updated_at: trx.fn.now() }));
    });
  }

  /**
   * A job handed to the in-process worker, completed on the session it came with as one guarded
   * statement: no lock read first, no transaction around it (the statement is atomic and states what
   * it expects — step_guard). False when that cannot be done — the session was taken by a parallel
   * job, the instance or the job changed meanwhile, the engine raised an error —: the caller then runs
   * the step the usual way, which loads the state, sees what changed and decides.
   */
  private async completeOnHandoff(jobKey: string, variables: Variables, actor: Actor, handoff: SessionHandoff): Promise<boolean> {
    const job = handoff.jobs.get(jobKey);
    const session = job && takeHandoff(handoff);
    if (!job || !session) return false;
    try {
      await session.complete(job.executionId, variables, 'job.completed', { jobKey, type: job.type, worker: job.worker });
      const plan = await planStep(handoff.instance, session, actor, [], this.runner.localWorkerFor());
      const completed = this.db('jobs').where({ id: jobKey, state: 'activated', worker: job.worker }).update({ state: 'completed', updated_at: this.db.fn.now() }).returning('id');
      return await this.runner.writeGuarded(plan, [completed]);
    } catch (err) {
      if (err instanceof StepError || err instanceof WaitGoneError) return false;
      throw err;
    }
  }

  async failJob(jobKey: string, command: FailJobCommand, actor: Actor, options: JobOutcomeOptions = {}): Promise<void> {
    const job = await this.findActiveJob(jobKey);
    let retryNow = false;
    await this.runner.transaction(async (trx) => {
      const instance = await lockInstance(trx, job.instance_id);
      const current = lockedBy(await lockActiveJob(trx, jobKey), options);
      const retries = Math.max(0, Math.floor(command.retries));
      const audit: AuditEventDraft[] = [
        { actor: actorLabel(actor), kind: 'job.failed', instanceId: instance.id, elementId: current.element_id, payload: { jobKey, retries, errorMessage: command.errorMessage } },
      ];
      if (retries > 0) {
        const retryAt = new Date(this.now().getTime() + Math.max(0, command.retryBackoffMs ?? 0));
        await trx('jobs').where({ id: jobKey }).update({ state: 'activatable', retries, retry_at: retryAt, worker: null, deadline: null, error_message: command.errorMessage, updated_at: trx.fn.now() });
        retryNow = retryAt <= this.now();
      } else {
        await trx('jobs').where({ id: jobKey }).update({ state: 'incident', retries: 0, worker: null, deadline: null, error_message: command.errorMessage, updated_at: trx.fn.now() });
        const [incident] = await trx('incidents')
          .insert({ instance_id: instance.id, job_id: jobKey, element_id: current.element_id, error_type: 'JOB_NO_RETRIES', error_message: command.errorMessage })
          .returning('id');
        audit.push({ actor: actorLabel(actor), kind: 'incident.created', instanceId: instance.id, elementId: current.element_id, payload: { incidentId: incident.id, errorType: 'JOB_NO_RETRIES', jobKey } });
      }
      await appendAuditEvents(trx, audit);
    });
    // to be retried at once: workers hear of it as of a new job (after a backoff, their poll finds it)
    if (retryNow) this.emit('jobs');
  }

  async throwError(jobKey: string, errorCode: string, errorMessage: string, variables: Variables, actor: Actor, options: JobOutcomeOptions = {}): Promise<void> {
    const job = await this.findActiveJob(jobKey);
    const instance = await this.db('process_instances').where({ id: job.instance_id }).first();
    const { model } = await this.definitions.byId(instance.definition_id);
    if (!findErrorCatcher(model, job.element_id, errorCode)) {
      // Zeebe: an error nobody catches is an incident, not an ended instance
      await this.runner.transaction(async (trx) => {
        const row = await lockInstance(trx, job.instance_id);
        lockedBy(await lockActiveJob(trx, jobKey), options);
        await trx('jobs').where({ id: jobKey }).update({ state: 'incident', error_message: `${errorCode}: ${errorMessage}`, updated_at: trx.fn.now() });
        const err = new StepError(`未捕获的业务错误 ${errorCode} (unhandled BPMN error): ${errorMessage}`, job.element_id, 'UNHANDLED_ERROR_EVENT');
        await this.runner.recordIncident(trx, row, err, { kind: 'throw-error', jobKey, errorCode, errorMessage, variables }, actor, jobKey);
      });
      return;
    }
    await this.runner.step(job.instance_id, actor, { kind: 'throw-error', jobKey, errorCode, errorMessage, variables }, async (session, trx, _row, defer) => {
      const current = lockedBy(await lockActiveJob(trx, jobKey), options);
      await session.throwError(current.execution_id, errorCode, errorMessage, variables);
      defer(trx('jobs').where({ id: jobKey }).update({ state: 'error_thrown', error_message: `${errorCode}: ${errorMessage}`, updated_at: trx.fn.now() }));
    });
  }

  async extendJobLock(jobKey: string, worker: string, timeoutMs: number, _actor: Actor): Promise<void> {
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw validationFailed([{ field: 'timeoutMs', message: '锁定时长必须是正整数（毫秒）' }]);
    const job = await this.findActiveJob(jobKey);
    await this.runner.transaction(async (trx) => {
      await lockInstance(trx, job.instance_id);
      const now = this.now();
      const current = lockedBy(await lockActiveJob(trx, jobKey), { worker });
      // a deadline that passed may already have been handed to another worker's activation: not extended
      if (new Date(current.deadline).getTime() <= now.getTime()) throw jobNotLockedBy(jobKey, worker, current);
      await trx('jobs').where({ id: jobKey }).update({ deadline: new Date(now.getTime() + timeoutMs), updated_at: now });
    });
  }

  async unlockJob(jobKey: string, _actor: Actor): Promise<void> {
    const job = await this.findActiveJob(jobKey);
    await this.runner.transaction(async (trx) => {
      await lockInstance(trx, job.instance_id);
      const current = await lockActiveJob(trx, jobKey);
      if (current.state !== 'activated') return;
      await trx('jobs').where({ id: jobKey }).update({ state: 'activatable', worker: null, deadline: null, updated_at: trx.fn.now() });
    });
    this.emit('jobs');
  }

  async updateJobRetries(jobKey: string, retries: number, actor: Actor): Promise<void> {
    if (!Number.isInteger(retries) || retries < 0) throw validationFailed([{ field: 'retries', message: '重试次数必须是非负整数' }]);
    const job = await this.findJob(jobKey);
    await this.runner.transaction(async (trx) => {
      await lockInstance(trx, job.instance_id);
      await trx('jobs').where({ id: jobKey }).update({ retries, updated_at: trx.fn.now() });
      await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'job.retries-updated', instanceId: job.instance_id, elementId: job.element_id, payload: { jobKey, retries } }]);
    });
  }

  async resolveIncident(incidentId: string, actor: Actor): Promise<void> {
    const incident = await this.db('incidents').where({ id: incidentId }).first();
    if (!incident) throw notFound('事件 (incident)');
    if (incident.state !== 'active') throw conflict('INCIDENT_NOT_ACTIVE', '该故障已解决');
    const command = incident.command as IncidentCommand | null;
    await this.runner.transaction(async (trx) => {
      const row = await lockInstance(trx, incident.instance_id);
      if (incident.job_id && (!command || command.kind !== 'throw-error')) {
        const job = await trx('jobs').where({ id: incident.job_id }).first();
        if (job.retries < 1) throw conflict('NO_RETRIES', '请先增加任务重试次数，再解决故障', { jobKey: job.id });
        await trx('jobs').where({ id: job.id }).update({ state: 'activatable', retry_at: null, updated_at: trx.fn.now() });
      } else if (command?.kind === 'throw-error' && incident.job_id) {
        // the worker is asked again: the job becomes activatable with at least one retry
        await trx('jobs').where({ id: incident.job_id }).update({ state: 'activatable', retries: trx.raw('greatest(retries, 1)'), updated_at: trx.fn.now() });
      }
      await trx('incidents').where({ id: incidentId }).update({ state: 'resolved', resolved_at: trx.fn.now(), resolved_by: actorLabel(actor) });
      await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'incident.resolved', instanceId: row.id, elementId: incident.element_id, payload: { incidentId } }]);
    });
    if (command && command.kind !== 'throw-error') await this.retryCommand(incident.instance_id, command, actor);
  }

  private async retryCommand(instanceId: string, command: IncidentCommand, actor: Actor): Promise<void> {
    switch (command.kind) {
      case 'start': {
        await this.runner.transaction(async (trx) => {
          const row = await lockInstance(trx, instanceId);
          const definition = await this.definitions.byId(row.definition_id, trx);
          const plan = await InstanceSession.start(definition.model, row.id, row.variables, row.start_event_id)
            .then((session) => planStep(row, session, actor))
            .catch((err) => {
              if (err instanceof StepError) return err;
              throw err;
            });
          if (plan instanceof StepError) await this.runner.recordIncident(trx, row, plan, command, actor, null);
          else this.runner.announce(trx, await applyStep(trx, plan));
        });
        return;
      }
      case 'complete-job':
        return this.runner.step(instanceId, actor, command, async (session, trx) => {
          const job = await trx('jobs').where({ id: command.jobKey as string }).first();
          await session.complete(job.execution_id, command.variables as Variables, 'job.completed', { jobKey: job.id, type: job.type });
          await trx('jobs').where({ id: job.id }).update({ state: 'completed', updated_at: trx.fn.now() });
        });
      case 'complete-user-task':
        return this.runner.step(instanceId, actor, command, async (session, trx) => {
          const task = await trx('user_tasks').where({ id: command.taskId as string }).first();
          await session.complete(task.execution_id, command.variables as Variables, 'user-task.completed', { taskId: task.id });
          await trx('user_tasks').where({ id: task.id }).update({ state: 'completed', completed_at: trx.fn.now(), completed_by: actor.id });
        });
      case 'correlate':
        return this.runner.step(instanceId, actor, command, async (session) => {
          await session.complete(command.executionId as string, command.variables as Variables, 'message.correlated', { name: command.name });
        });
      case 'fire-timer':
        return this.runner.step(instanceId, actor, command, async (session) => {
          await session.fireTimer(command.executionId as string);
        });
      case 'start-child': {
        const { kind, ...payload } = command;
        await this.db('engine_commands').insert({ instance_id: instanceId, kind, payload: JSON.stringify(payload) });
        this.emit('commands');
        return;
      }
      case 'complete-call':
        return this.runner.step(instanceId, actor, command, async (session) => {
          await session.complete(command.executionId as string, command.variables as Variables, 'call.completed', { childInstanceId: command.childInstanceId });
        });
    }
  }

  // ---- timers ----

  /** Fires every timer due now; returns how many fired. Called by the background loop and by tests. */
  async fireDueTimers(limit = 50): Promise<number> {
    const now = this.now();
    const due: { id: string; instance_id: string | null; execution_id: string | null }[] = await this.db('timers')
      .select('id', 'instance_id', 'execution_id')
      .where({ state: 'active' })
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(limit);
    let fired = 0;
    for (const timer of due) {
      try {
        if (timer.instance_id) fired += (await this.fireInstanceTimer(timer.id, timer.instance_id, timer.execution_id!)) ? 1 : 0;
        else fired += (await this.fireStartTimer(timer.id)) ? 1 : 0;
      } catch (err) {
        this.log.error({ err, timerId: timer.id }, 'timer could not fire');
      }
    }
    return fired;
  }

  private async fireInstanceTimer(timerId: string, instanceId: string, executionId: string): Promise<boolean> {
    let fired = false;
    await this.runner.step(
      instanceId,
      SYSTEM,
      { kind: 'fire-timer', executionId },
      async (session, trx) => {
        const timer = await trx('timers').where({ id: timerId }).forUpdate().first();
        if (timer.state !== 'active') return;
        // true also when the resume already fired it (it was due); the step closes the row as fired
        fired = await session.fireTimer(executionId);
        if (!fired) await trx('timers').where({ id: timerId }).update({ state: 'canceled' });
      },
      { skipLocked: true },
    ).catch((err) => {
      if (err instanceof AppError && err.status === 409) return; // ended meanwhile
      throw err;
    });
    return fired;
  }

  private async fireStartTimer(timerId: string): Promise<boolean> {
    return this.runner.transaction(async (trx) => {
      const timer = await trx('timers').where({ id: timerId, state: 'active' }).forUpdate().skipLocked().first();
      if (!timer) return false;
      const definition = await this.definitions.byId(timer.definition_id, trx);
      await this.createInstance(definition, timer.element_id, {}, null, SYSTEM, null, async (session) => {
        const ref = session.timers().find((t) => t.elementId === timer.element_id);
        if (ref) await session.fireTimer(ref.executionId);
      }, trx);
      const next = nextCycleDue(timer, this.now());
      if (next) await trx('timers').where({ id: timerId }).update({ due_at: next.dueAt, repetitions: next.repetitions });
      else await trx('timers').where({ id: timerId }).update({ state: 'fired' });
      return true;
    });
  }

  // ---- follow-up commands (call activities) ----

  /** Runs pending follow-up commands; returns how many ran. */
  async runPendingCommands(limit = 50): Promise<number> {
    let ran = 0;
    for (let i = 0; i < limit; i++) {
      const done = await this.runner.transaction(async (trx) => {
        const command = await trx('engine_commands').orderBy('created_at').forUpdate().skipLocked().first();
        if (!command) return false;
        await trx('engine_commands').where({ id: command.id }).delete();
        await this.runCommand(trx, command).catch(async (err) => {
          if (err instanceof AppError && err.status === 409) return; // the target ended meanwhile
          throw err;
        });
        return true;
      });
      if (!done) break;
      ran++;
    }
    return ran;
  }

  private async runCommand(trx: Knex.Transaction, command: { instance_id: string; kind: string; payload: any }): Promise<void> {
    const { payload } = command;
    switch (command.kind) {
      case 'start-child': {
        const parent = await lockInstance(trx, command.instance_id);
        const definition = await this.definitions.latest(payload.processId, undefined, trx).catch(() => null);
        if (!definition || !definition.model.noneStartEvents[0]) {
          const err = new StepError(`被调用的流程 ${payload.processId} 未部署或没有空启动事件 (called process not deployed)`, payload.elementId, 'CALLED_ELEMENT_ERROR');
          await this.runner.recordIncident(trx, parent, err, { kind: 'start-child', ...payload }, SYSTEM, null);
          return;
        }
        await this.createInstance(definition, definition.model.noneStartEvents[0].id, payload.variables, parent.business_key, SYSTEM, { instanceId: parent.id, executionId: payload.executionId }, undefined, trx);
        return;
      }
      case 'complete-call':
        await trx.savepoint(async (sp) => {
          await this.runner.stepIn(sp, command.instance_id, SYSTEM, async (session) => {
            await session.complete(payload.executionId, payload.variables, 'call.completed', { childInstanceId: payload.childInstanceId });
          });
        }).catch(async (err) => {
          if (!(err instanceof StepError)) throw err;
          const row = await lockInstance(trx, command.instance_id);
          await this.runner.recordIncident(trx, row, err, { kind: 'complete-call', ...payload }, SYSTEM, null);
        });
        return;
      case 'correlate-buffered': {
        const message = await trx('messages').where({ id: payload.messageId, state: 'buffered' }).where('expires_at', '>', trx.fn.now()).forUpdate().skipLocked().first();
        if (!message) return;
        await trx
          .savepoint((sp) =>
            this.runner.stepIn(sp, command.instance_id, SYSTEM, async (session, stepTrx, _row, defer) => {
              await session.complete(payload.executionId, message.variables, 'message.correlated', { name: message.name, correlationKey: message.correlation_key, buffered: true });
              defer(stepTrx('message_subscriptions').where({ instance_id: command.instance_id, execution_id: payload.executionId, state: 'open' }).update({ state: 'correlated' }));
              defer(stepTrx('messages').where({ id: message.id }).update({ state: 'correlated', correlated_instance_id: command.instance_id }));
            }),
          )
          .catch(async (err) => {
            if (!(err instanceof StepError)) throw err;
            const row = await lockInstance(trx, command.instance_id);
            await this.runner.recordIncident(trx, row, err, { kind: 'correlate', executionId: payload.executionId, name: message.name, variables: message.variables }, SYSTEM, null);
          });
        return;
      }
      case 'cancel': {
        const row = await lockInstance(trx, command.instance_id);
        await this.cancelInTransaction(trx, row, SYSTEM, 'terminated');
        return;
      }
    }
  }

  // ---- the step ----

  private async findJob(jobKey: string): Promise<{ id: string; instance_id: string; element_id: string; state: string }> {
    const job = await this.db('jobs').select('id', 'instance_id', 'element_id', 'state').where({ id: jobKey }).first();
    if (!job) throw notFound('作业 (job)');
    return job;
  }

  private async findActiveJob(jobKey: string): Promise<{ id: string; instance_id: string; element_id: string }> {
    const job = await this.findJob(jobKey);
    if (!['activated', 'activatable'].includes(job.state)) {
      throw conflict('JOB_NOT_ACTIVE', '作业已完成、已取消或不存在', { jobKey, state: job.state });
    }
    return job;
  }

}

/** A locked job row, refused unless activated by `options.worker` when one is named. */
function lockedBy(job: any, options: JobOutcomeOptions): any {
  if (options.worker !== undefined && (job.state !== 'activated' || job.worker !== options.worker)) throw jobNotLockedBy(job.id, options.worker, job);
  return job;
}

function jobNotLockedBy(jobKey: string, worker: string, job: { state: string; worker: string | null }): AppError {
  return conflict('JOB_NOT_LOCKED_BY_WORKER', '作业已不由该执行器锁定（锁已过期或已交给其他执行器）', { jobKey, worker, state: job.state, lockedBy: job.worker });
}
