// Binds handlers to the embedded engine in the server's own process: takes the jobs of the
// registered types that the engine hands it as the steps creating them commit, activates the others
// (woken at once when a step creates jobs; a retry, another process's), runs the handler, reports
// the outcome.
import type { Logger } from '../../server/core/logger';
import type { HandedJob, LocalWorkerBinding } from '../../server/engine/embedded/local-jobs';
import type { ActivatedJob, Actor, WorkflowEngine } from '../../server/engine/types';
import { runHandler, type JobHandler } from '../job';

/** The embedded engine's side of handing jobs to this worker as they are created. */
export interface LocalJobSource {
  attachLocalWorker(worker: LocalWorkerBinding | null): void;
}

export interface InProcessWorkerOptions {
  engine: WorkflowEngine & { on?(event: 'jobs', listener: () => void): unknown; off?(event: 'jobs', listener: () => void): unknown } & Partial<LocalJobSource>;
  handlers: Map<string, JobHandler<any>>;
  log: Logger;
  workerName?: string;
  maxConcurrent?: number;
  pollIntervalMs?: number;
  jobTimeoutMs?: number;
}

export interface RunningWorkers {
  stop(): Promise<void>;
  /** resolves when no job is running and none was activatable at the last look (tests, shutdown) */
  idle(): Promise<void>;
}

export function startInProcessWorkers(options: InProcessWorkerOptions): RunningWorkers {
  const { engine, handlers, log } = options;
  const worker = options.workerName ?? `in-process-${process.pid}`;
  const actor: Actor = { kind: 'worker', id: worker };
  const maxConcurrent = options.maxConcurrent ?? 8;
  const types = [...handlers.keys()];
  const running = new Set<Promise<void>>();
  /** handed jobs waiting for a free slot: at most as many again as run at once */
  const queue: HandedJob[] = [];
  const timeoutMs = options.jobTimeoutMs ?? 60_000;
  let stopped = false;
  let polling = false;
  let pollAgain = false;
  /** jobs may be waiting that a poll left for lack of room: poll again as soon as a job finishes */
  let backlog = false;
  let timer: NodeJS.Timeout | null = null;
  let idleWaiters: (() => void)[] = [];

  const wake = () => void poll();
  engine.on?.('jobs', wake);
  engine.attachLocalWorker?.({
    worker,
    timeoutMs,
    takes: (type) => !stopped && handlers.has(type) && running.size + queue.length < 2 * maxConcurrent,
    deliver(jobs) {
      if (stopped) return void giveBack(jobs);
      queue.push(...jobs);
      drain();
    },
  });

  function drain(): void {
    while (queue.length && running.size < maxConcurrent && !stopped) track(execute(queue.shift()!));
  }

  /** Handed jobs this worker will not run: activatable again at once (not after their deadline). */
  async function giveBack(jobs: HandedJob[]): Promise<void> {
    for (const job of jobs) await engine.unlockJob(job.key, actor).catch((err: Error) => log.warn({ jobKey: job.key, err: err.message }, 'handed job not given back'));
  }

  async function poll(): Promise<void> {
    if (stopped || !types.length) return;
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    try {
      do {
        pollAgain = false;
        backlog = false;
        const capacity = maxConcurrent - running.size - queue.length;
        if (capacity <= 0) {
          backlog = true;
          break;
        }
        const jobs = await engine.activateJobs({ types, worker, maxJobs: capacity, timeoutMs });
        for (const job of jobs) track(execute(job));
        if (jobs.length === capacity) pollAgain = true;
      } while (pollAgain && !stopped);
    } catch (err) {
      log.error({ err }, 'job activation failed');
    } finally {
      polling = false;
      if (!running.size && !queue.length) notifyIdle();
      schedule();
    }
  }

  function schedule(): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(wake, options.pollIntervalMs ?? 200);
  }

  function track(work: Promise<void>): void {
    running.add(work);
    // a finished job polls only when jobs were left waiting for room: new jobs of this process
    // announce themselves ('jobs'), those of other processes are found by the periodic poll
    void work.finally(() => {
      running.delete(work);
      drain();
      if (backlog) void poll();
      else if (!running.size && !queue.length && !polling) notifyIdle();
    });
  }

  async function execute({ handoff, ...job }: ActivatedJob & { handoff?: unknown }): Promise<void> {
    const jobLog = log.child({ jobType: job.type, jobKey: job.key, instanceId: job.instanceId, elementId: job.elementId });
    const handler = handlers.get(job.type)!;
    const outcome = await runHandler(handler, { ...job, log: jobLog });
    try {
      switch (outcome.outcome) {
        case 'complete':
          return await engine.completeJob(job.key, outcome.variables, actor, { handoff });
        case 'bpmnError':
          return await engine.throwError(job.key, outcome.code, outcome.message, outcome.variables, actor);
        case 'fail':
          return await engine.failJob(job.key, { retries: outcome.retries ?? job.retries - 1, errorMessage: outcome.message, retryBackoffMs: outcome.backoffMs }, actor);
      }
    } catch (err) {
      // the job was canceled or completed elsewhere meanwhile, or the step failed: the engine decides
      jobLog.warn({ err: (err as Error).message }, 'job outcome not accepted');
    }
  }

  function notifyIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  void poll();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      engine.off?.('jobs', wake);
      engine.attachLocalWorker?.(null);
      await Promise.allSettled([giveBack(queue.splice(0)), ...running]);
    },
    idle() {
      if (!running.size && !queue.length && !polling) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
