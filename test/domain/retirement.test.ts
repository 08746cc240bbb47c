import assert from 'node:assert/strict';
import { minimumContributionYears, retirementDate, type RetirementInput } from '../../domain/retirement';
import { defaultRetirementParameters as rules } from '../../domain/parameters/retirement';
import { throwsOn } from './support';

const retire = (birthDate: string, category: RetirementInput['category']) =>
  retirementDate({ birthDate, gender: category === 'man' ? 'male' : 'female', category }, rules);
const summary = (birthDate: string, category: RetirementInput['category']) => {
  const r = retire(birthDate, category);
  return { age: r.statutoryAge, month: r.retirementMonth, rule: r.rule };
};

describe('Statutory retirement age (domain-spec §5.1, law of 2024-09-13)', () => {
  describe('the worked examples of the spec (the law\'s 对照表)', () => {
    it('gives a man born 1965-01 60 years 1 month, retiring 2025-02', () => {
      // given a man born in January 1965
      // when
      const result = retire('1965-01-10', 'man');
      // then
      assert.deepEqual(result.statutoryAge, { years: 60, months: 1 });
      assert.equal(result.retirementMonth, '2025-02');
      assert.equal(result.retirementDate, '2025-02-10');
      assert.equal(result.rule, '2025-law');
    });

    it('gives a man born 1976-09 63 years', () => {
      assert.deepEqual(summary('1976-09-01', 'man'), { age: { years: 63, months: 0 }, month: '2039-09', rule: '2025-law' });
    });

    it('gives a woman50 born 1984-11 55 years', () => {
      assert.deepEqual(summary('1984-11-01', 'woman50'), { age: { years: 55, months: 0 }, month: '2039-11', rule: '2025-law' });
    });

    it('gives a woman55 born 1981-09 58 years', () => {
      assert.deepEqual(summary('1981-09-01', 'woman55'), { age: { years: 58, months: 0 }, month: '2039-09', rule: '2025-law' });
    });
  });

  describe('cohorts at the switch to the 2025 law', () => {
    it('keeps the original age for those who reached it in December 2024 or earlier', () => {
      // given the last pre-2025 cohorts
      // when / then
      assert.deepEqual(summary('1964-12-31', 'man'), { age: { years: 60, months: 0 }, month: '2024-12', rule: 'pre-2025' });
      assert.deepEqual(summary('1969-12-31', 'woman55'), { age: { years: 55, months: 0 }, month: '2024-12', rule: 'pre-2025' });
      assert.deepEqual(summary('1974-12-31', 'woman50'), { age: { years: 50, months: 0 }, month: '2024-12', rule: 'pre-2025' });
      assert.equal(retire('1964-12-31', 'man').flexible, null);
      assert.equal(retire('1964-12-31', 'man').delayMonths, 0);
    });

    it('delays the first cohort born January 1965 / 1970 / 1975 by one month', () => {
      assert.deepEqual(summary('1965-01-01', 'man'), { age: { years: 60, months: 1 }, month: '2025-02', rule: '2025-law' });
      assert.deepEqual(summary('1970-01-01', 'woman55'), { age: { years: 55, months: 1 }, month: '2025-02', rule: '2025-law' });
      assert.deepEqual(summary('1975-01-01', 'woman50'), { age: { years: 50, months: 1 }, month: '2025-02', rule: '2025-law' });
    });
  });

  describe('the monthly steps', () => {
    it('adds one month per four birth months for men: the first and last month of a step', () => {
      assert.deepEqual(summary('1965-04-30', 'man').age, { years: 60, months: 1 }); // last month of step 1
      assert.deepEqual(summary('1965-05-01', 'man').age, { years: 60, months: 2 }); // first month of step 2
      assert.equal(summary('1965-05-01', 'man').month, '2025-07');
      assert.deepEqual(summary('1965-08-01', 'man').age, { years: 60, months: 2 }); // last month of step 2
      assert.deepEqual(summary('1965-09-01', 'man').age, { years: 60, months: 3 });
    });

    it('adds one month per two birth months for woman50', () => {
      assert.deepEqual(summary('1975-02-01', 'woman50'), { age: { years: 50, months: 1 }, month: '2025-03', rule: '2025-law' });
      assert.deepEqual(summary('1975-03-01', 'woman50'), { age: { years: 50, months: 2 }, month: '2025-05', rule: '2025-law' });
    });

    it('reaches the cap in the last step and stays there for later cohorts', () => {
      // man: 1976-05..08 is step 35, 1976-09 the first capped cohort, 1977-01 still capped at 36
      assert.deepEqual(summary('1976-08-31', 'man').age, { years: 62, months: 11 });
      assert.deepEqual(summary('1976-09-01', 'man').age, { years: 63, months: 0 });
      assert.deepEqual(summary('1977-01-01', 'man'), { age: { years: 63, months: 0 }, month: '2040-01', rule: '2025-law' });
      assert.deepEqual(summary('1990-06-15', 'man').age, { years: 63, months: 0 });
      // woman55: same rhythm, cap 36
      assert.deepEqual(summary('1981-08-01', 'woman55').age, { years: 57, months: 11 });
      assert.deepEqual(summary('1982-01-01', 'woman55').age, { years: 58, months: 0 });
      // woman50: cap 60 reached with the 1984-11 cohort
      assert.deepEqual(summary('1984-10-01', 'woman50'), { age: { years: 54, months: 11 }, month: '2039-09', rule: '2025-law' });
      assert.deepEqual(summary('1984-12-01', 'woman50').age, { years: 55, months: 0 });
      assert.deepEqual(summary('1985-01-01', 'woman50'), { age: { years: 55, months: 0 }, month: '2040-01', rule: '2025-law' });
      assert.equal(retire('2000-01-01', 'woman50').delayMonths, 60);
    });
  });

  describe('dates', () => {
    it('retires on the birth day of the retirement month, or the month\'s last day if it has none', () => {
      assert.equal(retire('1965-01-31', 'man').retirementDate, '2025-02-28');
    });

    it('starts the pension the month after the retirement month', () => {
      assert.equal(retire('1965-01-15', 'man').pensionStartMonth, '2025-03');
      assert.equal(retire('1976-12-01', 'man').pensionStartMonth, '2040-01');
    });
  });

  describe('flexible retirement', () => {
    it('allows at most 36 months early but never below the original age, and 36 months late', () => {
      // given a man born 1965-01 (statutory 60y1m)
      // when
      const { flexible } = retire('1965-01-15', 'man');
      // then
      assert.deepEqual(flexible?.earliest, { age: { years: 60, months: 0 }, month: '2025-01', date: '2025-01-15' });
      assert.deepEqual(flexible?.latest, { age: { years: 63, months: 1 }, month: '2028-02', date: '2028-02-15' });
    });

    it('allows a full 36 months early once the delay reaches 36 months', () => {
      const { flexible } = retire('1984-11-01', 'woman50');
      assert.deepEqual(flexible?.earliest.age, { years: 52, months: 0 });
      assert.equal(flexible?.earliest.month, '2036-11');
      assert.deepEqual(flexible?.latest.age, { years: 58, months: 0 });
    });
  });

  describe('woman60 (组通字〔2015〕14号)', () => {
    it('retires at 60 without the delay by default, with 55 on application', () => {
      const result = retire('1970-03-01', 'woman60');
      assert.deepEqual(result.statutoryAge, { years: 60, months: 0 });
      assert.equal(result.retirementMonth, '2030-03');
      assert.deepEqual(result.flexible?.earliest.age, { years: 55, months: 0 });
      assert.match(result.source, /组通字/);
    });

    it('applies the delay on top when the parameter says so', () => {
      // given provincial guidance that applies the men's rhythm to woman60
      const withDelay = { ...rules, categories: { ...rules.categories, woman60: { ...rules.categories.woman60, capMonths: 36 } } };
      // when
      const result = retirementDate({ birthDate: '1970-03-01', gender: 'female', category: 'woman60' }, withDelay);
      // then: n = (2030 − 2025)·12 + 3 = 63 → 16 months
      assert.deepEqual(result.statutoryAge, { years: 61, months: 4 });
    });
  });

  describe('minimum contribution years', () => {
    it('is 15 up to 2029, rises by half a year a year from 2030 and stays at 20 from 2039', () => {
      assert.equal(minimumContributionYears(2029, rules), 15);
      assert.equal(minimumContributionYears(2030, rules), 15.5);
      assert.equal(minimumContributionYears(2038, rules), 19.5);
      assert.equal(minimumContributionYears(2039, rules), 20);
      assert.equal(minimumContributionYears(2050, rules), 20);
    });
  });

  describe('invalid input', () => {
    it('refuses a bad birth date, naming birthDate', () => {
      for (const birthDate of ['1965-02-30', '1965/01/01', '', '1899-12-31']) {
        assert.throws(() => retirementDate({ birthDate, gender: 'male', category: 'man' }, rules), throwsOn('birthDate'), birthDate);
      }
    });

    it('refuses an unknown category, naming category', () => {
      assert.throws(() => retirementDate({ birthDate: '1970-01-01', gender: 'female', category: 'female-cadre' as never }, rules), throwsOn('category'));
    });

    it('refuses a category that does not match the gender, naming category', () => {
      assert.throws(() => retirementDate({ birthDate: '1970-01-01', gender: 'female', category: 'man' }, rules), throwsOn('category'));
    });

    it('refuses an unknown gender, naming gender', () => {
      assert.throws(() => retirementDate({ birthDate: '1970-01-01', gender: 'x' as never, category: 'man' }, rules), throwsOn('gender'));
    });

    it('refuses a non-integer year for the minimum contribution, naming retirementYear', () => {
      assert.throws(() => minimumContributionYears(2030.5, rules), throwsOn('retirementYear'));
    });
  });
});
