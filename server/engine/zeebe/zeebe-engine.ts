// The Zeebe adapter: the same WorkflowEngine as the embedded engine, with a Camunda 8 cluster running
// the diagrams. The cluster is the source of truth for execution; we keep the rows the API, the inbox
// and the audit log read (process_definitions / form_definitions, process_instances with
// engine_state null, user_tasks, incidents, audit_events), written by the commands that go through
// us and by the user-task sync (user-task-sync.ts), which reads the cluster's user tasks (REST v2).
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import { conflict, notFound, validationFailed } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { appendAuditEvents } from '../../repositories/audit-events';
import { BackgroundLoop } from '../embedded/background-loop';
import { DefinitionStore } from '../embedded/definitions';
import { actorLabel } from '../embedded/step-writer';
import type {
  ActivateJobsRequest,
  ActivatedJob,
  Actor,
  DeployResource,
  DeployResult,
  FailJobCommand,
  InstanceSummary,
  PublishMessageCommand,
  PublishMessageResult,
  StartInstanceCommand,
  Variables,
  WorkflowEngine,
} from '../types';
import { asJson, type CamundaRest, type ZeebeGrpc } from './clients';
import { deployToZeebe } from './deployer';
import { fromGrpc, fromUserTaskRest, GRPC, grpcCode, httpStatus } from './errors';
import { INSTANCE_ID_VARIABLE, InstanceKeys } from './instance-keys';
import { mergeVariables, recordErrorThrown, recordJobCompleted, recordJobFailed, type JobRef } from './job-records';
import { UserTaskSync } from './user-task-sync';

export interface ZeebeEngineOptions {
  db: Knex;
  log: Logger;
  grpc: ZeebeGrpc;
  rest: CamundaRest;
  /** how often the cluster's user tasks and instance states are read into our tables */
  taskPollIntervalMs: number;
}

export class ZeebeEngine extends EventEmitter implements WorkflowEngine {
  readonly kind = 'zeebe' as const;
  readonly definitions: DefinitionStore;
  readonly keys: InstanceKeys;
  readonly sync: UserTaskSync;
  private readonly db: Knex;
  private readonly log: Logger;
  private readonly grpc: ZeebeGrpc;
  private readonly rest: CamundaRest;
  private readonly loop: BackgroundLoop;
  /** jobs handed out by activateJobs, so that their outcome can be mirrored (the runtime keeps its own) */
  private readonly activated = new Map<string, JobRef & { retries: number }>();

