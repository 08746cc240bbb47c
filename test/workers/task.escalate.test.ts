// task.escalate: where the diagrams' non-interrupting timers lead. The escalation is the periodic
// check's (escalateTask): leaders' group added, recorded once, holder and leaders notified.
import assert from 'node:assert/strict';
import { createHandler } from '../../workers/task.escalate';
import { fakeJob } from '../support/fake-job';
import { DAY, PERSON, api, auditOf, iso, startCase } from '../routes/inbox-support';
import { startWorkflowApi, type WorkflowApi } from '../routes/workflow-api-harness';
import { workerDeps } from './support';

describe('worker task.escalate', () => {
  let w: WorkflowApi;
  let handler: ReturnType<typeof createHandler>;
  const now = new Date();

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
    handler = createHandler(workerDeps(w.t.db.knex, () => now));
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    await w.resetRuntime();
    await w.t.db.knex('notifications').delete();
  });

  const taskRow = (id: string) => w.t.db.knex('user_tasks').where({ id }).first();
  const kindsOf = async (username: string) => (await api(w).notifications(username)).body.data.map((n: { kind: string }) => n.kind);
  const escalate = (instanceId: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) =>
    handler(fakeJob(variables, { instanceId, processId: 'inbox-task', customHeaders: headers }));

  it("escalates the timer's element although its stored due time is later, once, as the periodic check does", async () => {
    // given a bianban task due tomorrow, held by bianban-clerk
    const { instanceId, taskId } = await startCase(w, { groups: ['bianban'], dueAt: iso(DAY), ...PERSON });
    assert.equal((await api(w).claim('bianban-clerk', taskId)).status, 200);
    // when the boundary timer of Task_Work leads here twice (a redelivered job)
    const first = await escalate(instanceId, { scope: 'task', element: 'Task_Work' });
    const second = await escalate(instanceId, { scope: 'task', element: 'Task_Work' });
    // then
    assert.deepEqual(first, { outcome: 'complete', variables: { escalatedAt: now.toISOString() } });
    assert.equal(second.outcome, 'complete');
    assert.deepEqual((await taskRow(taskId)).candidate_groups, ['bianban', 'bianban-leader']);
    const events = await auditOf(w, 'user-task.escalated', { instance_id: instanceId });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.actor, 'worker:task.escalate');
    assert.equal(events[0]!.payload.reason, 'timer');
    assert.deepEqual(await kindsOf('bianban-clerk'), ['task.overdue']);
    assert.deepEqual(await kindsOf('bianban-leader'), ['task.escalated']);
  });

  it('without an element header escalates only the tasks due by now (a timer may fire a moment before the due time)', async () => {
    const notDue = await startCase(w, { groups: ['org'], dueAt: iso(DAY) });
    const due = await startCase(w, { groups: ['org'], dueAt: iso(-DAY) });
    const justDue = await startCase(w, { groups: ['org'], dueAt: new Date(now.getTime() + 50).toISOString() });
    await escalate(notDue.instanceId, {});
    await escalate(due.instanceId, {});
    await escalate(justDue.instanceId, {});
    assert.deepEqual((await taskRow(notDue.taskId)).candidate_groups, ['org']);
    assert.deepEqual((await taskRow(due.taskId)).candidate_groups, ['org', 'org-leader']);
    assert.deepEqual((await taskRow(justDue.taskId)).candidate_groups, ['org', 'org-leader']);
  });

  it('scope case: escalates every open task and tells the 编办 leaders once that the case is overdue', async () => {
    // given an org task of a case that is not yet due
    const { instanceId, taskId } = await startCase(w, { groups: ['org'], dueAt: iso(3 * DAY) });
    // when the case timer fires (twice)
    await escalate(instanceId, { scope: 'case' }, { caseDeadline: '2026-10-15T18:00:00+08:00' });
    await escalate(instanceId, { scope: 'case' }, { caseDeadline: '2026-10-15T18:00:00+08:00' });
    // then
    assert.deepEqual((await taskRow(taskId)).candidate_groups, ['org', 'org-leader']);
    const overdue = await auditOf(w, 'case.overdue', { instance_id: instanceId });
    assert.equal(overdue.length, 1);
    assert.equal(overdue[0]!.payload.caseDeadline, '2026-10-15T18:00:00+08:00');
    assert.deepEqual(overdue[0]!.payload.notified, ['bianban-leader']);
    const leaderNotes = (await w.t.db.knex('notifications').where({ username: 'bianban-leader' })) as Array<{ kind: string; instance_id: string; task_id: string | null }>;
    assert.deepEqual(leaderNotes.map((n) => [n.kind, n.instance_id, n.task_id]), [['task.escalated', instanceId, null]]);
  });

  it('fails without retries on an unknown scope', async () => {
    const { instanceId } = await startCase(w, { groups: ['org'] });
    const outcome = await escalate(instanceId, { scope: 'everything' });
    assert.equal(outcome.outcome, 'fail');
    assert.equal((outcome as { retries: number }).retries, 0);
  });
});
