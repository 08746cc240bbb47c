// 办理时限 in the real diagrams: every user task's non-interrupting timer runs for the step's limit from the
// parameter `task.time-limit-days` and, when it passes, escalates the open step to the department's
// leaders without taking it away; J1–J3 carry the 10-working-day limit of the whole 减员 case on the
// working-day calendar. Time is moved by setting the timers' due time, never by sleeping.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import type { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import { enrolPerson, idNumber, startCaseRunner, type CaseRunner } from './harness';

describe('time limits (办理时限) of the workflows', function () {
  let r: CaseRunner;
  let db: CaseRunner['w']['t']['db']['knex'];
  let engine: EmbeddedEngine;

  before(async () => {
    r = await startCaseRunner();
    db = r.w.t.db.knex;
    engine = r.w.running.engine as EmbeddedEngine;
  });
  after(() => r.stop());

  /** Makes a waiting timer due now, as if its time had passed, and lets the engine fire it. */
  async function passTimer(instanceId: string, elementId: string): Promise<void> {
    const updated = await db('timers').where({ instance_id: instanceId, element_id: elementId, state: 'active' }).update({ due_at: db.raw("now() - interval '1 second'") });
    assert.equal(updated, 1, `timer ${elementId} is waiting`);
    await engine.fireDueTimers();
    await r.instance(instanceId);
  }

  it('runs each step\'s timer for the limit of the parameter and escalates the overdue step to the 编办 leaders', async () => {
    // given a Z1 case at 用编许可 (编办), whose limit is the default 7 days
    const unitId = await r.w.unitId('U001');
    const id = await r.start('staff-add-recruitment', 'unit-U001', { unitId });
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U001', { bianzhiType: 'XZ', requested: 1, entryMode: '考试录用', post: '一级科员', applicationReason: '补充人员', applicationAction: 'submit' });
    const [task] = await r.openTasks(id);
    assert.equal(task!.element_id, 'Task_ApproveQuotaUse');
    const timer = await db('timers').where({ instance_id: id, element_id: 'Timer_ApproveQuotaUseOverdue', state: 'active' }).first();
    const created = await db('user_tasks').where({ id: task!.id }).first('created_at');
    const days = (new Date(timer.due_at).getTime() - new Date(created.created_at).getTime()) / 86_400_000;
    assert.ok(Math.abs(days - 7) < 0.01, `the timer runs 7 days (${days})`);
    // when the limit passes
    await db('user_tasks').where({ id: task!.id }).update({ due_at: db.raw("now() - interval '1 second'") });
    await passTimer(id, 'Timer_ApproveQuotaUseOverdue');
    // then the step is escalated once, still open, and the leaders are told
    const escalation = await db('task_escalations').where({ task_id: task!.id }).first();
    assert.ok(escalation, 'the task is escalated');
    const after = await db('user_tasks').where({ id: task!.id }).first('state', 'candidate_groups');
    assert.equal(after.state, 'created', 'a non-interrupting timer leaves the step open');
    assert.ok(after.candidate_groups.includes('bianban-leader'));
    const notices = await db('notifications').where({ username: 'bianban-leader', task_id: task!.id, kind: 'task.escalated' });
    assert.equal(notices.length, 1);
    assert.equal((await db('jobs').where({ instance_id: id, element_id: 'Task_EscalateApproveQuotaUse', state: 'completed' })).length, 1);
    // and the step can still be done
    await r.complete(id, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve' });
    assert.deepEqual((await r.openTasks(id)).map((t) => t.element_id), ['Task_ApplyRegistration']);
  });

  it('gives a 减员 case 10 working days from the event on the calendar an administrator keeps, and escalates the whole case when they pass', async () => {
    // given the administrator has declared Monday 2026-12-21 a holiday and Saturday 2026-12-26 a working day
    const calendar = await supertest(r.w.t.app).get('/api/parameters/calendar.working-days').set(await r.w.as('admin'));
    const value = calendar.body.data.value as { years: number[]; holidays: string[]; adjustedWorkdays: string[] };
    const added = await supertest(r.w.t.app)
      .post('/api/parameters/calendar.working-days/versions')
      .set(await r.w.as('admin'))
      .send({ validFrom: '2026-11-01', status: 'A', docNo: '示政办〔2026〕40号', value: { ...value, holidays: [...value.holidays, '2026-12-21'], adjustedWorkdays: [...value.adjustedWorkdays, '2026-12-26'] } });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    // and a J1 case for a 事业 teacher retiring on Monday 2026-12-14
    const unitId = await r.w.unitId('U003');
    const personId = await enrolPerson(r, 'U003', { idNumber: idNumber('37061219710601002'), name: '赵丽', gender: '2', birthDate: '1971-06-01', bianzhiType: 'SY', post: '专业技术十级' });
    const id = await r.start('staff-reduce-retirement', 'unit-U003', { unitId, personId, reason: '退休', eventDate: '2026-12-14' });
    await r.complete(id, 'Task_ApplyRetirement', 'unit-U003', { retirementType: '法定', eventDate: '2026-12-14', applicationReason: '到龄退休' });
    // (事业 staff: the approval is 人社's)
    await r.complete(id, 'Task_ApproveRetirement', 'hrss-clerk', { retirementDecision: 'approve' });
    // then the deadline is the 10th working day after the event: 15 16 17 18 · (21 off) 22 23 24 25 · 26 (Sat, on) · 28
    const variables = (await r.instance(id)).variables;
    assert.equal(variables.caseDeadlineDate, '2026-12-28');
    const deadline = await db('timers').where({ instance_id: id, element_id: 'Timer_ReductionDeadline', state: 'active' }).first();
    assert.equal(new Date(deadline.due_at).toISOString(), new Date('2026-12-28T18:00:00+08:00').toISOString());
    // when it passes with the 人社 step still open
    await passTimer(id, 'Timer_ReductionDeadline');
    // then every open task of the case is escalated and the 编办 leaders are told once
    const open = await r.openTasks(id);
    assert.deepEqual(open.map((t) => t.element_id), ['Task_SetRetirementPay']);
    assert.ok(await db('task_escalations').where({ task_id: open[0]!.id }).first());
    assert.equal((await db('audit_events').where({ instance_id: id, kind: 'case.overdue' })).length, 1);
    assert.ok((await db('notifications').where({ username: 'bianban-leader', instance_id: id })).length >= 1);
  });

  it('refuses to start a 减员 case about another unit\'s staff', async () => {
    // given a person 在编 in U001, named in a case of U003
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219800101001'), name: '钱进', gender: '1', birthDate: '1980-01-01', bianzhiType: 'XZ', post: '一级主任科员' });
    // when
    const id = await r.start('staff-reduce-exit', 'unit-U003', { unitId: await r.w.unitId('U003'), personId });
    // then the case ends at once, nothing to do for anyone, and the person stays 在编
    const instance = await r.instance(id);
    assert.equal(instance.state, 'completed');
    assert.equal((await r.openTasks(id)).length, 0);
    assert.equal((await db('persons').where({ id: personId }).first()).status, 'active');
  });
});
