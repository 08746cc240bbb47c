// time-limits.plan: the step limits from task.time-limit-days (most specific wins, as the inbox's due
// times) and the J1–J3 case deadline of N working days on the calendar parameter.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { PARAMETER_DEFAULTS } from '../../domain/parameters/index';
import { workingDayCalendars } from '../../domain/parameters/calendar';
import { retirementAlertMonths, timeLimitDays } from '../../domain/parameters/time-limits';
import { seedDefaultParameters } from '../../server/services/parameters';
import { createHandler } from '../../workers/time-limits.plan';
import { fakeClock } from '../support/clock';
import { fakeJob } from '../support/fake-job';
import { getTestDatabase, resetDatabase } from '../support/db';
import { completeVariables, workerDeps } from './support';

describe('worker time-limits.plan', () => {
  let knex: Knex;
  let handler: ReturnType<typeof createHandler>;
  // Tuesday 2026-11-24, 16:00 in Shanghai
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));

  before(async () => {
    knex = (await getTestDatabase()).knex;
    await resetDatabase(knex);
    await seedDefaultParameters(knex, [...PARAMETER_DEFAULTS, ...timeLimitDays, ...workingDayCalendars, ...retirementAlertMonths]);
    handler = createHandler(workerDeps(knex, clock.now));
  });

  afterEach(async () => {
    await knex('parameters').where({ key: 'task.time-limit-days' }).where('version', '>', 1).delete();
  });

  const plan = (headers: Record<string, string>, variables: Record<string, unknown> = {}, processId = 'staff-reduce-retirement') =>
    handler(fakeJob(variables, { processId, customHeaders: headers }));
  const varsOf = (outcome: Awaited<ReturnType<typeof plan>>) => completeVariables<Record<string, unknown>>(outcome);

  it('gives every listed element the built-in default "*" limit', async () => {
    const vars = varsOf(await plan({ elements: 'Task_Apply, Task_Approve' }));
    assert.deepEqual(vars, { timeLimits: { Task_Apply: 'P7D', Task_Approve: 'P7D' } });
  });

  it('gives each element the most specific limit: process/element, then process, then "*"', async () => {
    // given a new version of the parameter
    await knex('parameters').insert({
      key: 'task.time-limit-days',
      version: 2,
      valid_from: '2026-01-01',
      value: JSON.stringify({ '*': 5, 'staff-reduce-retirement': 3, 'staff-reduce-retirement/Task_Approve': 2, 'other/Task_Apply': 9 }),
      status: 'C',
    });
    // when
    const vars = varsOf(await plan({ elements: 'Task_Apply,Task_Approve' }));
    const other = varsOf(await plan({ elements: 'Task_Apply,Task_Approve' }, {}, 'other'));
    // then
    assert.deepEqual(vars.timeLimits, { Task_Apply: 'P3D', Task_Approve: 'P2D' });
    assert.deepEqual(other.timeLimits, { Task_Apply: 'P9D', Task_Approve: 'P5D' });
  });

  it('computes the case deadline: 18:00 Asia/Shanghai of the 10th working day after the event date', async () => {
    // Sep 25–27 中秋, Oct 1–7 国庆, Sat Oct 10 worked: see test/domain/working-days.test.ts
    const vars = varsOf(await plan({ elements: 'Task_Apply', caseWorkingDays: '10' }, { eventDate: '2026-09-24' }));
    assert.equal(vars.caseDeadline, '2026-10-15T18:00:00+08:00');
    assert.equal(vars.caseDeadlineDate, '2026-10-15');
    assert.equal(new Date(vars.caseDeadline as string).toISOString(), '2026-10-15T10:00:00.000Z');
    assert.equal(vars.caseDeadlineNote, undefined);
  });

  it('counts from today without an event date, and takes the day of a date-time in Shanghai time', async () => {
    // today Tue 2026-11-24 → 10 working days: Dec 8 (Tue)
    assert.equal(varsOf(await plan({ elements: '', caseWorkingDays: '10' })).caseDeadline, '2026-12-08T18:00:00+08:00');
    // 2026-11-23T17:00Z is already Tue 11-24 01:00 in Shanghai
    assert.equal(varsOf(await plan({ elements: '', caseWorkingDays: '1' }, { eventDate: '2026-11-23T17:00:00Z' })).caseDeadlineDate, '2026-11-25');
  });

  it('notes a deadline in a year the calendar does not hold', async () => {
    const vars = varsOf(await plan({ elements: '', caseWorkingDays: '10' }, { eventDate: '2026-12-24' }));
    assert.equal(vars.caseDeadlineDate, '2027-01-07');
    assert.match(vars.caseDeadlineNote as string, /2027/);
  });

  it('fails without retries on a bad header or event date', async () => {
    for (const outcome of [
      await plan({ elements: 'Task A' }),
      await plan({ elements: 'Task_A', caseWorkingDays: 'ten' }),
      await plan({ elements: 'Task_A', caseWorkingDays: '10' }, { eventDate: '24.09.2026' }),
    ]) {
      assert.equal(outcome.outcome, 'fail', JSON.stringify(outcome));
      assert.equal((outcome as { retries: number }).retries, 0);
    }
  });
});
