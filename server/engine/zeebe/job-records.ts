// What our workers did with a Zeebe job, written to our tables once the cluster has accepted it: the
// audit event with the worker's input (what the audit re-run needs), the instance's variables as the
// inbox and the API read them, and an incident row when no retries are left. The broker's own
// consequences (elements, flows, timers) are an exporter's to add (docs/audit.md).
import type { Knex } from 'knex';
import type { Logger } from '../../core/logger';
import { appendAuditEvents, type AuditEventDraft } from '../../repositories/audit-events';
import type { Variables } from '../types';

export interface JobRef {
  key: string;
  type: string;
  /** our instance id (a uuid), or the processInstanceKey of an instance we did not start */
  instanceId: string;
  elementId: string;
  worker: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs `write` for an instance we keep a row of; instances started outside our API are not mirrored. */
async function forOurInstance(db: Knex, job: JobRef, write: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
  if (!UUID.test(job.instanceId)) return;
  await db.transaction(async (trx) => {
    const row = await trx('process_instances').where({ id: job.instanceId }).forUpdate().first('id');
    if (row) await write(trx);
  });
}

/** What a job or a user task returned, merged into the instance's variables (the inbox and the API read them). */
export async function mergeVariables(trx: Knex.Transaction, instanceId: string, variables: Variables): Promise<void> {
  if (!Object.keys(variables).length) return;
  await trx('process_instances').where({ id: instanceId }).update({ variables: trx.raw('variables || ?::jsonb', [JSON.stringify(variables)]), updated_at: trx.fn.now() });
}

export function recordJobCompleted(db: Knex, job: JobRef, variables: Variables): Promise<void> {
  return forOurInstance(db, job, async (trx) => {
    await mergeVariables(trx, job.instanceId, variables);
    await appendAuditEvents(trx, [
      { actor: `worker:${job.worker}`, kind: 'job.completed', instanceId: job.instanceId, elementId: job.elementId, payload: { jobKey: job.key, type: job.type, worker: job.worker, input: variables, engine: 'zeebe' } },
    ]);
  });
}

export function recordJobFailed(db: Knex, job: JobRef, retries: number, errorMessage: string, log: Logger): Promise<void> {
  return forOurInstance(db, job, async (trx) => {
    const events: AuditEventDraft[] = [
      { actor: `worker:${job.worker}`, kind: 'job.failed', instanceId: job.instanceId, elementId: job.elementId, payload: { jobKey: job.key, retries, errorMessage, engine: 'zeebe' } },
    ];
    if (retries <= 0) {
      // the broker raises the incident; ours is the row the API counts and an admin resolves
      const [incident] = await trx('incidents')
        .insert({ instance_id: job.instanceId, job_id: null, element_id: job.elementId, error_type: 'JOB_NO_RETRIES', error_message: errorMessage, command: JSON.stringify({ kind: 'zeebe-job', jobKey: job.key, type: job.type }) })
        .returning('id');
      events.push({ actor: `worker:${job.worker}`, kind: 'incident.created', instanceId: job.instanceId, elementId: job.elementId, payload: { incidentId: incident.id, errorType: 'JOB_NO_RETRIES', jobKey: job.key, engine: 'zeebe' } });
      log.warn({ jobKey: job.key, jobType: job.type, instanceId: job.instanceId }, 'job failed without retries left: incident');
    }
    await appendAuditEvents(trx, events);
  });
}

export function recordErrorThrown(db: Knex, job: JobRef, code: string, message: string, variables: Variables): Promise<void> {
  return forOurInstance(db, job, async (trx) => {
    await mergeVariables(trx, job.instanceId, variables);
    await appendAuditEvents(trx, [
      { actor: `worker:${job.worker}`, kind: 'job.error-thrown', instanceId: job.instanceId, elementId: job.elementId, payload: { jobKey: job.key, code, message, input: variables, engine: 'zeebe' } },
    ]);
  });
}
