import assert from 'node:assert/strict';
import { createHandler } from '../../workers/quota.vacate';
import { fakeJob } from '../support/fake-job';
import { quotaRow, quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker quota.vacate', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let vacate: ReturnType<typeof createHandler>;
  let person: { id: string; unit_id: string; bianzhi_type: string };

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    vacate = createHandler(world.deps);
    // given an active person of U001 XZ (approved 12, actual 9)
    person = await world.knex('persons').where({ status: 'active', unit_id: await world.unitId('U001'), bianzhi_type: 'XZ' }).first();
  });

  it('retires the person: status retired, the slot freed, the unit kept on a retire event', async () => {
    // when
    const outcome = await vacate(fakeJob({ personId: person.id, reason: '退休', eventDate: '2026-04-30', documentNumber: '370612-CBTZ-2026-0001' }));
    // then
    assert.deepEqual(outcome, { outcome: 'complete', variables: { vacatedOn: '2026-04-30' } });
    const row = await world.knex('persons').where({ id: person.id }).first();
    assert.equal(row.status, 'retired');
    assert.equal(row.unit_id, null);
    assert.equal((await quotaRow(world.knex, person.unit_id, 'XZ')).actual, 8);
    const [event] = await world.knex('person_events').where({ person_id: person.id });
    assert.equal(event.event_type, 'retire');
    assert.equal(event.unit_id, person.unit_id);
    assert.equal(event.bianzhi_type, 'XZ');
    assert.equal(event.reason, '退休');
    assert.equal(event.document_number, '370612-CBTZ-2026-0001');
  });

  it('moves a person who resigns to history', async () => {
    await vacate(fakeJob({ personId: person.id, reason: '辞职', eventDate: '2026-04-30' }));
    assert.equal((await world.knex('persons').where({ id: person.id }).first()).status, 'history');
    assert.equal((await world.knex('person_events').where({ person_id: person.id }).first()).event_type, 'leave');
  });

  it('is idempotent: a redelivered job frees the slot once', async () => {
    const job = fakeJob({ personId: person.id, reason: '退休', eventDate: '2026-04-30' });
    await vacate(job);
    const again = await vacate({ ...job });
    assert.deepEqual(again, { outcome: 'complete', variables: { vacatedOn: '2026-04-30' } });
    assert.equal((await quotaRow(world.knex, person.unit_id, 'XZ')).actual, 8);
    assert.equal(Number((await world.knex('person_events').where({ person_id: person.id }).count({ n: '*' }).first())?.n), 1);
  });

  it('frees the leader post the person held', async () => {
    // given the person holds the 乡科级正职 of U001 (approved 1, actual 1)
    await world.knex('persons').where({ id: person.id }).update({ profile: JSON.stringify({ leaderPost: { level: '乡科级', kind: 'principal' } }) });
    // when
    await vacate(fakeJob({ personId: person.id, reason: '退休', eventDate: '2026-04-30' }));
    // then
    const post = await world.knex('leader_posts').where({ unit_id: person.unit_id, level: '乡科级', kind: 'principal' }).first();
    assert.equal(post.actual, 0);
    assert.equal((await world.knex('persons').where({ id: person.id }).first()).profile.leaderPost, undefined);
  });

  it('fails without retries for a person not 在编, an unknown reason or date', async () => {
    const retired = await world.knex('persons').where({ status: 'retired' }).first();
    const notActive = await vacate(fakeJob({ personId: retired.id, reason: '退休', eventDate: '2026-04-30' }));
    assert.equal(notActive.outcome, 'fail');
    assert.equal((notActive as unknown as { retries: number }).retries, 0);
    assert.equal((await vacate(fakeJob({ personId: person.id, reason: '休假', eventDate: '2026-04-30' }))).outcome, 'fail');
    assert.equal((await vacate(fakeJob({ personId: person.id, reason: '退休', eventDate: '2026-02-30' }))).outcome, 'fail');
    assert.equal((await quotaRow(world.knex, person.unit_id, 'XZ')).actual, 9);
  });
});
