// Binds the handlers of workers/registry.ts to a Zeebe cluster: one job worker per job type, with the
// SDK's streaming job worker (StreamActivatedJobs, plus its ActivateJobs back-fill poll) or, with
// mode 'poll', its long-polling worker (ActivateJobs). A handler's outcome maps as in the embedded
// engine: complete → CompleteJob; bpmnError → ThrowError (an error boundary catches it, else the
// broker raises an incident); fail → FailJob with the retries left and the backoff (retryBackOff),
// and a thrown error is a fail with one retry fewer; 0 retries → the broker raises an incident.
//
// The command is sent with the client directly and the SDK's job object is then only released
// (job.forward()): the SDK's own job.error() swallows a refused command, and we write our records
// (job-records.ts) only for what the broker accepted.
//
// Stream mode runs its own recurring back-fill poll instead of the SDK's (streamJobs with
// pollInterval 0): the SDK's stream close() clears only a pending timer, so a poll in flight at that
// moment schedules the next one and the stopped worker goes on activating jobs of its types for as
// long as the process lives. Ours stops: stop() ends the loop, waits for a poll in flight (its jobs
// are handled, they are activated for us), then closes the streams and waits for the handlers.
//
// Closing a stream cancels the StreamActivatedJobs call, and the SDK prints the resulting
// "1 CANCELLED: Cancelled on client" with console.error whatever the log level (ZBStreamWorker's
// stream 'error' listener; grpc-js emits 'error' for every non-OK status, its own cancel included).
// No order of ours avoids it: every close path (the stream's close(), the client's close()) cancels
// the call, and the SDK gives no access to the stream to cancel it quietly. Only a stream the
// gateway ended first closes silently.
import type { Knex } from 'knex';
import type { Logger } from '../../server/core/logger';
import { asJson, type ZeebeGrpc } from '../../server/engine/zeebe/clients';
import { recordErrorThrown, recordJobCompleted, recordJobFailed, type JobRef } from '../../server/engine/zeebe/job-records';
import { toActivatedJob } from '../../server/engine/zeebe/zeebe-engine';
import { runHandler, type JobHandler } from '../job';
import type { RunningWorkers } from './in-process';

export interface ZeebeWorkerOptions {
  grpc: ZeebeGrpc;
  db: Knex;
  handlers: Map<string, JobHandler<any>>;
  log: Logger;
  workerName?: string;
  /** 'stream' (default): jobs are pushed as the broker creates them; 'poll': long-polling ActivateJobs */
  mode?: 'stream' | 'poll';
  /** per job type, how many jobs run at once (poll mode) or are fetched per back-fill poll (stream mode) */
  maxJobsToActivate?: number;
  /** how long a job is ours before the broker hands it to another worker */
  jobTimeoutMs?: number;
  /** poll mode: pause between long polls; stream mode: the back-fill poll's interval */
  pollIntervalMs?: number;
}

type SdkJob = Parameters<Parameters<ZeebeGrpc['createWorker']>[0]['taskHandler']>[0];

