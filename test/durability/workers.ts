// Test-only handlers for the durability fixtures (test/fixtures/durability.*.bpmn). Each run of a
// handler is written to `durability_job_runs` before the handler's work starts, so a test can count
// how often a job really ran (at-least-once) against how often its completion was recorded (once).
import type { Knex } from 'knex';
import { complete, type JobHandler } from '../../workers/job';

export const DURABILITY_JOB_TYPES = ['durability.stamp', 'durability.archive'] as const;

/** The side table of handler runs; made by the test in its scratch database, not by a migration. */
export async function createJobRunsTable(knex: Knex): Promise<void> {
  await knex.raw(`
    create table if not exists durability_job_runs (
      id bigserial primary key,
      job_key uuid not null,
      instance_id uuid not null,
      element_id text not null,
      worker text not null,
      started_at timestamptz not null default now()
    )`);
}

export interface DurabilityHandlerOptions {
  knex: Knex;
  /** names the worker in the runs table and in the step's output */
  worker: string;
  /** how long one run works after it has been written down */
  workMs: () => number;
  /** called once the run is written and the work begins (the spawned worker prints a line here) */
  onStart?: (jobKey: string) => void;
}

/** One handler per job type of the durability fixtures; each returns only the variable it owns. */
export function createDurabilityHandlers(options: DurabilityHandlerOptions): Map<string, JobHandler> {
  const handler: JobHandler = async (job) => {
    await options.knex('durability_job_runs').insert({ job_key: job.key, instance_id: job.instanceId, element_id: job.elementId, worker: options.worker });
    options.onStart?.(job.key);
    await new Promise((resolve) => setTimeout(resolve, options.workMs()));
    return complete({ [`${job.elementId}_doneBy`]: options.worker });
  };
  return new Map(DURABILITY_JOB_TYPES.map((type) => [type, handler]));
}
