// The Camunda-7 external-task API on our engine: fetch-and-lock with long polling, complete, failure,
// BPMN error, extend lock, unlock — what camunda-external-task-client-js (and Operaton's client) call.
// A task id is a job key; a topic is a job type; the lock is the job's deadline; a worker is the
// calling account and the client's workerId together, so two accounts never share a lock.
import { AppError, isAppError, isUuid, validationFailed } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ActivatedJob, Actor, Variables, WorkflowEngine } from '../engine/types';

/** A variable as Camunda 7 writes it: `{ value, type, valueInfo }` (Json values are JSON text). */
export interface TypedValue {
  value: unknown;
  type?: string;
  valueInfo?: Record<string, unknown>;
}
export type TypedVariables = Record<string, TypedValue>;

export interface FetchTopic {
  topicName: string;
  /** ms; the job's deadline is now + lockDuration */
  lockDuration: number;
  /** the variables to return; all when absent or null */
  variables?: string[] | null;
  localVariables?: boolean;
}

export interface FetchAndLockRequest {
  workerId: string;
  maxTasks: number;
  usePriority?: boolean;
  /** ms to hold the request while no task is there (long polling); 0 or absent answers at once */
  asyncResponseTimeout?: number;
  topics: FetchTopic[];
}

/** One locked task as Camunda 7's fetchAndLock returns it. */
export interface LockedExternalTask {
  id: string;
  topicName: string;
  workerId: string;
  lockExpirationTime: string;
  processInstanceId: string;
  processDefinitionId: string | null;
  processDefinitionKey: string;
  processDefinitionVersionTag: null;
  activityId: string;
  activityInstanceId: null;
  executionId: null;
  retries: number;
  errorMessage: null;
  errorDetails: null;
  priority: number;
  businessKey: null;
  tenantId: null;
  suspended: false;
  createTime: null;
  /** the job's task headers (Camunda's extension properties) */
  extensionProperties: Record<string, string>;
  variables: TypedVariables;
}

/** Who calls: the authenticated worker account. */
export interface ExternalTaskCaller {
  username: string;
}

export interface CompleteRequest {
  workerId: string;
  variables?: TypedVariables;
  localVariables?: TypedVariables;
}

export interface FailureRequest {
  workerId: string;
  errorMessage?: string;
  errorDetails?: string;
  retries?: number;
  retryTimeout?: number;
}

export interface BpmnErrorRequest {
  workerId: string;
  errorCode: string;
  errorMessage?: string;
  variables?: TypedVariables;
}

export interface ExtendLockRequest {
  workerId: string;
  newDuration: number;
}

export interface ExternalTaskService {
  /** Locks up to maxTasks tasks of the topics; with asyncResponseTimeout waits for one until then (or until `signal` aborts). */
  fetchAndLock(caller: ExternalTaskCaller, request: FetchAndLockRequest, signal?: AbortSignal): Promise<LockedExternalTask[]>;
  complete(caller: ExternalTaskCaller, taskId: string, request: CompleteRequest): Promise<void>;
  handleFailure(caller: ExternalTaskCaller, taskId: string, request: FailureRequest): Promise<void>;
  handleBpmnError(caller: ExternalTaskCaller, taskId: string, request: BpmnErrorRequest): Promise<void>;
  extendLock(caller: ExternalTaskCaller, taskId: string, request: ExtendLockRequest): Promise<void>;
  unlock(caller: ExternalTaskCaller, taskId: string): Promise<void>;
  /** Detaches from the engine's job announcements; waiting fetches answer at once. */
  close(): void;
}

type EngineWithJobEvents = WorkflowEngine & {
  on?(event: 'jobs', listener: () => void): unknown;
  off?(event: 'jobs', listener: () => void): unknown;
};

export interface ExternalTaskServiceDeps {
  engine: EngineWithJobEvents;
  log: Logger;
  /**
   * A waiting fetch looks again this often even when this process announced no new job: jobs of
   * other server processes, locks that expired, retries whose backoff passed. Default 1000 ms.
   */
  recheckIntervalMs?: number;
}

/** Camunda's limit on asyncResponseTimeout (30 minutes). */
export const MAX_ASYNC_RESPONSE_TIMEOUT_MS = 1_800_000;

const GONE_CODES = new Set(['NOT_FOUND', 'JOB_NOT_ACTIVE', 'JOB_NOT_LOCKED_BY_WORKER', 'INSTANCE_NOT_ACTIVE', 'ELEMENT_NOT_WAITING']);

/** 404: the task does not exist (any more), or its lock is no longer this worker's. */
export function externalTaskNotFound(taskId: string, workerId?: string): AppError {
  const locked = workerId === undefined ? '' : `，或已不由执行器 ${workerId} 锁定`;
  return new AppError(404, 'NOT_FOUND', `外部任务 ${taskId} 不存在${locked} (External task ${taskId} does not exist${workerId === undefined ? '' : ` or is not locked by worker ${workerId}`})`);
}

