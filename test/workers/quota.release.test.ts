import assert from 'node:assert/strict';
import { expireReservations } from '../../server/services/quota-reservations';
import { createHandler as createOccupy } from '../../workers/quota.occupy';
import { createHandler as createRelease } from '../../workers/quota.release';
import { createHandler as createReserve } from '../../workers/quota.reserve';
import type { QuotaNotice } from '../../workers/variables';
import { fakeJob } from '../support/fake-job';
import { newPerson, planUsed, quotaRow, quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker quota.release and the expiry sweep', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let release: ReturnType<typeof createRelease>;
  let unitId: string;

  const reserveOne = async (): Promise<QuotaNotice> => {
    const outcome = await createReserve(world.deps)(fakeJob({ unitId, bianzhiType: 'SY' }));
    return (outcome as unknown as { variables: { quotaNotice: QuotaNotice } }).variables.quotaNotice;
  };

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    release = createRelease(world.deps);
    unitId = await world.unitId('U003');
  });

  it('releases a reservation: the quota and the plan get the place back', async () => {
    // given
    const notice = await reserveOne();
    // when
    const outcome = await release(fakeJob({ quotaNotice: notice }));
    // then
    assert.deepEqual(outcome, { outcome: 'complete', variables: { quotaReleased: true } });
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 0);
    assert.equal(await planUsed(world.knex, unitId, 'SY'), 0);
    assert.equal((await world.knex('quota_reservations').where({ id: notice.reservationId }).first()).status, 'released');
  });

  it('is idempotent: a second release gives nothing back twice', async () => {
    const first = await reserveOne();
    await reserveOne();
    const job = fakeJob({ quotaNotice: first });
    await release(job);
    const again = await release({ ...job });
    assert.deepEqual(again, { outcome: 'complete', variables: { quotaReleased: true } });
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 1);
    assert.equal(await planUsed(world.knex, unitId, 'SY'), 1);
  });

  it('leaves an occupied reservation alone', async () => {
    const notice = await reserveOne();
    await createOccupy(world.deps)(fakeJob({ quotaNotice: notice, person: newPerson(), unitId, bianzhiType: 'SY' }));
    const outcome = await release(fakeJob({ quotaNotice: notice }));
    assert.deepEqual(outcome, { outcome: 'complete', variables: { quotaReleased: false } });
    assert.deepEqual(await quotaRow(world.knex, unitId, 'SY'), { approved: 30, actual: 28, reserved: 0 });
    assert.equal(await planUsed(world.knex, unitId, 'SY'), 1);
  });

  it('fails without retries for an unknown reservation', async () => {
    const outcome = await release(fakeJob({ quotaNotice: { reservationId: '00000000-0000-4000-8000-000000000000' } }));
    assert.equal(outcome.outcome, 'fail');
    assert.equal((outcome as unknown as { retries: number }).retries, 0);
  });

  it('the sweep expires reservations past their last valid day, and only those', async () => {
    // given two reservations valid through 2026-12-31 and one through 2027-06-30
    await reserveOne();
    await reserveOne();
    const c = await reserveOne();
    await world.knex('quota_reservations').where({ id: c.reservationId }).update({ expires_on: '2027-06-30' });
    // when the sweep runs on the last valid day, nothing expires; the day after, two do
    assert.equal(await expireReservations(world.knex, '2026-12-31'), 0);
    assert.equal(await expireReservations(world.knex, '2027-01-01'), 2);
    // then
    const statuses = await world.knex('quota_reservations').orderBy('created_at').pluck('status');
    assert.deepEqual(statuses.sort(), ['expired', 'expired', 'reserved']);
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 1);
    assert.equal(await planUsed(world.knex, unitId, 'SY'), 1);
    // and running it again changes nothing
    assert.equal(await expireReservations(world.knex, '2027-01-01'), 0);
  });
});
