// Assigning (leaders), delegating and returning, completing with an Idempotency-Key, and the
// notifications these send — through HTTP on the real engine.
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { createTestUser } from '../support/app';
import { PERSON, api, auditOf, startCase } from './inbox-support';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('task collaboration', () => {
  let w: WorkflowApi;
  let taskId: string;
  let instanceId: string;

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
    for (const [username, roles, departmentId] of [
      ['bianban-clerk-2', ['clerk'], 'bianban'],
      ['org-leader', ['leader'], 'org'],
    ] as const) {
      await createTestUser(w.t.services, { username, password: DEMO_PASSWORD, roles: [...roles], departmentId, isDemo: true });
    }
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    // given an open task of group bianban
    await w.resetRuntime();
    await w.t.db.knex('notifications').delete();
    ({ taskId, instanceId } = await startCase(w, { groups: ['bianban'], ...PERSON }));
  });

  const row = () => w.t.db.knex('user_tasks').where({ id: taskId }).first();
  const notificationsOf = async (username: string) => (await api(w).notifications(username)).body.data as Array<{ id: string; kind: string; taskId: string; title: string; readAt: string | null }>;

  describe('POST /api/tasks/:id/assign', () => {
    it('lets the leader assign the task to a member of its group, audited, and tells the assignee', async () => {
      // when
      const res = await api(w).assign('bianban-leader', taskId, 'bianban-clerk');
      // then
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.data.assignee, 'bianban-clerk');
      assert.equal((await row()).assignee, 'bianban-clerk');
      const [event] = await auditOf(w, 'user-task.assigned', { instance_id: instanceId });
      assert.equal(event.actor, 'user:bianban-leader');
      assert.deepEqual([event.payload.previousAssignee, event.payload.assignee], [null, 'bianban-clerk']);
      const [note] = await notificationsOf('bianban-clerk');
      assert.equal(note.kind, 'task.assigned');
      assert.equal(note.taskId, taskId);
      assert.equal(note.title, '任务「办理」已指派给你');
    });

    it('reassigns a task someone holds', async () => {
      assert.equal((await api(w).claim('bianban-clerk', taskId)).status, 200);
      const res = await api(w).assign('bianban-leader', taskId, 'bianban-clerk-2');
      assert.equal(res.status, 200);
      assert.equal((await row()).assignee, 'bianban-clerk-2');
    });

    it('refuses an assignee who is not a member of the task\'s groups, or no user at all: 400', async () => {
      for (const assignee of ['org-clerk', 'nobody-here', 'auditor']) {
        const res = await api(w).assign('bianban-leader', taskId, assignee);
        assert.equal(res.status, 400, assignee);
        assert.equal(res.body.error.details[0].code, 'NOT_A_CANDIDATE');
      }
      assert.equal((await row()).assignee, null);
    });

    it('answers 403 to a clerk, recorded with the route', async () => {
      const res = await api(w).assign('bianban-clerk', taskId, 'bianban-clerk');
      assert.equal(res.status, 403);
      const denials = await auditOf(w, 'access.denied', { actor: 'user:bianban-clerk' });
      assert.deepEqual(denials.at(-1)!.payload, { method: 'POST', path: '/api/tasks/:id/assign', status: 403, reason: 'role', action: 'task.assign' });
    });

    it("answers 404 to another department's leader", async () => {
      assert.equal((await api(w).assign('org-leader', taskId, 'org-leader')).status, 404);
    });
  });

  describe('delegate and return', () => {
    beforeEach(async () => {
      assert.equal((await api(w).claim('bianban-clerk', taskId)).status, 200);
    });

    it('hands the task to a colleague and back to its owner, who then completes it', async () => {
      // when the holder delegates
      const delegated = await api(w).delegate('bianban-clerk', taskId, 'bianban-clerk-2');
      // then the delegate holds it, the owner keeps it in the inbox
      assert.equal(delegated.status, 200, JSON.stringify(delegated.body));
      assert.deepEqual([delegated.body.data.assignee, delegated.body.data.owner], ['bianban-clerk-2', 'bianban-clerk']);
      assert.deepEqual(delegated.body.data.actions, ['return']);
      const delegateView = (await api(w).list('bianban-clerk-2')).body.data[0];
      assert.deepEqual(delegateView.actions, ['return']);
      assert.equal((await notificationsOf('bianban-clerk-2'))[0].kind, 'task.delegated');
      // and the delegate cannot complete: the owner does, once it is back
      const early = await api(w).complete('bianban-clerk-2', taskId, { ...PERSON });
      assert.equal(early.status, 409);
      assert.equal(early.body.error.code, 'TASK_DELEGATED');
      // when the delegate returns it
      const returned = await api(w).giveBack('bianban-clerk-2', taskId, '已核对身份信息');
      // then
      assert.equal(returned.status, 200);
      assert.deepEqual([returned.body.data.assignee, returned.body.data.owner], ['bianban-clerk', null]);
      const delegation = await w.t.db.knex('task_delegations').where({ task_id: taskId }).first();
      assert.deepEqual([delegation.state, delegation.comment, delegation.ended_by], ['returned', '已核对身份信息', 'bianban-clerk-2']);
      const [note] = await notificationsOf('bianban-clerk');
      assert.equal(note.kind, 'task.returned');
      assert.deepEqual((await auditOf(w, 'user-task.delegated', { instance_id: instanceId })).length, 1);
      assert.deepEqual((await auditOf(w, 'user-task.returned', { instance_id: instanceId })).length, 1);
      assert.equal((await api(w).complete('bianban-clerk', taskId, { ...PERSON })).status, 204);
    });

    it('lets the owner take the task back before the delegate returns it', async () => {
      await api(w).delegate('bianban-clerk', taskId, 'bianban-clerk-2');
      const res = await api(w).giveBack('bianban-clerk', taskId);
      assert.equal(res.status, 200);
      assert.equal((await row()).assignee, 'bianban-clerk');
      assert.deepEqual(await notificationsOf('bianban-clerk'), []);
    });

    it('refuses to delegate to someone outside the task\'s groups (400) and by someone who does not hold it (403)', async () => {
      assert.equal((await api(w).delegate('bianban-clerk', taskId, 'org-clerk')).status, 400);
      assert.equal((await api(w).delegate('bianban-clerk', taskId, 'bianban-clerk')).status, 400);
      assert.equal((await api(w).delegate('bianban-clerk-2', taskId, 'bianban-leader')).status, 403);
      assert.equal((await row()).assignee, 'bianban-clerk');
    });

    it('does not let a delegated task be unclaimed, and a leader\'s assignment ends the delegation', async () => {
      await api(w).delegate('bianban-clerk', taskId, 'bianban-clerk-2');
      assert.equal((await api(w).unclaim('bianban-clerk-2', taskId)).status, 403);
      const res = await api(w).assign('bianban-leader', taskId, 'bianban-leader');
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.data.assignee, res.body.data.owner], ['bianban-leader', null]);
      assert.equal((await w.t.db.knex('task_delegations').where({ task_id: taskId }).first()).state, 'canceled');
    });
  });

  describe('POST /api/tasks/:id/complete with an Idempotency-Key', () => {
    const counts = async () => {
      const knex = w.t.db.knex;
      const count = async (table: string) => Number((await knex(table).count<{ c: string }[]>('* as c'))[0].c);
      return { tasks: await count('user_tasks'), instances: await count('process_instances'), audit: await count('audit_events'), keys: await count('idempotency_keys') };
    };

    beforeEach(async () => {
      assert.equal((await api(w).claim('bianban-clerk', taskId)).status, 200);
    });

    it('answers a repeat with the first answer and changes nothing', async () => {
      // given a completion with key K
      const first = await api(w).complete('bianban-clerk', taskId, { ...PERSON }, { 'Idempotency-Key': 'K-1' });
      assert.equal(first.status, 204);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const before = await counts();
      // when it is sent again
      const again = await api(w).complete('bianban-clerk', taskId, { ...PERSON }, { 'Idempotency-Key': 'K-1' });
      // then
      assert.equal(again.status, 204);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(await counts(), before);
      const key = await w.t.db.knex('idempotency_keys').where({ username: 'bianban-clerk', key: 'K-1' }).first();
      assert.deepEqual([key.status, key.response_status, key.target_id], ['done', 204, taskId]);
    });

    it('answers 409 TASK_NOT_ACTIVE to a repeat without the key, as before', async () => {
      await api(w).complete('bianban-clerk', taskId, { ...PERSON }, { 'Idempotency-Key': 'K-2' });
      const res = await api(w).complete('bianban-clerk', taskId, { ...PERSON });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'TASK_NOT_ACTIVE');
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED when the key comes back with other variables', async () => {
      await api(w).complete('bianban-clerk', taskId, { ...PERSON }, { 'Idempotency-Key': 'K-3' });
      const res = await api(w).complete('bianban-clerk', taskId, { ...PERSON, salary: 5000 }, { 'Idempotency-Key': 'K-3' });
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('frees the key of a refused attempt, so that the corrected request may use it', async () => {
      const refused = await api(w).complete('bianban-clerk', taskId, { personName: '张三' }, { 'Idempotency-Key': 'K-4' });
      assert.equal(refused.status, 400);
      const corrected = await api(w).complete('bianban-clerk', taskId, { ...PERSON }, { 'Idempotency-Key': 'K-4' });
      assert.equal(corrected.status, 204);
      assert.equal(corrected.headers['idempotent-replayed'], undefined);
    });

    it('completes once when the same key arrives twice at the same time', async () => {
      const results = await Promise.all([1, 2].map(() => api(w).complete('bianban-clerk', taskId, { ...PERSON }, { 'Idempotency-Key': 'K-5' })));
      const statuses = results.map((r) => r.status).sort();
      assert.ok(statuses[0] === 204 && (statuses[1] === 204 || statuses[1] === 409), JSON.stringify(statuses));
      assert.equal((await auditOf(w, 'user-task.completed', { instance_id: instanceId })).length, 1);
    });

    it('answers 400 for a key that is too long or not printable ASCII', async () => {
      for (const key of ['x'.repeat(201), 'a b']) {
        const res = await api(w).complete('bianban-clerk', taskId, { ...PERSON }, { 'Idempotency-Key': key });
        assert.equal(res.status, 400, key);
      }
      assert.equal((await row()).state, 'created');
    });
  });

  describe('notifications', () => {
    beforeEach(async () => {
      // given two notifications for bianban-clerk
      await api(w).assign('bianban-leader', taskId, 'bianban-clerk');
      const second = await startCase(w, { groups: ['bianban'], ...PERSON });
      await api(w).assign('bianban-leader', second.taskId, 'bianban-clerk');
    });

    it('lists one\'s notifications newest first with the unread count, and nobody else\'s', async () => {
      const res = await api(w).notifications('bianban-clerk');
      assert.equal(res.status, 200);
      assert.equal(res.body.data.length, 2);
      assert.deepEqual(res.body.meta, { total: 2, unread: 2, page: 1, pageSize: 20 });
      assert.deepEqual((await api(w).notifications('bianban-clerk-2')).body.data, []);
    });

    it('marks one read, refuses another user\'s (404), and marks all read', async () => {
      const [newest] = await notificationsOf('bianban-clerk');
      assert.equal((await api(w).call('post', 'bianban-clerk-2', `/api/notifications/${newest.id}/read`)).status, 404);
      const marked = await api(w).call('post', 'bianban-clerk', `/api/notifications/${newest.id}/read`);
      assert.equal(marked.status, 200);
      assert.ok(marked.body.data.readAt);
      const unread = await api(w).notifications('bianban-clerk', '?unread=true');
      assert.equal(unread.body.data.length, 1);
      assert.equal(unread.body.meta.unread, 1);
      const all = await api(w).call('post', 'bianban-clerk', '/api/notifications/read-all');
      assert.deepEqual(all.body.data, { marked: 1 });
      assert.equal((await api(w).notifications('bianban-clerk')).body.meta.unread, 0);
    });
  });
});