export function createExternalTaskService(deps: ExternalTaskServiceDeps): ExternalTaskService {
  const { engine, log } = deps;
  const recheckMs = deps.recheckIntervalMs ?? 1000;
  // one listener on the engine, however many fetches wait (an EventEmitter warns past ten)
  const waiters = new Set<() => void>();
  const announce = () => {
    for (const wake of [...waiters]) wake();
  };
  engine.on?.('jobs', announce);

  const workerOf = (caller: ExternalTaskCaller, workerId: string) => `${caller.username}/${workerId}`;
  const actorOf = (caller: ExternalTaskCaller, workerId: string): Actor => ({ kind: 'worker', id: workerOf(caller, workerId) });

  /** Runs a command on one task; the task being gone or locked by another answers 404. */
  async function onTask(taskId: string, workerId: string | undefined, command: () => Promise<void>): Promise<void> {
    if (!isUuid(taskId)) throw externalTaskNotFound(taskId, workerId);
    try {
      await command();
    } catch (err) {
      if (isAppError(err) && GONE_CODES.has(err.code)) throw externalTaskNotFound(taskId, workerId);
      throw err;
    }
  }

  /** One look: locks what there is, topics with the same lock duration in one activation (oldest first). */
  async function lockTasks(request: FetchAndLockRequest, worker: string): Promise<LockedExternalTask[]> {
    const byDuration = new Map<number, FetchTopic[]>();
    for (const topic of request.topics) byDuration.set(topic.lockDuration, [...(byDuration.get(topic.lockDuration) ?? []), topic]);
    const tasks: LockedExternalTask[] = [];
    for (const [lockDuration, topics] of byDuration) {
      const maxJobs = request.maxTasks - tasks.length;
      if (maxJobs <= 0) break;
      const jobs = await engine.activateJobs({ types: topics.map((t) => t.topicName), worker, maxJobs, timeoutMs: lockDuration });
      for (const job of jobs) tasks.push(toExternalTask(job, topics.find((t) => t.topicName === job.type)!, request.workerId));
    }
    return tasks;
  }

  /** Resolves at the next job announcement, after `ms`, or when the signal aborts. */
  function nextChance(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  return {
    async fetchAndLock(caller, request, signal) {
      checkFetch(request);
      const worker = workerOf(caller, request.workerId);
      const until = Date.now() + (request.asyncResponseTimeout ?? 0);
      let announced = false;
      const mark = () => {
        announced = true;
      };
      waiters.add(mark);
      try {
        for (;;) {
          announced = false;
          const tasks = await lockTasks(request, worker);
          if (signal?.aborted) {
            // the client went away while we locked: give the tasks back instead of letting them wait out the lock
            await Promise.allSettled(tasks.map((t) => engine.unlockJob(t.id, actorOf(caller, request.workerId))));
            return [];
          }
          if (tasks.length) return tasks;
          const remaining = until - Date.now();
          if (remaining <= 0) return [];
          if (!announced) await nextChance(Math.min(remaining, recheckMs), signal);
          if (signal?.aborted) return [];
        }
      } finally {
        waiters.delete(mark);
      }
    },

    async complete(caller, taskId, request) {
      const variables = { ...fromTypedVariables(request.localVariables, 'localVariables'), ...fromTypedVariables(request.variables, 'variables') };
      await onTask(taskId, request.workerId, () => engine.completeJob(taskId, variables, actorOf(caller, request.workerId), { worker: workerOf(caller, request.workerId) }));
    },

    async handleFailure(caller, taskId, request) {
      const message = request.errorMessage ?? '外部任务失败 (external task failure)';
      if (request.errorDetails) log.info({ taskId, errorDetailsLength: request.errorDetails.length }, 'external task failure details not kept');
      await onTask(taskId, request.workerId, () =>
        engine.failJob(
          taskId,
          // Camunda 7: retries absent means 0, an incident
          { retries: request.retries ?? 0, errorMessage: message, retryBackoffMs: request.retryTimeout ?? 0 },
          actorOf(caller, request.workerId),
          { worker: workerOf(caller, request.workerId) },
        ),
      );
    },

    async handleBpmnError(caller, taskId, request) {
      const variables = fromTypedVariables(request.variables, 'variables');
      await onTask(taskId, request.workerId, () =>
        engine.throwError(taskId, request.errorCode, request.errorMessage ?? '', variables, actorOf(caller, request.workerId), { worker: workerOf(caller, request.workerId) }),
      );
    },

    async extendLock(caller, taskId, request) {
      await onTask(taskId, request.workerId, () => engine.extendJobLock(taskId, workerOf(caller, request.workerId), request.newDuration, actorOf(caller, request.workerId)));
    },

    async unlock(caller, taskId) {
      await onTask(taskId, undefined, () => engine.unlockJob(taskId, { kind: 'worker', id: caller.username }));
    },

    close() {
      engine.off?.('jobs', announce);
      announce();
    },
  };
}

function checkFetch(request: FetchAndLockRequest): void {
  const names = request.topics.map((t) => t.topicName);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length) throw validationFailed([{ field: '/topics', message: `主题重复：${[...new Set(twice)].join('、')}` }]);
}

