// POST/GET /api/process-instances, cancel, POST /api/messages, incidents and job retries through
// HTTP, on the real embedded engine.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { createTestUser } from '../support/app';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

describe('process instances API', () => {
  let w: WorkflowApi;
  let u001: string;
  let u002: string;

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('api.review.bpmn', 'api.review.form', 'api.reply.bpmn');
    u001 = await w.unitId('U001');
    u002 = await w.unitId('U002');
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(() => w.resetRuntime());

  const start = async (username: string, body: unknown) =>
    supertest(w.t.app).post('/api/process-instances').set(await w.as(username)).send(body as object);

  /** starts an instance and returns its id; asserts 201 */
  const started = async (username: string, body: Record<string, unknown>): Promise<string> => {
    const res = await start(username, body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.data.id as string;
  };

  const list = async (username: string, query = '') => supertest(w.t.app).get(`/api/process-instances${query}`).set(await w.as(username));
  const get = async (username: string, id: string) => supertest(w.t.app).get(`/api/process-instances/${id}`).set(await w.as(username));

  describe('POST /api/process-instances', () => {
    it('starts an instance and answers 201 with it', async () => {
      // when
      const res = await start('bianban-clerk', { processKey: 'api-review', businessKey: 'BK-1', variables: { caseNo: 'C-1', count: 3 } });
      // then
      assert.equal(res.status, 201);
      const data = res.body.data;
      assert.match(data.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(data.processId, 'api-review');
      assert.equal(data.version, 1);
      assert.equal(data.businessKey, 'BK-1');
      assert.equal(data.state, 'active');
      assert.deepEqual(data.variables, { caseNo: 'C-1', count: 3 });
      const row = await w.t.db.knex('process_instances').where({ id: data.id }).first();
      assert.equal(row.state, 'active');
      assert.equal(row.business_key, 'BK-1');
      const [task] = await w.t.db.knex('user_tasks').where({ instance_id: data.id });
      assert.equal(task.element_id, 'Task_Review');
    });

    it('answers 404 NOT_FOUND for an unknown processKey', async () => {
      const res = await start('bianban-clerk', { processKey: 'no-such-process' });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
      assert.equal((await w.t.db.knex('process_instances')).length, 0);
    });

    it('answers 400 VALIDATION_FAILED naming /processKey when it is missing', async () => {
      const res = await start('bianban-clerk', { variables: {} });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.error.details, [{ field: '/processKey', message: '必填' }]);
    });

    it('answers 400 VALIDATION_FAILED naming the property that is not allowed', async () => {
      const res = await start('bianban-clerk', { processKey: 'api-review', priority: 5 });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      // ajv reports additionalProperties at the parent object: the field is '/', the name is in the message
      assert.deepEqual(res.body.error.details, [{ field: '/priority', message: '不允许的字段：priority' }]);
    });

    for (const variables of ['text', [1, 2], 42, null]) {
      it(`answers 400 VALIDATION_FAILED naming /variables when variables is ${JSON.stringify(variables)}`, async () => {
        const res = await start('bianban-clerk', { processKey: 'api-review', variables });
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.deepEqual(res.body.error.details, [{ field: '/variables', message: '类型应为 object' }]);
        assert.equal((await w.t.db.knex('process_instances')).length, 0);
      });
    }

    it('answers 400 naming /variables/unitId when a unit clerk starts for another unit', async () => {
      // when the clerk of U001 names U002
      const res = await start('unit-U001', { processKey: 'api-review', variables: { unitId: u002 } });
      // then
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.equal(res.body.error.details[0].field, '/variables/unitId');
      assert.equal((await w.t.db.knex('process_instances')).length, 0);
    });

    it("sets unitId to the unit clerk's own unit", async () => {
      // when
      const res = await start('unit-U001', { processKey: 'api-review', variables: { caseNo: 'C-9' } });
      // then
      assert.equal(res.status, 201);
      assert.deepEqual(res.body.data.variables, { caseNo: 'C-9', unitId: u001 });
      const row = await w.t.db.knex('process_instances').where({ id: res.body.data.id }).first();
      assert.equal(row.variables.unitId, u001);
    });

    it("accepts a unit clerk naming their own unit", async () => {
      const res = await start('unit-U001', { processKey: 'api-review', variables: { unitId: u001 } });
      assert.equal(res.status, 201);
      assert.equal(res.body.data.variables.unitId, u001);
    });

    it('refuses a unit clerk whose account belongs to no unit, and starts nothing', async () => {
      // given a unit clerk without a unit (users.unit_id is nullable)
      await createTestUser(w.t.services, { username: 'unit-clerk-without-unit', password: DEMO_PASSWORD, roles: ['unit-clerk'], departmentId: 'unit', isDemo: true });
      // when
      const res = await start('unit-clerk-without-unit', { processKey: 'api-review' });
      // then 403, not an instance whose unitId is the "sees nothing" scope marker
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'FORBIDDEN');
      assert.equal((await w.t.db.knex('process_instances')).length, 0);
    });

    it('leaves unitId as given for department staff', async () => {
      const res = await start('bianban-clerk', { processKey: 'api-review', variables: { unitId: u002 } });
      assert.equal(res.status, 201);
      assert.equal(res.body.data.variables.unitId, u002);
    });

    it('answers 403 to roles that may not start workflows', async () => {
      for (const username of ['auditor', 'admin', 'policy-editor']) {
        const res = await start(username, { processKey: 'api-review' });
        assert.equal(res.status, 403, username);
      }
      assert.equal((await w.t.db.knex('process_instances')).length, 0);
    });
  });

  describe('GET /api/process-instances', () => {
    let a: string;
    let b: string;
    let c: string;

    beforeEach(async () => {
      // given three instances: two of api-review (U001, U002), one of api-reply (U001)
      a = await started('unit-U001', { processKey: 'api-review', businessKey: 'BK-A' });
      b = await started('bianban-clerk', { processKey: 'api-review', businessKey: 'BK-B', variables: { unitId: u002 } });
      c = await started('bianban-clerk', { processKey: 'api-reply', businessKey: 'BK-C', variables: { unitId: u001, caseNo: 'C-1' } });
    });

    it('lists every instance to department staff, newest first, with meta.total', async () => {
      // when
      const res = await list('bianban-clerk');
      // then
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.meta, { total: 3, page: 1, pageSize: 20 });
      assert.deepEqual(res.body.data.map((i: any) => i.id), [c, b, a]);
      const ofA = res.body.data.find((i: any) => i.id === a);
      assert.equal(ofA.processId, 'api-review');
      assert.equal(ofA.businessKey, 'BK-A');
      assert.equal(ofA.state, 'active');
      assert.equal(ofA.unitId, u001);
      assert.equal(ofA.startedBy, 'user:unit-U001');
      assert.equal(ofA.incidents, 0);
    });

    it('filters by processKey', async () => {
      const res = await list('bianban-clerk', '?processKey=api-review');
      assert.equal(res.body.meta.total, 2);
      assert.deepEqual(new Set(res.body.data.map((i: any) => i.id)), new Set([a, b]));
    });

    it('filters by unitId', async () => {
      const res = await list('bianban-clerk', `?unitId=${u001}`);
      assert.equal(res.body.meta.total, 2);
      assert.deepEqual(new Set(res.body.data.map((i: any) => i.id)), new Set([a, c]));
    });

    it('filters by state', async () => {
      // given b canceled
      assert.equal((await supertest(w.t.app).post(`/api/process-instances/${b}/cancel`).set(await w.as('admin'))).status, 204);
      // when
      const canceled = await list('bianban-clerk', '?state=canceled');
      const active = await list('bianban-clerk', '?state=active');
      // then
      assert.deepEqual(canceled.body.data.map((i: any) => i.id), [b]);
      assert.equal(canceled.body.meta.total, 1);
      assert.equal(active.body.meta.total, 2);
    });

    it('filters by businessKey', async () => {
      const res = await list('bianban-clerk', '?businessKey=BK-C');
      assert.deepEqual(res.body.data.map((i: any) => i.id), [c]);
      assert.equal(res.body.meta.total, 1);
    });

    it('pages, counting every match in meta.total', async () => {
      const res = await list('bianban-clerk', '?pageSize=2&page=2');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.meta, { total: 3, page: 2, pageSize: 2 });
      assert.equal(res.body.data.length, 1);
    });

    it('answers 400 naming ?state for an unknown state', async () => {
      const res = await list('bianban-clerk', '?state=running');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.details[0].field, '?state');
    });

    it("shows a unit clerk only their unit's instances", async () => {
      // when
      const own = await list('unit-U001');
      const other = await list('unit-U002');
      // then
      assert.equal(own.body.meta.total, 2);
      assert.deepEqual(new Set(own.body.data.map((i: any) => i.id)), new Set([a, c]));
      assert.equal(other.body.meta.total, 1);
      assert.deepEqual(other.body.data.map((i: any) => i.id), [b]);
    });

    it("gives a unit clerk nothing when they filter on another unit's id", async () => {
      const res = await list('unit-U002', `?unitId=${u001}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.meta.total, 0);
      assert.deepEqual(res.body.data, []);
    });
  });

  describe('GET /api/process-instances/:id', () => {
    it('returns the instance with its variables and the element it waits in', async () => {
      // given
      const id = await started('unit-U001', { processKey: 'api-review', businessKey: 'BK-1', variables: { caseNo: 'C-1' } });
      // when
      const res = await get('unit-U001', id);
      // then
      assert.equal(res.status, 200);
      const data = res.body.data;
      assert.equal(data.id, id);
      assert.equal(data.processId, 'api-review');
      assert.equal(data.version, 1);
      assert.equal(data.state, 'active');
      assert.equal(data.businessKey, 'BK-1');
      assert.deepEqual(data.variables, { caseNo: 'C-1', unitId: u001 });
      assert.deepEqual(data.openElements, [{ elementId: 'Task_Review', kind: 'userTask' }]);
      assert.deepEqual(data.incidents, []);
      assert.equal(data.endedAt, null);
    });

    it("answers 404 to a unit clerk of another unit, and leaves it out of that clerk's list", async () => {
      // given an instance of U001
      const id = await started('unit-U001', { processKey: 'api-review' });
      // when the clerk of U002 asks
      const res = await get('unit-U002', id);
      const listed = await list('unit-U002');
      // then
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
      assert.ok(!listed.body.data.some((i: any) => i.id === id));
      assert.equal(listed.body.meta.total, 0);
      // and department staff and the auditor do see it
      assert.equal((await get('bianban-clerk', id)).status, 200);
      assert.equal((await get('auditor', id)).status, 200);
    });

    it('answers 404 for an id that is not a uuid', async () => {
      const res = await get('bianban-clerk', 'not-a-uuid');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    });

    it('answers 404 for an unknown uuid', async () => {
      const res = await get('bianban-clerk', UNKNOWN_UUID);
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    });
  });

  describe('POST /api/process-instances/:id/cancel', () => {
    it('lets an admin cancel: 204, the instance canceled and its open task with it', async () => {
      // given
      const id = await started('bianban-clerk', { processKey: 'api-review' });
      // when
      const res = await supertest(w.t.app).post(`/api/process-instances/${id}/cancel`).set(await w.as('admin'));
      // then
      assert.equal(res.status, 204);
      const after = await get('bianban-clerk', id);
      assert.equal(after.body.data.state, 'canceled');
      assert.notEqual(after.body.data.endedAt, null);
      assert.deepEqual(after.body.data.openElements, []);
      const tasks = await w.t.db.knex('user_tasks').where({ instance_id: id }).select('state');
      assert.deepEqual(tasks, [{ state: 'canceled' }]);
    });

    for (const username of ['bianban-clerk', 'bianban-leader', 'unit-U001', 'auditor', 'policy-editor']) {
      it(`answers 403 FORBIDDEN to ${username} and leaves the instance running`, async () => {
        // given
        const id = await started('unit-U001', { processKey: 'api-review' });
        // when
        const res = await supertest(w.t.app).post(`/api/process-instances/${id}/cancel`).set(await w.as(username));
        // then
        assert.equal(res.status, 403);
        assert.equal(res.body.error.code, 'FORBIDDEN');
        assert.equal((await w.t.db.knex('process_instances').where({ id }).first()).state, 'active');
      });
    }

    it('answers 409 INSTANCE_NOT_ACTIVE when the instance has already ended', async () => {
      // given
      const id = await started('bianban-clerk', { processKey: 'api-review' });
      await supertest(w.t.app).post(`/api/process-instances/${id}/cancel`).set(await w.as('admin'));
      // when
      const res = await supertest(w.t.app).post(`/api/process-instances/${id}/cancel`).set(await w.as('admin'));
      // then
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'INSTANCE_NOT_ACTIVE');
    });

    it('answers 404 to an admin for an unknown instance', async () => {
      const res = await supertest(w.t.app).post(`/api/process-instances/${UNKNOWN_UUID}/cancel`).set(await w.as('admin'));
      assert.equal(res.status, 404);
    });
  });

  describe('POST /api/messages', () => {
    it('correlates the message to the instance waiting with that correlation key, and only to it', async () => {
      // given two instances waiting for a reply, with caseNo C-1 and C-2
      const one = await started('bianban-clerk', { processKey: 'api-reply', variables: { caseNo: 'C-1' } });
      const two = await started('bianban-clerk', { processKey: 'api-reply', variables: { caseNo: 'C-2' } });
      assert.deepEqual((await get('bianban-clerk', one)).body.data.openElements, [{ elementId: 'Event_Reply', kind: 'message' }]);
      // when the reply for C-1 arrives
      const res = await supertest(w.t.app)
        .post('/api/messages')
        .set(await w.as('bianban-clerk'))
        .send({ name: 'api-reply', correlationKey: 'C-1', variables: { replyNo: '复函〔2026〕7号' } });
      // then
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, { correlated: [one], started: [], bufferedMessageId: null });
      const first = (await get('bianban-clerk', one)).body.data;
      assert.equal(first.state, 'completed');
      assert.equal(first.variables.replyNo, '复函〔2026〕7号');
      const second = (await get('bianban-clerk', two)).body.data;
      assert.equal(second.state, 'active');
      assert.deepEqual(second.openElements, [{ elementId: 'Event_Reply', kind: 'message' }]);
    });

    it('correlates nothing for a key nobody waits on', async () => {
      await started('bianban-clerk', { processKey: 'api-reply', variables: { caseNo: 'C-1' } });
      const res = await supertest(w.t.app).post('/api/messages').set(await w.as('admin')).send({ name: 'api-reply', correlationKey: 'C-404' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, { correlated: [], started: [], bufferedMessageId: null });
    });

    it('answers 400 naming /name when it is missing', async () => {
      const res = await supertest(w.t.app).post('/api/messages').set(await w.as('bianban-clerk')).send({ correlationKey: 'C-1' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details, [{ field: '/name', message: '必填' }]);
    });

    it('answers 403 to a unit clerk', async () => {
      const id = await started('unit-U001', { processKey: 'api-reply', variables: { caseNo: 'C-1' } });
      const res = await supertest(w.t.app).post('/api/messages').set(await w.as('unit-U001')).send({ name: 'api-reply', correlationKey: 'C-1' });
      assert.equal(res.status, 403);
      assert.equal((await w.t.db.knex('process_instances').where({ id }).first()).state, 'active');
    });
  });

  describe('incidents and job retries', () => {
    for (const username of ['bianban-clerk', 'bianban-leader', 'unit-U001', 'auditor', 'policy-editor']) {
      it(`answers 403 FORBIDDEN to ${username} on POST /api/incidents/:id/resolve and PUT /api/jobs/:key/retries`, async () => {
        // when
        const resolve = await supertest(w.t.app).post(`/api/incidents/${UNKNOWN_UUID}/resolve`).set(await w.as(username));
        const retries = await supertest(w.t.app).put(`/api/jobs/${UNKNOWN_UUID}/retries`).set(await w.as(username)).send({ retries: 3 });
        // then
        assert.equal(resolve.status, 403);
        assert.equal(resolve.body.error.code, 'FORBIDDEN');
        assert.equal(retries.status, 403);
        assert.equal(retries.body.error.code, 'FORBIDDEN');
      });
    }

    it('answers 404 to an admin for an unknown incident and an unknown job, and for ids that are not uuids', async () => {
      const admin = await w.as('admin');
      assert.equal((await supertest(w.t.app).post(`/api/incidents/${UNKNOWN_UUID}/resolve`).set(admin)).status, 404);
      assert.equal((await supertest(w.t.app).put(`/api/jobs/${UNKNOWN_UUID}/retries`).set(admin).send({ retries: 3 })).status, 404);
      assert.equal((await supertest(w.t.app).post('/api/incidents/abc/resolve').set(admin)).status, 404);
      assert.equal((await supertest(w.t.app).put('/api/jobs/abc/retries').set(admin).send({ retries: 3 })).status, 404);
    });

    it('answers 400 naming /retries to an admin for a negative retry count', async () => {
      const res = await supertest(w.t.app).put(`/api/jobs/${UNKNOWN_UUID}/retries`).set(await w.as('admin')).send({ retries: -1 });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.details[0].field, '/retries');
    });
  });
});
