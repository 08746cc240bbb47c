// The workflow API as a whole: its OpenAPI document, and one case from deployment to the end
// through HTTP only. The endpoints in detail: process-definitions, process-instances, tasks tests.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { fixture, startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

const WORKFLOW_PATHS: Record<string, string[]> = {
  '/api/process-definitions': ['get'],
  '/api/process-definitions/{key}/xml': ['get'],
  '/api/deployments': ['post'],
  '/api/process-instances': ['get', 'post'],
  '/api/process-instances/{id}': ['get'],
  '/api/process-instances/{id}/cancel': ['post'],
  '/api/messages': ['post'],
  '/api/tasks': ['get'],
  '/api/tasks/{id}': ['get'],
  '/api/tasks/{id}/claim': ['post'],
  '/api/tasks/{id}/unclaim': ['post'],
  '/api/tasks/{id}/complete': ['post'],
  '/api/tasks/{id}/assign': ['post'],
  '/api/tasks/{id}/delegate': ['post'],
  '/api/tasks/{id}/return': ['post'],
  '/api/tasks/stream': ['get'],
  '/api/notifications': ['get'],
  '/api/notifications/read-all': ['post'],
  '/api/notifications/{id}/read': ['post'],
  '/api/incidents/{id}/resolve': ['post'],
  '/api/jobs/{key}/retries': ['put'],
};

describe('workflow API', () => {
  let w: WorkflowApi;

  before(async () => {
    w = await startWorkflowApi();
  });

  after(async () => {
    await w?.stop();
  });

  describe('GET /api/openapi.json', () => {
    it('documents every workflow path with its methods', async () => {
      // when
      const res = await supertest(w.t.app).get('/api/openapi.json');
      // then
      assert.equal(res.status, 200);
      const paths = res.body.paths as Record<string, Record<string, unknown>>;
      const missing = Object.entries(WORKFLOW_PATHS).flatMap(([path, methods]) => methods.filter((m) => !paths[path]?.[m]).map((m) => `${m.toUpperCase()} ${path}`));
      assert.deepEqual(missing, []);
    });

    it('documents only workflow paths the server answers (no "接口不存在" 404 for any of them)', async () => {
      // given every documented workflow operation, with placeholders for its path parameters
      const res = await supertest(w.t.app).get('/api/openapi.json');
      const paths = res.body.paths as Record<string, Record<string, unknown>>;
      // (the event stream never ends: the authorization matrix test checks it with a real connection)
      const workflow = Object.keys(paths).filter((p) => /^\/api\/(process-definitions|deployments|process-instances|messages|tasks|notifications|incidents|jobs)\b/.test(p) && p !== '/api/tasks/stream');
      assert.ok(workflow.length >= Object.keys(WORKFLOW_PATHS).length);
      const unrouted: string[] = [];
      for (const path of workflow) {
        for (const method of Object.keys(paths[path]).filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m))) {
          const url = path.replace('{key}', 'api-review').replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
          // when an admin calls it
          const answer = await (supertest(w.t.app) as any)[method](url).set(await w.as('admin')).send({});
          // then it reaches a route: whatever the answer, it is not the unknown-route 404
          if (answer.status === 404 && answer.body?.error?.message === '接口不存在') unrouted.push(`${method.toUpperCase()} ${path}`);
        }
      }
      assert.deepEqual(unrouted, []);
    });
  });

  describe('a case from deployment to its end, through HTTP only', () => {
    it('deploys, starts as a unit clerk, and is worked by bianban until completed', async () => {
      // given the diagram and its form deployed by the policy editor
      const deployed = await supertest(w.t.app)
        .post('/api/deployments')
        .set(await w.as('policy-editor'))
        .attach('resources', fixture('api.review.bpmn'), 'api.review.bpmn')
        .attach('resources', fixture('api.review.form'), 'api.review.form');
      assert.equal(deployed.status, 201);
      // when the clerk of U001 starts a case
      const startedRes = await supertest(w.t.app).post('/api/process-instances').set(await w.as('unit-U001')).send({ processKey: 'api-review', businessKey: 'E2E-1' });
      assert.equal(startedRes.status, 201);
      const instanceId = startedRes.body.data.id as string;
      // and the bianban clerk finds it in the inbox, claims and completes the review
      const inbox = await supertest(w.t.app).get('/api/tasks?processKey=api-review').set(await w.as('bianban-clerk'));
      const review = inbox.body.data.find((t: any) => t.instanceId === instanceId);
      assert.equal(review.elementId, 'Task_Review');
      assert.equal((await supertest(w.t.app).post(`/api/tasks/${review.id}/claim`).set(await w.as('bianban-clerk'))).status, 200);
      const done = await supertest(w.t.app).post(`/api/tasks/${review.id}/complete`).set(await w.as('bianban-clerk')).send({ variables: { opinion: '同意', approved: true } });
      assert.equal(done.status, 204);
      // and the leader archives it
      const next = await supertest(w.t.app).get('/api/tasks?processKey=api-review').set(await w.as('bianban-leader'));
      const archive = next.body.data.find((t: any) => t.instanceId === instanceId);
      assert.equal(archive.elementId, 'Task_Archive');
      assert.equal((await supertest(w.t.app).post(`/api/tasks/${archive.id}/claim`).set(await w.as('bianban-leader'))).status, 200);
      assert.equal((await supertest(w.t.app).post(`/api/tasks/${archive.id}/complete`).set(await w.as('bianban-leader')).send({})).status, 204);
      // then the unit clerk sees the case completed, with the review's variables
      const instance = await supertest(w.t.app).get(`/api/process-instances/${instanceId}`).set(await w.as('unit-U001'));
      assert.equal(instance.status, 200);
      assert.equal(instance.body.data.state, 'completed');
      assert.equal(instance.body.data.variables.opinion, '同意');
      assert.equal(instance.body.data.variables.approved, true);
      assert.equal(instance.body.data.variables.unitId, await w.unitId('U001'));
      const listed = await supertest(w.t.app).get('/api/process-instances?state=completed').set(await w.as('unit-U001'));
      assert.deepEqual(listed.body.data.map((i: any) => i.id), [instanceId]);
    });
  });
});
