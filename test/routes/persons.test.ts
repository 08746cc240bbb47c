// Finding staff on the rolls for starting a case about them: by part of the name or the start of
// the ID number, scoped like cases (a unit clerk finds the own unit's staff only), ID numbers masked.
import assert from 'node:assert/strict';
import type express from 'express';
import supertest from 'supertest';
import { personRoutes } from '../../server/routes/persons';
import { createPersonService } from '../../server/services/persons';
import { createTestApp } from '../support/app';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('persons API', () => {
  let w: WorkflowApi;
  let app: express.Express;
  const auth: Record<string, { Authorization: string }> = {};
  let u001 = '';
  let u003 = '';
  let someone: { id: string; name: string; id_number: string; unit_id: string };

  before(async () => {
    w = await startWorkflowApi();
    app = (await createTestApp({ db: w.t.db, log: w.t.log, routers: [...w.running.routers, personRoutes(createPersonService({ db: w.t.db.knex }))] })).app;
    for (const name of ['bianban-clerk', 'unit-U001', 'auditor']) auth[name] = await w.as(name);
    u001 = await w.unitId('U001');
    u003 = await w.unitId('U003');
    someone = await w.t.db.knex('persons').where({ status: 'active', unit_id: u003 }).orderBy('id').first();
  });
  after(async () => {
    await w?.stop();
  });

  const get = (user: string, query: string) => supertest(app).get(`/api/persons?${query}`).set(auth[user]!);

  it('finds a person by part of the name and by the start of the ID number, with the ID number masked', async () => {
    const byName = await get('bianban-clerk', `q=${encodeURIComponent(someone.name.slice(1))}`);
    assert.equal(byName.status, 200, JSON.stringify(byName.body));
    const hit = byName.body.data.find((p: { id: string }) => p.id === someone.id);
    assert.ok(hit, 'found by the name without its first character');
    assert.equal(hit.unitId, u003);
    assert.equal(hit.unitCode, 'U003');
    assert.equal(hit.idNumberMasked, `${someone.id_number.slice(0, 6)}********${someone.id_number.slice(-4)}`);
    assert.ok(!JSON.stringify(byName.body).includes(someone.id_number), 'the whole ID number never leaves');

    const byIdNumber = await get('bianban-clerk', `q=${someone.id_number.slice(0, 14)}`);
    assert.deepEqual(byIdNumber.body.data.map((p: { id: string }) => p.id), [someone.id]);
  });

  it("shows a unit clerk only the own unit's staff", async () => {
    const theirs = await get('unit-U001', `q=${encodeURIComponent(someone.name)}`);
    assert.equal(theirs.status, 200);
    assert.ok(theirs.body.data.every((p: { unitId: string }) => p.unitId === u001), 'nobody of another unit');
    const anyOwn = await w.t.db.knex('persons').where({ status: 'active', unit_id: u001 }).first();
    const own = await get('unit-U001', `q=${encodeURIComponent(anyOwn.name)}`);
    assert.ok(own.body.data.some((p: { id: string }) => p.id === anyOwn.id));
  });

  it('narrows to one unit, and answers 400 for a missing query or a malformed unit', async () => {
    const inU001 = await get('auditor', `q=${encodeURIComponent(someone.name)}&unitId=${u001}`);
    assert.ok(inU001.body.data.every((p: { unitId: string }) => p.unitId === u001));
    const missing = await get('auditor', 'q=');
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.details[0].field, 'q');
    assert.equal((await get('auditor', 'q=a&unitId=nope')).status, 400);
  });
});
