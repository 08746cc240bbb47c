import assert from 'node:assert/strict';
import { createHandler } from '../../workers/quota.transfer';
import { requireRealPostgres } from '../support/db';
import { fakeJob } from '../support/fake-job';
import { quotaRow, quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker quota.transfer', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let transfer: ReturnType<typeof createHandler>;
  let a: string;
  let b: string;
  let person: { id: string };

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    transfer = createHandler(world.deps);
    // given a person of U001 XZ (12/9) moving to U002 XZ (10/8)
    a = await world.unitId('U001');
    b = await world.unitId('U002');
    person = await world.knex('persons').where({ status: 'active', unit_id: a, bianzhi_type: 'XZ' }).first();
  });

  it('moves the person and the slot from A to B in one step, with one transfer event', async () => {
    // when
    const outcome = await transfer(fakeJob({ personId: person.id, unitId: a, targetUnitId: b, eventDate: '2026-05-01', documentNumber: '370612-DL-2026-0001' }));
    // then
    assert.deepEqual(outcome, { outcome: 'complete', variables: { transferredOn: '2026-05-01' } });
    assert.equal((await quotaRow(world.knex, a, 'XZ')).actual, 8);
    assert.equal((await quotaRow(world.knex, b, 'XZ')).actual, 9);
    const row = await world.knex('persons').where({ id: person.id }).first();
    assert.equal(row.unit_id, b);
    assert.equal(row.status, 'active');
    const events = await world.knex('person_events').where({ person_id: person.id });
    assert.equal(events.length, 1);
    assert.equal(events[0].event_type, 'transfer');
    assert.equal(events[0].from_unit_id, a);
    assert.equal(events[0].unit_id, b);
    assert.equal(events[0].document_number, '370612-DL-2026-0001');
  });

  it('is idempotent: a redelivered job moves nothing twice', async () => {
    const job = fakeJob({ personId: person.id, unitId: a, targetUnitId: b });
    const first = await transfer(job);
    const again = await transfer({ ...job });
    assert.deepEqual(again, first);
    assert.equal((await quotaRow(world.knex, b, 'XZ')).actual, 9);
    assert.equal((await quotaRow(world.knex, a, 'XZ')).actual, 8);
  });

  it('throws QUOTA_EXHAUSTED when B has no place, and changes nothing at A either', async () => {
    // given U001 GQ is full (2/2): move a U002 XZ person there as GQ
    const fromB = await world.knex('persons').where({ status: 'active', unit_id: b }).first();
    const outcome = await transfer(fakeJob({ personId: fromB.id, unitId: b, targetUnitId: a, bianzhiType: 'GQ' }));
    assert.equal(outcome.outcome, 'bpmnError');
    assert.equal((outcome as unknown as { code: string }).code, 'QUOTA_EXHAUSTED');
    assert.equal((await quotaRow(world.knex, b, 'XZ')).actual, 8);
    assert.equal((await quotaRow(world.knex, a, 'GQ')).actual, 2);
    assert.equal((await world.knex('persons').where({ id: fromB.id }).first()).unit_id, b);
    assert.equal(Number((await world.knex('person_events').count({ n: '*' }).first())?.n), 0);
  });

  it('fails without retries when the person is not 在编 at A', async () => {
    const outcome = await transfer(fakeJob({ personId: person.id, unitId: b, targetUnitId: a }));
    assert.equal(outcome.outcome, 'fail');
    assert.equal((outcome as unknown as { retries: number }).retries, 0);
  });

  it('never over-fills B under concurrent transfers, and opposite transfers do not deadlock', async function () {
    requireRealPostgres(this, 'concurrent transactions; PGlite runs one at a time');
    // given U002 XZ has 2 places; five U001 people move there at once while two U002 people move to U001
    const movers = await world.knex('persons').where({ status: 'active', unit_id: a, bianzhi_type: 'XZ' }).limit(5).pluck('id');
    const back = await world.knex('persons').where({ status: 'active', unit_id: b, bianzhi_type: 'XZ' }).limit(2).pluck('id');
    const outcomes = await Promise.all([
      ...movers.map((id: string) => transfer(fakeJob({ personId: id, unitId: a, targetUnitId: b }))),
      ...back.map((id: string) => transfer(fakeJob({ personId: id, unitId: b, targetUnitId: a }))),
    ]);
    assert.equal(outcomes.filter((o) => o.outcome === 'fail').length, 0, JSON.stringify(outcomes));
    const quotaB = await quotaRow(world.knex, b, 'XZ');
    assert.ok(quotaB.actual <= quotaB.approved, `B over-filled: ${quotaB.actual}/${quotaB.approved}`);
    const inB = Number((await world.knex('persons').where({ status: 'active', unit_id: b, bianzhi_type: 'XZ' }).count({ n: '*' }).first())?.n);
    const inA = Number((await world.knex('persons').where({ status: 'active', unit_id: a, bianzhi_type: 'XZ' }).count({ n: '*' }).first())?.n);
    assert.equal(quotaB.actual, inB);
    assert.equal((await quotaRow(world.knex, a, 'XZ')).actual, inA);
  });

  it('leaves the person in exactly one unit when the step fails between 出编 at A and 入编 at B', async () => {
    // given a failure injected after both quota rows changed: the person's own update is refused
    await world.knex.raw(`create or replace function test_refuse_person_move() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`);
    await world.knex.raw(`create trigger test_refuse_person_move before update on persons for each row execute function test_refuse_person_move()`);
    const [quotaA, quotaB] = [await quotaRow(world.knex, a, 'XZ'), await quotaRow(world.knex, b, 'XZ')];
    try {
      // when
      await assert.rejects(transfer(fakeJob({ personId: person.id, unitId: a, targetUnitId: b })), /injected failure/);
    } finally {
      await world.knex.raw('drop trigger test_refuse_person_move on persons');
      await world.knex.raw('drop function test_refuse_person_move()');
    }
    // then nothing of the transfer stands: the person is still in A only, both counts as before, no event
    const row = await world.knex('persons').where({ id: person.id }).first();
    assert.equal(row.unit_id, a);
    assert.deepEqual([(await quotaRow(world.knex, a, 'XZ')).actual, (await quotaRow(world.knex, b, 'XZ')).actual], [quotaA.actual, quotaB.actual]);
    assert.equal((await world.knex('person_events').where({ person_id: person.id })).length, 0);
  });
});
