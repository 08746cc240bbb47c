import assert from 'node:assert/strict';
import { insuranceBase, roundHalfUp, type InsuranceInput } from '../../domain/insurance';
import { defaultInsuranceParameters, INSURANCE_PARAMETER_DEFAULTS, INSURANCE_PARAMETER_KEYS } from '../../domain/parameters/insurance';
import { defaultSalaryParameters } from '../../domain/parameters/salary';
import { continuationSalary, newHireSalary } from '../../domain/salary';
import { assertDefaultsLabelled, throwsOn } from './support';

const params = defaultInsuranceParameters('2026-03-01');
const salaryParams = defaultSalaryParameters();
const byCode = (r: ReturnType<typeof insuranceBase>) => Object.fromEntries(r.contributions.map((c) => [c.code, c]));

describe('Insurance base and contributions (domain-spec §4)', () => {
  it('rounds half up to 0.01', () => {
    assert.equal(roundHalfUp(26.685), 26.69);
    assert.equal(roundHalfUp(10.674), 10.67);
    assert.equal(roundHalfUp(2.675), 2.68);
    assert.equal(roundHalfUp(-1.005), -1.01);
  });

  it('labels its placeholders and has a default for every key', () => {
    assertDefaultsLabelled(INSURANCE_PARAMETER_DEFAULTS, INSURANCE_PARAMETER_KEYS);
    assert.equal(params.averageWage.ref.version, 'placeholder');
  });

  it('raises a new hire\'s low probation wage to 60 % of C and computes each contribution (全额 机关)', () => {
    // given a 本科 公务员 on probation pay 1450, C = 7000 (placeholder): bounds 4200 / 21000
    const salary = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, salaryParams);
    // when
    const r = insuranceBase({ system: 'civil-servant', fundingForm: 'full', salary }, params);
    // then
    assert.equal(r.wageBasis, 'starting-month');
    assert.equal(r.eligibleWage, 1450);
    assert.deepEqual([r.lowerBound, r.upperBound, r.base, r.clamped], [4200, 21000, 4200, 'lower']);
    const c = byCode(r);
    assert.deepEqual([c.pension!.unitAmount, c.pension!.individualAmount], [4200 * 0.16, 4200 * 0.08]); // 672, 336
    assert.deepEqual([c.annuity!.unitAmount, c.annuity!.individualAmount, c.annuity!.unitAccounting], [336, 168, 'notional']);
    assert.deepEqual([c.medical!.unitAmount, c.medical!.individualAmount], [336, 84]);
    assert.equal(c.injury!.unitAmount, 8.4);
    assert.equal(c['housing-fund']!.unitAmount, 504);
    assert.ok(c['civil-servant-medical']);
    assert.equal(c.unemployment, undefined, '公务员 do not pay 失业保险');
    // SIu: the notional 8 % annuity is not cash for a 全额 unit (§4.3)
    assert.equal(r.totals.unitCash, 672 + 336 + 0 + 8.4 + 504);
    assert.equal(r.totals.unitNotional, 336);
    assert.equal(r.totals.unit, 1520.4 + 336);
    assert.equal(r.totals.individual, 336 + 168 + 84 + 504);
    assert.deepEqual(r.annuity, { unitAccounting: '记账', individualAccounting: '实账' });
    assert.equal(r.effectiveMonth, '2026-03');
  });

  it('counts only the base items: 事业 差额 unit, annuity funded, 失业 paid, half-up rounding', () => {
    // given 管理八级 薪级10 = 837, 绩效 4000, 国家统一津贴 500, and an item outside the base
    const salary = continuationSalary({ system: 'institution', letter: { track: 'management', postLevel: 8, scale: 10, paidThrough: '2026-02' } }, salaryParams);
    const input: InsuranceInput = {
      system: 'institution',
      fundingForm: 'partial',
      salary,
      allowances: [{ code: 'performance', amount: 4000 }, { code: 'allowance.national', amount: 500 }, { code: 'allowance.other', name: '通讯补贴', amount: 300 }],
    };
    // when
    const r = insuranceBase(input, params);
    // then W = 837 + 4000 + 500 = 5337 (inside the bounds)
    assert.equal(r.eligibleWage, 5337);
    assert.equal(r.base, 5337);
    assert.equal(r.clamped, null);
    assert.equal(r.wageItems.find((i) => i.code === 'allowance.other')!.counted, false);
    assert.match(r.warnings[0]!, /通讯补贴/);
    const c = byCode(r);
    assert.equal(c.pension!.unitAmount, 853.92); // 5337 × 16 %
    assert.equal(c.annuity!.unitAmount, 426.96);
    assert.equal(c.annuity!.unitAccounting, 'funded');
    assert.equal(c.unemployment!.unitAmount, 26.69); // 26.685 half up
    assert.equal(c.injury!.unitAmount, 10.67); // 10.674
    assert.equal(c['civil-servant-medical'], undefined);
    assert.equal(r.totals.unitCash, roundHalfUp(853.92 + 426.96 + 426.96 + 26.69 + 10.67 + 640.44));
    assert.deepEqual(r.annuity, { unitAccounting: '实账', individualAccounting: '实账' });
  });

  it('caps a high wage at 300 % of C', () => {
    const r = insuranceBase({ system: 'civil-servant', fundingForm: 'self', salary: { items: [{ code: 'post-wage', name: 'x', amount: 25000 }], effectiveMonth: '2026-03' } }, params);
    assert.deepEqual([r.base, r.clamped], [21000, 'upper']);
  });

  it('averages last year\'s eligible items over the months paid', () => {
    // 60 000 eligible + 6 000 not, 12 months → W = 5000
    const r = insuranceBase(
      { system: 'civil-servant', fundingForm: 'full', previousYear: { monthsPaid: 12, items: [{ code: 'post-wage', amount: 20000 }, { code: 'level-wage', amount: 30000 }, { code: 'bonus.year-end', amount: 10000 }, { code: 'allowance.other', amount: 6000 }] } },
      params,
    );
    assert.equal(r.wageBasis, 'previous-year');
    assert.equal(r.eligibleWage, 5000);
    assert.equal(r.base, 5000);
  });

  it('uses the 20 % unit pension rate before 2019-05', () => {
    const r = insuranceBase({ system: 'civil-servant', fundingForm: 'full', salary: { items: [{ code: 'post-wage', name: 'x', amount: 5000 }], effectiveMonth: '2018-03' } }, defaultInsuranceParameters('2018-03-01'));
    assert.equal(byCode(r).pension!.unitAmount, 1000);
    assert.equal(r.parameters.find((p) => p.key === 'insurance.rate.pension')!.status, 'B');
  });

  it('carries the parameter versions and says the base rests on a [C] placeholder', () => {
    const r = insuranceBase({ system: 'civil-servant', fundingForm: 'full', salary: { items: [{ code: 'post-wage', name: 'x', amount: 5000 }], effectiveMonth: '2026-03' } }, params);
    assert.equal(r.lowestStatus, 'C');
    assert.deepEqual(r.parameters.find((p) => p.key === 'insurance.average-wage')!.version, 'placeholder');
    assert.equal(r.parameters.find((p) => p.key === 'insurance.base-bounds')!.status, 'A');
  });

  it('refuses invalid input, naming the field', () => {
    const salary = { items: [{ code: 'post-wage', name: 'x', amount: 5000 }], effectiveMonth: '2026-03' };
    assert.throws(() => insuranceBase({ system: 'civil-servant', fundingForm: 'public' as never, salary }, params), throwsOn('fundingForm'));
    assert.throws(() => insuranceBase({ system: 'x' as never, fundingForm: 'full', salary }, params), throwsOn('system'));
    assert.throws(() => insuranceBase({ system: 'civil-servant', fundingForm: 'full' }, params), throwsOn('salary'));
    assert.throws(() => insuranceBase({ system: 'civil-servant', fundingForm: 'full', salary, allowances: [{ code: 'performance', amount: -1 }] }, params), throwsOn('allowances[0].amount'));
    assert.throws(() => insuranceBase({ system: 'civil-servant', fundingForm: 'full', previousYear: { monthsPaid: 13, items: [] } }, params), throwsOn('previousYearWages.monthsPaid'));
  });
});
