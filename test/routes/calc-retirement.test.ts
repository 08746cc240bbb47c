// POST /api/calc/retirement and /api/calc/pension: the workers' functions as previews, ajv-validated,
// domain errors as 400 with the field, guarded by calc.use, documented in the OpenAPI document.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { createSilentLogger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { seedDemo } from '../../server/demo/seed';
import { getOpenApiDocument } from '../../server/openapi';
import { calcRetirementRoutes } from '../../server/routes/calc-retirement';
import { createParameterStore, seedDefaultParameters } from '../../server/services/parameters';
import { createTestApp, tokenFor, type TestApp } from '../support/app';
import { fakeClock } from '../support/clock';
import { getTestDatabase, resetDatabase } from '../support/db';

describe('calculators: POST /api/calc/retirement, /api/calc/pension', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));

  before(async () => {
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    await seedDemo(db.knex, createSilentLogger());
    await seedDefaultParameters(db.knex);
    t = await createTestApp({ db, clock: clock.now, routers: [calcRetirementRoutes({ parameters: createParameterStore(db.knex, clock.now), clock: clock.now })] });
    auth = { Authorization: `Bearer ${await tokenFor(t.app, 'unit-U001', DEMO_PASSWORD)}` };
  });

  const post = (path: string, body: unknown, headers = auth) => supertest(t.app).post(`/api/calc/${path}`).set(headers).send(body as object);

  describe('retirement', () => {
    it('gives the statutory date, window and category from the post', async () => {
      // given a woman holding a 工勤 post, born 1977-02-01
      // when
      const res = await post('retirement', { birthDate: '1977-02-01', gender: 'female', post: '工勤技能四级' });
      // then
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const r = res.body.data;
      assert.equal(r.category, 'woman50');
      assert.deepEqual(r.statutoryAge, { years: 51, months: 1 });
      assert.equal(r.statutoryDate, '2028-03-01');
      assert.equal(r.pensionStartMonth, '2028-04');
      assert.equal(r.allowed, true);
      assert.equal(r.parameterVersion.key, 'retirement.statutory-age');
    });

    it('answers a request outside the window with allowed false and the reason', async () => {
      const res = await post('retirement', { birthDate: '1972-05-10', gender: 'female', category: 'woman55', retirementType: '弹性提前', requestedDate: '2027-04-01' });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.allowed, false);
      assert.match(res.body.data.reason, /最早可退休日期 2027-05-10/);
    });

    it('answers 400 VALIDATION_FAILED naming the field: schema errors and domain errors', async () => {
      const missing = await post('retirement', { gender: 'male' });
      const badDate = await post('retirement', { birthDate: '1970-02-30', gender: 'male' });
      const mismatch = await post('retirement', { birthDate: '1970-02-03', gender: 'male', category: 'woman55' });
      const noDate = await post('retirement', { birthDate: '1970-02-03', gender: 'male', retirementType: '弹性延迟' });
      for (const res of [missing, badDate, mismatch, noDate]) assert.equal(res.body.error?.code, 'VALIDATION_FAILED', JSON.stringify(res.body));
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.details[0].field, '/birthDate');
      assert.equal(badDate.body.error.details[0].field, '/birthDate');
      assert.equal(mismatch.body.error.details[0].field, '/category');
      assert.equal(noDate.body.error.details[0].field, '/requestedDate');
    });
  });

  describe('pension', () => {
    const middle = { workStartDate: '1994-07-01', retirementDate: '2028-01-10', retirementAge: { years: 55, months: 8 }, contributionMonths: 402, averageContributionIndex: 1.2, personalAccountBalance: 100000, deemed: { index: 1.1, months: 243 }, minimumContributionYears: 15 };

    it('computes the same pension as the worker, with the parameters and their status', async () => {
      const res = await post('pension', middle);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const p = res.body.data;
      assert.deepEqual([p.cohort, p.base, p.personalAccount, p.transitional, p.total], ['middle', 2948, 588.24, 2138.4, 5674.64]);
      assert.equal(p.provisional, true);
      assert.equal(p.parameters.find((x: { key: string }) => x.key === 'pension.average-wage').status, 'C');
    });

    it('derives the retirement age from a birth date', async () => {
      const { retirementAge: _age, ...rest } = middle;
      const res = await post('pension', { ...rest, birthDate: '1972-05-10' });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.monthsOfPayment, 170);
    });

    it('answers 400 naming the field: no age, a 中人 without deemed service, bad years', async () => {
      const { retirementAge: _age, ...noAge } = middle;
      const { deemed: _deemed, ...noDeemed } = middle;
      const { averageContributionIndex: _i, ...noIndex } = middle;
      const cases = await Promise.all([
        post('pension', noAge),
        post('pension', noDeemed),
        post('pension', { ...noIndex, contributionYears: [{ base: 100, previousYearAverageWage: 8000, months: 12 }, { base: -1, previousYearAverageWage: 8000, months: 12 }] }),
        post('pension', { ...noIndex, contributionYears: [] }),
      ]);
      assert.deepEqual(cases.map((r) => r.status), [400, 400, 400, 400]);
      assert.deepEqual(cases.map((r) => r.body.error.details[0].field), ['/retirementAge', '/deemed', '/contributionYears/1/base', '/averageContributionIndex']);
    });
  });

  it('refuses callers without calc.use (worker accounts) and strangers', async () => {
    const worker = { Authorization: `Bearer ${await tokenFor(t.app, 'worker', DEMO_PASSWORD)}` };
    assert.equal((await post('retirement', { birthDate: '1970-02-03', gender: 'male' }, worker)).status, 403);
    assert.equal((await supertest(t.app).post('/api/calc/pension').send({})).status, 401);
  });

  it('is documented in the OpenAPI document with request and response schemas', () => {
    const doc = getOpenApiDocument();
    for (const path of ['/api/calc/retirement', '/api/calc/pension']) {
      const op = doc.paths[path]?.post as { requestBody: unknown; responses: Record<string, unknown> } | undefined;
      assert.ok(op?.requestBody && op.responses[200] && op.responses[400], path);
    }
    for (const name of ['RetirementCalcRequest', 'PensionCalcRequest', 'RetirementResult', 'PensionResult']) assert.ok(doc.components.schemas[name], name);
  });
});
