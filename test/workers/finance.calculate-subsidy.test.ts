// finance.calculate-subsidy (Z1 step 8, J 财政核减) with fake jobs on the test database: coverage by the
// unit's 经费形式, the 工资统发 flag, the reduce mode from a stop month or the pension start month.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { insuranceBase } from '../../domain/insurance';
import { defaultInsuranceParameters } from '../../domain/parameters/insurance';
import { defaultSalaryParameters } from '../../domain/parameters/salary';
import { continuationSalary, newHireSalary } from '../../domain/salary';
import { createHandler, worker } from '../../workers/finance.calculate-subsidy';
import type { JobOutcome } from '../../workers/job';
import type { SubsidyResult } from '../../workers/variables';
import { fakeClock } from '../support/clock';
import { fakeJob } from '../support/fake-job';
import { assertIncident, completeVariables, demoDistrict, workerDeps } from './support';

describe('worker finance.calculate-subsidy', () => {
  let knex: Knex;
  let handler: ReturnType<typeof createHandler>;
  let units: Record<string, string>;
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));
  const salary = newHireSalary({ system: 'civil-servant', startMonth: '2026-03', education: '21' }, defaultSalaryParameters());
  const insurance = insuranceBase({ system: 'civil-servant', fundingForm: 'full', salary }, defaultInsuranceParameters('2026-03-01'));

  before(async () => {
    ({ knex, units } = await demoDistrict());
    handler = createHandler(workerDeps(knex, clock.now));
  });

  const run = (variables: Record<string, unknown>, mode?: string) => handler(fakeJob(variables as never, { customHeaders: mode === undefined ? {} : { mode } }));
  const subsidyOf = (outcome: JobOutcome) => completeVariables<{ subsidy: SubsidyResult }>(outcome).subsidy;

  it('is registered under its job type', () => {
    assert.equal(worker.jobType, 'finance.calculate-subsidy');
  });

  it('covers a 全额 机关 new hire in full from the 起薪 month and lists the person for 工资统发 (mode add by default)', async () => {
    // when (U001: 全额, organ)
    const r = subsidyOf(await run({ unitId: units.U001, salary, insurance }));
    // then n = 10: 14 500 + 30 000 + 1 450 + 15 204 + 10 000
    assert.deepEqual([r.mode, r.months, r.total], ['add', 10, 71154]);
    assert.deepEqual(r.payrollList, { listed: true, action: 'add', month: '2026-03' });
    assert.ok(r.parameters.some((p) => p.key === 'subsidy.public-funds-quota' && p.status === 'C' && p.revision === 1));
  });

  it('gives a 自收自支 unit nothing and keeps it off the list', async () => {
    const r = subsidyOf(await run({ unitId: units.U006, salary, insurance }));
    assert.equal(r.total, 0);
    assert.equal(r.payrollList.listed, false);
  });

  it('computes the unit contributions itself when no insurance result is given', async () => {
    const r = subsidyOf(await run({ unitId: units.U001, salary }));
    assert.equal(r.total, 71154);
    assert.equal((r as SubsidyResult & { insuranceComputed: boolean }).insuranceComputed, true);
  });

  it('reduces (J1) over the months from the pension start month', async () => {
    // given a 三级主任科员 22级3档 (1905) retiring: pension from 2026-08 → 5 months
    const current = continuationSalary({ system: 'civil-servant', letter: { post: '三级主任科员', level: 22, grade: 3, paidThrough: '2020-01' } }, defaultSalaryParameters());
    const r = subsidyOf(await run({ unitId: units.U001, salary: current, retirement: { pensionStartMonth: '2026-08' } }, 'reduce'));
    assert.deepEqual([r.mode, r.fromMonth, r.months], ['reduce', '2026-08', 5]);
    assert.equal(r.components.find((c) => c.code === 'basic')!.cost, 5 * 1905);
    assert.deepEqual(r.payrollList, { listed: true, action: 'remove', month: '2026-08' });
    const same = subsidyOf(await run({ unitId: units.U001, salary: current, stopMonth: '2026-07' }, 'reduce'));
    assert.equal(same.total, r.total);
  });

  it('reduces the unit a person moves away from (T1) from the month of the move (moveMonth)', async () => {
    // given 三级主任科员 22级3档 (1905) moving to another district unit in 2026-08: A stops paying from 2026-08 → 5 months
    const current = continuationSalary({ system: 'civil-servant', letter: { post: '三级主任科员', level: 22, grade: 3, paidThrough: '2020-01' } }, defaultSalaryParameters());
    const r = subsidyOf(await run({ unitId: units.U001, salary: current, moveMonth: '2026-08' }, 'reduce'));
    assert.deepEqual([r.mode, r.fromMonth, r.months], ['reduce', '2026-08', 5]);
    assert.equal(r.components.find((c) => c.code === 'basic')!.cost, 5 * 1905);
    assert.deepEqual(r.payrollList, { listed: true, action: 'remove', month: '2026-08' });
    // the same as a stop month the month before
    assert.equal(subsidyOf(await run({ unitId: units.U001, salary: current, stopMonth: '2026-07' }, 'reduce')).total, r.total);
  });

  it('prices the current position when a reduce flow has no salary result', async () => {
    // given J3: stop month 2026-09 (stop-pay form), current 三级主任科员 22级3档 = 1905
    const r = subsidyOf(await run({ unitId: units.U001, bianzhiType: 'XZ', stopMonth: '2026-09', currentSalary: { post: '三级主任科员', level: 22, grade: 3 } }, 'reduce'));
    assert.deepEqual([r.fromMonth, r.months], ['2026-10', 3]);
    assert.equal(r.components.find((c) => c.code === 'basic')!.cost, 3 * 1905);
  });

  it('opens an incident naming the field, and refuses an unknown mode header', async () => {
    assertIncident(await run({ unitId: units.U001, salary }, 'reduce'), 'stopMonth');
    assertIncident(await run({ unitId: units.U001, salary, stopMonth: '2026-13' }, 'reduce'), 'stopMonth');
    assertIncident(await run({ unitId: units.U001 }), 'salary');
    assertIncident(await run({ unitId: units.U001, salary, insurance: { totals: { unitCash: -1 } } }), 'insurance.totals.unitCash');
    assertIncident(await run({ unitId: units.U001, salary, insurance }, 'cancel'), 'mode');
    assertIncident(await run({ unitId: units.U001, bianzhiType: 'XZ', stopMonth: '2026-09', currentSalary: { post: '三级主任科员', level: 27, grade: 3 } }, 'reduce'), 'currentSalary.level');
  });
});
