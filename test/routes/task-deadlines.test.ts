// Time limits: due times from the diagram or the parameter task.time-limit-days, the overdue flag,
// and the periodic check that escalates an overdue task to the department's leaders once.
import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { createSilentLogger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { applyTimeLimits, escalateOverdueTasks, escalationGroups, startTaskDeadlineMonitor } from '../../server/services/task-deadlines';
import { createTestUser } from '../support/app';
import { DAY, PERSON, api, auditOf, iso, startCase } from './inbox-support';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('task time limits and escalation', () => {
  let w: WorkflowApi;

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
    await createTestUser(w.t.services, { username: 'org-leader', password: DEMO_PASSWORD, roles: ['leader'], departmentId: 'org', isDemo: true });
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    await w.resetRuntime();
    await w.t.db.knex('notifications').delete();
    await w.t.db.knex('parameters').where({ key: 'task.time-limit-days' }).delete();
  });

  const taskRow = (id: string) => w.t.db.knex('user_tasks').where({ id }).first();
  const kindsOf = async (username: string) => (await api(w).notifications(username)).body.data.map((n: { kind: string }) => n.kind);

  it('names the leaders\' group of each department group, never of units or twice', () => {
    assert.deepEqual(escalationGroups(['bianban']), ['bianban-leader']);
    assert.deepEqual(escalationGroups(['bianban', 'org', 'unit', 'unit:U001']), ['bianban-leader', 'org-leader']);
    assert.deepEqual(escalationGroups(['bianban', 'bianban-leader']), []);
  });

  describe('escalateOverdueTasks', () => {
    it('escalates an overdue task once: leaders\' group added, recorded, holder and leaders notified', async () => {
      // given a bianban task due yesterday, held by bianban-clerk
      const { taskId, instanceId } = await startCase(w, { groups: ['bianban'], dueAt: iso(-DAY), ...PERSON });
      assert.equal((await api(w).claim('bianban-clerk', taskId)).status, 200);
      // when the check runs twice
      const first = await escalateOverdueTasks(w.t.db.knex, new Date());
      const second = await escalateOverdueTasks(w.t.db.knex, new Date());
      // then
      assert.deepEqual([first, second], [1, 0]);
      assert.deepEqual((await taskRow(taskId)).candidate_groups, ['bianban', 'bianban-leader']);
      const escalation = await w.t.db.knex('task_escalations').where({ task_id: taskId }).first();
      assert.deepEqual(escalation.groups_added, ['bianban-leader']);
      const events = await auditOf(w, 'user-task.escalated', { instance_id: instanceId });
      assert.equal(events.length, 1);
      assert.equal(events[0].actor, 'system:deadline-check');
      assert.deepEqual(await kindsOf('bianban-clerk'), ['task.overdue']);
      assert.deepEqual(await kindsOf('bianban-leader'), ['task.escalated']);
      const listed = (await api(w).list('bianban-clerk')).body.data[0];
      assert.deepEqual([listed.overdue, listed.escalated], [true, true]);
    });

    it("brings another department's overdue task into its leader's inbox", async () => {
      const { taskId } = await startCase(w, { groups: ['org'], dueAt: iso(-DAY) });
      await escalateOverdueTasks(w.t.db.knex, new Date());
      assert.deepEqual((await taskRow(taskId)).candidate_groups, ['org', 'org-leader']);
      assert.deepEqual(await kindsOf('org-leader'), ['task.escalated']);
      assert.deepEqual(await kindsOf('bianban-leader'), []);
    });

    it('leaves tasks that are not yet due, have no due time, or are done', async () => {
      const notDue = await startCase(w, { groups: ['bianban'], dueAt: iso(DAY) });
      const noDue = await startCase(w, { groups: ['bianban'] });
      const done = await startCase(w, { groups: ['bianban'], dueAt: iso(-DAY), ...PERSON });
      await api(w).claim('bianban-clerk', done.taskId);
      assert.equal((await api(w).complete('bianban-clerk', done.taskId, { ...PERSON })).status, 204);
      assert.equal(await escalateOverdueTasks(w.t.db.knex, new Date()), 0);
      for (const id of [notDue.taskId, noDue.taskId]) assert.deepEqual((await taskRow(id)).candidate_groups, ['bianban']);
    });

    it('records a unit task\'s escalation without a leaders\' group and tells its holder', async () => {
      const u003 = await w.unitId('U003');
      const { taskId } = await startCase(w, { groups: ['unit'], unitId: u003, dueAt: iso(-DAY) });
      assert.equal((await api(w).claim('unit-U003', taskId)).status, 200);
      assert.equal(await escalateOverdueTasks(w.t.db.knex, new Date()), 1);
      assert.deepEqual((await taskRow(taskId)).candidate_groups, ['unit']);
      assert.deepEqual(await kindsOf('unit-U003'), ['task.overdue']);
    });
  });

  describe('applyTimeLimits (parameter task.time-limit-days)', () => {
    it('gives a task without a due time the most specific limit, and leaves a due time from the diagram', async () => {
      // given the parameter: 3 days for inbox-task/Task_Work, 10 for anything else
      await w.t.db.knex('parameters').insert({ key: 'task.time-limit-days', version: 1, valid_from: '2020-01-01', value: JSON.stringify({ '*': 10, 'inbox-task/Task_Work': 3 }), status: 'C' });
      const fromDiagram = iso(5 * DAY);
      const modelled = await startCase(w, { groups: ['bianban'], dueAt: fromDiagram });
      const open = await startCase(w, { groups: ['bianban'] });
      // when
      const updated = await applyTimeLimits(w.t.db.knex, new Date());
      // then
      assert.equal(updated, 1);
      const row = await taskRow(open.taskId);
      assert.equal(new Date(row.due_at).getTime() - new Date(row.created_at).getTime(), 3 * DAY);
      assert.equal(new Date((await taskRow(modelled.taskId)).due_at).toISOString(), fromDiagram);
    });

    it('does nothing without the parameter', async () => {
      const open = await startCase(w, { groups: ['bianban'] });
      assert.equal(await applyTimeLimits(w.t.db.knex, new Date()), 0);
      assert.equal((await taskRow(open.taskId)).due_at, null);
    });
  });

  describe('startTaskDeadlineMonitor', () => {
    it('runs the check at each interval until stopped', async () => {
      // given an overdue task and a monitor on fake timers
      const { taskId } = await startCase(w, { groups: ['bianban'], dueAt: iso(-DAY) });
      const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const monitor = startTaskDeadlineMonitor({ db: w.t.db.knex, log: createSilentLogger(), intervalMs: 60_000 });
        // when a minute passes
        clock.tick(60_000);
        await monitor.stop(); // waits for the run in flight
        // then
        assert.ok(await w.t.db.knex('task_escalations').where({ task_id: taskId }).first());
      } finally {
        clock.uninstall();
      }
    });
  });
});
