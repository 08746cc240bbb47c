import assert from 'node:assert/strict';
import { createHandler } from '../../workers/person.change-type';
import { fakeJob } from '../support/fake-job';
import { quotaRow, quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker person.change-type', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let change: ReturnType<typeof createHandler>;
  let unitId: string;
  let worker: { id: string };

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    change = createHandler(world.deps);
    // given 示范区人民政府办公室: GQ 2/2, XZ 12/9, and one of its 工勤 staff
    unitId = await world.unitId('U001');
    worker = await world.knex('persons').where({ status: 'active', unit_id: unitId, bianzhi_type: 'GQ' }).first();
  });

  it('moves the person from 工勤 to 行政 in one step: GQ −1, XZ +1, one type-change event', async () => {
    // when
    const outcome = await change(fakeJob({ personId: worker.id, unitId, newBianzhiType: 'XZ', effectiveDate: '2026-05-01', basisDocNo: '示编委〔2026〕9号' }));
    // then
    assert.deepEqual(outcome, { outcome: 'complete', variables: { typeChangedOn: '2026-05-01' } });
    assert.equal((await quotaRow(world.knex, unitId, 'GQ')).actual, 1);
    assert.equal((await quotaRow(world.knex, unitId, 'XZ')).actual, 10);
    assert.equal((await world.knex('persons').where({ id: worker.id }).first()).bianzhi_type, 'XZ');
    const events = await world.knex('person_events').where({ person_id: worker.id, event_type: 'type-change' });
    assert.equal(events.length, 1);
    assert.equal(events[0].details.fromBianzhiType, 'GQ');
  });

  it('is idempotent: a second delivery changes nothing more', async () => {
    // given
    const job = fakeJob({ personId: worker.id, unitId, newBianzhiType: 'XZ' });
    // when
    await change(job);
    await change(job);
    // then
    assert.equal((await quotaRow(world.knex, unitId, 'XZ')).actual, 10);
    assert.equal((await world.knex('person_events').where({ person_id: worker.id, event_type: 'type-change' })).length, 1);
  });

  it('answers QUOTA_EXHAUSTED when the new type has no place, and changes nothing', async () => {
    // given XZ is full
    await world.knex('quotas').where({ unit_id: unitId, bianzhi_type: 'XZ' }).update({ approved: 9 });
    // when
    const outcome = await change(fakeJob({ personId: worker.id, unitId, newBianzhiType: 'XZ' }));
    // then
    assert.equal(outcome.outcome === 'bpmnError' && outcome.code, 'QUOTA_EXHAUSTED');
    assert.equal((await quotaRow(world.knex, unitId, 'GQ')).actual, 2);
    assert.equal((await world.knex('persons').where({ id: worker.id }).first()).bianzhi_type, 'GQ');
  });

  it('refuses a 编制类型 the unit may not hold (事业编制 in a 机关) without retries', async () => {
    // when
    const outcome = await change(fakeJob({ personId: worker.id, unitId, newBianzhiType: 'SY' }));
    // then
    assert.equal(outcome.outcome, 'fail');
    assert.equal(outcome.outcome === 'fail' && outcome.retries, 0);
    assert.match(outcome.outcome === 'fail' ? outcome.message : '', /编制类型与单位性质不符/);
  });
});
