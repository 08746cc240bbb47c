// What a worker handler sees and returns. A handler is written once and runs unchanged in-process,
// as a Zeebe job worker or as an external-task subscriber; it never touches an engine client.
import type { Logger } from '../server/core/logger';
import type { ActivatedJob, Variables } from '../server/engine/types';

export type { Variables };

/** An activated job as the engine hands it out, with its variables typed and a logger of its own. */
export interface Job<In = Variables> extends Omit<ActivatedJob, 'variables' | 'deadline'> {
  variables: In;
  log: Logger;
}

export type JobOutcome =
  | { outcome: 'complete'; variables: Variables }
  | { outcome: 'bpmnError'; code: string; message: string; variables: Variables }
  | { outcome: 'fail'; message: string; retries?: number; backoffMs?: number };

export type JobHandler<In = Variables> = (job: Job<In>) => Promise<JobOutcome>;

/** The step succeeded; `variables` are the ones the step owns. */
export const complete = (variables: Variables = {}): JobOutcome => ({ outcome: 'complete', variables });

/** A business outcome drawn in the diagram as an error boundary event. */
export const bpmnError = (code: string, message: string, variables: Variables = {}): JobOutcome => ({ outcome: 'bpmnError', code, message, variables });

/** A technical failure: retried while retries remain (default: one fewer than now), then an incident. */
export const fail = (failure: { message: string; retries?: number; backoffMs?: number }): JobOutcome => ({ outcome: 'fail', ...failure });

/** Runs a handler; a thrown error becomes a fail with one retry fewer. */
export async function runHandler<In>(handler: JobHandler<In>, job: Job<In>): Promise<JobOutcome> {
  try {
    return await handler(job);
  } catch (err) {
    job.log.error({ err }, 'job handler threw');
    return fail({ message: (err as Error)?.message ?? String(err), retries: Math.max(0, job.retries - 1) });
  }
}
