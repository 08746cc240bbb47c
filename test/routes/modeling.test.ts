// The modeler's API: GET /api/element-templates, GET /api/forms, GET /api/forms/:formId and
// POST /api/deployments/lint (the deploy checks as a dry run), through HTTP on the real embedded engine.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import { fixture, startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

const recruitment = () => readFileSync(fileURLToPath(new URL('../../processes/staff-add-recruitment.bpmn', import.meta.url)), 'utf8');

describe('modeling API', () => {
  let w: WorkflowApi;

  before(async () => {
    w = await startWorkflowApi();
  });

  after(async () => {
    await w?.stop();
  });

  const get = async (path: string, username = 'policy-editor') => supertest(w.t.app).get(path).set(await w.as(username));
  const lint = async (body: unknown, username = 'policy-editor') => supertest(w.t.app).post('/api/deployments/lint').set(await w.as(username)).send(body as object);

  describe('GET /api/element-templates', () => {
    it('answers every template of processes/element-templates, the Z1 job types among them', async () => {
      // when
      const res = await get('/api/element-templates', 'auditor');
      // then
      assert.equal(res.status, 200);
      const ids = (res.body.data as Array<{ id: string }>).map((t) => t.id);
      assert.ok(ids.includes('bianzhi-flow.quota.check'));
      assert.ok(ids.includes('bianzhi-flow.supervisor-review'));
      assert.equal(new Set(ids).size, ids.length);
      const quotaCheck = res.body.data.find((t: { id: string }) => t.id === 'bianzhi-flow.quota.check');
      assert.equal(quotaCheck.elementType.value, 'bpmn:ServiceTask');
    });

    it('answers 401 without a session', async () => {
      const res = await supertest(w.t.app).get('/api/element-templates');
      assert.equal(res.status, 401);
    });
  });

  describe('GET /api/forms', () => {
    it('lists the latest version of each deployed form, and answers a form with its schema', async () => {
      // given a second version of quota-approval
      const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../processes/forms/quota-approval.form', import.meta.url)), 'utf8'));
      schema.components[0].text = '用编许可（第二版）';
      await supertest(w.t.app).post('/api/deployments').set(await w.as('policy-editor')).attach('resources', Buffer.from(JSON.stringify(schema)), 'quota-approval.form').expect(201);
      // when
      const list = await get('/api/forms', 'auditor');
      const latest = await get('/api/forms/quota-approval');
      const first = await get('/api/forms/quota-approval?version=1');
      // then
      assert.equal(list.status, 200);
      const entry = list.body.data.find((f: { formId: string }) => f.formId === 'quota-approval');
      assert.equal(entry.version, 2);
      assert.match(entry.deployedAt, /^\d{4}-\d\d-\d\dT/);
      assert.equal(list.body.data.filter((f: { formId: string }) => f.formId === 'quota-approval').length, 1);
      assert.equal(latest.body.data.version, 2);
      assert.equal(latest.body.data.schema.components[0].text, '用编许可（第二版）');
      assert.equal(first.body.data.version, 1);
      assert.notEqual(first.body.data.schema.components[0].text, '用编许可（第二版）');
    });

    it('answers 404 for an unknown form or version', async () => {
      assert.equal((await get('/api/forms/no-such-form')).status, 404);
      assert.equal((await get('/api/forms/quota-approval?version=999')).status, 404);
    });
  });

  describe('POST /api/deployments/lint', () => {
    it('answers no errors for the shipped Z1 diagram and deploys nothing', async () => {
      // given
      const before = await w.t.db.knex('process_definitions').count<{ count: string }[]>('* as count');
      // when
      const res = await lint({ name: 'staff-add-recruitment.bpmn', content: recruitment() });
      // then
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data.findings.filter((f: { category: string }) => f.category === 'error'), []);
      const after = await w.t.db.knex('process_definitions').count<{ count: string }[]>('* as count');
      assert.deepEqual(after, before);
    });

    it('reports what a deployment refuses: the findings of POST /api/deployments for the same diagram', async () => {
      // given a diagram with a service task without job type
      const content = fixture('api.missing-task-type.bpmn').toString('utf8');
      // when
      const res = await lint({ name: 'api.missing-task-type.bpmn', content });
      const deploy = await supertest(w.t.app).post('/api/deployments').set(await w.as('policy-editor')).attach('resources', Buffer.from(content), 'api.missing-task-type.bpmn');
      // then
      assert.equal(deploy.status, 422);
      assert.deepEqual(res.body.data.findings, deploy.body.error.details[0].findings);
      assert.ok(res.body.data.findings.some((f: { category: string }) => f.category === 'error'));
    });

    it('reports a templated task that no longer matches its template', async () => {
      const content = recruitment().replace('<zeebe:taskDefinition type="quota.check" retries="3" />', '<zeebe:taskDefinition type="quota.reserve" retries="3" />');
      const res = await lint({ name: 'staff-add-recruitment.bpmn', content });
      const mismatch = res.body.data.findings.filter((f: { rule: string }) => f.rule === 'element-template-mismatch');
      assert.deepEqual(mismatch.map((f: { id: string }) => f.id), ['Task_CheckQuota']);
      assert.match(mismatch[0].message, /用编许可自动审查/);
    });

    it('answers 400 for a body without content, and 403 for a user who may not deploy', async () => {
      assert.equal((await lint({ name: 'x.bpmn' })).status, 400);
      assert.equal((await lint({ name: 'x.form', content: '{}' })).status, 400);
      assert.equal((await lint({ name: 'x.bpmn', content: recruitment() }, 'auditor')).status, 403);
    });
  });
});
