// salary.calculate (Z1 step 6, Z2, T2) with fake jobs on the test database: the unit decides the salary
// system, the header the mode; the tables come from the parameter store; invalid input is an incident.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createParameterStore } from '../../server/services/parameters';
import type { JobOutcome } from '../../workers/job';
import { createHandler, jobType, worker } from '../../workers/salary.calculate';
import type { SalaryResult } from '../../workers/variables';
import { fakeClock } from '../support/clock';
import { fakeJob } from '../support/fake-job';
import { assertIncident, completeVariables, demoDistrict, workerDeps } from './support';

describe('worker salary.calculate', () => {
  let knex: Knex;
  let handler: ReturnType<typeof createHandler>;
  let units: Record<string, string>;
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));

  before(async () => {
    ({ knex, units } = await demoDistrict());
    handler = createHandler(workerDeps(knex, clock.now));
  });

  const run = (mode: string | undefined, variables: Record<string, unknown>) => handler(fakeJob(variables as never, { customHeaders: mode === undefined ? {} : { mode } }));
  const salaryOf = (outcome: JobOutcome) => completeVariables<{ salary: SalaryResult }>(outcome).salary;
  // an incident whose message the clerk can read
  const incident = (outcome: JobOutcome, field: string) => {
    assertIncident(outcome, field);
    assert.match((outcome as { message: string }).message, /[\u4e00-\u9fff]/);
  };

  it('is registered under its job type', () => {
    assert.equal(worker.jobType, 'salary.calculate');
    assert.equal(jobType, worker.jobType);
  });

  it('pays a 本科 new hire of a 机关 (XZ) the probation pay from the report month, then 一级科员 25级2档', async () => {
    // when
    const s = salaryOf(await run('new-hire', { unitId: units.U001, bianzhiType: 'XZ', person: { name: '张三', education: '21' }, reportDate: '2026-03-16' }));
    // then
    assert.equal(s.system, 'civil-servant');
    assert.equal(s.effectiveMonth, '2026-03');
    assert.equal(s.monthlyBasic, 1450);
    assert.equal(s.afterProbation!.effectiveMonth, '2027-03');
    assert.equal(s.afterProbation!.monthlyBasic, 600 + 900);
    // the versions come from the parameter table, with their tags
    const probation = s.parameters.find((p) => p.key === 'salary.civil-servant.probation-pay')!;
    assert.deepEqual([probation.version, probation.revision, probation.status], ['placeholder', 1, 'C']);
    assert.equal(s.lowestStatus, 'C');
  });

  it('pays SY staff of a 事业单位 on the 岗位/薪级 structure (硕士: 专技11级 薪级11)', async () => {
    const s = salaryOf(await run('new-hire', { unitId: units.U003, bianzhiType: 'SY', person: { education: '14', degree: '硕士' }, effectiveMonth: '2026-09' }));
    assert.equal(s.system, 'institution');
    assert.equal(s.probation!.name, '见习期');
    assert.equal(s.afterProbation!.monthlyBasic, 620 + 215);
  });

  it('continues a transfer in from the 工资介绍信: 起薪 the month after 工资已发至', async () => {
    const s = salaryOf(await run('continuation', { unitId: units.U001, bianzhiType: 'XZ', salaryLetter: { post: '三级主任科员', level: 22, grade: 3, paidThrough: '2026-04' } }));
    assert.equal(s.effectiveMonth, '2026-05');
    assert.equal(s.monthlyBasic, 690 + 1215);
  });

  it('re-slots a promotion (T2)', async () => {
    const s = salaryOf(await run('promotion', { unitId: units.U001, bianzhiType: 'XZ', promotion: { current: { post: '一级科员', level: 25, grade: 2 }, target: { post: '四级主任科员' }, effectiveMonth: '2026-05' } }));
    assert.equal(s.monthlyBasic, 690 + 917);
    assert.equal(s.increase, 107);
  });

  it('continues the current pay on a transfer within the district (T1 regrade, same 身份): from the month of the move', async () => {
    // 一级科员 25级4档 = 600 + (850 + 3 · 50) = 1,600, unchanged; A = U001 (机关), B = U002 (机关)
    const s = salaryOf(await run('regrade', { unitId: units.U002, fromUnitId: units.U001, bianzhiType: 'XZ', currentSalary: { post: '一级科员', level: 25, grade: 4 }, effectiveDate: '2026-12-01' }));
    assert.deepEqual([s.mode, s.system, s.effectiveMonth, s.monthlyBasic, s.before!.monthlyBasic, s.increase], ['regrade', 'civil-servant', '2026-12', 1600, 1600, 0]);
  });

  it('re-grades on the new track when the 身份 changes (T3 工勤 → 行政), and needs the 套改 target for it', async () => {
    // before: 技术工三级 615 + 薪级 10 = 197 → 812 (事业 structure); after: 一级科员 600 + 26级2档 (790 + 45) = 1,435
    const variables = { unitId: units.U001, fromBianzhiType: 'GQ', bianzhiType: 'XZ', currentSalary: { post: '技术工三级', track: 'worker', postLevel: 3, scale: 10 }, effectiveDate: '2026-11-01' };
    const s = salaryOf(await run('regrade', { ...variables, regradeTarget: { post: '一级科员', level: 26, grade: 2 } }));
    assert.deepEqual([s.system, s.before!.position.system, s.before!.monthlyBasic, s.monthlyBasic, s.increase, s.effectiveMonth], ['civil-servant', 'institution', 812, 1435, 623, '2026-11']);
    incident(await run('regrade', variables), 'regradeTarget');
  });

  it('reads the T2 form\'s names: a leadership post, the 任职 date and the current position', async () => {
    // given the post-change-application form: 乡科级 副职 from 2026-06-15; current 一级科员 25级2档
    const s = salaryOf(await run('promotion', { unitId: units.U001, bianzhiType: 'XZ', newPost: '副科长', isLeaderPost: true, leaderPost: { level: '乡科级', kind: 'deputy' }, effectiveDate: '2026-06-15', currentSalary: { post: '一级科员', level: 25, grade: 2 } }));
    // then 乡科级副职 (24–17): 25 → 24, 就近就高 1档 917; leadership wage 720
    assert.equal(s.effectiveMonth, '2026-06');
    assert.equal(s.monthlyBasic, 720 + 917);
    // without the current position the clerk is told what is missing
    incident(await run('promotion', { unitId: units.U001, bianzhiType: 'XZ', person: { post: '四级主任科员' }, newPost: '四级主任科员', effectiveDate: '2026-06-15' }), 'promotion.current');
  });

  it('reads the Z2 form\'s 工资介绍信 names (paidUntil, salaryScale) and the 事业 track from the post name', async () => {
    const s = salaryOf(await run('continuation', { unitId: units.U003, bianzhiType: 'SY', salaryLetter: { post: '专业技术十二级', postLevel: 12, salaryScale: 9, paidUntil: '2026-08' } }));
    assert.deepEqual([s.effectiveMonth, s.monthlyBasic], ['2026-09', 590 + 181]);
    incident(await run('continuation', { unitId: units.U003, bianzhiType: 'SY', salaryLetter: { post: '教师', postLevel: 12, salaryScale: 9, paidUntil: '2026-08' } }), 'salaryLetter.track');
  });

  it('uses the version in force on the 起薪 day when an administrator adds one', async () => {
    // given a verified probation table from 2027-01-01
    const store = createParameterStore(knex, clock.now);
    await store.addVersion(
      { key: 'salary.civil-servant.probation-pay', validFrom: '2027-01-01', value: { months: 12, amounts: { secondary: 1300, college: 1400, bachelor: 1500, 'double-bachelor': 1500, 'postgraduate-class': 1500, master: 1700, doctor: 1900 } }, status: 'A', docNo: '示人社〔2026〕9号' },
      { username: 'admin', userId: null },
    );
    // when
    const before = salaryOf(await run('new-hire', { unitId: units.U001, bianzhiType: 'XZ', person: { education: '21' }, reportDate: '2026-12-01' }));
    const after = salaryOf(await run('new-hire', { unitId: units.U001, bianzhiType: 'XZ', person: { education: '21' }, reportDate: '2027-01-04' }));
    // then
    assert.equal(before.monthlyBasic, 1450);
    assert.equal(after.monthlyBasic, 1500);
    const ref = after.parameters.find((p) => p.key === 'salary.civil-servant.probation-pay')!;
    assert.deepEqual([ref.version, ref.revision, ref.status], ['示人社〔2026〕9号', 2, 'A']);
  });

  it('opens an incident naming the field for input a clerk must fix', async () => {
    incident(await run('new-hire', { unitId: units.U001, bianzhiType: 'XZ', person: { education: '81' }, reportDate: '2026-03-16' }), 'person.education');
    incident(await run('new-hire', { unitId: units.U001, bianzhiType: 'XZ', person: { education: '21' } }), 'reportDate');
    incident(await run('new-hire', { unitId: units.U001, bianzhiType: 'XZ', person: { education: '21' }, reportDate: '2026-02-30x' }), 'reportDate');
    incident(await run('continuation', { unitId: units.U001, bianzhiType: 'XZ' }), 'salaryLetter');
    incident(await run('continuation', { unitId: units.U001, bianzhiType: 'XZ', salaryLetter: { post: '一级科员', level: 27, grade: 1, paidThrough: '2026-04' } }), 'salaryLetter.level');
    incident(await run('new-hire', { unitId: '00000000-0000-4000-8000-000000000000', bianzhiType: 'XZ', person: { education: '21' }, reportDate: '2026-03-16' }), 'unitId');
    incident(await run('new-hire', { unitId: 'U001', bianzhiType: 'XZ' }), 'unitId');
    incident(await run('new-hire', { unitId: units.U001, bianzhiType: 'QQ', person: { education: '21' }, reportDate: '2026-03-16' }), 'bianzhiType');
  });

  it('opens an incident naming the date when no table was in force then', async () => {
    // the 2019 职级 tables have no version for a 2012 letter
    incident(await run('continuation', { unitId: units.U001, bianzhiType: 'XZ', salaryLetter: { post: '一级科员', level: 25, grade: 2, paidThrough: '2012-04' } }), 'salaryLetter.paidThrough');
  });

  it('refuses a missing or unknown mode header as a diagram error, without retries', async () => {
    for (const mode of [undefined, 'transfer']) {
      const outcome = await run(mode, { unitId: units.U001, bianzhiType: 'XZ', person: { education: '21' }, reportDate: '2026-03-16' });
      assert.equal(outcome.outcome, 'fail');
      assert.equal((outcome as { retries?: number }).retries, 0);
      assert.match((outcome as { message: string }).message, /mode/);
    }
  });

  it('gives the same answer when the job is delivered twice', async () => {
    const vars = { unitId: units.U001, bianzhiType: 'XZ', person: { education: '31' }, reportDate: '2026-05-06' };
    assert.deepEqual(salaryOf(await run('new-hire', vars)), salaryOf(await run('new-hire', vars)));
  });
});
