import assert from 'node:assert/strict';
import {
  averageContributionIndex,
  basePension,
  monthlyBasicPension,
  monthsOfPayment,
  pensionCohort,
  personalAccountPension,
  roundYuan,
  transitionalPension,
  type MonthlyPensionInput,
} from '../../domain/pension';
import { defaultPensionParameters as params } from '../../domain/parameters/pension';
import { throwsOn } from './support';

describe('Pension (domain-spec §5.2–§5.4)', () => {
  describe('计发月数 (§5.3)', () => {
    it('reads the table at its anchors', () => {
      assert.equal(monthsOfPayment(40, params.monthsOfPayment), 233);
      assert.equal(monthsOfPayment(50, params.monthsOfPayment), 195);
      assert.equal(monthsOfPayment(55, params.monthsOfPayment), 170);
      assert.equal(monthsOfPayment(60, params.monthsOfPayment), 139);
      assert.equal(monthsOfPayment(63, params.monthsOfPayment), 117);
      assert.equal(monthsOfPayment(70, params.monthsOfPayment), 56);
    });

    it('uses the row for completed years by default, e.g. 60y3m → M(60)', () => {
      assert.equal(monthsOfPayment({ years: 60, months: 3 }, params.monthsOfPayment), 139);
    });

    it('interpolates linearly when the parameter says so', () => {
      // 139 + (132 − 139) · 3/12
      assert.equal(monthsOfPayment({ years: 60, months: 3 }, params.monthsOfPayment, 'linear'), 137.25);
      assert.equal(monthsOfPayment({ years: 70, months: 6 }, params.monthsOfPayment, 'linear'), 56);
    });

    it('refuses an age outside the table or a bad month, naming age', () => {
      assert.throws(() => monthsOfPayment(39, params.monthsOfPayment), throwsOn('age'));
      assert.throws(() => monthsOfPayment(71, params.monthsOfPayment), throwsOn('age'));
      assert.throws(() => monthsOfPayment({ years: 60, months: 12 }, params.monthsOfPayment), throwsOn('age'));
      assert.throws(() => monthsOfPayment(60.5, params.monthsOfPayment), throwsOn('age'));
    });
  });

  describe('components', () => {
    it('computes 基础养老金 = (C_r + C_r·Ī)/2 × N × 1%', () => {
      // given C_r 8000, Ī 1.2, 30 years: (8000 + 9600)/2 × 30 × 1%
      // when / then
      assert.equal(basePension({ averageWage: 8000, averageContributionIndex: 1.2, contributionMonths: 360 }), 2640);
    });

    it('counts part years by months and rounds half up to fen', () => {
      // 7123.45 × 1/12 × 1% = 5.936…
      assert.equal(basePension({ averageWage: 7123.45, averageContributionIndex: 1, contributionMonths: 1 }), 5.94);
      assert.equal(roundYuan(2.675), 2.68);
      assert.equal(roundYuan(1.005), 1.01);
      assert.equal(roundYuan(0.125), 0.13);
      assert.equal(roundYuan(0.124), 0.12);
    });

    it('computes 个人账户养老金 = 储存额 / M(age)', () => {
      assert.equal(personalAccountPension({ personalAccountBalance: 139000, retirementAge: { years: 60, months: 0 } }, params), 1000);
      assert.equal(personalAccountPension({ personalAccountBalance: 139000, retirementAge: { years: 60, months: 3 } }, { ...params, monthsInterpolation: 'linear' }), 1012.75);
    });

    it('computes 过渡性养老金 = C_r × I_视同 × N_视同 × δ', () => {
      // 8000 × 1.1 × 20 × 1.2 %
      assert.equal(transitionalPension({ averageWage: 8000, deemedContributionIndex: 1.1, deemedContributionMonths: 240 }, params), 2112);
    });

    it('refuses a transition coefficient outside 1.0 %–1.4 %', () => {
      assert.throws(
        () => transitionalPension({ averageWage: 8000, deemedContributionIndex: 1, deemedContributionMonths: 12 }, { ...params, transitionCoefficient: 0.02 }),
        throwsOn('transitionCoefficient'),
      );
    });

    it('computes Ī as the month-weighted mean of the yearly indices and the deemed index', () => {
      // given a year at index 9000/7500 = 1.2 and a deemed year at 1.0
      // when / then
      const index = averageContributionIndex([{ base: 9000, previousYearAverageWage: 7500, months: 12 }], { index: 1, months: 12 });
      assert.ok(Math.abs(index - 1.1) < 1e-12, String(index));
    });
  });

  describe('老人 / 中人 / 新人 (§5.4)', () => {
    it('splits at 2014-10-01', () => {
      assert.equal(pensionCohort({ workStartDate: '1985-07-01', retirementDate: '2014-09-30' }, params.reformDate), 'old');
      assert.equal(pensionCohort({ workStartDate: '1985-07-01', retirementDate: '2014-10-01' }, params.reformDate), 'middle');
      assert.equal(pensionCohort({ workStartDate: '2014-09-30', retirementDate: '2045-01-01' }, params.reformDate), 'middle');
      assert.equal(pensionCohort({ workStartDate: '2014-10-01', retirementDate: '2050-01-01' }, params.reformDate), 'new');
    });
  });

  describe('月基本养老金', () => {
    const middle: MonthlyPensionInput = {
      workStartDate: '1994-10-01',
      retirementDate: '2025-02-10',
      retirementAge: { years: 60, months: 1 },
      contributionMonths: 360,
      averageContributionIndex: 1.2,
      personalAccountBalance: 139000,
      deemed: { index: 1.1, months: 240 },
    };

    it('adds 基础 + 个人账户 + 过渡性 for a 中人', () => {
      // given a 中人 with 30 years (20 deemed), C_r 8000
      // when
      const result = monthlyBasicPension(middle, params);
      // then
      assert.deepEqual(result, { cohort: 'middle', base: 2640, personalAccount: 1000, transitional: 2112, total: 5752, monthsOfPayment: 139 });
    });

    it('has no 过渡性养老金 for a 新人', () => {
      const { deemed: _deemed, ...rest } = middle;
      const result = monthlyBasicPension({ ...rest, workStartDate: '2014-10-01', retirementDate: '2044-10-01' }, params);
      assert.equal(result.cohort, 'new');
      assert.equal(result.transitional, 0);
      assert.equal(result.total, 3640);
    });

    it('refuses a 老人, a 中人 without deemed service, and a 新人 with it', () => {
      assert.throws(() => monthlyBasicPension({ ...middle, workStartDate: '1980-01-01', retirementDate: '2014-09-30' }, params), throwsOn('retirementDate'));
      const { deemed: _deemed, ...noDeemed } = middle;
      assert.throws(() => monthlyBasicPension(noDeemed, params), throwsOn('deemed'));
      assert.throws(() => monthlyBasicPension({ ...middle, workStartDate: '2015-01-01' }, params), throwsOn('deemed'));
    });

    it('names the field of an invalid input', () => {
      assert.throws(() => monthlyBasicPension({ ...middle, workStartDate: '1994-02-30' }, params), throwsOn('workStartDate'));
      assert.throws(() => monthlyBasicPension({ ...middle, contributionMonths: 12.5 }, params), throwsOn('contributionMonths'));
      assert.throws(() => monthlyBasicPension({ ...middle, contributionMonths: 120 }, params), throwsOn('deemed.months'));
      assert.throws(() => monthlyBasicPension({ ...middle, averageContributionIndex: -1 }, params), throwsOn('averageContributionIndex'));
      assert.throws(() => monthlyBasicPension({ ...middle, personalAccountBalance: Number.NaN }, params), throwsOn('personalAccountBalance'));
      assert.throws(() => monthlyBasicPension({ ...middle, retirementAge: { years: 39, months: 0 } }, params), throwsOn('retirementAge'));
      assert.throws(() => monthlyBasicPension(middle, { ...params, averageWage: 0 }), throwsOn('averageWage'));
    });
  });
});
