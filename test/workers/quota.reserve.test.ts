import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { JobOutcome } from '../../workers/job';
import { createHandler, noticeExpiry } from '../../workers/quota.reserve';
import type { QuotaNotice } from '../../workers/variables';
import { requireRealPostgres } from '../support/db';
import { fakeJob } from '../support/fake-job';
import { planUsed, quotaRow, quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';
import { completeVariables } from './support';

const noticeOf = (outcome: JobOutcome) => completeVariables<{ quotaNotice: QuotaNotice }>(outcome).quotaNotice;

describe('worker quota.reserve', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let reserve: ReturnType<typeof createHandler>;

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    reserve = createHandler(world.deps);
  });

  it('reserves the quota, uses the plan and issues the 用编通知单 in one transaction', async () => {
    // given U003 SY: approved 30, actual 27, plan 3
    const unitId = await world.unitId('U003');
    // when
    const notice = noticeOf(await reserve(fakeJob({ unitId, bianzhiType: 'SY', requested: 2, entryMode: '招聘', post: '专业技术十二级' })));
    // then
    assert.equal(notice.count, 2);
    assert.equal(notice.expiresOn, '2026-12-31');
    assert.match(notice.number, /^370612-YBTZ-2026-\d{4}$/);
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 2);
    assert.equal(await planUsed(world.knex, unitId, 'SY'), 2);
    const reservation = await world.knex('quota_reservations').where({ id: notice.reservationId }).first();
    assert.equal(reservation.status, 'reserved');
    assert.equal(reservation.document_id, notice.documentId);
    const document = await world.knex('documents').where({ id: notice.documentId }).first();
    assert.equal(document.type, 'YBTZ');
    assert.equal(document.payload.unitName, '示范区第一中学');
    assert.equal(document.payload.approvedCount, 2);
    assert.equal(document.payload.validUntil, '2026-12-31');
    assert.equal(document.payload.useMode, '招聘');
  });

  it('returns the first notice when the job is delivered twice, and reserves once', async () => {
    const unitId = await world.unitId('U003');
    const job = fakeJob({ unitId, bianzhiType: 'SY' });
    const first = noticeOf(await reserve(job));
    const second = noticeOf(await reserve({ ...job }));
    assert.deepEqual(second, first);
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 1);
    assert.equal(Number((await world.knex('documents').count({ n: '*' }).first())?.n), 1);
  });

  it('throws QUOTA_EXHAUSTED when not enough is available, and changes nothing', async () => {
    // given U004 is over quota
    const unitId = await world.unitId('U004');
    const outcome = await reserve(fakeJob({ unitId, bianzhiType: 'SY' }));
    assert.equal(outcome.outcome, 'bpmnError');
    assert.equal((outcome as unknown as { code: string }).code, 'QUOTA_EXHAUSTED');
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 0);
    assert.equal(Number((await world.knex('quota_reservations').count({ n: '*' }).first())?.n), 0);
    assert.equal(Number((await world.knex('documents').count({ n: '*' }).first())?.n), 0);
  });

  it('throws QUOTA_EXHAUSTED when the annual plan is used up', async () => {
    // given U001 XZ has 3 places but a plan of 2
    const unitId = await world.unitId('U001');
    const outcome = await reserve(fakeJob({ unitId, bianzhiType: 'XZ', requested: 3 }));
    assert.equal((outcome as unknown as { code: string }).code, 'QUOTA_EXHAUSTED');
    assert.match((outcome as unknown as { message: string }).message, /用编计划/);
    assert.equal((await quotaRow(world.knex, unitId, 'XZ')).reserved, 0);
    assert.equal(await planUsed(world.knex, unitId, 'XZ'), 0);
  });

  it('placement mode reserves beyond the available count and says so on the notice', async () => {
    const unitId = await world.unitId('U004');
    const job = fakeJob({ unitId, bianzhiType: 'SY', planAdHocDocNo: '示军转〔2026〕1号' }, { customHeaders: { mode: 'placement' } });
    const notice = noticeOf(await reserve(job));
    assert.equal(notice.overQuota, true);
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 1);
    const document = await world.knex('documents').where({ id: notice.documentId }).first();
    assert.match(document.payload.conditions, /超编待消化/);
  });

  it('computes the expiry from the parameter: end of the plan year, or a number of days', () => {
    assert.equal(noticeExpiry('2026-05-10', { mode: 'end-of-year' }), '2026-12-31');
    assert.equal(noticeExpiry('2026-12-20', { mode: 'days', days: 30 }), '2027-01-19');
  });

  it('reserves exactly the available places under 20 concurrent requests', async function () {
    requireRealPostgres(this, '20 transactions at once; PGlite runs one at a time');
    // given U003 SY has 3 places available and a plan of 3
    const unitId = await world.unitId('U003');
    // when 20 instances reserve at the same moment
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => reserve(fakeJob({ unitId, bianzhiType: 'SY' }, { instanceId: randomUUID(), elementId: 'Task_ReserveQuota' }))),
    );
    // then exactly 3 got a notice, and the counts agree
    const granted = outcomes.filter((o) => o.outcome === 'complete');
    const refused = outcomes.filter((o) => o.outcome === 'bpmnError' && o.code === 'QUOTA_EXHAUSTED');
    assert.equal(granted.length, 3, JSON.stringify(outcomes.filter((o) => o.outcome === 'fail')));
    assert.equal(refused.length, 17);
    const quota = await quotaRow(world.knex, unitId, 'SY');
    assert.equal(quota.reserved, 3);
    assert.equal(await planUsed(world.knex, unitId, 'SY'), 3);
    assert.equal(Number((await world.knex('quota_reservations').where({ status: 'reserved' }).count({ n: '*' }).first())?.n), 3);
    assert.equal(Number((await world.knex('documents').where({ type: 'YBTZ' }).count({ n: '*' }).first())?.n), 3);
  });

  it('reserves once when the same job is delivered five times at once', async function () {
    requireRealPostgres(this, 'concurrent deliveries of one job; PGlite runs one transaction at a time');
    const unitId = await world.unitId('U003');
    const job = fakeJob({ unitId, bianzhiType: 'SY' });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => reserve({ ...job })));
    const notices = outcomes.map(noticeOf);
    for (const notice of notices) assert.deepEqual(notice, notices[0]);
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).reserved, 1);
    assert.equal(await planUsed(world.knex, unitId, 'SY'), 1);
  });
});
