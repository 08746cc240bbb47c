// Unit isolation: a unit clerk works only the own unit's tasks and cases; a 主管部门 (supervising
// unit) clerk also sees its subordinate units' (read-only) and works their 'supervisor' steps. A task
// or case out of scope answers 404 — not 403, so that its existence does not leak — and every such
// denial is in the audit log. Demo district: U002 supervises U003, U005 supervises U004.
import assert from 'node:assert/strict';
import { PERSON, api, auditOf, startCase } from './inbox-support';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('unit scope of tasks and cases', () => {
  let w: WorkflowApi;
  const units: Record<string, string> = {};

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('inbox.task.bpmn', 'inbox.person.form');
    for (const code of ['U001', 'U002', 'U003', 'U004', 'U005']) units[code] = await w.unitId(code);
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    await w.resetRuntime();
  });

  const ids = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((t) => t.id);

  describe("a unit clerk of X and a task of unit Y (candidate group 'unit')", () => {
    let x: { instanceId: string; taskId: string };
    let y: { instanceId: string; taskId: string };

    beforeEach(async () => {
      // given a 'unit' task of a U003 case (X) and one of a U004 case (Y)
      x = await startCase(w, { groups: ['unit'], unitId: units.U003 });
      y = await startCase(w, { groups: ['unit'], unitId: units.U004 });
    });

    it('lists only the own unit\'s task', async () => {
      assert.deepEqual(ids(await api(w).list('unit-U003')), [x.taskId]);
      assert.deepEqual(ids(await api(w).list('unit-U004')), [y.taskId]);
    });

    it('cannot open, claim or complete the other unit\'s task: 404 each time, recorded, and nothing changes', async () => {
      // when unit-U003 tries Y's task
      const opened = await api(w).get('unit-U003', y.taskId);
      const claimed = await api(w).claim('unit-U003', y.taskId);
      const completed = await api(w).complete('unit-U003', y.taskId, { ...PERSON });
      const delegated = await api(w).delegate('unit-U003', y.taskId, 'unit-U004');
      // then
      for (const res of [opened, claimed, completed, delegated]) {
        assert.equal(res.status, 404, JSON.stringify(res.body));
        assert.deepEqual(res.body.error, { code: 'NOT_FOUND', message: '任务不存在' });
      }
      const row = await w.t.db.knex('user_tasks').where({ id: y.taskId }).first();
      assert.equal(row.state, 'created');
      assert.equal(row.assignee, null);
      const denials = await auditOf(w, 'access.denied', { actor: 'user:unit-U003', instance_id: y.instanceId });
      assert.deepEqual(denials.map((d) => [d.payload.status, d.payload.action]), [
        [404, 'task.read'],
        [404, 'task.claim'],
        [404, 'task.complete'],
        [404, 'task.delegate'],
      ]);
    });

    it('answers the other unit\'s task exactly as a task that does not exist', async () => {
      const hidden = await api(w).get('unit-U003', y.taskId);
      const missing = await api(w).get('unit-U003', '00000000-0000-4000-8000-000000000000');
      assert.equal(hidden.status, missing.status);
      assert.deepEqual(hidden.body, missing.body);
    });

    it('works the own unit\'s task from claim to completion', async () => {
      assert.equal((await api(w).claim('unit-U003', x.taskId)).status, 200);
      assert.equal((await api(w).complete('unit-U003', x.taskId, { ...PERSON })).status, 204);
      assert.equal((await w.t.db.knex('user_tasks').where({ id: x.taskId }).first()).state, 'completed');
    });

    it('cannot open the other unit\'s case either (404)', async () => {
      const res = await api(w).call('get', 'unit-U003', `/api/process-instances/${y.instanceId}`);
      assert.equal(res.status, 404);
      const [denial] = await auditOf(w, 'access.denied', { actor: 'user:unit-U003', instance_id: y.instanceId });
      assert.equal(denial.payload.action, 'process-instance.read');
      assert.equal((await api(w).call('get', 'unit-U003', `/api/process-instances/${x.instanceId}`)).status, 200);
    });
  });

  it("keeps an explicit 'unit:<code>' task to that unit's clerk", async () => {
    const { taskId } = await startCase(w, { groups: ['unit:U001'], unitId: units.U001 });
    assert.deepEqual(ids(await api(w).list('unit-U001')), [taskId]);
    assert.deepEqual(ids(await api(w).list('unit-U002')), []);
    assert.equal((await api(w).get('unit-U002', taskId)).status, 404);
  });

  it('shows no unit task to department clerks', async () => {
    await startCase(w, { groups: ['unit'], unitId: units.U003 });
    assert.deepEqual(ids(await api(w).list('bianban-clerk')), []);
  });

  describe('a 主管部门 clerk (unit-U002 supervises U003)', () => {
    it("works the 'supervisor' step of a subordinate unit's case; other supervisors and the unit itself do not see it", async () => {
      // given a supervisor review of a U003 case
      const { taskId } = await startCase(w, { groups: ['supervisor'], unitId: units.U003 });
      // then
      assert.deepEqual(ids(await api(w).list('unit-U002')), [taskId]);
      assert.deepEqual(ids(await api(w).list('unit-U005')), []);
      assert.deepEqual(ids(await api(w).list('unit-U003')), []);
      assert.equal((await api(w).claim('unit-U005', taskId)).status, 404);
      assert.equal((await api(w).claim('unit-U002', taskId)).status, 200);
      assert.equal((await api(w).complete('unit-U002', taskId, { ...PERSON })).status, 204);
    });

    it("sees a subordinate unit's own tasks read-only: listed and opened, but claiming is 403 and recorded", async () => {
      // given a 'unit' task of U003 and one of U004 (not supervised by U002)
      const sub = await startCase(w, { groups: ['unit'], unitId: units.U003 });
      const other = await startCase(w, { groups: ['unit'], unitId: units.U004 });
      const explicit = await startCase(w, { groups: ['unit:U003'], unitId: units.U003 });
      // when
      const listed = await api(w).list('unit-U002');
      const claimed = await api(w).claim('unit-U002', sub.taskId);
      // then
      assert.deepEqual(new Set(ids(listed)), new Set([sub.taskId, explicit.taskId]));
      assert.ok(listed.body.data.every((t: { actions: string[] }) => t.actions.length === 0));
      assert.equal((await api(w).get('unit-U002', sub.taskId)).status, 200);
      assert.equal(claimed.status, 403);
      assert.equal(claimed.body.error.code, 'FORBIDDEN');
      assert.equal((await api(w).get('unit-U002', other.taskId)).status, 404);
      const [denial] = await auditOf(w, 'access.denied', { actor: 'user:unit-U002', instance_id: sub.instanceId });
      assert.equal(denial.payload.status, 403);
    });

    it('sees the cases of its own and its subordinate units, and no others', async () => {
      const own = await startCase(w, { groups: ['bianban'], unitId: units.U002 });
      const sub = await startCase(w, { groups: ['bianban'], unitId: units.U003 });
      const other = await startCase(w, { groups: ['bianban'], unitId: units.U004 });
      const listed = await api(w).call('get', 'unit-U002', '/api/process-instances');
      assert.deepEqual(new Set(listed.body.data.map((i: { id: string }) => i.id)), new Set([own.instanceId, sub.instanceId]));
      assert.equal((await api(w).call('get', 'unit-U002', `/api/process-instances/${sub.instanceId}`)).status, 200);
      assert.equal((await api(w).call('get', 'unit-U002', `/api/process-instances/${other.instanceId}`)).status, 404);
      assert.equal((await api(w).call('get', 'unit-U003', `/api/process-instances/${own.instanceId}`)).status, 404);
    });

    it('starts a case for a subordinate unit, but not for another unit', async () => {
      const call = (unitId: string) => api(w).call('post', 'unit-U002', '/api/process-instances', { processKey: 'inbox-task', variables: { groups: ['unit'], unitId } });
      assert.equal((await call(units.U003)).status, 201);
      const refused = await call(units.U004);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.details[0].field, '/variables/unitId');
    });
  });
});
