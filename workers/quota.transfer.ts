// quota.transfer — T1 区内单位间调动, step 7 (domain-spec.md §1.2 T1, §1.1 "never two loose actions"): 出编 at
// unit A and 入编 at unit B in ONE transaction — quotas A actual −1, B actual +1 only while B has a place
// (approved − actual − reserved + overflow ≥ 1), the person's unit (and 编制类型) changed, one person_events
// 'transfer' row with from_unit_id. A leader post held at A (profile.leaderPost) is freed there: a post at B is
// a T2 appointment. The two quota rows are always changed in unit-id order, so two opposite transfers never
// deadlock. Idempotent: a redelivered job finds its event.
//
// Variables in:  personId, unitId (A, 调出单位), targetUnitId (B, 调入单位), bianzhiType? (at B; default the
//                person's), eventDate? (调动日期, default today), documentNumber? (调令号)
// Variables out: transferredOn
// BPMN errors:   QUOTA_EXHAUSTED — unit B has no available place of the type (nothing changed)
// Failures:      invalid input, unknown person or unit, person not 在编 at A, counts that disagree → retries 0
import { isUuid } from '../server/core/errors';
import { isRealDate, isoDate } from '../domain/id-number';
import { isBianzhiType } from '../domain/quota';
import { insertPersonEvent, leaderPostOf, updatePerson, withoutLeaderPost } from '../server/repositories/persons';
import { changeLeaderPostActual, findUnit, occupyAvailableSlot, vacateSlot } from '../server/repositories/quotas';
import { fail, type JobHandler } from './job';
import { changePersonOnce, PersonStepRefusal } from './person-step';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'quota.transfer';

export interface QuotaTransferInput {
  personId?: unknown;
  unitId?: unknown;
  targetUnitId?: unknown;
  bianzhiType?: unknown;
  eventDate?: unknown;
  documentNumber?: unknown;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<QuotaTransferInput> =>
  async (job) => {
    const v = job.variables ?? {};
    if (!isUuid(v.personId)) return fail({ message: '变量 personId 须为人员 id (uuid)', retries: 0 });
    if (!isUuid(v.unitId)) return fail({ message: '变量 unitId（调出单位）须为单位 id (uuid)', retries: 0 });
    if (!isUuid(v.targetUnitId)) return fail({ message: '变量 targetUnitId（调入单位）须为单位 id (uuid)', retries: 0 });
    if (v.unitId === v.targetUnitId) return fail({ message: '调出单位与调入单位相同', retries: 0 });
    if (v.bianzhiType !== undefined && v.bianzhiType !== null && !isBianzhiType(v.bianzhiType)) {
      return fail({ message: `变量 bianzhiType 无效：${String(v.bianzhiType)}`, retries: 0 });
    }
    const eventDate = v.eventDate === undefined || v.eventDate === null || v.eventDate === '' ? isoDate(deps.clock()) : v.eventDate;
    if (typeof eventDate !== 'string' || !isRealDate(eventDate)) return fail({ message: '变量 eventDate（调动日期）须为 yyyy-mm-dd', retries: 0 });
    const { personId, unitId: fromUnit, targetUnitId: toUnit } = v;

    const target = await findUnit(deps.db, toUnit);
    if (!target) return fail({ message: `调入单位不存在：${toUnit}`, retries: 0 });

    return changePersonOnce(deps, job, personId, ['transfer'], 'transferredOn', async (trx, person, jobKey) => {
      if (person.status !== 'active' || person.unit_id !== fromUnit || !person.bianzhi_type) throw new PersonStepRefusal('该人员不在调出单位在编，不能调动');
      const fromType = person.bianzhi_type;
      const toType = typeof v.bianzhiType === 'string' ? v.bianzhiType : fromType;

      const leave = async () => {
        if (!(await vacateSlot(trx, fromUnit, fromType))) throw new PersonStepRefusal(`编制数据不一致：调出单位 ${fromType} 实有人数为 0`);
      };
      const enter = async () => {
        if (!(await occupyAvailableSlot(trx, toUnit, toType))) throw new PersonStepRefusal(`调入单位${target.name}没有可用的 ${toType} 编制`, 'QUOTA_EXHAUSTED');
      };
      if (fromUnit < toUnit) {
        await leave();
        await enter();
      } else {
        await enter();
        await leave();
      }
      const leaderPost = leaderPostOf(person.profile);
      if (leaderPost) await changeLeaderPostActual(trx, fromUnit, leaderPost, -1);
      await updatePerson(trx, personId, { unit_id: toUnit, bianzhi_type: toType, profile: withoutLeaderPost(person.profile) });
      await insertPersonEvent(trx, {
        personId,
        eventType: 'transfer',
        occurredOn: eventDate,
        unitId: toUnit,
        fromUnitId: fromUnit,
        bianzhiType: toType,
        reason: '调动',
        instanceId: job.instanceId,
        documentNumber: typeof v.documentNumber === 'string' && v.documentNumber ? v.documentNumber : null,
        details: { jobKey, fromBianzhiType: fromType, ...(leaderPost ? { leaderPostLeft: leaderPost } : {}) },
      });
      return eventDate;
    });
  };

export const worker: WorkerDefinition = { jobType, createHandler };
