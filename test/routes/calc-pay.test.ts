// POST /api/calc/salary, /api/calc/insurance-base, /api/calc/subsidy through HTTP, on the test database's
// parameter store: the same calculations as the workers, 400 VALIDATION_FAILED naming the field.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import type express from 'express';
import { createSilentLogger } from '../../server/core/logger';
import { seedDemo } from '../../server/demo/seed';
import { calcRoutes } from '../../server/routes/calc';
import { createParameterStore } from '../../server/services/parameters';
import { createTestApp, tokenFor } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';

describe('pay calculators API', () => {
  let app: express.Express;
  let auth: { Authorization: string };

  before(async () => {
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    await seedDemo(db.knex, createSilentLogger());
    ({ app } = await createTestApp({ db, routers: [calcRoutes({ parameters: createParameterStore(db.knex) })] }));
    auth = { Authorization: `Bearer ${await tokenFor(app, 'hrss-clerk', 'demo')}` };
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = auth) => supertest(app).post(`/api/calc/${path}`).set(headers).send(body as object);
  const newHire = { mode: 'new-hire', bianzhiType: 'XZ', person: { education: '21' }, reportDate: '2026-03-16' };

  describe('POST /api/calc/salary', () => {
    it('answers the new-hire salary with the parameter versions and tags', async () => {
      // when
      const res = await post('salary', newHire);
      // then
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const s = res.body.data;
      assert.deepEqual([s.effectiveMonth, s.monthlyBasic, s.afterProbation.monthlyBasic, s.afterProbation.effectiveMonth], ['2026-03', 1450, 1500, '2027-03']);
      assert.equal(s.lowestStatus, 'C');
      assert.ok(s.parameters.some((p: { key: string; version: string; status: string }) => p.key === 'salary.civil-servant.probation-pay' && p.version === 'placeholder' && p.status === 'C'));
    });

    it('pays SY staff of a 参公 unit as 公务员', async () => {
      const res = await post('salary', { mode: 'continuation', bianzhiType: 'SY', unitNature: 'institution_cs', salaryLetter: { post: '一级科员', level: 25, grade: 2, paidThrough: '2026-06' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual([res.body.data.system, res.body.data.effectiveMonth, res.body.data.monthlyBasic], ['civil-servant', '2026-07', 1500]);
    });

    it('answers 400 naming the field the schema refuses', async () => {
      const missing = await post('salary', { bianzhiType: 'XZ' });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'VALIDATION_FAILED');
      assert.ok(missing.body.error.details.some((d: { field: string }) => d.field === '/mode'));
      const month = await post('salary', { ...newHire, reportDate: undefined, effectiveMonth: '2026-3' });
      assert.equal(month.status, 400);
      assert.ok(month.body.error.details.some((d: { field: string }) => d.field === '/effectiveMonth'));
    });

    it('answers 400 naming the field the domain refuses', async () => {
      // when a 学历 without a 转正定级 row, a missing letter, a 级别 outside the 职级's range
      const education = await post('salary', { ...newHire, person: { education: '81' } });
      const letter = await post('salary', { mode: 'continuation', bianzhiType: 'XZ' });
      const level = await post('salary', { mode: 'continuation', bianzhiType: 'XZ', salaryLetter: { post: '一级科员', level: 27, grade: 1, paidThrough: '2026-04' } });
      // then
      for (const [res, field] of [[education, '/person/education'], [letter, '/salaryLetter'], [level, '/salaryLetter/level']] as const) {
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.equal(res.body.error.details[0].field, field);
        assert.match(res.body.error.message, /[\u4e00-\u9fff]/);
      }
    });

    it('answers 401 without a token and 403 to a role without calc.use', async () => {
      assert.equal((await post('salary', newHire, {})).status, 401);
      const worker = { Authorization: `Bearer ${await tokenFor(app, 'worker', 'demo')}` };
      assert.equal((await post('salary', newHire, worker)).status, 403);
    });
  });

  describe('POST /api/calc/insurance-base and /api/calc/subsidy', () => {
    it('takes each result as the next one\'s input: salary → insurance base → subsidy', async () => {
      // given
      const salary = (await post('salary', newHire)).body.data;
      // when
      const insurance = await post('insurance-base', { salary, fundingForm: 'full' });
      // then base 4200 (60 % of the placeholder C 7000), SIu 1520.40 (annuity 记账)
      assert.equal(insurance.status, 200, JSON.stringify(insurance.body));
      assert.deepEqual([insurance.body.data.base, insurance.body.data.clamped, insurance.body.data.totals.unitCash], [4200, 'lower', 1520.4]);
      // when
      const subsidy = await post('subsidy', { salary, insurance: insurance.body.data, fundingForm: 'full', unitNature: 'organ' });
      // then
      assert.equal(subsidy.status, 200, JSON.stringify(subsidy.body));
      assert.deepEqual([subsidy.body.data.months, subsidy.body.data.total, subsidy.body.data.payrollList.listed], [10, 71154, true]);
    });

    it('reduces from a stop month', async () => {
      const salary = (await post('salary', { mode: 'continuation', bianzhiType: 'XZ', salaryLetter: { post: '三级主任科员', level: 22, grade: 3, paidThrough: '2026-01' } })).body.data;
      const res = await post('subsidy', { mode: 'reduce', salary, fundingForm: 'partial', unitNature: 'institution', stopMonth: '2026-07' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual([res.body.data.fromMonth, res.body.data.months, res.body.data.payrollList.action], ['2026-08', 5, 'remove']);
    });

    it('answers 400 naming the field', async () => {
      const salary = (await post('salary', newHire)).body.data;
      const form = await post('insurance-base', { salary, fundingForm: 'public' });
      assert.equal(form.status, 400);
      assert.equal(form.body.error.details[0].field, '/fundingForm');
      const stop = await post('subsidy', { mode: 'reduce', salary, fundingForm: 'full', unitNature: 'organ' });
      assert.equal(stop.status, 400);
      assert.equal(stop.body.error.details[0].field, '/stopMonth');
      const months = await post('insurance-base', { salary, fundingForm: 'full', previousYearWages: { monthsPaid: 13, items: [] } });
      assert.equal(months.status, 400);
      assert.equal(months.body.error.details[0].field, '/previousYearWages/monthsPaid');
    });
  });

  it('documents the three paths with request and response schemas', async () => {
    const res = await supertest(app).get('/api/openapi.json');
    const doc = res.body;
    for (const [path, request, result] of [['salary', 'CalcSalaryRequest', 'SalaryResult'], ['insurance-base', 'CalcInsuranceRequest', 'InsuranceResult'], ['subsidy', 'CalcSubsidyRequest', 'SubsidyResult']]) {
      const op = doc.paths[`/api/calc/${path}`].post;
      assert.equal(op.requestBody.content['application/json'].schema.$ref, `#/components/schemas/${request}`);
      assert.equal(op.responses[200].content['application/json'].schema.properties.data.$ref, `#/components/schemas/${result}`);
      assert.ok(doc.components.schemas[request] && doc.components.schemas[result]);
    }
  });
});
