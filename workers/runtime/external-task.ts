// Binds handlers to an engine over the Camunda-7 external-task REST API with the real
// camunda-external-task-client-js: one topic per job type, long polling, typed variables converted
// to plain values for the handler and back, the outcome reported as complete / BPMN error / failure.
// Runs against our /engine-rest (the embedded engine) or any Camunda 7 / Operaton engine.
import { hostname } from 'node:os';
import { BasicAuthInterceptor, Client, Variables, type Interceptor, type Task, type TaskService } from 'camunda-external-task-client-js';
import type { Logger } from '../../server/core/logger';
import { runHandler, type JobHandler, type JobOutcome } from '../job';

export interface ExternalTaskWorkerOptions {
  /** the engine's REST root, e.g. http://localhost:3000/engine-rest */
  baseUrl: string;
  /** a worker account (HTTP Basic) */
  username: string;
  password: string;
  handlers: Map<string, JobHandler<any>>;
  log: Logger;
  /** default `<host>-<pid>`; the lock of a task is this worker's */
  workerId?: string;
  /** tasks locked per poll and worked on at once (default 8) */
  maxTasks?: number;
  /** how long a task stays locked to this worker; a worker that dies frees its tasks after this (default 60 s) */
  lockDurationMs?: number;
  /** how long a poll waits on the server for a task (long polling; default 20 s) */
  asyncResponseTimeoutMs?: number;
  /** pause between polls (default 200 ms) */
  intervalMs?: number;
}

export interface RunningExternalTaskWorkers {
  readonly workerId: string;
  /** Stops polling (a waiting poll is cut, and what it had locked goes back), and waits for the handlers at work. */
  stop(): Promise<void>;
}

export function startExternalTaskWorkers(options: ExternalTaskWorkerOptions): RunningExternalTaskWorkers {
  const { handlers, log } = options;
  const workerId = options.workerId ?? `${hostname()}-${process.pid}`;
  const maxTasks = options.maxTasks ?? 8;
  const stopPolling = new AbortController();
  const running = new Set<Promise<void>>();
  let stopping = false;
  let pollFailing = false;

  const basicAuth = new BasicAuthInterceptor({ username: options.username, password: options.password }) as unknown as Interceptor;
  // fetchAndLock (the only request with topics) carries a signal, so that stop() cuts a long poll short
  const cutOnStop: Interceptor = (config) => (config.json?.topics ? { ...config, signal: stopPolling.signal } : config);
  const client = new Client({
    baseUrl: options.baseUrl,
    workerId,
    maxTasks,
    maxParallelExecutions: maxTasks,
    lockDuration: options.lockDurationMs ?? 60_000,
    asyncResponseTimeout: options.asyncResponseTimeoutMs ?? 20_000,
    interval: options.intervalMs ?? 200,
    usePriority: false,
    autoPoll: false,
    interceptors: [basicAuth, cutOnStop],
  });

  client.on('poll:success', () => {
    if (pollFailing) log.info('engine reachable again');
    pollFailing = false;
  });
  client.on('poll:error', (err: Error) => {
    if (stopping) return;
    // once per outage, not every interval
    if (!pollFailing) log.warn({ err: err.message }, 'fetch-and-lock failed; polling on');
    pollFailing = true;
  });

  for (const [jobType, handler] of handlers) {
    client.subscribe(jobType, async ({ task, taskService }) => {
      if (stopping) {
        // locked in the moment stop() began: handed back rather than left to wait out its lock
        await taskService.unlock(task).catch((err: Error) => log.warn({ err: err.message, jobKey: task.id }, 'could not unlock a task on stop'));
        return;
      }
      const work = execute(handler, task, taskService);
      running.add(work);
      await work.finally(() => running.delete(work));
    });
  }

  async function execute(handler: JobHandler<any>, task: Task, taskService: TaskService): Promise<void> {
    const jobLog = log.child({ jobType: task.topicName, jobKey: task.id, instanceId: task.processInstanceId, elementId: task.activityId });
    const retries = task.retries ?? 3;
    const outcome: JobOutcome = await runHandler(handler, {
      key: task.id,
      type: task.topicName,
      instanceId: task.processInstanceId,
      processId: task.processDefinitionKey,
      elementId: task.activityId,
      retries,
      customHeaders: task.extensionProperties ?? {},
      variables: plainVariables(task.variables.getAll()),
      log: jobLog,
    });
    try {
      switch (outcome.outcome) {
        case 'complete':
          return await taskService.complete(task, typedVariables(outcome.variables));
        case 'bpmnError':
          return await taskService.handleBpmnError(task, outcome.code, outcome.message, typedVariables(outcome.variables));
        case 'fail':
          return await taskService.handleFailure(task, { errorMessage: outcome.message, retries: outcome.retries ?? Math.max(0, retries - 1), retryTimeout: outcome.backoffMs ?? 0 });
      }
    } catch (err) {
      // the lock expired and the task went to another worker, or the instance moved on: the engine decides
      jobLog.warn({ err: (err as Error).message }, 'job outcome not accepted');
    }
  }

  client.start();
  log.info({ workerId, baseUrl: options.baseUrl, topics: handlers.size }, 'external-task workers polling');

  return {
    workerId,
    async stop() {
      if (stopping) return;
      stopping = true;
      client.stop();
      stopPolling.abort();
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}

/** The client's values (Json parsed, Date as Date) as the JSON the in-process handlers see. */
function plainVariables(values: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) plain[name] = value instanceof Date ? value.toISOString() : value;
  return plain;
}

/** Plain values as Camunda typed values (objects and arrays as Json); undefined is left out, as JSON would. */
function typedVariables(values: Record<string, unknown>): Variables {
  const typed = new Variables();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) typed.set(name, value);
  return typed;
}