  constructor(options: ZeebeEngineOptions) {
    super();
    this.db = options.db;
    this.log = options.log.child({ component: 'zeebe-engine' });
    this.grpc = options.grpc;
    this.rest = options.rest;
    this.definitions = new DefinitionStore(this.db);
    this.keys = new InstanceKeys(this.rest);
    this.sync = new UserTaskSync({ db: this.db, rest: this.rest, keys: this.keys, definitions: this.definitions, log: this.log });
    this.loop = new BackgroundLoop('zeebe-sync', options.taskPollIntervalMs, () => this.sync.run(), this.log);
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Reads the cluster's user tasks and instance states now (tests; after a command that opens tasks). */
  syncNow(): void {
    this.loop.wake();
  }

  // ---- deployments ----

  deploy(resources: DeployResource[], actor: Actor): Promise<DeployResult> {
    return deployToZeebe({ db: this.db, grpc: this.grpc, log: this.log }, resources, actor);
  }

  // ---- instances ----

  async startInstance(command: StartInstanceCommand, actor: Actor): Promise<InstanceSummary> {
    const definition = await this.definitions.latest(command.processKey, command.version);
    const start = definition.model.noneStartEvents[0];
    if (!start) throw validationFailed([{ field: 'processKey', message: `流程 ${command.processKey} 没有空启动事件，只能由消息或定时器启动` }]);
    const id = randomUUID();
    const variables = command.variables ?? {};
    const businessKey = command.businessKey ?? null;
    const now = new Date();
    const row = {
      id,
      definition_id: definition.row.id,
      process_id: definition.row.process_id,
      version: definition.row.version,
      business_key: businessKey,
      state: 'active',
      start_event_id: start.id,
      engine_state: null,
      variables: JSON.stringify(variables),
      parent_instance_id: null,
      parent_execution_id: null,
      started_by: actorLabel(actor),
      step_count: 0,
      created_at: now,
      updated_at: now,
    };
    // the row and its first event exist before the command: a job or a task of the instance may
    // reach us before the command's answer does, and the input precedes its outcome in the log
    await this.db.transaction(async (trx) => {
      await trx('process_instances').insert(row);
      await appendAuditEvents(trx, [
        {
          actor: actorLabel(actor),
          kind: 'instance.created',
          instanceId: id,
          elementId: start.id,
          payload: { processId: row.process_id, version: row.version, definitionId: row.definition_id, businessKey, input: variables, engine: 'zeebe' },
        },
      ]);
    });
    try {
      const created = await this.grpc.createProcessInstance({
        bpmnProcessId: definition.row.process_id,
        version: definition.row.version,
        variables: asJson({ ...variables, [INSTANCE_ID_VARIABLE]: id }),
      });
      this.keys.remember(id, String(created.processInstanceKey));
    } catch (err) {
      const error = fromGrpc(err, `流程 ${command.processKey}`);
      // the compensating event: the instance never ran
      await this.db.transaction(async (trx) => {
        await trx('process_instances').where({ id }).update({ state: 'terminated', ended_at: trx.fn.now(), updated_at: trx.fn.now() });
        await appendAuditEvents(trx, [
          { actor: actorLabel(actor), kind: 'instance.create-failed', instanceId: id, elementId: row.process_id, payload: { code: error.code, message: error.message, engine: 'zeebe' } },
        ]);
      });
      throw error;
    }
    this.syncNow();
    return {
      id,
      processId: row.process_id,
      version: row.version,
      deploymentId: row.definition_id,
      businessKey,
      state: 'active',
      variables,
      createdAt: now.toISOString(),
      endedAt: null,
      parentInstanceId: null,
      incidents: 0,
    };
  }

  async cancelInstance(instanceId: string, actor: Actor): Promise<void> {
    const row = await this.db('process_instances').where({ id: instanceId }).first('id', 'state', 'process_id');
    if (!row) throw notFound('流程实例');
    if (row.state !== 'active') throw conflict('INSTANCE_NOT_ACTIVE', '流程实例已结束', { state: row.state });
    const key = (await this.keys.keysOf([instanceId])).get(instanceId);
    if (!key) throw conflict('INSTANCE_NOT_IN_ENGINE', '流程引擎中找不到该实例（可能尚未同步）');
    try {
      await this.grpc.cancelProcessInstance(key);
    } catch (err) {
      // NOT_FOUND: the broker has ended it meanwhile; our row is closed as canceled all the same
      if (grpcCode(err) !== GRPC.NOT_FOUND) throw fromGrpc(err, '流程实例');
    }
    await this.db.transaction(async (trx) => {
      const updated = await trx('process_instances').where({ id: instanceId, state: 'active' }).update({ state: 'canceled', ended_at: trx.fn.now(), updated_at: trx.fn.now() });
      if (!updated) return;
      await trx('user_tasks').where({ instance_id: instanceId, state: 'created' }).update({ state: 'canceled' });
      await trx('incidents').where({ instance_id: instanceId, state: 'active' }).update({ state: 'resolved', resolved_at: trx.fn.now(), resolved_by: actorLabel(actor) });
      await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'instance.canceled', instanceId, elementId: row.process_id, payload: { engine: 'zeebe', processInstanceKey: key } }]);
    });
  }

  // ---- messages ----

  /**
   * Publishes to the cluster. Zeebe answers with the message's key only: which instances took it is
   * the broker's to know (an exporter's `message.correlated`), so `correlated`/`started` stay empty
   * and `bufferedMessageId` is the message key whenever the message has a time to live.
   */
  async publishMessage(command: PublishMessageCommand, actor: Actor): Promise<PublishMessageResult> {
    const correlationKey = command.correlationKey === undefined || command.correlationKey === null ? '' : String(command.correlationKey);
    const timeToLive = Math.max(0, Math.floor(command.timeToLiveMs ?? 0));
    let messageKey: string;
    try {
      const response = await this.grpc.publishMessage({
        name: command.name,
        correlationKey,
        variables: asJson(command.variables ?? {}),
        timeToLive,
        ...(command.messageId ? { messageId: command.messageId } : {}),
      });
      messageKey = String(response.key);
    } catch (err) {
      if (grpcCode(err) === GRPC.ALREADY_EXISTS) throw conflict('MESSAGE_ALREADY_PUBLISHED', `消息 ${command.name}（messageId ${command.messageId}）已在暂存中`);
      throw fromGrpc(err, `消息 ${command.name}`);
    }
    await this.db.transaction((trx) =>
      appendAuditEvents(trx, [
        {
          actor: actorLabel(actor),
          kind: 'message.published',
          payload: { name: command.name, correlationKey: correlationKey || null, timeToLiveMs: timeToLive, messageId: command.messageId ?? null, input: command.variables ?? {}, zeebe: { messageKey } },
        },
      ]),
    );
    this.syncNow();
    return { correlated: [], started: [], bufferedMessageId: timeToLive > 0 ? messageKey : null };
  }

  // ---- user tasks (REST v2) ----

  /**
   * Claims in the cluster and in our row: assignment with allowOverride:false, so of two claims the
   * cluster lets exactly one through; a 409 is TASK_ALREADY_CLAIMED. (The inbox service claims in our
   * row; the cluster learns the assignee at completion at the latest, see completeUserTask.)
   */
  async claimUserTask(taskId: string, assignee: string, actor: Actor): Promise<void> {
    const task = await this.openTask(this.db, taskId);
    if (task.assignee && task.assignee !== assignee) throw conflict('TASK_ALREADY_CLAIMED', `任务已被 ${task.assignee} 认领`, { assignee: task.assignee });
    await this.assignInCluster(task.execution_id, assignee);
    await this.db.transaction(async (trx) => {
      const [claimed] = await trx('user_tasks').where({ id: taskId, state: 'created' }).where((q) => q.whereNull('assignee').orWhere({ assignee })).update({ assignee, claimed_at: trx.fn.now() }).returning('id');
      if (!claimed) throw conflict('TASK_ALREADY_CLAIMED', '任务已被他人认领');
      await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'user-task.claimed', instanceId: task.instance_id, elementId: task.element_id, payload: { taskId, engine: 'zeebe' } }]);
    });
  }

  async unclaimUserTask(taskId: string, actor: Actor): Promise<void> {
    const task = await this.openTask(this.db, taskId);
    try {
      await this.rest.unassignUserTask({ userTaskKey: task.execution_id });
    } catch (err) {
      throw fromUserTaskRest(err);
    }
    await this.db.transaction(async (trx) => {
      await trx('user_tasks').where({ id: taskId, state: 'created' }).update({ assignee: null, claimed_at: null });
      await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'user-task.unclaimed', instanceId: task.instance_id, elementId: task.element_id, payload: { taskId, previousAssignee: task.assignee, engine: 'zeebe' } }]);
    });
  }

  /**
   * Completes through REST v2. With `requireAssignee`, the task is first assigned to that user in the
   * cluster with allowOverride:false: a task someone else holds there (claimed in Tasklist, or by
   * another server) is refused with 409 TASK_ALREADY_CLAIMED instead of being completed over them.
   * Our row is locked meanwhile, so two completions through us are serialized.
   */
  async completeUserTask(taskId: string, variables: Variables, actor: Actor, options: { requireAssignee?: string } = {}): Promise<void> {
    await this.db.transaction(async (trx) => {
      const task = await this.openTask(trx, taskId, true);
      if (options.requireAssignee !== undefined && task.assignee !== options.requireAssignee) {
        throw conflict('TASK_NOT_ASSIGNED_TO_YOU', '任务已不由你办理', { assignee: task.assignee });
      }
      if (options.requireAssignee !== undefined) await this.assignInCluster(task.execution_id, options.requireAssignee);
      try {
        await this.rest.completeUserTask({ userTaskKey: task.execution_id, variables, action: 'complete' });
      } catch (err) {
        throw fromUserTaskRest(err);
      }
      // the cluster has taken it: our row, the case's variables and the submission, in one commit
      await trx('user_tasks').where({ id: taskId }).update({ state: 'completed', completed_at: trx.fn.now(), completed_by: actor.id });
      await mergeVariables(trx, task.instance_id, variables);
      await appendAuditEvents(trx, [
        { actor: actorLabel(actor), kind: 'user-task.completed', instanceId: task.instance_id, elementId: task.element_id, payload: { taskId, input: variables, engine: 'zeebe', userTaskKey: task.execution_id } },
      ]);
    });
    this.syncNow();
  }

  private async openTask(db: Knex, taskId: string, forUpdate = false): Promise<{ id: string; instance_id: string; element_id: string; execution_id: string; assignee: string | null }> {
    const query = db('user_tasks').where({ id: taskId }).first('id', 'instance_id', 'element_id', 'execution_id', 'assignee', 'state');
    const task = await (forUpdate ? query.forUpdate() : query);
    if (!task) throw notFound('任务');
    if (task.state !== 'created') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: task.state });
    return task;
  }

  /** Assigns in the cluster without taking it from anyone; already assigned to `assignee` is fine. */
  private async assignInCluster(userTaskKey: string, assignee: string): Promise<void> {
    try {
      await this.rest.assignUserTask({ userTaskKey, assignee, allowOverride: false, action: 'claim' });
    } catch (err) {
      if (httpStatus(err) !== 409) throw fromUserTaskRest(err);
      const current = await this.rest.getUserTask(userTaskKey).catch(() => undefined);
      if (current?.state && current.state !== 'CREATED') throw conflict('TASK_NOT_ACTIVE', '任务已完成或已取消', { state: current.state });
      if (current?.assignee === assignee) return;
      throw conflict('TASK_ALREADY_CLAIMED', current?.assignee ? `任务已被 ${current.assignee} 认领` : '任务已被他人认领', { assignee: current?.assignee ?? null });
    }
  }

  // ---- jobs (the WorkflowEngine's pull API; the Zeebe workers runtime uses the SDK's job workers) ----

  async activateJobs(request: ActivateJobsRequest): Promise<ActivatedJob[]> {
    const jobs: ActivatedJob[] = [];
    for (const type of request.types) {
      const room = request.maxJobs - jobs.length;
      if (room <= 0) break;
      const batch = await this.grpc
        .activateJobs({ type, worker: request.worker, maxJobsToActivate: room, timeout: request.timeoutMs, requestTimeout: -1 })
        .catch((err: unknown) => {
          throw fromGrpc(err, '作业');
        });
      for (const job of batch) {
        const activated = toActivatedJob(job);
        this.activated.set(activated.key, { key: activated.key, type, instanceId: activated.instanceId, elementId: activated.elementId, worker: request.worker, retries: activated.retries });
        jobs.push(activated);
      }
    }
    return jobs;
  }

  async completeJob(jobKey: string, variables: Variables, _actor: Actor): Promise<void> {
    await this.grpc.completeJob({ jobKey, variables: asJson(variables) }).catch((err: unknown) => {
      throw fromGrpc(err, '作业 (job)');
    });
    const job = this.activated.get(jobKey);
    this.activated.delete(jobKey);
    if (job) await recordJobCompleted(this.db, job, variables);
  }

  async failJob(jobKey: string, command: FailJobCommand, _actor: Actor): Promise<void> {
    const retries = Math.max(0, Math.floor(command.retries));
    await this.grpc.failJob({ jobKey, retries, errorMessage: command.errorMessage, retryBackOff: Math.max(0, command.retryBackoffMs ?? 0) }).catch((err: unknown) => {
      throw fromGrpc(err, '作业 (job)');
    });
    const job = this.activated.get(jobKey);
    this.activated.delete(jobKey);
    if (job) await recordJobFailed(this.db, job, retries, command.errorMessage, this.log);
  }

  async throwError(jobKey: string, errorCode: string, errorMessage: string, variables: Variables, _actor: Actor): Promise<void> {
    await this.grpc.throwError({ jobKey, errorCode, errorMessage, variables: asJson(variables) }).catch((err: unknown) => {
      throw fromGrpc(err, '作业 (job)');
    });
    const job = this.activated.get(jobKey);
    this.activated.delete(jobKey);
    if (job) await recordErrorThrown(this.db, job, errorCode, errorMessage, variables);
  }

  async extendJobLock(jobKey: string, _worker: string, timeoutMs: number, _actor: Actor): Promise<void> {
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw validationFailed([{ field: 'timeoutMs', message: '锁定时长必须是正整数（毫秒）' }]);
    await this.grpc.updateJobTimeout({ jobKey, timeout: timeoutMs }).catch((err: unknown) => {
      throw fromGrpc(err, '作业 (job)');
    });
  }

  /** Zeebe has no "give back": a fail with the retries unchanged and no backoff makes it activatable at once. */
  async unlockJob(jobKey: string, _actor: Actor): Promise<void> {
    const job = this.activated.get(jobKey);
    if (!job) throw conflict('JOB_NOT_ACTIVE', '作业不是由本服务激活的，无法交回');
    await this.grpc.failJob({ jobKey, retries: job.retries, errorMessage: 'unlocked', retryBackOff: 0 }).catch((err: unknown) => {
      throw fromGrpc(err, '作业 (job)');
    });
    this.activated.delete(jobKey);
  }

  async updateJobRetries(jobKey: string, retries: number, actor: Actor): Promise<void> {
    if (!Number.isInteger(retries) || retries < 0) throw validationFailed([{ field: 'retries', message: '重试次数必须是非负整数' }]);
    await this.grpc.updateJobRetries({ jobKey, retries }).catch((err: unknown) => {
      throw fromGrpc(err, '作业 (job)');
    });
    const incident = await this.db('incidents').whereRaw(`command->>'jobKey' = ?`, [jobKey]).orderBy('created_at', 'desc').first('instance_id', 'element_id');
    await this.db.transaction((trx) =>
      appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'job.retries-updated', instanceId: incident?.instance_id ?? null, elementId: incident?.element_id ?? null, payload: { jobKey, retries, engine: 'zeebe' } }]),
    );
  }

  /**
   * Resolves our incident row and the cluster's incident of the same job (found by REST v2 incident
   * search). As in Operate, a job incident needs its retries raised first, or the broker raises a new one.
   */
  async resolveIncident(incidentId: string, actor: Actor): Promise<void> {
    const incident = await this.db('incidents').where({ id: incidentId }).first();
    if (!incident) throw notFound('事件 (incident)');
    if (incident.state !== 'active') throw conflict('INCIDENT_NOT_ACTIVE', '该故障已解决');
    const jobKey = (incident.command as { jobKey?: string } | null)?.jobKey;
    if (jobKey) {
      const found = await this.rest.searchIncidents({ filter: { jobKey, state: 'ACTIVE' } as never, page: { from: 0, limit: 10 } }).catch((err: unknown) => {
        throw fromUserTaskRest(err);
      });
      for (const item of found.items ?? []) {
        await this.grpc.resolveIncident({ incidentKey: String(item.incidentKey) }).catch((err: unknown) => {
          if (grpcCode(err) !== GRPC.NOT_FOUND) throw fromGrpc(err, '故障');
        });
      }
    }
    await this.db.transaction(async (trx) => {
      await trx('incidents').where({ id: incidentId }).update({ state: 'resolved', resolved_at: trx.fn.now(), resolved_by: actorLabel(actor) });
      await appendAuditEvents(trx, [{ actor: actorLabel(actor), kind: 'incident.resolved', instanceId: incident.instance_id, elementId: incident.element_id, payload: { incidentId, engine: 'zeebe' } }]);
    });
  }
}

/** A Zeebe job as the engine interface hands jobs out: our instance id from the variable we set at creation. */
export function toActivatedJob(job: {
  key: string;
  type: string;
  processInstanceKey: string;
  bpmnProcessId: string;
  elementId: string;
  retries: number;
  deadline: string | number;
  customHeaders: unknown;
  variables: unknown;
}): ActivatedJob {
  const { [INSTANCE_ID_VARIABLE]: ours, ...variables } = (job.variables ?? {}) as Variables;
  return {
    key: String(job.key),
    type: job.type,
    instanceId: typeof ours === 'string' ? ours : String(job.processInstanceKey),
    processId: job.bpmnProcessId,
    elementId: job.elementId,
    retries: Number(job.retries),
    deadline: new Date(Number(job.deadline)).toISOString(),
    customHeaders: (job.customHeaders ?? {}) as Record<string, string>,
    variables,
  };
}

