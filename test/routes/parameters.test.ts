// The parameter tables through the API: every value shows its version, dates and confidence tag; a change
// is a new version that takes effect on its day and is recorded in the audit log.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('parameters API', function () {
  let w: WorkflowApi;
  before(async () => {
    w = await startWorkflowApi();
  });
  after(() => w.stop());

  it('lists every parameter with its version, validity and A/B/C status, the placeholders marked C', async () => {
    // when
    const res = await supertest(w.t.app).get('/api/parameters').set(await w.as('unit-U001'));
    // then
    assert.equal(res.status, 200);
    const byKey = new Map(res.body.data.map((p: { key: string }) => [p.key, p]));
    const average = byKey.get('pension.average-wage') as { status: string; source: string; version: number };
    assert.equal(average.status, 'C');
    assert.match(average.source, /placeholder/);
    assert.equal((byKey.get('retirement.statutory-age') as { status: string }).status, 'A');
    for (const p of res.body.data) assert.ok(['A', 'B', 'C'].includes(p.status) && Number.isInteger(p.version) && p.validFrom, JSON.stringify(p));
  });

  it('adds a version that applies from its day on, and records who changed what', async () => {
    // given
    const before = await supertest(w.t.app).get('/api/parameters/pension.average-wage').set(await w.as('admin'));
    // when the province publishes its 计发基数
    const res = await supertest(w.t.app)
      .post('/api/parameters/pension.average-wage/versions')
      .set(await w.as('admin'))
      .send({ validFrom: '2027-01-01', value: 8650, status: 'A', docNo: '鲁人社字〔2026〕99号', source: '省人社厅公布的 2026 年计发基数' });
    // then
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.data.version, before.body.data.version + 1);
    const old = await supertest(w.t.app).get('/api/parameters/pension.average-wage?on=2026-12-31').set(await w.as('admin'));
    const next = await supertest(w.t.app).get('/api/parameters/pension.average-wage?on=2027-01-01').set(await w.as('admin'));
    assert.equal(old.body.data.value, before.body.data.value);
    assert.equal(next.body.data.value, 8650);
    const event = await w.t.db.knex('audit_events').where({ kind: 'admin.parameter.changed' }).orderBy('seq', 'desc').first();
    assert.equal(event.actor, 'user:admin');
    assert.equal(event.payload.key, 'pension.average-wage');
    assert.equal(event.payload.value, 8650);
    const verify = await supertest(w.t.app).get('/api/audit/verify').set(await w.as('auditor'));
    assert.equal(verify.body.data.intact, true);
  });

  it('answers 400 naming the field for a bad version, and changes nothing', async () => {
    // given
    const count = Number((await w.t.db.knex('parameters').count({ n: '*' }))[0]!.n);
    // when
    const res = await supertest(w.t.app)
      .post('/api/parameters/pension.average-wage/versions')
      .set(await w.as('admin'))
      .send({ validFrom: '2027-02-30x', value: 1, status: 'D' });
    // then
    assert.equal(res.status, 400);
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    assert.ok(fields.includes('/validFrom') && fields.includes('/status'), JSON.stringify(fields));
    assert.equal(Number((await w.t.db.knex('parameters').count({ n: '*' }))[0]!.n), count);
  });

  it('lets no auditor change a parameter', async () => {
    // when
    const res = await supertest(w.t.app).post('/api/parameters/pension.average-wage/versions').set(await w.as('auditor')).send({ validFrom: '2027-01-01', value: 1, status: 'C' });
    // then
    assert.equal(res.status, 403);
  });
});
