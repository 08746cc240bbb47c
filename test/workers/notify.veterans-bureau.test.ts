import assert from 'node:assert/strict';
import { createHandler } from '../../workers/notify.veterans-bureau';
import { fakeJob } from '../support/fake-job';
import { quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker notify.veterans-bureau', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let notify: ReturnType<typeof createHandler>;
  let person: { id: string };

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    notify = createHandler(world.deps);
    person = await world.knex('persons').where({ status: 'retired' }).first();
  });

  const notificationsOf = () => world.knex('notifications').where({ kind: 'veterans.retiree' });

  it('notifies every active 老干部局 user and records the audit event for a 四级调研员', async () => {
    // given
    await world.knex('persons').where({ id: person.id }).update({ post: '四级调研员' });
    // when
    const outcome = await notify(fakeJob({ personId: person.id }));
    // then
    assert.deepEqual(outcome, { outcome: 'complete', variables: { veteransNotified: true } });
    const rows = await notificationsOf();
    assert.deepEqual(rows.map((r: { username: string }) => r.username), ['veterans-clerk']);
    assert.doesNotMatch(rows[0].title, new RegExp((await world.knex('persons').where({ id: person.id }).first()).name));
    const audit = await world.knex('audit_events').where({ kind: 'veterans.notified' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].payload.personId, person.id);
  });

  it('notifies for a 县处级 leader post recorded on the retirement event', async () => {
    await world.knex('persons').where({ id: person.id }).update({ post: '一级主任科员' });
    await world.knex('person_events').insert({ person_id: person.id, event_type: 'retire', occurred_on: '2026-04-30', details: JSON.stringify({ leaderPost: { level: '县处级', kind: 'deputy' } }) });
    const outcome = await notify(fakeJob({ personId: person.id }));
    assert.deepEqual(outcome, { outcome: 'complete', variables: { veteransNotified: true } });
  });

  it('is idempotent: a redelivered job notifies nobody twice', async () => {
    await world.knex('persons').where({ id: person.id }).update({ post: '二级巡视员' });
    const job = fakeJob({ personId: person.id });
    await notify(job);
    const again = await notify({ ...job });
    assert.deepEqual(again, { outcome: 'complete', variables: { veteransNotified: true } });
    assert.equal((await notificationsOf()).length, 1);
    assert.equal((await world.knex('audit_events').where({ kind: 'veterans.notified' })).length, 1);
  });

  it('notifies nobody below the threshold, and every retiree when the threshold is "all"', async () => {
    await world.knex('persons').where({ id: person.id }).update({ post: '一级科员' });
    assert.deepEqual(await notify(fakeJob({ personId: person.id })), { outcome: 'complete', variables: { veteransNotified: false } });
    assert.equal((await notificationsOf()).length, 0);
    // when the district manages every retiree
    await world.deps.parameters.addVersion({ key: 'veterans.notify-threshold', validFrom: '2026-01-01', value: { mode: 'all' }, status: 'C' }, { username: 'admin', userId: null });
    assert.deepEqual(await notify(fakeJob({ personId: person.id })), { outcome: 'complete', variables: { veteransNotified: true } });
  });

  it('fails without retries for an unknown person', async () => {
    const outcome = await notify(fakeJob({ personId: '00000000-0000-4000-8000-000000000000' }));
    assert.equal(outcome.outcome, 'fail');
    assert.equal((outcome as unknown as { retries: number }).retries, 0);
  });
});
