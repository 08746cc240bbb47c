// person.load — the first step of a case about someone already 在编 (J1–J3, T1–T3): the person named by
// personId must be 在编 in the case's unit (unitId, which decides who may see and start the case), so that
// a unit can never start a 减员 or 调整 of another unit's staff. Returns what the diagram routes on: the
// person's 编制类型 (组织部 for 公务员/参公, 人社 for 事业/工勤) and post; no other personal data goes into
// the case variables.
//
// Variables in:  personId, unitId
// Variables out: bianzhiType, currentPost
// BPMN errors:   PERSON_NOT_IN_UNIT — the person is not 在编 in the unit (unknown, left, or another unit's)
// Failures:      personId / unitId not a uuid → retries 0
import { isUuid } from '../server/core/errors';
import { findPerson } from '../server/repositories/persons';
import { bpmnError, complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'person.load';

export interface PersonLoadInput {
  personId?: unknown;
  unitId?: unknown;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<PersonLoadInput> =>
  async (job) => {
    const { personId, unitId } = job.variables ?? {};
    if (!isUuid(personId)) return fail({ message: '变量 personId 须为人员 id (uuid)', retries: 0 });
    if (!isUuid(unitId)) return fail({ message: '变量 unitId 须为单位 id (uuid)', retries: 0 });
    const person = await findPerson(deps.db, personId);
    if (!person || person.status !== 'active' || person.unit_id !== unitId || !person.bianzhi_type) {
      return bpmnError('PERSON_NOT_IN_UNIT', '该人员不在本单位在编，不能办理');
    }
    return complete({ bianzhiType: person.bianzhi_type, currentPost: person.post });
  };

export const worker: WorkerDefinition = { jobType, createHandler };
