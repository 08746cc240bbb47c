// One change of a person's record made by a worker, at most once per job: shared by quota.vacate,
// quota.transfer, person.change-post and person.change-type.
import type { Knex } from 'knex';
import { findPersonEvent, lockPerson, type PersonEventType, type PersonRow } from '../server/repositories/persons';
import { bpmnError, complete, fail, type Job, type JobOutcome } from './job';
import type { WorkerDeps } from './registry';

/** A person step refused: a fail with 0 retries (the data must be fixed), or with `bpmnCode` that business error. */
export class PersonStepRefusal extends Error {
  constructor(
    message: string,
    readonly bpmnCode?: string,
  ) {
    super(message);
  }
}

/**
 * One change of a person, at most once per job (quota.vacate, quota.transfer, person.change-post,
 * person.change-type): in one transaction the person row is locked; a person_events row of `eventTypes`
 * with this job's key means the job was delivered before, and its day is the answer; else `change` makes the
 * change and returns the event day. Completes with `{ [output]: day }`; a PersonStepRefusal rolls back.
 */
export async function changePersonOnce(
  deps: WorkerDeps,
  job: Pick<Job<unknown>, 'instanceId' | 'elementId'>,
  personId: string,
  eventTypes: readonly PersonEventType[],
  output: string,
  change: (trx: Knex.Transaction, person: PersonRow, jobKey: string) => Promise<string>,
): Promise<JobOutcome> {
  const jobKey = `${job.instanceId}:${job.elementId}`;
  try {
    const day = await deps.db.transaction(async (trx) => {
      const person = await lockPerson(trx, personId);
      if (!person) throw new PersonStepRefusal(`人员不存在：${personId}`);
      const done = await findPersonEvent(trx, personId, eventTypes, { jobKey });
      if (done) return done.occurred_on;
      return change(trx, person, jobKey);
    });
    return complete({ [output]: day });
  } catch (err) {
    if (!(err instanceof PersonStepRefusal)) throw err;
    return err.bpmnCode === undefined ? fail({ message: err.message, retries: 0 }) : bpmnError(err.bpmnCode, err.message);
  }
}
