// quota.occupy — 入编 at 落编许可 (domain-spec.md §1.2 Z1–Z3 step 4, §2.3 "Consumed on 落编", 一人一编).
// One transaction: one slot of the 用编通知单's reservation is taken (it must be unexpired and unused; the
// reservation becomes occupied when all its slots are used), quotas reserved −1 actual +1, the person row
// upserted by ID number to active in the unit (a history/retired row of the same number re-enters), the
// leader post (person.leaderPost) filled, and a person_events 'enter' row with the notice number as basis.
// Idempotent: the same person entered on the same notice is a redelivered job and returns the first result.
//
// Variables in:  quotaNotice.reservationId, person (PersonInput), unitId, bianzhiType, entryMode?, enteredOn?
//                (入编日期 yyyy-mm-dd, default today)
// Variables out: personId, enteredOn
// BPMN errors:   QUOTA_NOTICE_INVALID — the notice is unknown, expired, released, used up, or for another
//                unit / 编制类型
//                ONE_PERSON_ONE_SLOT — the ID number is already 在编 (active) anywhere in the district
// Failures:      invalid input → fail with retries 0; counts that disagree with the reservation → fail
import { isUuid } from '../server/core/errors';
import { checkIdNumber, isRealDate, isoDate } from '../domain/id-number';
import { isBianzhiType } from '../domain/quota';
import { findPersonByIdNumber, findPersonEvent, insertPersonEvent, upsertActivePerson } from '../server/repositories/persons';
import { changeLeaderPostActual, consumeReservationSlot, findReservation, occupyReservedSlot } from '../server/repositories/quotas';
import { bpmnError, complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { PersonInput, QuotaOccupyResult } from './variables';

export const jobType = 'quota.occupy';

export interface QuotaOccupyInput {
  quotaNotice?: { reservationId?: unknown } | null;
  person?: PersonInput | null;
  unitId?: unknown;
  bianzhiType?: unknown;
  entryMode?: unknown;
  enteredOn?: unknown;
}

class BusinessError extends Error {
  constructor(
    readonly code: 'QUOTA_NOTICE_INVALID' | 'ONE_PERSON_ONE_SLOT',
    message: string,
  ) {
    super(message);
  }
}

/** PersonInput fields kept in persons.profile (the others are columns). */
const PROFILE_FIELDS = [
  'ethnicity', 'politicalStatus', 'education', 'degree', 'school', 'major', 'graduationDate', 'workStartDate', 'partyJoinDate',
  'leagueJoinDate', 'unitEntryDate', 'currentPostDate', 'archiveBirthDate', 'previousEmployer', 'previousBianzhiType',
  'previousCivilServantManaged', 'leaderPost', 'foreignNational', 'equivalentDegree',
] as const;

export const createHandler =
  (deps: WorkerDeps): JobHandler<QuotaOccupyInput> =>
  async (job) => {
    const v = job.variables ?? {};
    const reservationId = v.quotaNotice?.reservationId;
    if (!isUuid(reservationId)) return fail({ message: '变量 quotaNotice.reservationId 须为用编预占 id (uuid)', retries: 0 });
    if (!isUuid(v.unitId)) return fail({ message: '变量 unitId 须为单位 id (uuid)', retries: 0 });
    if (!isBianzhiType(v.bianzhiType)) {
      return fail({ message: `变量 bianzhiType 无效：${String(v.bianzhiType)}`, retries: 0 });
    }
    const person = v.person;
    if (!person || typeof person !== 'object') return fail({ message: '缺少变量 person', retries: 0 });
    const today = isoDate(deps.clock());
    const id = typeof person.idNumber === 'string' ? checkIdNumber(person.idNumber.trim(), deps.clock()) : undefined;
    if (!id?.valid) return fail({ message: '人员公民身份号码无效（应先经 person.validate 校验）', retries: 0 });
    if (typeof person.name !== 'string' || person.name.trim() === '') return fail({ message: '人员姓名不能为空', retries: 0 });
    const enteredOn = v.enteredOn === undefined || v.enteredOn === null || v.enteredOn === '' ? today : v.enteredOn;
    if (typeof enteredOn !== 'string' || !isRealDate(enteredOn)) return fail({ message: '变量 enteredOn（入编日期）须为 yyyy-mm-dd', retries: 0 });
    const leaderPost = person.leaderPost && typeof person.leaderPost.level === 'string' ? person.leaderPost : undefined;
    const unitId = v.unitId;
    const bianzhiType = v.bianzhiType;
    const profile: Record<string, unknown> = {};
    for (const field of PROFILE_FIELDS) if (person[field] !== undefined && person[field] !== null) profile[field] = person[field];
    if (typeof v.entryMode === 'string') profile.entryMode = v.entryMode;

    try {
      const result = await deps.db.transaction(async (trx): Promise<QuotaOccupyResult> => {
        // one person's 入编 at a time (a redelivered job waits for the first, then finds its event)
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`person:${id.idNumber}`]);
        const existing = await findPersonByIdNumber(trx, id.idNumber);
        if (existing?.status === 'active') {
          const entered = await findPersonEvent(trx, existing.id, ['enter'], { reservationId });
          if (entered && existing.unit_id === unitId) return { personId: existing.id, enteredOn: existing.entered_on ?? entered.occurred_on };
          throw new BusinessError('ONE_PERSON_ONE_SLOT', '一人一编：该公民身份号码已在编，不得重复入编');
        }

        const reservation = await findReservation(trx, reservationId);
        if (!reservation) throw new BusinessError('QUOTA_NOTICE_INVALID', '用编通知单不存在');
        if (reservation.unit_id !== unitId || reservation.bianzhi_type !== bianzhiType) {
          throw new BusinessError('QUOTA_NOTICE_INVALID', '用编通知单的单位或编制类型与入编单位、编制类型不符');
        }
        const taken = await consumeReservationSlot(trx, reservationId, today);
        if (!taken) throw new BusinessError('QUOTA_NOTICE_INVALID', invalidWhy(reservation.status, reservation.expires_on, today));

        const row = await upsertActivePerson(trx, {
          idNumber: id.idNumber,
          name: person.name.trim(),
          gender: id.gender,
          birthDate: id.birthDate,
          unitId,
          bianzhiType,
          post: typeof person.post === 'string' && person.post.trim() ? person.post.trim() : null,
          enteredOn,
          profile,
        });
        if (!row) throw new BusinessError('ONE_PERSON_ONE_SLOT', '一人一编：该公民身份号码已在编，不得重复入编');
        if (!(await occupyReservedSlot(trx, unitId, bianzhiType))) {
          throw new Error(`编制数据不一致：单位 ${unitId} ${bianzhiType} 的预占编制数为 0，与用编通知单不符`);
        }
        if (leaderPost) await changeLeaderPostActual(trx, unitId, leaderPost, 1);
        const notice = reservation.document_id ? await trx('documents').where({ id: reservation.document_id }).first('number') : undefined;
        await insertPersonEvent(trx, {
          personId: row.id,
          eventType: 'enter',
          occurredOn: enteredOn,
          unitId,
          bianzhiType,
          reason: typeof v.entryMode === 'string' ? v.entryMode : null,
          instanceId: job.instanceId,
          documentNumber: notice?.number ?? null,
          details: { reservationId, jobKey: `${job.instanceId}:${job.elementId}`, ...(existing ? { reentry: true } : {}) },
        });
        return { personId: row.id, enteredOn };
      });
      return complete({ ...result });
    } catch (err) {
      if (err instanceof BusinessError) return bpmnError(err.code, err.message);
      throw err;
    }
  };

function invalidWhy(status: string, expiresOn: string, today: string): string {
  if (status === 'occupied') return '用编通知单已使用，不得重复入编';
  if (status === 'released') return '用编通知单已撤销';
  if (status === 'expired' || expiresOn < today) return `用编通知单已于 ${expiresOn} 过期`;
  return '用编通知单已无可用的锁定编制';
}

export const worker: WorkerDefinition = { jobType, createHandler };
