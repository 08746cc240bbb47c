// quota.reserve — 编制锁定 (预占) and the 用编通知单, at 用编许可 (domain-spec.md §1.2 Z1–Z3 step 2, §2.3, §2.5).
// One transaction: the reservation row (keyed by instance + element: a redelivered job returns the first notice),
// quotas.reserved += n only while enough is available, the annual plan's used += n only while the plan allows
// it, and the 用编通知单 issued by the document service. Under any concurrency a slot is reserved once.
//
// Variables in:  unitId, bianzhiType, requested (int ≥ 1, default 1), entryMode? (用编方式), post?, conditions?
//                (附加条件: text or list), planAdHocDocNo? (编委 ad-hoc approval 文号: no plan condition)
// Header mode:   recruit (default) | placement (Z3: with quota.allow-overstaff-for-placement the 预占 may exceed
//                the available count — the leader approved it at quota.check; the notice says 超编待消化)
// Variables out: quotaNotice (QuotaNotice)
// BPMN errors:   QUOTA_EXHAUSTED — not enough available (可用编制) or the annual plan is used up
// Failures:      unknown unit or quota row, invalid input → fail with retries 0
import { isUuid } from '../server/core/errors';
import { codeName } from '../domain/codes';
import { isoDate } from '../domain/id-number';
import { ALLOW_OVERSTAFF_FOR_PLACEMENT, QUOTA_NOTICE_VALIDITY, type QuotaNoticeValidity } from '../domain/parameters/quota';
import { isBianzhiType } from '../domain/quota';
import { findQuota, findReservationOfJob, findUnit, insertReservation, reserveQuota, setReservationDocument, usePlan, type ReservationRow } from '../server/repositories/quotas';
import { bpmnError, complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { QuotaNotice } from './variables';

export const jobType = 'quota.reserve';

export interface QuotaReserveInput {
  unitId?: unknown;
  bianzhiType?: unknown;
  requested?: unknown;
  entryMode?: unknown;
  post?: unknown;
  conditions?: unknown;
  planAdHocDocNo?: unknown;
}

/** Thrown inside the transaction to roll it back; becomes the bpmnError. */
class Exhausted extends Error {}

/** The last valid day of a notice issued on `today` (yyyy-mm-dd). */
export function noticeExpiry(today: string, validity: QuotaNoticeValidity): string {
  if (validity?.mode === 'days' && Number.isSafeInteger(validity.days) && validity.days >= 1) {
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + validity.days);
    return d.toISOString().slice(0, 10);
  }
  return `${today.slice(0, 4)}-12-31`;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<QuotaReserveInput> =>
  async (job) => {
    const v = job.variables ?? {};
    const mode = job.customHeaders?.mode ?? 'recruit';
    if (mode !== 'recruit' && mode !== 'placement') return fail({ message: `quota.reserve 的 mode 头无效：${mode}`, retries: 0 });
    if (!isUuid(v.unitId)) return fail({ message: '变量 unitId 须为单位 id (uuid)', retries: 0 });
    if (!isBianzhiType(v.bianzhiType)) {
      return fail({ message: `变量 bianzhiType 无效：${String(v.bianzhiType)}`, retries: 0 });
    }
    const n = v.requested === undefined || v.requested === null ? 1 : v.requested;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) return fail({ message: '变量 requested（申请用编数）须为正整数', retries: 0 });
    const unitId = v.unitId;
    const bianzhiType = v.bianzhiType;
    const adHoc = typeof v.planAdHocDocNo === 'string' && v.planAdHocDocNo.trim() !== '' ? v.planAdHocDocNo.trim() : undefined;

    // a redelivered job: the notice of the first delivery
    const earlier = await findReservationOfJob(deps.db, job.instanceId, job.elementId);
    if (earlier) return complete({ quotaNotice: await noticeOf(deps, earlier) });

    const today = isoDate(deps.clock());
    const year = Number(today.slice(0, 4));
    const unit = await findUnit(deps.db, unitId);
    if (!unit) return fail({ message: `单位不存在：${unitId}`, retries: 0 });
    if (!(await findQuota(deps.db, unitId, bianzhiType))) return fail({ message: `单位 ${unit.name} 未核定 ${bianzhiType} 编制`, retries: 0 });
    const validity = (await deps.parameters.get<QuotaNoticeValidity>(QUOTA_NOTICE_VALIDITY, today)).value;
    const expiresOn = noticeExpiry(today, validity);
    const overQuotaAllowed = mode === 'placement' && (await deps.parameters.get<boolean>(ALLOW_OVERSTAFF_FOR_PLACEMENT, today)).value === true;

    try {
      const notice = await deps.db.transaction(async (trx) => {
        const reservation = await insertReservation(trx, {
          unitId,
          bianzhiType,
          count: n,
          planYear: year,
          overQuota: false,
          expiresOn,
          instanceId: job.instanceId,
          elementId: job.elementId,
        });
        if (!reservation) return undefined; // a concurrent delivery of this job committed first

        let overQuota = false;
        if (!(await reserveQuota(trx, unitId, bianzhiType, n))) {
          if (!overQuotaAllowed) throw new Exhausted(`可用编制不足 ${n} 名，未能锁定编制`);
          await reserveQuota(trx, unitId, bianzhiType, n, true);
          overQuota = true;
        }
        const plan = await usePlan(trx, unitId, bianzhiType, year, n, adHoc !== undefined);
        if (plan === 'exhausted') throw new Exhausted(`${year} 年度用编计划余额不足 ${n} 名`);
        if (plan === 'no-plan') {
          if (adHoc === undefined) throw new Exhausted(`单位没有 ${year} 年度 ${bianzhiType} 用编计划`);
          await trx('quota_reservations').where({ id: reservation.id }).update({ plan_year: null });
        }
        if (overQuota) await trx('quota_reservations').where({ id: reservation.id }).update({ over_quota: true });

        const conditions = [
          ...(Array.isArray(v.conditions) ? v.conditions.filter((c): c is string => typeof c === 'string') : typeof v.conditions === 'string' && v.conditions.trim() ? [v.conditions.trim()] : []),
          ...(unit.key_managed ? [`重点管理单位${unit.key_managed_reason ? `（${unit.key_managed_reason}）` : ''}`] : []),
          ...(overQuota ? ['政策性安置超编使用，单位列为超编待消化'] : []),
          ...(adHoc ? [`依据编委专项批复 ${adHoc}`] : []),
        ];
        const document = await deps.documents.issue(trx, {
          type: 'YBTZ',
          payload: {
            unitName: unit.name,
            unitCode: unit.code,
            bianzhiType: `${codeName('bianzhiType', bianzhiType)}（${bianzhiType}）`,
            approvedCount: n,
            useMode: typeof v.entryMode === 'string' ? v.entryMode : null,
            post: typeof v.post === 'string' ? v.post : null,
            validUntil: expiresOn,
            conditions: conditions.length ? conditions.join('；') : '无',
            lockedCount: n,
          },
          instanceId: job.instanceId,
          unitId,
          issuedOn: today,
          idempotencyKey: `${job.instanceId}:${job.elementId}:YBTZ`,
        });
        await setReservationDocument(trx, reservation.id, document.id);
        const result: QuotaNotice = { reservationId: reservation.id, documentId: document.id, number: document.number, expiresOn, count: n };
        if (overQuota) result.overQuota = true;
        return result;
      });
      if (notice) return complete({ quotaNotice: notice });
      const first = await findReservationOfJob(deps.db, job.instanceId, job.elementId);
      if (!first) return fail({ message: '用编预占记录未找到（并发重复投递后）' });
      return complete({ quotaNotice: await noticeOf(deps, first) });
    } catch (err) {
      if (err instanceof Exhausted) return bpmnError('QUOTA_EXHAUSTED', err.message);
      throw err;
    }
  };

async function noticeOf(deps: WorkerDeps, r: ReservationRow): Promise<QuotaNotice> {
  const doc = r.document_id ? await deps.db('documents').where({ id: r.document_id }).first('number') : undefined;
  const notice: QuotaNotice = { reservationId: r.id, documentId: r.document_id ?? '', number: doc?.number ?? '', expiresOn: r.expires_on, count: r.count };
  if (r.over_quota) notice.overQuota = true;
  return notice;
}

export const worker: WorkerDefinition = { jobType, createHandler };
