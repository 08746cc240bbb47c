// insurance.calculate-base (Z1 step 7) with fake jobs on the test database: the unit's 经费形式 decides
// whether the unit 职业年金 is 记账; the base is clamped to 60 %–300 % of C; invalid input is an incident.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { defaultSalaryParameters } from '../../domain/parameters/salary';
import { continuationSalary, newHireSalary } from '../../domain/salary';
import { createHandler, worker } from '../../workers/insurance.calculate-base';
import type { JobOutcome } from '../../workers/job';
import type { InsuranceResult } from '../../workers/variables';
import { fakeClock } from '../support/clock';
import { fakeJob } from '../support/fake-job';
import { assertIncident, completeVariables, demoDistrict, workerDeps } from './support';

describe('worker insurance.calculate-base', () => {
  let knex: Knex;
  let handler: ReturnType<typeof createHandler>;
  let units: Record<string, string>;
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));
  const salary = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, defaultSalaryParameters());

  before(async () => {
    ({ knex, units } = await demoDistrict());
    handler = createHandler(workerDeps(knex, clock.now));
  });

  const run = (variables: Record<string, unknown>) => handler(fakeJob(variables as never));
  const insuranceOf = (outcome: JobOutcome) => completeVariables<{ insurance: InsuranceResult }>(outcome).insurance;

  it('is registered under its job type', () => {
    assert.equal(worker.jobType, 'insurance.calculate-base');
  });

  it('clamps a new hire\'s probation wage to 60 % of C and books the unit annuity 记账 in a 全额 unit', async () => {
    // when (U001 全额 机关; C = 7000 placeholder → 4200)
    const r = insuranceOf(await run({ unitId: units.U001, salary }));
    // then
    assert.equal(r.fundingForm, 'full');
    assert.deepEqual([r.eligibleWage, r.base, r.clamped], [1450, 4200, 'lower']);
    assert.equal(r.effectiveMonth, '2026-03');
    assert.deepEqual(r.annuity, { unitAccounting: '记账', individualAccounting: '实账' });
    assert.equal(r.totals.unitCash, 1520.4);
    const c = r.parameters.find((p) => p.key === 'insurance.average-wage')!;
    assert.deepEqual([c.version, c.status, c.revision], ['placeholder', 'C', 1]);
  });

  it('adds the allowances of the 起薪 month and funds the annuity in a 差额 unit', async () => {
    // given U004 差额 事业: 管理八级 薪级10 = 837, 绩效 4000, 国家津贴 500 → W = 5337
    const s = continuationSalary({ system: 'institution', letter: { track: 'management', postLevel: 8, scale: 10, paidThrough: '2026-02' } }, defaultSalaryParameters());
    const r = insuranceOf(await run({ unitId: units.U004, salary: s, allowances: [{ code: 'performance', amount: 4000 }, { code: 'allowance.national', amount: 500 }] }));
    assert.deepEqual([r.fundingForm, r.base], ['partial', 5337]);
    assert.deepEqual(r.annuity, { unitAccounting: '实账', individualAccounting: '实账' });
    assert.equal(r.contributions.find((c) => c.code === 'unemployment')!.unitAmount, 26.69);
  });

  it('averages last year\'s wages when they are given', async () => {
    const r = insuranceOf(await run({ unitId: units.U001, salary, previousYearWages: { monthsPaid: 10, items: [{ code: 'post-wage', amount: 20000 }, { code: 'level-wage', amount: 30000 }] } }));
    assert.deepEqual([r.wageBasis, r.eligibleWage, r.base], ['previous-year', 5000, 5000]);
  });

  it('opens an incident naming the field for input a clerk must fix', async () => {
    assertIncident(await run({ unitId: units.U001 }), 'salary');
    assertIncident(await run({ unitId: units.U001, salary, allowances: [{ code: 'performance', amount: -5 }] }), 'allowances[0].amount');
    assertIncident(await run({ unitId: units.U001, salary: { ...salary, effectiveMonth: '2026-3' } }), 'salary.effectiveMonth');
    assertIncident(await run({ unitId: units.U001, salary, previousYearWages: { monthsPaid: 0, items: [] } }), 'previousYearWages.monthsPaid');
    assertIncident(await run({ salary }), 'unitId');
  });
});
