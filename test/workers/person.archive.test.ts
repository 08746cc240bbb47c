import assert from 'node:assert/strict';
import { createHandler } from '../../workers/person.archive';
import { createHandler as createVacate } from '../../workers/quota.vacate';
import { fakeJob } from '../support/fake-job';
import { quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker person.archive', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let archive: ReturnType<typeof createHandler>;

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    archive = createHandler(world.deps);
  });

  it('writes the final record: the person, the unit left, the events and the figures', async () => {
    // given a person retired by quota.vacate in this instance
    const person = await world.knex('persons').where({ status: 'active', unit_id: await world.unitId('U002') }).first();
    const job = fakeJob({ personId: person.id, reason: '退休', retirement: { retirementDate: '2026-04-30' }, pension: { monthly: 6123.45 } });
    await createVacate(world.deps)(fakeJob({ personId: person.id, reason: '退休', eventDate: '2026-04-30' }, { instanceId: job.instanceId }));
    // when
    const outcome = await archive(job);
    // then
    assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
    const { archivedAt } = (outcome as unknown as { variables: { archivedAt: string } }).variables;
    assert.ok(!Number.isNaN(Date.parse(archivedAt)));
    const row = await world.knex('person_archives').where({ person_id: person.id }).first();
    assert.equal(row.reason, '退休');
    assert.equal(row.instance_id, job.instanceId);
    assert.equal(row.snapshot.person.status, 'retired');
    assert.equal(row.snapshot.unit.code, 'U002');
    assert.equal(row.snapshot.events[0].event_type, 'retire');
    assert.deepEqual(row.snapshot.figures, { retirement: { retirementDate: '2026-04-30' }, pension: { monthly: 6123.45 } });
  });

  it('is idempotent: a redelivered job returns the first record', async () => {
    const person = await world.knex('persons').where({ status: 'retired' }).first();
    const job = fakeJob({ personId: person.id, reason: '退休' });
    const first = await archive(job);
    const again = await archive({ ...job });
    assert.deepEqual(again, first);
    assert.equal(Number((await world.knex('person_archives').count({ n: '*' }).first())?.n), 1);
  });

  it('fails without retries for an unknown person or a missing reason', async () => {
    assert.equal((await archive(fakeJob({ personId: '00000000-0000-4000-8000-000000000000', reason: '退休' }))).outcome, 'fail');
    const person = await world.knex('persons').where({ status: 'retired' }).first();
    assert.equal((await archive(fakeJob({ personId: person.id }))).outcome, 'fail');
  });
});
