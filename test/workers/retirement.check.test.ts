// retirement.check (J1 step 1) with fake jobs on the test database: the person's record, the category
// choice of §5.1, the 档案认定出生日期, and the flexible window.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createHandler } from '../../workers/retirement.check';
import type { RetirementResult } from '../../workers/variables';
import { fakeClock } from '../support/clock';
import { fakeJob } from '../support/fake-job';
import { completeVariables, demoDistrict, insertPerson, workerDeps } from './support';

describe('worker retirement.check', () => {
  let knex: Knex;
  let handler: ReturnType<typeof createHandler>;
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));

  before(async () => {
    ({ knex } = await demoDistrict());
    handler = createHandler(workerDeps(knex, clock.now));
  });

  const run = (variables: Record<string, unknown>) => handler(fakeJob(variables));
  const retirementOf = (outcome: Awaited<ReturnType<typeof run>>) => completeVariables<{ retirement: RetirementResult }>(outcome).retirement;

  it('gives a man born 1966-03 the statutory date 60y4m, his window and the pension start', async () => {
    // given a man born 1966-03-15: batch 15 → +4 months
    const personId = await insertPerson(knex, { gender: '1', birthDate: '1966-03-15' });
    // when
    const r = retirementOf(await run({ personId, retirementType: '法定' }));
    // then
    assert.equal(r.category, 'man');
    assert.deepEqual(r.statutoryAge, { years: 60, months: 4 });
    assert.equal(r.statutoryDate, '2026-07-15');
    assert.equal(r.retireMonth, '2026-07');
    assert.equal(r.retirementDate, '2026-07-15');
    assert.equal(r.earliest?.date, '2026-03-15');
    assert.equal(r.latest?.date, '2029-07-15');
    assert.equal(r.pensionStartMonth, '2026-08');
    assert.equal(r.minimumContributionYears, 15);
    assert.equal(r.parameterVersion.key, 'retirement.statutory-age');
    assert.equal(r.parameterVersion.status, 'A');
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, []);
  });

  it('chooses woman55 for a female civil servant, woman50 for a 工勤 post, woman60 for a 专技七级 post', async () => {
    const cadre = await insertPerson(knex, { gender: '2', birthDate: '1972-05-10', post: '一级主任科员' });
    const worker = await insertPerson(knex, { gender: '2', birthDate: '1977-02-01', post: '工勤技能四级', bianzhiType: 'SY' });
    const senior = await insertPerson(knex, { gender: '2', birthDate: '1968-06-20', post: '专业技术七级', bianzhiType: 'SY' });
    const a = retirementOf(await run({ personId: cadre }));
    const b = retirementOf(await run({ personId: worker }));
    const c = retirementOf(await run({ personId: senior }));
    // woman55 1972-05: batch 29 → +8 months; woman50 1977-02: batch 26 → +13 months; woman60: 60, no delay [C]
    assert.deepEqual([a.category, a.statutoryAge, a.statutoryDate], ['woman55', { years: 55, months: 8 }, '2028-01-10']);
    assert.deepEqual([b.category, b.statutoryAge, b.statutoryDate], ['woman50', { years: 51, months: 1 }, '2028-03-01']);
    assert.deepEqual([c.category, c.statutoryAge, c.statutoryDate, c.earliest?.age], ['woman60', { years: 60, months: 0 }, '2028-06-20', { years: 55, months: 0 }]);
  });

  it('uses the 档案认定出生日期 when it differs from the record, with a warning', async () => {
    // given a record 1972-05-10 whose personnel file says 1971-05-10
    const personId = await insertPerson(knex, { gender: '2', birthDate: '1972-05-10', profile: { archiveBirthDate: '1971-05-10' } });
    // when
    const r = retirementOf(await run({ personId }));
    // then: woman55 born 1971-05: batch 17 → +5 months
    assert.equal(r.birthDate, '1971-05-10');
    assert.equal(r.statutoryDate, '2026-10-10');
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /档案认定出生日期 1971-05-10/);
  });

  it('accepts an early retirement inside the window and moves the pension start with it', async () => {
    const personId = await insertPerson(knex, { gender: '2', birthDate: '1972-05-10' });
    const r = retirementOf(await run({ personId, retirementType: '弹性提前', requestedDate: '2027-06-01', contributionMonths: 400 }));
    assert.equal(r.retirementDate, '2027-06-01');
    assert.equal(r.retireMonth, '2027-06');
    assert.deepEqual(r.retirementAge, { years: 55, months: 0 });
    assert.equal(r.pensionStartMonth, '2027-07');
    assert.equal(r.statutoryDate, '2028-01-10');
  });

  it('refuses with RETIREMENT_NOT_ALLOWED a request before the earliest date, after the latest, or short of contributions', async () => {
    const personId = await insertPerson(knex, { gender: '2', birthDate: '1972-05-10' });
    const early = await run({ personId, retirementType: '弹性提前', requestedDate: '2027-04-01' });
    const late = await run({ personId, retirementType: '弹性延迟', requestedDate: '2031-02-01' });
    const short = await run({ personId, retirementType: '弹性提前', requestedDate: '2027-06-01', contributionMonths: 120 });
    for (const outcome of [early, late, short]) {
      assert.equal(outcome.outcome, 'bpmnError');
      assert.equal((outcome as { code: string }).code, 'RETIREMENT_NOT_ALLOWED');
    }
    assert.match((early as { message: string }).message, /最早可退休日期 2027-05-10/);
    assert.match((late as { message: string }).message, /最晚可退休日期 2031-01-10/);
    assert.match((short as { message: string }).message, /缴费满 15 年/);
    assert.equal(((early as unknown as { variables: { retirement: RetirementResult } }).variables.retirement).allowed, false);
  });

  it('accepts a late retirement inside the window with the unit-agreement warning', async () => {
    const personId = await insertPerson(knex, { gender: '2', birthDate: '1972-05-10' });
    const r = retirementOf(await run({ personId, retirementType: '弹性延迟', requestedDate: '2030-01-10' }));
    assert.deepEqual(r.retirementAge, { years: 57, months: 8 });
    assert.ok(r.warnings.some((w) => /协商一致/.test(w)));
  });

  it('fails without retries for an unknown person, a bad id or a bad retirement type', async () => {
    const missing = await run({ personId: '00000000-0000-4000-8000-000000000000' });
    const bad = await run({ personId: 'nobody' });
    const personId = await insertPerson(knex, { gender: '1', birthDate: '1966-03-15' });
    const type = await run({ personId, retirementType: '提前' });
    const noDate = await run({ personId, retirementType: '弹性提前' });
    for (const outcome of [missing, bad, type, noDate]) {
      assert.equal(outcome.outcome, 'fail');
      assert.equal((outcome as { retries: number }).retries, 0);
    }
    assert.match((noDate as { message: string }).message, /requestedDate/);
  });
});
