// The inbox through HTTP: GET /api/tasks, GET /api/tasks/:id, claim, unclaim and complete, on the
// real embedded engine with a user task of candidate group "bianban" and the form api-review.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { testServerUrl } from '../support/db';
import { createTestUser } from '../support/app';
import { fixture, startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('tasks API', () => {
  let w: WorkflowApi;
  let instanceId: string;
  let taskId: string;

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('api.review.bpmn', 'api.review.form');
    // a second clerk of bianban (password 'demo' like the demo users)
    await createTestUser(w.t.services, { username: 'bianban-clerk-2', password: DEMO_PASSWORD, roles: ['clerk'], departmentId: 'bianban', isDemo: true });
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    // given an instance of api-review waiting in Task_Review (candidate group bianban, form api-review)
    await w.resetRuntime();
    const res = await supertest(w.t.app)
      .post('/api/process-instances')
      .set(await w.as('bianban-clerk'))
      .send({ processKey: 'api-review', businessKey: 'BK-1', variables: { caseNo: 'C-1' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    instanceId = res.body.data.id;
    const [task] = await w.t.db.knex('user_tasks').where({ instance_id: instanceId, state: 'created' }).select('id');
    taskId = task.id;
  });

  const listTasks = async (username: string, query = '') => supertest(w.t.app).get(`/api/tasks${query}`).set(await w.as(username));
  const getTask = async (username: string, id = taskId) => supertest(w.t.app).get(`/api/tasks/${id}`).set(await w.as(username));
  const claim = async (username: string, id = taskId) => supertest(w.t.app).post(`/api/tasks/${id}/claim`).set(await w.as(username));
  const unclaim = async (username: string, id = taskId) => supertest(w.t.app).post(`/api/tasks/${id}/unclaim`).set(await w.as(username));
  const complete = async (username: string, body: unknown, id = taskId) =>
    supertest(w.t.app).post(`/api/tasks/${id}/complete`).set(await w.as(username)).send(body as object);
  const getInstance = async () => (await supertest(w.t.app).get(`/api/process-instances/${instanceId}`).set(await w.as('bianban-clerk'))).body.data;

  describe('GET /api/tasks', () => {
    it('shows a bianban clerk the task of group bianban, with meta.total', async () => {
      // when
      const res = await listTasks('bianban-clerk');
      // then
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.meta, { total: 1, page: 1, pageSize: 20, counts: { created: 1, completed: 0, canceled: 0 }, historyCountLimit: 1000 });
      const [task] = res.body.data;
      assert.equal(task.id, taskId);
      assert.equal(task.instanceId, instanceId);
      assert.equal(task.processId, 'api-review');
      assert.equal(task.elementId, 'Task_Review');
      assert.equal(task.name, '编办审核');
      assert.equal(task.businessKey, 'BK-1');
      assert.equal(task.state, 'created');
      assert.equal(task.assignee, null);
      assert.deepEqual(task.candidateGroups, ['bianban']);
      assert.equal(task.formId, 'api-review');
    });

    it('shows the task to the bianban leader too', async () => {
      const res = await listTasks('bianban-leader');
      assert.equal(res.body.meta.total, 1);
      assert.equal(res.body.data[0].id, taskId);
    });

    it('shows an org clerk nothing', async () => {
      // when
      const res = await listTasks('org-clerk');
      // then
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, []);
      assert.equal(res.body.meta.total, 0);
    });

    it('filters by assignee once the task is claimed', async () => {
      // given
      assert.equal((await claim('bianban-clerk')).status, 200);
      // when
      const mine = await listTasks('bianban-leader', '?assignee=bianban-clerk');
      const others = await listTasks('bianban-leader', '?assignee=bianban-leader');
      // then
      assert.deepEqual(mine.body.data.map((t: any) => [t.id, t.assignee]), [[taskId, 'bianban-clerk']]);
      assert.equal(others.body.meta.total, 0);
    });
  });

  describe('GET /api/tasks/:id', () => {
    it("returns the task with its form schema and the instance's variables", async () => {
      // when
      const res = await getTask('bianban-clerk');
      // then
      assert.equal(res.status, 200);
      assert.equal(res.body.data.id, taskId);
      assert.deepEqual(res.body.data.form, JSON.parse(fixture('api.review.form').toString('utf8')));
      assert.equal(res.body.data.variables.caseNo, 'C-1');
    });

    it('answers 404 to an org clerk, who is not a candidate', async () => {
      const res = await getTask('org-clerk');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    });

    it('answers 404 for an id that is not a uuid', async () => {
      const res = await getTask('bianban-clerk', 'task-1');
      assert.equal(res.status, 404);
    });
  });

  describe('POST /api/tasks/:id/claim', () => {
    it('assigns the task to the caller: 200 with the assignee', async () => {
      // when
      const res = await claim('bianban-clerk');
      // then
      assert.equal(res.status, 200);
      assert.equal(res.body.data.id, taskId);
      assert.equal(res.body.data.assignee, 'bianban-clerk');
      const row = await w.t.db.knex('user_tasks').where({ id: taskId }).first();
      assert.equal(row.assignee, 'bianban-clerk');
      assert.ok(row.claimed_at instanceof Date);
    });

    it('answers 409 TASK_ALREADY_CLAIMED with details.assignee when someone else holds it', async () => {
      // given
      await claim('bianban-clerk');
      // when
      const res = await claim('bianban-leader');
      // then
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'TASK_ALREADY_CLAIMED');
      assert.deepEqual(res.body.error.details, { assignee: 'bianban-clerk' });
      assert.equal((await w.t.db.knex('user_tasks').where({ id: taskId }).first()).assignee, 'bianban-clerk');
    });

    it('answers 200 again when the holder claims a second time', async () => {
      await claim('bianban-clerk');
      const res = await claim('bianban-clerk');
      assert.equal(res.status, 200);
      assert.equal(res.body.data.assignee, 'bianban-clerk');
    });

    it('answers 404 to an org clerk', async () => {
      const res = await claim('org-clerk');
      assert.equal(res.status, 404);
      assert.equal((await w.t.db.knex('user_tasks').where({ id: taskId }).first()).assignee, null);
    });

    // Runs on both databases, on purpose. On PostgreSQL (pool of 10) the claims really race, and this
    // catches a claim that reads before it writes (checked: a select-then-update claim gives eleven
    // 200s there). PGlite has one connection, so the claims run one after another and this cannot
    // catch that race; what it checks there is that twenty requests at once queue on the single
    // connection without a deadlock or a pool timeout (PGlite is a production mode: DATA_DIR).
    describe('20 concurrent claims by 20 different bianban users', () => {
      const claimers = Array.from({ length: 20 }, (_, i) => `bianban-claimer-${String(i + 1).padStart(2, '0')}`);

      before(async () => {
        await Promise.all(claimers.map((username) => createTestUser(w.t.services, { username, password: DEMO_PASSWORD, roles: ['clerk'], departmentId: 'bianban', isDemo: true })));
        // log everyone in first, so that the claims themselves are what runs concurrently
        for (const username of claimers) await w.as(username);
      });

      it(`gives the task to exactly one: one 200 and nineteen 409 TASK_ALREADY_CLAIMED naming the winner (${testServerUrl ? 'PostgreSQL, 10 connections' : 'PGlite, one connection'})`, async () => {
        // when all 20 claim at once
        const results = await Promise.all(claimers.map((username) => claim(username)));
        // then
        const ok = results.filter((r) => r.status === 200);
        const conflicts = results.filter((r) => r.status === 409);
        assert.equal(ok.length, 1, JSON.stringify(results.map((r) => r.status)));
        assert.equal(conflicts.length, 19);
        const winner = ok[0].body.data.assignee as string;
        assert.ok(claimers.includes(winner));
        assert.equal(results[claimers.indexOf(winner)].status, 200);
        for (const res of conflicts) {
          assert.equal(res.body.error.code, 'TASK_ALREADY_CLAIMED');
          assert.deepEqual(res.body.error.details, { assignee: winner });
        }
        const row = await w.t.db.knex('user_tasks').where({ id: taskId }).first();
        assert.equal(row.assignee, winner);
        const claimedEvents = await w.t.db.knex('audit_events').where({ instance_id: instanceId, kind: 'user-task.claimed' });
        assert.equal(claimedEvents.length, 1);
      });
    });
  });

  describe('POST /api/tasks/:id/complete', () => {
    it('answers 409 TASK_NOT_ASSIGNED_TO_YOU when the task was not claimed', async () => {
      // when
      const res = await complete('bianban-clerk', { variables: { opinion: '同意', approved: true } });
      // then
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'TASK_NOT_ASSIGNED_TO_YOU');
      assert.equal((await w.t.db.knex('user_tasks').where({ id: taskId }).first()).state, 'created');
    });

    it('answers 409 TASK_ALREADY_CLAIMED when someone else holds the task', async () => {
      await claim('bianban-clerk');
      const res = await complete('bianban-leader', { variables: { opinion: '同意' } });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'TASK_ALREADY_CLAIMED');
      assert.deepEqual(res.body.error.details, { assignee: 'bianban-clerk' });
    });

    it('answers 400 naming /opinion when the required field is missing', async () => {
      // given
      await claim('bianban-clerk');
      // when
      const res = await complete('bianban-clerk', { variables: { approved: true } });
      // then
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.error.details, [{ field: '/opinion', code: 'REQUIRED', message: '意见为必填项' }]);
      assert.equal((await w.t.db.knex('user_tasks').where({ id: taskId }).first()).state, 'created');
    });

    it('answers 400 naming /opinion when the required field is an empty string', async () => {
      await claim('bianban-clerk');
      const res = await complete('bianban-clerk', { variables: { opinion: '' } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details.map((d: any) => d.field), ['/opinion']);
    });

    it('answers 400 naming a key the form does not have', async () => {
      // given
      await claim('bianban-clerk');
      // when
      const res = await complete('bianban-clerk', { variables: { opinion: '同意', approved: true, quota: 3 } });
      // then
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details, [{ field: '/quota', code: 'UNKNOWN_FIELD', message: '表单中没有此字段' }]);
    });

    it('answers 400 when the opinion is longer than 200 characters', async () => {
      await claim('bianban-clerk');
      const res = await complete('bianban-clerk', { variables: { opinion: '长'.repeat(201) } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details, [{ field: '/opinion', code: 'MAX_LENGTH', message: '意见不能超过 200 个字符' }]);
    });

    it('answers 400 when the checkbox is not a boolean', async () => {
      await claim('bianban-clerk');
      const res = await complete('bianban-clerk', { variables: { opinion: '同意', approved: 'yes' } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details, [{ field: '/approved', code: 'TYPE', message: '同意应为是/否' }]);
    });

    it('answers 400 for a body with a property other than variables', async () => {
      await claim('bianban-clerk');
      const res = await complete('bianban-clerk', { opinion: '同意' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    });

    it('completes with valid variables: 204, and the instance moves on to the next task', async () => {
      // given
      await claim('bianban-clerk');
      // when
      const res = await complete('bianban-clerk', { variables: { opinion: '同意增编', approved: true } });
      // then
      assert.equal(res.status, 204);
      const instance = await getInstance();
      assert.equal(instance.state, 'active');
      assert.deepEqual(instance.openElements, [{ elementId: 'Task_Archive', kind: 'userTask' }]);
      assert.equal(instance.variables.opinion, '同意增编');
      assert.equal(instance.variables.approved, true);
      const row = await w.t.db.knex('user_tasks').where({ id: taskId }).first();
      assert.equal(row.state, 'completed');
      assert.equal(row.completed_by, 'bianban-clerk');
      // and the inbox holds the next task instead
      const inbox = await listTasks('bianban-clerk');
      assert.deepEqual(inbox.body.data.map((t: any) => t.elementId), ['Task_Archive']);
    });

    it('runs the instance to its end when the last task is completed', async () => {
      // given Task_Review done, Task_Archive (no form) open
      await claim('bianban-clerk');
      assert.equal((await complete('bianban-clerk', { variables: { opinion: '同意' } })).status, 204);
      const [archive] = await w.t.db.knex('user_tasks').where({ instance_id: instanceId, state: 'created' }).select('id');
      assert.equal((await claim('bianban-leader', archive.id)).status, 200);
      // when
      const res = await complete('bianban-leader', {}, archive.id);
      // then
      assert.equal(res.status, 204);
      const instance = await getInstance();
      assert.equal(instance.state, 'completed');
      assert.deepEqual(instance.openElements, []);
      assert.notEqual(instance.endedAt, null);
    });

    it('completes once when the holder submits twice at the same time: one 204, one 409 TASK_NOT_ACTIVE', async () => {
      // given
      await claim('bianban-clerk');
      // when
      const results = await Promise.all([
        complete('bianban-clerk', { variables: { opinion: '第一次' } }),
        complete('bianban-clerk', { variables: { opinion: '第二次' } }),
      ]);
      // then
      assert.deepEqual(results.map((r) => r.status).sort(), [204, 409]);
      assert.equal(results.find((r) => r.status === 409)!.body.error.code, 'TASK_NOT_ACTIVE');
      const archives = await w.t.db.knex('user_tasks').where({ instance_id: instanceId, element_id: 'Task_Archive' });
      assert.equal(archives.length, 1);
      const completions = await w.t.db.knex('audit_events').where({ instance_id: instanceId, kind: 'user-task.completed' });
      assert.equal(completions.length, 1);
    });

    it('answers 409 TASK_NOT_ACTIVE for a task that was already completed', async () => {
      await claim('bianban-clerk');
      assert.equal((await complete('bianban-clerk', { variables: { opinion: '同意' } })).status, 204);
      const res = await complete('bianban-clerk', { variables: { opinion: '再次' } });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'TASK_NOT_ACTIVE');
    });
  });

  describe('POST /api/tasks/:id/unclaim', () => {
    // (was 409 TASK_NOT_ASSIGNED_TO_YOU: taking a task from its holder is a permission, answered 403 and audited)
    it('answers 403 to another clerk, who is no leader, and leaves the assignee', async () => {
      // given
      await claim('bianban-clerk');
      // when
      const res = await unclaim('bianban-clerk-2', taskId);
      // then
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'FORBIDDEN');
      assert.equal((await w.t.db.knex('user_tasks').where({ id: taskId }).first()).assignee, 'bianban-clerk');
    });

    it('lets the holder give the task back: 200 with no assignee', async () => {
      await claim('bianban-clerk');
      const res = await unclaim('bianban-clerk');
      assert.equal(res.status, 200);
      assert.equal(res.body.data.assignee, null);
      assert.equal((await w.t.db.knex('user_tasks').where({ id: taskId }).first()).assignee, null);
    });

    it("lets the group's leader take the task back from a clerk", async () => {
      await claim('bianban-clerk');
      const res = await unclaim('bianban-leader');
      assert.equal(res.status, 200);
      assert.equal(res.body.data.assignee, null);
    });

    it('answers 404 to an org clerk', async () => {
      await claim('bianban-clerk');
      const res = await unclaim('org-clerk');
      assert.equal(res.status, 404);
    });
  });
});
