import assert from 'node:assert/strict';
import { createHandler } from '../../workers/person.change-post';
import { requireRealPostgres } from '../support/db';
import { fakeJob } from '../support/fake-job';
import { quotaWorkerWorld, type QuotaWorkerWorld } from '../support/quota-workers';

describe('worker person.change-post', function () {
  this.timeout(120_000);
  let world: QuotaWorkerWorld;
  let change: ReturnType<typeof createHandler>;
  let unitId: string;
  let person: { id: string; post: string };
  const deputy = { level: '乡科级', kind: 'deputy' };
  const posts = async () => (await world.knex('leader_posts').where({ unit_id: unitId, level: '乡科级', kind: 'deputy' }).first('approved', 'actual')) as { approved: number; actual: number };

  beforeEach(async () => {
    world = await quotaWorkerWorld();
    change = createHandler(world.deps);
    // given 示范区人民政府办公室 (乡科级副职: 3 approved, 2 filled) and one of its XZ staff
    unitId = await world.unitId('U001');
    person = await world.knex('persons').where({ status: 'active', unit_id: unitId, bianzhi_type: 'XZ' }).first();
  });

  it('appoints to a vacant 领导职务: post changed, 实配 +1, one post-change event', async () => {
    // when
    const outcome = await change(fakeJob({ personId: person.id, unitId, newPost: '乡科级副职', isLeaderPost: true, leaderPost: deputy, effectiveDate: '2026-05-01', decisionDocNo: '示组任〔2026〕8号', changeType: '晋升' }));
    // then
    assert.deepEqual(outcome, { outcome: 'complete', variables: { postChangedOn: '2026-05-01' } });
    assert.equal((await posts()).actual, 3);
    const row = await world.knex('persons').where({ id: person.id }).first();
    assert.equal(row.post, '乡科级副职');
    assert.deepEqual(row.profile.leaderPost, deputy);
    const events = await world.knex('person_events').where({ person_id: person.id, event_type: 'post-change' });
    assert.equal(events.length, 1);
    assert.equal(events[0].document_number, '示组任〔2026〕8号');
    assert.equal(events[0].details.fromPost, person.post);
  });

  it('is idempotent: a job delivered twice changes the post once', async () => {
    // given
    const job = fakeJob({ personId: person.id, unitId, newPost: '乡科级副职', isLeaderPost: true, leaderPost: deputy });
    // when
    await change(job);
    const again = await change(job);
    // then
    assert.equal(again.outcome, 'complete');
    assert.equal((await posts()).actual, 3);
    assert.equal((await world.knex('person_events').where({ person_id: person.id, event_type: 'post-change' })).length, 1);
  });

  it('refuses a 领导职务 without a vacant post with LEADER_POSTS_EXHAUSTED and changes nothing', async () => {
    // given the posts are full
    await world.knex('leader_posts').where({ unit_id: unitId, level: '乡科级', kind: 'deputy' }).update({ actual: 3 });
    // when
    const outcome = await change(fakeJob({ personId: person.id, unitId, newPost: '乡科级副职', isLeaderPost: true, leaderPost: deputy }));
    // then
    assert.equal(outcome.outcome, 'bpmnError');
    assert.equal(outcome.outcome === 'bpmnError' && outcome.code, 'LEADER_POSTS_EXHAUSTED');
    assert.equal((await world.knex('persons').where({ id: person.id }).first()).post, person.post);
    assert.equal((await posts()).actual, 3);
  });

  it('frees the old 领导职数 when a leader moves to a non-leader post', async () => {
    // given the person holds a deputy post
    await change(fakeJob({ personId: person.id, unitId, newPost: '乡科级副职', isLeaderPost: true, leaderPost: deputy }));
    // when
    const outcome = await change(fakeJob({ personId: person.id, unitId, newPost: '一级调研员', isLeaderPost: false }));
    // then
    assert.equal(outcome.outcome, 'complete');
    assert.equal((await posts()).actual, 2);
    assert.equal((await world.knex('persons').where({ id: person.id }).first()).profile.leaderPost, undefined);
  });

  it('fails without retries for a person not 在编 in the case unit', async () => {
    // when
    const outcome = await change(fakeJob({ personId: person.id, unitId: await world.unitId('U002'), newPost: '一级科员' }));
    // then
    assert.equal(outcome.outcome, 'fail');
    assert.equal(outcome.outcome === 'fail' && outcome.retries, 0);
  });

  it('never fills a post twice when two appointments race for the last vacancy', async function () {
    requireRealPostgres(this, 'two appointments in concurrent transactions');
    // given one vacancy and two candidates
    const other = await world.knex('persons').where({ status: 'active', unit_id: unitId, bianzhi_type: 'XZ' }).whereNot({ id: person.id }).first();
    // when
    const outcomes = await Promise.all([person, other].map((p) => change(fakeJob({ personId: p.id, unitId, newPost: '乡科级副职', isLeaderPost: true, leaderPost: deputy }))));
    // then
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['bpmnError', 'complete']);
    assert.equal((await posts()).actual, 3);
  });
});
