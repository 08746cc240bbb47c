// 编制锁定 (预占) ends: a cancelled 用编通知单 is released (quota.release), an unused one expires after its last
// valid day (domain-spec.md §2.3, parameter quota.notice-valid-days). Either way the slots it still held go back:
// quotas.reserved and the annual plan's used drop by count − used, in the transaction that ends it.
import type { Knex } from 'knex';
import { isoDate } from '../../domain/id-number';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { startPeriodic, type PeriodicJob } from '../core/periodic';
import { endReservation, expiredReservationIds, unreserveQuota, unusePlan, type ReservationRow } from '../repositories/quotas';

/**
 * Ends the reservation `id` if it is still in status reserved, giving back what it held. Returns the ended
 * reservation, or undefined when it was already occupied, released or expired (nothing to do: idempotent).
 * `expiredBefore`: end it only when its last valid day is before this day (the expiry sweep).
 */
export async function endQuotaReservation(trx: Knex.Transaction, id: string, to: 'released' | 'expired', expiredBefore?: string): Promise<ReservationRow | undefined> {
  const ended = await endReservation(trx, id, to, expiredBefore);
  if (!ended) return undefined;
  const held = ended.count - ended.used;
  if (held > 0) {
    await unreserveQuota(trx, ended.unit_id, ended.bianzhi_type, held);
    if (ended.plan_year !== null) await unusePlan(trx, ended.unit_id, ended.bianzhi_type, ended.plan_year, held);
  }
  return ended;
}

/**
 * The periodic sweep: every reservation still held after its last valid day (expires_on < today) becomes
 * expired and gives its slots back, one transaction each (a failure leaves the others done). Safe to run
 * concurrently with itself and with quota.occupy/quota.release: each end is a conditional update. Returns how
 * many it expired.
 */
export async function expireReservations(db: Knex, today: string): Promise<number> {
  let expired = 0;
  for (;;) {
    const ids = await expiredReservationIds(db, today);
    if (ids.length === 0) return expired;
    let progressed = 0;
    for (const id of ids) {
      const ended = await db.transaction((trx) => endQuotaReservation(trx, id, 'expired', today));
      if (ended) progressed += 1;
    }
    expired += progressed;
    if (progressed === 0 || ids.length < 500) return expired;
  }
}

/**
 * Runs the sweep at start and then every `intervalMs` (default one hour): a reservation whose last valid day
 * has passed gives its places back without anyone having to notice.
 */
export function startReservationExpiry(deps: { db: Knex; log: Logger; clock?: Clock; intervalMs?: number }): PeriodicJob {
  const clock = deps.clock ?? systemClock;
  return startPeriodic({
    intervalMs: deps.intervalMs ?? 3_600_000,
    async run() {
      const expired = await expireReservations(deps.db, isoDate(clock()));
      if (expired) deps.log.info({ expired }, 'expired quota reservations released');
    },
    onError: (error) => deps.log.warn({ err: error }, 'quota reservation expiry failed'),
  });
}
