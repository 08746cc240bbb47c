// quota.release — a 用编通知单 withdrawn (domain-spec.md §2.3 "Released … on cancellation"): its reservation
// goes reserved → released and gives back the slots it still holds (quotas.reserved and the annual plan's used
// −= count − used), in one transaction. Idempotent: a reservation already released, expired or occupied is left
// as it is (an occupied slot is the person's now: 出编 is quota.vacate).
//
// Variables in:  quotaNotice.reservationId
// Variables out: quotaReleased (boolean: the reservation is released; false when it was occupied or expired)
// BPMN errors:   none
// Failures:      a missing or unknown reservation id → fail with retries 0
import { isUuid } from '../server/core/errors';
import { findReservation } from '../server/repositories/quotas';
import { endQuotaReservation } from '../server/services/quota-reservations';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';

export const jobType = 'quota.release';

export interface QuotaReleaseInput {
  quotaNotice?: { reservationId?: unknown } | null;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<QuotaReleaseInput> =>
  async (job) => {
    const reservationId = job.variables?.quotaNotice?.reservationId;
    if (!isUuid(reservationId)) return fail({ message: '变量 quotaNotice.reservationId 须为用编预占 id (uuid)', retries: 0 });
    const before = await findReservation(deps.db, reservationId);
    if (!before) return fail({ message: `用编预占不存在：${reservationId}`, retries: 0 });
    const ended = await deps.db.transaction((trx) => endQuotaReservation(trx, reservationId, 'released'));
    // a redelivered job answers as the first did
    return complete({ quotaReleased: ended !== undefined || before.status === 'released' });
  };

export const worker: WorkerDefinition = { jobType, createHandler };
