// GET /api/retirement-alerts (scoped by unit) and POST /api/retirement-alerts/:personId/start, which
// starts J1 through the real embedded engine (a stub diagram with the id staff-reduce-retirement).
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { PARAMETER_DEFAULTS } from '../../domain/parameters/index';
import { retirementAlertMonths } from '../../domain/parameters/time-limits';
import { createSilentLogger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { seedDemo } from '../../server/demo/seed';
import { startEngine, type RunningEngine } from '../../server/engine/index';
import { retirementAlertRoutes } from '../../server/routes/retirement-alerts';
import { createParameterStore, seedDefaultParameters } from '../../server/services/parameters';
import { createRetirementAlertService } from '../../server/services/retirement-alerts';
import { createTestApp, testConfig, tokenFor, type TestApp } from '../support/app';
import { fakeClock } from '../support/clock';
import { getTestDatabase, resetDatabase } from '../support/db';
import { seedRetirementPeople } from '../workers/support';
import { fixture } from './workflow-api-harness';

describe('retirement alerts API', () => {
  let t: TestApp;
  let running: RunningEngine;
  let people: Awaited<ReturnType<typeof seedRetirementPeople>>;
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));
  const tokens = new Map<string, string>();
  const as = async (username: string) => {
    if (!tokens.has(username)) tokens.set(username, await tokenFor(t.app, username, DEMO_PASSWORD));
    return { Authorization: `Bearer ${tokens.get(username)}` };
  };

  before(async () => {
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    const log = createSilentLogger();
    await seedDemo(db.knex, log);
    await seedDefaultParameters(db.knex, [...PARAMETER_DEFAULTS, ...retirementAlertMonths]);
    people = await seedRetirementPeople(db.knex);
    running = await startEngine({ db, config: testConfig(), log });
    await running.engine.deploy([{ name: 'retirement-alerts.j1-stub.bpmn', content: fixture('retirement-alerts.j1-stub.bpmn').toString('utf8') }], { kind: 'user', id: 'policy-editor' });
    const parameters = createParameterStore(db.knex, clock.now);
    const alerts = createRetirementAlertService({ db: db.knex, parameters, engine: running.engine, clock: clock.now });
    t = await createTestApp({ db, log, clock: clock.now, routers: [...running.routers, retirementAlertRoutes(alerts)] });
  });

  after(async () => {
    await running?.stop();
  });

  const list = async (username: string, query = '') => supertest(t.app).get(`/api/retirement-alerts${query}`).set(await as(username));
  const start = async (username: string, personId: string) => supertest(t.app).post(`/api/retirement-alerts/${personId}/start`).set(await as(username));

  it('lists every unit\'s people to department staff, with the horizon used', async () => {
    const res = await list('bianban-clerk');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.data.map((i: { personId: string }) => i.personId), [people.D, people.B, people.C, people.E]);
    assert.deepEqual(res.body.meta, { months: 3, today: '2026-11-24', total: 4 });
  });

  it('lists only the own unit\'s people to a unit clerk, and takes ?months', async () => {
    const u003 = await list('unit-U003');
    assert.deepEqual(u003.body.data.map((i: { personId: string }) => i.personId), [people.C, people.E]);
    const six = await list('unit-U001', '?months=6');
    assert.deepEqual(six.body.data.map((i: { personId: string }) => i.personId), [people.D, people.B, people.A]);
    assert.equal((await list('unit-U001', '?months=x')).status, 400);
  });

  it('starts J1 for a person with the case variables, then shows the case open and refuses a second start with 409', async () => {
    // when the unit clerk starts J1 for B
    const res = await start('unit-U001', people.B);
    // then
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const instance = res.body.data;
    assert.equal(instance.processId, 'staff-reduce-retirement');
    const unitId = ((await t.db.knex('units').where({ code: 'U001' }).first('id')) as { id: string }).id;
    assert.deepEqual(
      { ...instance.variables, personName: undefined },
      { unitId, personId: people.B, reason: '退休', retirementType: '法定', eventDate: '2026-12-20', personName: undefined },
    );
    const task = await t.db.knex('user_tasks').where({ instance_id: instance.id, state: 'created' }).first('element_id');
    assert.equal(task?.element_id, 'Task_Apply');
    const listed = (await list('unit-U001')).body.data.find((i: { personId: string }) => i.personId === people.B);
    assert.deepEqual([listed.caseOpen, listed.openCaseId], [true, instance.id]);
    const again = await start('bianban-clerk', people.B);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'RETIREMENT_CASE_OPEN');
  });

  it("answers 404 for another unit's person or an unknown id, 403 without process-instance.start", async () => {
    assert.equal((await start('unit-U003', people.D)).status, 404);
    assert.equal((await start('bianban-clerk', '00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await start('bianban-clerk', 'not-a-uuid')).status, 404);
    assert.equal((await start('auditor', people.D)).status, 403);
    assert.equal((await list('worker')).status, 403);
  });
});
