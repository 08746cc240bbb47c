// person.archive — the person's final record in the 离退休人员库 / history (domain-spec.md §1.2 J1 step 5
// "Moves the person to the 离退休人员库"; J2/J3 after 出编). Writes person_archives: a snapshot of the person row,
// every person event, the unit left and the figures of the earlier steps (retirement, pension). One record per
// instance and person: a redelivered job returns the first record's time.
//
// Variables in:  personId, reason (减员原因), retirement? (退休 figures of the J1 steps), pension? (养老金 figures)
// Variables out: archivedAt (ISO timestamp)
// BPMN errors:   none
// Failures:      invalid input, unknown person → fail with retries 0
import { isUuid } from '../server/core/errors';
import { findPersonArchive, insertPersonArchive, listPersonEvents, lockPerson } from '../server/repositories/persons';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'person.archive';

export interface PersonArchiveInput {
  personId?: unknown;
  reason?: unknown;
  retirement?: unknown;
  pension?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const createHandler =
  (deps: WorkerDeps): JobHandler<PersonArchiveInput> =>
  async (job) => {
    const v = job.variables ?? {};
    if (!isUuid(v.personId)) return fail({ message: '变量 personId 须为人员 id (uuid)', retries: 0 });
    if (typeof v.reason !== 'string' || v.reason.trim() === '') return fail({ message: '变量 reason（减员原因）不能为空', retries: 0 });
    const personId = v.personId;
    const reason = v.reason.trim();

    const archivedAt = await deps.db.transaction(async (trx) => {
      const person = await lockPerson(trx, personId);
      if (!person) return undefined;
      const earlier = await findPersonArchive(trx, job.instanceId, personId);
      if (earlier) return earlier.archived_at;
      const events = await listPersonEvents(trx, personId);
      const last = [...events].reverse().find((e) => e.event_type === 'retire' || e.event_type === 'leave');
      const unitId = person.unit_id ?? last?.unit_id ?? null;
      const unit = unitId ? await trx('units').where({ id: unitId }).first('id', 'code', 'name') : undefined;
      const snapshot = {
        person: { ...person, created_at: new Date(person.created_at).toISOString(), updated_at: new Date(person.updated_at).toISOString() },
        unit: unit ?? null,
        events: events.map((e) => ({ ...e, recorded_at: new Date(e.recorded_at).toISOString() })),
        figures: { retirement: isObject(v.retirement) ? v.retirement : null, pension: isObject(v.pension) ? v.pension : null },
        archivedBy: { jobType, instanceId: job.instanceId, elementId: job.elementId },
      };
      const row = await insertPersonArchive(trx, { personId, reason, snapshot, instanceId: job.instanceId });
      return (row ?? (await findPersonArchive(trx, job.instanceId, personId)))?.archived_at;
    });
    if (archivedAt === undefined) return fail({ message: `人员不存在：${personId}`, retries: 0 });
    return complete({ archivedAt: new Date(archivedAt).toISOString() });
  };

export const worker: WorkerDefinition = { jobType, createHandler };
