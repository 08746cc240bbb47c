// quota.vacate — 出编 / 减员销编 (domain-spec.md §1.2 J1 step 5, J2 step 6, J3 step 6; §2.5 出编通知单).
// One transaction: the person active → retired (减员原因 退休) or history (the others), the unit and 编制类型
// kept in a person_events 'retire' / 'leave' row (the person row no longer holds a slot), quotas actual −1,
// and the leader post (profile.leaderPost) freed. Idempotent: a redelivered job finds its event and returns it.
//
// Variables in:  personId, reason (减员原因: 退休 退职 调出 自动离职 辞职 辞退 开除 死亡), eventDate (yyyy-mm-dd),
//                documentNumber? (出编通知单号 / 依据, recorded on the event), targetUnitName? (调出 去向)
// Variables out: vacatedOn (the event date)
// BPMN errors:   none
// Failures:      invalid input, unknown person, a person not 在编 (someone else ended the slot), counts that
//                disagree with the record → fail with retries 0
import { isUuid } from '../server/core/errors';
import { isRealDate } from '../domain/id-number';
import { insertPersonEvent, leaderPostOf, updatePerson, withoutLeaderPost } from '../server/repositories/persons';
import { changeLeaderPostActual, vacateSlot } from '../server/repositories/quotas';
import { fail, type JobHandler } from './job';
import { changePersonOnce, PersonStepRefusal } from './person-step';
import type { WorkerDefinition, WorkerDeps } from './registry';
import { LEAVE_REASONS, type LeaveReason } from './variables';

export const jobType = 'quota.vacate';

export interface QuotaVacateInput {
  personId?: unknown;
  reason?: unknown;
  eventDate?: unknown;
  documentNumber?: unknown;
  targetUnitName?: unknown;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<QuotaVacateInput> =>
  async (job) => {
    const v = job.variables ?? {};
    if (!isUuid(v.personId)) return fail({ message: '变量 personId 须为人员 id (uuid)', retries: 0 });
    if (typeof v.reason !== 'string' || !(LEAVE_REASONS as readonly string[]).includes(v.reason)) {
      return fail({ message: `变量 reason（减员原因）须为 ${LEAVE_REASONS.join('、')} 之一`, retries: 0 });
    }
    if (typeof v.eventDate !== 'string' || !isRealDate(v.eventDate)) return fail({ message: '变量 eventDate（减员日期）须为 yyyy-mm-dd', retries: 0 });
    const personId = v.personId;
    const reason = v.reason as LeaveReason;
    const eventDate = v.eventDate;

    return changePersonOnce(deps, job, personId, ['leave', 'retire'], 'vacatedOn', async (trx, person, jobKey) => {
      if (person.status !== 'active' || !person.unit_id || !person.bianzhi_type) throw new PersonStepRefusal('该人员不在编，不能出编');

      if (!(await vacateSlot(trx, person.unit_id, person.bianzhi_type))) {
        throw new PersonStepRefusal(`编制数据不一致：单位 ${person.unit_id} ${person.bianzhi_type} 的实有人数为 0`);
      }
      const leaderPost = leaderPostOf(person.profile);
      if (leaderPost) await changeLeaderPostActual(trx, person.unit_id, leaderPost, -1);
      // the post held ends with the slot (it stays on the event)
      await updatePerson(trx, personId, { status: reason === '退休' ? 'retired' : 'history', unit_id: null, bianzhi_type: null, profile: withoutLeaderPost(person.profile) });
      await insertPersonEvent(trx, {
        personId,
        eventType: reason === '退休' ? 'retire' : 'leave',
        occurredOn: eventDate,
        unitId: person.unit_id,
        bianzhiType: person.bianzhi_type,
        reason,
        instanceId: job.instanceId,
        documentNumber: typeof v.documentNumber === 'string' && v.documentNumber ? v.documentNumber : null,
        details: {
          jobKey,
          post: person.post,
          ...(leaderPost ? { leaderPost } : {}),
          ...(typeof v.targetUnitName === 'string' && v.targetUnitName ? { targetUnitName: v.targetUnitName } : {}),
        },
      });
      return eventDate;
    });
  };

export const worker: WorkerDefinition = { jobType, createHandler };
