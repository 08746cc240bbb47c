import assert from 'node:assert/strict';
import { insuranceBase } from '../../domain/insurance';
import { defaultInsuranceParameters } from '../../domain/parameters/insurance';
import { civilServantProbationPays, defaultSalaryParameters, versioned } from '../../domain/parameters/salary';
import { defaultSubsidyParameters, SUBSIDY_PARAMETER_DEFAULTS, SUBSIDY_PARAMETER_KEYS } from '../../domain/parameters/subsidy';
import { continuationSalary, newHireSalary } from '../../domain/salary';
import { financeSubsidy, type SubsidyInput } from '../../domain/subsidy';
import { assertDefaultsLabelled, throwsOn } from './support';

const params = defaultSubsidyParameters();
const amounts = (r: ReturnType<typeof financeSubsidy>) => Object.fromEntries(r.components.map((c) => [c.code, c.amount]));
const costs = (r: ReturnType<typeof financeSubsidy>) => Object.fromEntries(r.components.map((c) => [c.code, c.cost]));

describe('Finance subsidy (domain-spec §6)', () => {
  // a 本科 公务员 from 2026-03 on probation pay 1450; SIu 1520.40 (全额: annuity notional)
  const salary = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, defaultSalaryParameters());
  const insurance = insuranceBase({ system: 'civil-servant', fundingForm: 'full', salary }, defaultInsuranceParameters('2026-03-01'));
  const input = (over: Partial<SubsidyInput> = {}): SubsidyInput => ({ system: 'civil-servant', fundingForm: 'full', unitNature: 'organ', salary, unitSocialMonthly: insurance.totals.unitCash, ...over });

  it('labels its placeholders and has a default for every key', () => {
    assertDefaultsLabelled(SUBSIDY_PARAMETER_DEFAULTS, SUBSIDY_PARAMETER_KEYS);
  });

  it('covers every component in full for a 全额 unit, from the 起薪 month (n = 13 − 3 = 10)', () => {
    // when
    const r = financeSubsidy(input(), params);
    // then
    assert.equal(r.months, 10);
    assert.equal(r.fromMonth, '2026-03');
    assert.equal(r.year, 2026);
    assert.equal(insurance.totals.unitCash, 1520.4);
    // B 10 × 1450; T 10 × 3000 (placeholder); YB = December basic 1450; SIu 10 × 1520.40; 公用 10/12 × 12 000
    assert.deepEqual(costs(r), { basic: 14500, allowance: 30000, bonus: 1450, social: 15204, public: 10000 });
    assert.deepEqual(amounts(r), costs(r));
    assert.equal(r.total, 14500 + 30000 + 1450 + 15204 + 10000);
    assert.deepEqual(r.payrollList, { listed: true, action: 'add', month: '2026-03' });
    assert.equal(r.lowestStatus, 'C');
    assert.ok(r.parameters.some((p) => p.key === 'subsidy.allowance-standard' && p.version === 'placeholder'));
  });

  it('covers only basic salary and unit social contributions for a 差额 unit (defaults k_diff = k_diff_si = 100 %)', () => {
    const r = financeSubsidy(input({ fundingForm: 'partial', system: 'institution', unitNature: 'institution' }), params);
    // 事业: no YB by default
    assert.deepEqual(amounts(r), { basic: 14500, allowance: 0, bonus: 0, social: 15204, public: 0 });
    assert.equal(r.total, 29704);
    // 公用经费 cost 10/12 × 8000 = 6666.67 (rounded), not covered
    assert.equal(costs(r).public, 6666.67);
    assert.equal(r.totalCost, 14500 + 25000 + 0 + 15204 + 6666.67);
    assert.equal(r.payrollList.listed, true);
  });

  it('gives a 自收自支 unit nothing and keeps it off the 工资统发 list', () => {
    const r = financeSubsidy(input({ fundingForm: 'self' }), params);
    assert.equal(r.total, 0);
    assert.ok(r.totalCost > 0);
    assert.deepEqual(r.payrollList, { listed: false, action: null, month: null });
    assert.equal(r.warnings.length, 1);
  });

  it('applies the 转正定级 salary from its month when probation ends inside the year', () => {
    // given a 6-month probation: 1450 for 2026-03…08, 1500 from 2026-09
    const short = { ...defaultSalaryParameters(), probationPay: versioned({ ...civilServantProbationPays[0]!, value: { ...civilServantProbationPays[0]!.value, months: 6 } }) };
    const s = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, short);
    // when
    const r = financeSubsidy(input({ salary: s }), params);
    // then
    assert.equal(costs(r).basic, 6 * 1450 + 4 * 1500);
    assert.equal(costs(r).bonus, 1500);
  });

  it('takes an entered allowance and a YB decision over the defaults', () => {
    const r = financeSubsidy(input({ allowanceMonthly: 2000, yearEndBonusEligible: false }), params);
    assert.equal(costs(r).allowance, 20000);
    assert.equal(costs(r).bonus, 0);
  });

  it('reduces over the months after the stop month (J), and takes the pension start month as the first month', () => {
    const current = continuationSalary({ system: 'civil-servant', letter: { post: '三级主任科员', level: 22, grade: 3, paidThrough: '2026-01' } }, defaultSalaryParameters());
    const reduce = (over: Partial<SubsidyInput>) => financeSubsidy(input({ mode: 'reduce', salary: current, ...over }), params);
    // stop month 2026-07 → 2026-08…12, n = 5, B 1905
    const a = reduce({ stopMonth: '2026-07' });
    assert.deepEqual([a.fromMonth, a.months, costs(a).basic, costs(a).bonus], ['2026-08', 5, 5 * 1905, 1905]);
    assert.deepEqual(a.payrollList, { listed: true, action: 'remove', month: '2026-08' });
    const b = reduce({ pensionStartMonth: '2026-08' });
    assert.equal(b.total, a.total);
    // a December stop reduces next year's budget in full
    const c = reduce({ stopMonth: '2026-12' });
    assert.deepEqual([c.year, c.months], [2027, 12]);
  });

  it('refuses invalid input, naming the field', () => {
    assert.throws(() => financeSubsidy(input({ mode: 'reduce' }), params), throwsOn('stopMonth'));
    assert.throws(() => financeSubsidy(input({ mode: 'reduce', stopMonth: '2026-7' }), params), throwsOn('stopMonth'));
    assert.throws(() => financeSubsidy(input({ mode: 'x' as never }), params), throwsOn('mode'));
    assert.throws(() => financeSubsidy(input({ fundingForm: 'x' as never }), params), throwsOn('fundingForm'));
    assert.throws(() => financeSubsidy(input({ unitNature: 'x' as never }), params), throwsOn('unitNature'));
    assert.throws(() => financeSubsidy(input({ unitSocialMonthly: -1 }), params), throwsOn('insurance.totals.unitCash'));
    assert.throws(() => financeSubsidy(input({ startMonth: '2026-00' }), params), throwsOn('startMonth'));
    assert.throws(() => financeSubsidy(input({ allowanceMonthly: Number.NaN }), params), throwsOn('allowanceMonthly'));
  });
});