export function startZeebeWorkers(options: ZeebeWorkerOptions): RunningWorkers {
  const { grpc, db, handlers, log } = options;
  const worker = options.workerName ?? `bzf-${process.pid}`;
  const timeout = options.jobTimeoutMs ?? 60_000;
  const maxJobsToActivate = options.maxJobsToActivate ?? 8;
  const running = new Set<Promise<unknown>>();
  let idleWaiters: (() => void)[] = [];
  const closers: Array<() => unknown> = [];
  const opening: Promise<unknown>[] = [];
  let stopped = false;
  const backfillTimers = new Set<NodeJS.Timeout>();
  const backfilling = new Set<Promise<unknown>>();

  async function handle(job: SdkJob) {
    const activated = toActivatedJob(job as never);
    const jobLog = log.child({ jobType: activated.type, jobKey: activated.key, instanceId: activated.instanceId, elementId: activated.elementId });
    const ref: JobRef = { key: activated.key, type: activated.type, instanceId: activated.instanceId, elementId: activated.elementId, worker };
    const handler = handlers.get(activated.type)!;
    const outcome = await runHandler(handler, { ...activated, log: jobLog });
    try {
      switch (outcome.outcome) {
        case 'complete':
          await grpc.completeJob({ jobKey: activated.key, variables: asJson(outcome.variables) });
          await recordJobCompleted(db, ref, outcome.variables);
          break;
        case 'bpmnError':
          await grpc.throwError({ jobKey: activated.key, errorCode: outcome.code, errorMessage: outcome.message, variables: asJson(outcome.variables) });
          await recordErrorThrown(db, ref, outcome.code, outcome.message, outcome.variables);
          break;
        case 'fail': {
          const retries = Math.max(0, outcome.retries ?? activated.retries - 1);
          await grpc.failJob({ jobKey: activated.key, retries, errorMessage: outcome.message, retryBackOff: Math.max(0, outcome.backoffMs ?? 0) });
          await recordJobFailed(db, ref, retries, outcome.message, jobLog);
          break;
        }
      }
    } catch (err) {
      // canceled or timed out meanwhile (NOT_FOUND), or the cluster is unreachable: the broker hands
      // the job out again after its deadline, the handlers are idempotent
      jobLog.warn({ err: (err as Error).message }, 'job outcome not accepted');
    }
    // jobs of our own back-fill poll come without the SDK's completion handlers
    return typeof job.forward === 'function' ? job.forward() : undefined;
  }

  const taskHandler = (job: SdkJob) => {
    const work = handle(job);
    running.add(work);
    void work.finally(() => {
      running.delete(work);
      if (!running.size) notifyIdle();
    });
    return work;
  };

  for (const type of handlers.keys()) {
    if (options.mode === 'poll') {
      const w = grpc.createWorker({
        taskType: type,
        id: worker,
        taskHandler: taskHandler as never,
        timeout,
        maxJobsToActivate,
        pollInterval: options.pollIntervalMs ?? 300,
        failProcessOnException: false,
        loglevel: 'NONE',
      });
      closers.push(() => w.close());
    } else {
      const opened = grpc
        .streamJobs({
          type,
          worker,
          timeout,
          taskHandler: taskHandler as never,
          pollMaxJobsToActivate: maxJobsToActivate,
          // no SDK sidecar poll (see above); its initial back-fill poll still runs before this resolves
          pollInterval: 0,
        } as unknown as Parameters<ZeebeGrpc['streamJobs']>[0]) // tenantIds: the client's own tenant when left out
        .then((stream) => {
          closers.push(() => stream.close());
          scheduleBackfill(type, options.pollIntervalMs ?? 30_000);
        })
        .catch((err: unknown) => log.error({ err, jobType: type }, 'job stream could not be opened'));
      opening.push(opened);
    }
  }

  /** Stream mode's safety net: every `interval` ms, the jobs of `type` the stream did not push (e.g. timed out and activatable again). */
  function scheduleBackfill(type: string, interval: number): void {
    if (stopped || interval <= 0) return;
    const timer = setTimeout(() => {
      backfillTimers.delete(timer);
      const poll = grpc
        .activateJobs({ type, worker, timeout, maxJobsToActivate, requestTimeout: -1 })
        .then((jobs) => {
          for (const job of jobs) void taskHandler(job as unknown as SdkJob);
        })
        .catch((err: unknown) => log.warn({ err: (err as Error).message, jobType: type }, 'back-fill poll failed'))
        .finally(() => {
          backfilling.delete(poll);
          scheduleBackfill(type, interval);
        });
      backfilling.add(poll);
    }, interval);
    backfillTimers.add(timer);
  }

  function notifyIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    async stop() {
      stopped = true;
      await Promise.allSettled(opening);
      for (const timer of backfillTimers) clearTimeout(timer);
      backfillTimers.clear();
      // a poll in flight hands its jobs to taskHandler before it settles
      await Promise.allSettled([...backfilling]);
      await Promise.allSettled(closers.map((close) => close()));
      await Promise.allSettled([...running]);
    },
    idle() {
      if (!running.size) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
