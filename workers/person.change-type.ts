// person.change-type — T3 编制类型/身份变更 (domain-spec.md §1.2 T3, §2.1): the person moves from the unit's old
// 编制类型 to the new one in ONE transaction — actual −1 on the old type, +1 on the new only while the new type
// has a place (approved − actual − reserved + overflow ≥ 1), person.bianzhi_type changed, one person_events
// 'type-change' row. The new type must be valid for the unit (§2.1 matrix). Idempotent.
//
// Variables in:  personId, unitId, newBianzhiType, effectiveDate? (default today), basisDocNo?, changeType?
// Variables out: typeChangedOn
// BPMN errors:   QUOTA_EXHAUSTED — no available place of the new type (nothing changed)
// Failures:      invalid input, unknown person/unit, person not 在编 in the unit, type invalid for the unit → retries 0
import { isUuid } from '../server/core/errors';
import { isRealDate, isoDate } from '../domain/id-number';
import { type BianzhiType, isBianzhiType, isBianzhiTypeValidFor } from '../domain/quota';
import { insertPersonEvent, updatePerson } from '../server/repositories/persons';
import { findUnit, occupyAvailableSlot, vacateSlot } from '../server/repositories/quotas';
import { fail, type JobHandler } from './job';
import { changePersonOnce, PersonStepRefusal } from './person-step';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'person.change-type';

export interface ChangeTypeInput {
  personId?: unknown;
  unitId?: unknown;
  newBianzhiType?: unknown;
  effectiveDate?: unknown;
  basisDocNo?: unknown;
  changeType?: unknown;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<ChangeTypeInput> =>
  async (job) => {
    const v = job.variables ?? {};
    if (!isUuid(v.personId)) return fail({ message: '变量 personId 须为人员 id (uuid)', retries: 0 });
    if (!isUuid(v.unitId)) return fail({ message: '变量 unitId 须为单位 id (uuid)', retries: 0 });
    if (!isBianzhiType(v.newBianzhiType)) {
      return fail({ message: `变量 newBianzhiType（变更后编制类型）无效：${String(v.newBianzhiType)}`, retries: 0 });
    }
    const newType = v.newBianzhiType as BianzhiType;
    const effectiveDate = v.effectiveDate === undefined || v.effectiveDate === null || v.effectiveDate === '' ? isoDate(deps.clock()) : v.effectiveDate;
    if (typeof effectiveDate !== 'string' || !isRealDate(effectiveDate)) return fail({ message: '变量 effectiveDate（生效日期）须为 yyyy-mm-dd', retries: 0 });
    const { personId, unitId } = v;
    const unit = await findUnit(deps.db, unitId);
    if (!unit) return fail({ message: `单位不存在：${unitId}`, retries: 0 });
    if (!isBianzhiTypeValidFor(newType, unit.nature)) return fail({ message: `${unit.name}不能使用 ${newType} 编制（编制类型与单位性质不符）`, retries: 0 });
    return changePersonOnce(deps, job, personId, ['type-change'], 'typeChangedOn', async (trx, person, jobKey) => {
      if (person.status !== 'active' || person.unit_id !== unitId || !person.bianzhi_type) throw new PersonStepRefusal('该人员不在本单位在编，不能变更编制类型');
      const oldType = person.bianzhi_type;
      if (oldType === newType) throw new PersonStepRefusal(`该人员已是 ${newType} 编制`);
      if (!(await occupyAvailableSlot(trx, unitId, newType))) throw new PersonStepRefusal(`${unit.name}没有可用的 ${newType} 编制`, 'QUOTA_EXHAUSTED');
      if (!(await vacateSlot(trx, unitId, oldType))) throw new PersonStepRefusal(`编制数据不一致：${oldType} 实有人数为 0`);
      await updatePerson(trx, personId, { bianzhi_type: newType });
      await insertPersonEvent(trx, {
        personId,
        eventType: 'type-change',
        occurredOn: effectiveDate,
        unitId,
        bianzhiType: newType,
        reason: typeof v.changeType === 'string' ? v.changeType : '编制类型变更',
        instanceId: job.instanceId,
        documentNumber: typeof v.basisDocNo === 'string' && v.basisDocNo ? v.basisDocNo : null,
        details: { jobKey, fromBianzhiType: oldType },
      });
      return effectiveDate;
    });
  };

export const worker: WorkerDefinition = { jobType, createHandler };
