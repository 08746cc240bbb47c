// 超期环节 by department (GET /api/stats/overdue-steps): open, overdue, escalated and late-completed steps,
// each task counted once per department among its candidate groups (leaders' groups for their
// department, unit groups for 用人单位).
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { api, iso, PERSON, startCase } from '../routes/inbox-support';
import { startWorkflowApi, type WorkflowApi } from '../routes/workflow-api-harness';

const HOUR = 3_600_000;

describe('statistics: overdue steps by department', function () {
  this.timeout(120_000);
  let w: WorkflowApi;

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
  });
  after(async () => {
    await w?.stop();
  });

  const report = async (user = 'auditor', query = '') => supertest(w.t.app).get(`/api/stats/overdue-steps${query}`).set(await w.as(user));
  const row = (body: any, id: string) => body.data.byDepartment.find((d: { departmentId: string }) => d.departmentId === id);

  it('counts open, overdue, escalated and late-completed steps per department', async () => {
    // given: 编办 two open steps (one overdue, and that one escalated), one step of 编办+财政 overdue,
    // a unit step overdue, and a 财政 step completed late
    const u001 = await w.unitId('U001');
    await startCase(w, { groups: ['bianban'], dueAt: iso(48 * HOUR) });
    const late = await startCase(w, { groups: ['bianban'], dueAt: iso(-2 * HOUR) });
    await w.t.db.knex('user_tasks').where({ id: late.taskId }).update({ candidate_groups: ['bianban', 'bianban-leader'] });
    await w.t.db.knex('task_escalations').insert({ task_id: late.taskId, due_at: new Date(Date.now() - 2 * HOUR), groups_added: ['bianban-leader'] });
    await startCase(w, { groups: ['bianban', 'finance'], dueAt: iso(-1 * HOUR) });
    await startCase(w, { groups: ['unit'], unitId: u001, dueAt: iso(-3 * HOUR) });
    const done = await startCase(w, { groups: ['finance'], dueAt: iso(-5 * HOUR) });
    const finance = api(w);
    const claimed = await finance.claim('finance-clerk', done.taskId);
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    assert.equal((await finance.complete('finance-clerk', done.taskId, { ...PERSON })).status, 204);

    // when
    const res = await report();

    // then
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(row(res.body, 'bianban'), { departmentId: 'bianban', departmentName: '编办', open: 3, overdue: 2, escalated: 1, completed: 0, completedLate: 0 });
    assert.deepEqual(row(res.body, 'finance'), { departmentId: 'finance', departmentName: '财政局', open: 1, overdue: 1, escalated: 0, completed: 1, completedLate: 1 });
    assert.deepEqual(row(res.body, 'unit'), { departmentId: 'unit', departmentName: '用人单位', open: 1, overdue: 1, escalated: 0, completed: 0, completedLate: 0 });
    assert.equal(row(res.body, 'veterans').open, 0);
    assert.equal(res.body.data.days, 30);
    assert.ok(res.body.data.definitions.overdue);
  });

  it('leaves out steps completed before the window', async () => {
    await w.t.db.knex('user_tasks').where({ state: 'completed' }).update({ completed_at: new Date(Date.now() - 10 * 24 * HOUR) });
    assert.equal(row((await report('auditor', '?days=30')).body, 'finance').completed, 1);
    assert.equal(row((await report('auditor', '?days=7')).body, 'finance').completed, 0);
  });

  it('is for users who see the whole district: a unit clerk gets 403, a bad window 400', async () => {
    assert.equal((await report('unit-U001')).status, 403);
    assert.equal((await report('auditor', '?days=0')).status, 400);
  });
});
