import assert from 'node:assert/strict';
import { createHandler } from '../../workers/person.load';
import { fakeJob } from '../support/fake-job';
import { quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker person.load', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let load: ReturnType<typeof createHandler>;

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    load = createHandler(world.deps);
  });

  it('returns the 编制类型 and post of a person 在编 in the case unit', async () => {
    // given
    const unitId = await world.unitId('U003');
    const person = await world.knex('persons').where({ status: 'active', unit_id: unitId }).first();
    // when
    const outcome = await load(fakeJob({ personId: person.id, unitId }));
    // then
    assert.deepEqual(outcome, { outcome: 'complete', variables: { bianzhiType: 'SY', currentPost: person.post } });
  });

  it('refuses with PERSON_NOT_IN_UNIT a person of another unit, so a unit cannot start a case about them', async () => {
    // given a person of U001 named in a case of U003
    const person = await world.knex('persons').where({ status: 'active', unit_id: await world.unitId('U001') }).first();
    // when
    const outcome = await load(fakeJob({ personId: person.id, unitId: await world.unitId('U003') }));
    // then
    assert.equal(outcome.outcome === 'bpmnError' && outcome.code, 'PERSON_NOT_IN_UNIT');
  });

  it('refuses a retired person', async () => {
    // given
    const person = await world.knex('persons').where({ status: 'retired' }).first();
    // when
    const outcome = await load(fakeJob({ personId: person.id, unitId: await world.unitId('U001') }));
    // then
    assert.equal(outcome.outcome, 'bpmnError');
  });
});
