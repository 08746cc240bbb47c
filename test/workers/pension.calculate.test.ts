// pension.calculate (J1 step 3) with fake jobs on the test database: the formula of §5.2 with the
// parameters in force, their status tags, and the checks on missing data.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createHandler } from '../../workers/pension.calculate';
import type { PensionResult } from '../../workers/variables';
import { fakeClock } from '../support/clock';
import { fakeJob } from '../support/fake-job';
import { completeVariables, demoDistrict, insertPerson, workerDeps } from './support';

describe('worker pension.calculate', () => {
  let knex: Knex;
  let handler: ReturnType<typeof createHandler>;
  let personId: string;
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));
  // retirement.check's result for a woman55 born 1972-05-10 (statutory 55y8m)
  const retirement = { retirementDate: '2028-01-10', retirementAge: { years: 55, months: 8 }, minimumContributionYears: 15 };
  // 中人: worked since 1994-07, 243 months deemed (to 2014-09), 402 months in all
  const middle = { retirement, contributionMonths: 402, averageContributionIndex: 1.2, personalAccountBalance: 100_000, deemedMonths: 243, deemedIndex: 1.1 };

  before(async () => {
    ({ knex } = await demoDistrict());
    handler = createHandler(workerDeps(knex, clock.now));
    personId = await insertPerson(knex, { gender: '2', birthDate: '1972-05-10', profile: { workStartDate: '1994-07-01' } });
  });

  const pensionOf = (outcome: Awaited<ReturnType<typeof handler>>) => completeVariables<{ pension: PensionResult }>(outcome).pension;

  it('computes a 中人 pension: 基础 + 个人账户 + 过渡性, by hand', async () => {
    // when
    const p = pensionOf(await handler(fakeJob({ personId, ...middle })));
    // then: C_r 8000 (placeholder), Ī 1.2, N 33.5 → 8800 × 33.5 % = 2948.00; 100000 / M(55) 170 = 588.24;
    // 8000 × 1.1 × 20.25 × 1.2 % = 2138.40
    assert.deepEqual([p.cohort, p.base, p.personalAccount, p.transitional, p.total, p.monthsOfPayment], ['middle', 2948, 588.24, 2138.4, 5674.64, 170]);
    assert.equal(p.eligible, true);
    assert.equal(p.calculatedOn, '2026-11-24');
  });

  it('labels the 计发基数 as a placeholder: its status tag, provisional, a warning', async () => {
    const p = pensionOf(await handler(fakeJob({ personId, ...middle })));
    const wage = p.parameters.find((t) => t.key === 'pension.average-wage');
    assert.equal(wage?.status, 'C');
    assert.equal(wage?.docNo, 'placeholder');
    assert.equal(p.provisional, true);
    assert.ok(p.warnings.some((w) => /计发基数 8000 元为占位值/.test(w)));
    assert.deepEqual(p.parameters.map((t) => t.key).sort(), ['pension.average-wage', 'pension.months-interpolation', 'pension.months-of-payment', 'pension.reform-date', 'pension.transition-coefficient']);
  });

  it('uses the version of the 计发基数 in force on the retirement date', async () => {
    // given a published figure from 2028-01-01
    await knex('parameters').insert({ key: 'pension.average-wage', version: 2, valid_from: '2028-01-01', value: JSON.stringify(9000), status: 'A', doc_no: '示人社发〔2028〕1号' });
    try {
      const p = pensionOf(await handler(fakeJob({ personId, ...middle })));
      // 9000 × 2.2 / 2 × 33.5 % = 3316.50; 9000 × 1.1 × 20.25 × 1.2 % = 2405.70
      assert.deepEqual([p.base, p.transitional], [3316.5, 2405.7]);
      assert.equal(p.parameters.find((t) => t.key === 'pension.average-wage')?.status, 'A');
      assert.ok(!p.warnings.some((w) => /占位值/.test(w)));
    } finally {
      await knex('parameters').where({ key: 'pension.average-wage', version: 2 }).delete();
    }
  });

  it('computes Ī from the years when no index is given', async () => {
    const p = pensionOf(
      await handler(
        fakeJob({
          personId,
          retirement,
          contributionMonths: 402,
          personalAccountBalance: 100_000,
          deemedMonths: 243,
          deemedIndex: 1.1,
          // 159 actual months at index 1.5 (base 12000 / 8000)
          contributionYears: Array.from({ length: 14 }, (_, i) => ({ base: 12_000, previousYearAverageWage: 8000, months: i === 13 ? 3 : 12 })),
        }),
      ),
    );
    // (1.5 × 159 + 1.1 × 243) / 402 = 1.2582…
    assert.equal(p.averageContributionIndex, 1.2582);
  });

  it('flags a contribution record short of the minimum years as not eligible', async () => {
    const p = pensionOf(await handler(fakeJob({ personId, ...middle, contributionMonths: 300, deemedMonths: 243 - 100, retirement: { ...retirement, minimumContributionYears: 26 } })));
    assert.equal(p.eligible, false);
    assert.ok(p.warnings.some((w) => /不足最低缴费年限 26 年/.test(w)));
  });

  it('fails without retries when data is missing or inconsistent, naming the field', async () => {
    const cases = [
      { personId, ...middle, retirement: undefined },
      { personId, ...middle, deemedMonths: undefined, deemedIndex: undefined },
      { personId, ...middle, averageContributionIndex: undefined },
      { personId, ...middle, personalAccountBalance: -1 },
      { personId: 'x', ...middle },
    ];
    const outcomes = await Promise.all(cases.map((v) => handler(fakeJob(v))));
    for (const outcome of outcomes) {
      assert.equal(outcome.outcome, 'fail', JSON.stringify(outcome));
      assert.equal((outcome as { retries: number }).retries, 0);
    }
    assert.match((outcomes[1] as { message: string }).message, /deemed/);
    assert.match((outcomes[2] as { message: string }).message, /averageContributionIndex/);
    assert.match((outcomes[3] as { message: string }).message, /personalAccountBalance/);
  });
});
