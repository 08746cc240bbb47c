import assert from 'node:assert/strict';
import { createHandler as createOccupy } from '../../workers/quota.occupy';
import { createHandler as createReserve } from '../../workers/quota.reserve';
import type { QuotaNotice } from '../../workers/variables';
import { fakeJob } from '../support/fake-job';
import { newPerson, quotaRow, quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker quota.occupy', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let occupy: ReturnType<typeof createOccupy>;
  let unitId: string;
  let notice: QuotaNotice;

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    occupy = createOccupy(world.deps);
    // given a 用编通知单 for one SY place at U003 (approved 30, actual 27)
    unitId = await world.unitId('U003');
    const reserved = await createReserve(world.deps)(fakeJob({ unitId, bianzhiType: 'SY' }));
    notice = (reserved as unknown as { variables: { quotaNotice: QuotaNotice } }).variables.quotaNotice;
  });

  const occupyJob = (person = newPerson(), extra: Record<string, unknown> = {}) =>
    fakeJob({ quotaNotice: { reservationId: notice.reservationId }, person, unitId, bianzhiType: 'SY', entryMode: '招聘', ...extra });

  it('turns the reservation into an occupied slot and the person 在编, with an enter event naming the notice', async () => {
    // when
    const outcome = await occupy(occupyJob(newPerson(), { enteredOn: '2026-05-08' }));
    // then
    assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
    const { personId, enteredOn } = (outcome as unknown as { variables: { personId: string; enteredOn: string } }).variables;
    assert.equal(enteredOn, '2026-05-08');
    const person = await world.knex('persons').where({ id: personId }).first();
    assert.equal(person.status, 'active');
    assert.equal(person.unit_id, unitId);
    assert.equal(person.bianzhi_type, 'SY');
    assert.equal(person.profile.education, '21');
    assert.deepEqual(await quotaRow(world.knex, unitId, 'SY'), { approved: 30, actual: 28, reserved: 0 });
    assert.equal((await world.knex('quota_reservations').where({ id: notice.reservationId }).first()).status, 'occupied');
    const events = await world.knex('person_events').where({ person_id: personId });
    assert.equal(events.length, 1);
    assert.equal(events[0].event_type, 'enter');
    assert.equal(events[0].document_number, notice.number);
    assert.equal(events[0].reason, '招聘');
  });

  it('returns the first result when the job is delivered twice', async () => {
    const job = occupyJob();
    const first = await occupy(job);
    const second = await occupy({ ...job });
    assert.deepEqual(second, first);
    assert.equal((await quotaRow(world.knex, unitId, 'SY')).actual, 28);
    assert.equal(Number((await world.knex('person_events').count({ n: '*' }).first())?.n), 1);
  });

  it('throws QUOTA_NOTICE_INVALID for a notice already used', async () => {
    await occupy(occupyJob(newPerson('1998-03-15', '1', 1)));
    const outcome = await occupy(occupyJob(newPerson('1997-01-20', '2', 2)));
    assert.equal(outcome.outcome, 'bpmnError');
    assert.equal((outcome as unknown as { code: string }).code, 'QUOTA_NOTICE_INVALID');
    assert.match((outcome as unknown as { message: string }).message, /已使用/);
  });

  it('throws QUOTA_NOTICE_INVALID for an expired notice, and changes nothing', async () => {
    world.setToday('2027-01-01');
    const outcome = await occupy(occupyJob());
    assert.equal((outcome as unknown as { code: string }).code, 'QUOTA_NOTICE_INVALID');
    assert.match((outcome as unknown as { message: string }).message, /过期/);
    assert.deepEqual(await quotaRow(world.knex, unitId, 'SY'), { approved: 30, actual: 27, reserved: 1 });
  });

  it('throws QUOTA_NOTICE_INVALID for a notice of another unit', async () => {
    const outcome = await occupy(occupyJob(newPerson(), { unitId: await world.unitId('U001'), bianzhiType: 'XZ' }));
    assert.equal((outcome as unknown as { code: string }).code, 'QUOTA_NOTICE_INVALID');
  });

  it('throws ONE_PERSON_ONE_SLOT for an ID number already 在编, and keeps the reservation', async () => {
    // given a demo person active in another unit
    const active = await world.knex('persons').where({ status: 'active' }).whereNot({ unit_id: unitId }).first();
    const person = { ...newPerson(active.birth_date, active.gender), idNumber: active.id_number, name: active.name };
    // when
    const outcome = await occupy(occupyJob(person));
    // then
    assert.equal((outcome as unknown as { code: string }).code, 'ONE_PERSON_ONE_SLOT');
    assert.equal((await world.knex('quota_reservations').where({ id: notice.reservationId }).first()).status, 'reserved');
    assert.deepEqual(await quotaRow(world.knex, unitId, 'SY'), { approved: 30, actual: 27, reserved: 1 });
    assert.equal((await world.knex('persons').where({ id: active.id }).first()).unit_id, active.unit_id);
  });

  it('lets a person with a history record enter again on the same row', async () => {
    // given a retired demo person
    const retired = await world.knex('persons').where({ status: 'retired' }).first();
    const person = { ...newPerson(retired.birth_date, retired.gender), idNumber: retired.id_number, name: retired.name };
    // when (retirees are past the statutory age, but occupy does not validate: person.validate does)
    const outcome = await occupy(occupyJob(person));
    // then
    assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
    assert.equal((outcome as unknown as { variables: { personId: string } }).variables.personId, retired.id);
    assert.equal((await world.knex('persons').where({ id: retired.id }).first()).status, 'active');
  });

  it('fails without retries for an invalid ID number', async () => {
    const outcome = await occupy(occupyJob({ ...newPerson(), idNumber: '110105199803150010' }));
    assert.equal(outcome.outcome, 'fail');
    assert.equal((outcome as unknown as { retries: number }).retries, 0);
  });
});