// ---- variables: Camunda 7 typed values ↔ plain JSON ----

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Camunda's date format: yyyy-MM-dd'T'HH:mm:ss.SSSZ ('+0000', not 'Z'). */
export function camundaDate(date: Date | string): string {
  return new Date(date).toISOString().replace(/Z$/, '+0000');
}

/** A plain value as Camunda 7 types it: String, Integer, Long, Double, Boolean, Json, Null. */
export function toTypedValue(value: unknown): TypedValue {
  if (value === null || value === undefined) return { value: null, type: 'Null', valueInfo: {} };
  switch (typeof value) {
    case 'string':
      return { value, type: 'String', valueInfo: {} };
    case 'boolean':
      return { value, type: 'Boolean', valueInfo: {} };
    case 'number':
      if (Number.isInteger(value)) return { value, type: value >= INT32_MIN && value <= INT32_MAX ? 'Integer' : 'Long', valueInfo: {} };
      return { value, type: 'Double', valueInfo: {} };
    default:
      return { value: JSON.stringify(value), type: 'Json', valueInfo: {} };
  }
}

export function toTypedVariables(variables: Variables, names?: readonly string[] | null): TypedVariables {
  const typed: TypedVariables = {};
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (names && !names.includes(name)) continue;
    typed[name] = toTypedValue(value);
  }
  return typed;
}

/** A typed value as a plain JSON value; 400 for types that have none here (Bytes, File, Java objects). */
export function fromTypedValue(typed: TypedValue, field: string): unknown {
  const { value } = typed;
  const type = (typed.type ?? '').toLowerCase();
  const bad = (message: string) => validationFailed([{ field, message }]);
  switch (type) {
    case '':
      return value ?? null;
    case 'null':
      return null;
    case 'string':
      if (value === null || value === undefined) return null;
      if (typeof value !== 'string') throw bad('String 类型的值应为字符串');
      return value;
    case 'boolean':
      if (value === null || value === undefined) return null;
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad('Boolean 类型的值应为 true 或 false');
    case 'integer':
    case 'long':
    case 'short':
    case 'double': {
      if (value === null || value === undefined) return null;
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n) || (type !== 'double' && !Number.isInteger(n))) throw bad(`${typed.type} 类型的值应为数字`);
      return n;
    }
    case 'date': {
      if (value === null || value === undefined) return null;
      const parsed = typeof value === 'string' ? new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : new Date(NaN);
      if (Number.isNaN(parsed.getTime())) throw bad('Date 类型的值应为 yyyy-MM-ddTHH:mm:ss.SSSZ');
      return parsed.toISOString();
    }
    case 'json':
      return parseJson(value, bad);
    case 'object':
      // a Camunda object variable serialized as JSON is JSON; Java serialization has no meaning here
      if (String(typed.valueInfo?.serializationDataFormat ?? '').startsWith('application/json')) return parseJson(value, bad);
      throw bad('Object 类型只支持 serializationDataFormat application/json');
    default:
      throw bad(`不支持的变量类型 ${typed.type}（支持 String、Integer、Long、Short、Double、Boolean、Date、Json、Null）`);
  }
}

function parseJson(value: unknown, bad: (message: string) => AppError): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    throw bad('Json 类型的值不是有效的 JSON 文本');
  }
}

export function fromTypedVariables(typed: TypedVariables | undefined, field: string): Variables {
  const plain: Variables = {};
  for (const [name, value] of Object.entries(typed ?? {})) plain[name] = fromTypedValue(value, `/${field}/${name}`);
  return plain;
}

function toExternalTask(job: ActivatedJob, topic: FetchTopic, workerId: string): LockedExternalTask {
  return {
    id: job.key,
    topicName: job.type,
    workerId,
    lockExpirationTime: camundaDate(job.deadline),
    processInstanceId: job.instanceId,
    processDefinitionId: null,
    processDefinitionKey: job.processId,
    processDefinitionVersionTag: null,
    activityId: job.elementId,
    activityInstanceId: null,
    executionId: null,
    retries: job.retries,
    errorMessage: null,
    errorDetails: null,
    priority: 0,
    businessKey: null,
    tenantId: null,
    suspended: false,
    createTime: null,
    extensionProperties: job.customHeaders ?? {},
    variables: toTypedVariables(job.variables, topic.variables),
  };
}
