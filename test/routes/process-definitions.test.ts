// POST /api/deployments, GET /api/process-definitions and GET /api/process-definitions/:key/xml
// through HTTP, on the real embedded engine.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { fixture, startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('process definitions API', () => {
  let w: WorkflowApi;

  before(async () => {
    w = await startWorkflowApi();
  });

  after(async () => {
    await w?.stop();
  });

  beforeEach(async () => {
    // each test deploys what it needs
    await w.t.db.knex('timers').delete();
    await w.t.db.knex('process_definitions').delete();
    await w.t.db.knex('form_definitions').delete();
  });

  const deployment = async (username: string, ...files: Array<{ name: string; content: Buffer }>) => {
    let req = supertest(w.t.app).post('/api/deployments').set(await w.as(username));
    for (const file of files) req = req.attach('resources', file.content, file.name);
    return req;
  };
  const file = (name: string) => ({ name, content: fixture(name) });

  describe('POST /api/deployments', () => {
    it('deploys a diagram and its form as version 1 and answers 201', async () => {
      // when
      const res = await deployment('policy-editor', file('api.review.bpmn'), file('api.review.form'));
      // then
      assert.equal(res.status, 201);
      const { processes, forms } = res.body.data;
      assert.equal(processes.length, 1);
      assert.equal(processes[0].processId, 'api-review');
      assert.equal(processes[0].version, 1);
      assert.equal(processes[0].isNew, true);
      assert.match(processes[0].deploymentId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(forms.map((f: any) => ({ formId: f.formId, version: f.version, isNew: f.isNew })), [{ formId: 'api-review', version: 1, isNew: true }]);
      const rows = await w.t.db.knex('process_definitions').where({ process_id: 'api-review' }).select('version', 'deployed_by');
      assert.deepEqual(rows, [{ version: 1, deployed_by: 'user:policy-editor' }]);
    });

    it('makes no new version when the same content is deployed again (isNew false)', async () => {
      // given
      await deployment('policy-editor', file('api.review.bpmn'), file('api.review.form'));
      // when
      const res = await deployment('policy-editor', file('api.review.bpmn'), file('api.review.form'));
      // then
      assert.equal(res.status, 201);
      assert.equal(res.body.data.processes[0].version, 1);
      assert.equal(res.body.data.processes[0].isNew, false);
      assert.equal(res.body.data.forms[0].version, 1);
      assert.equal(res.body.data.forms[0].isNew, false);
      assert.equal((await w.t.db.knex('process_definitions').where({ process_id: 'api-review' })).length, 1);
    });

    it('makes version 2 when the diagram changed', async () => {
      // given
      await deployment('policy-editor', file('api.review.bpmn'));
      const changed = Buffer.from(fixture('api.review.bpmn').toString('utf8').replace('name="归档"', 'name="归档登记"'));
      // when
      const res = await deployment('policy-editor', { name: 'api.review.bpmn', content: changed });
      // then
      assert.equal(res.status, 201);
      assert.equal(res.body.data.processes[0].version, 2);
      assert.equal(res.body.data.processes[0].isNew, true);
    });

    it('answers 422 LINT_FAILED naming the element of each finding, and deploys nothing', async () => {
      // when a diagram whose service task has no job type is deployed with a valid one
      const res = await deployment('policy-editor', file('api.review.bpmn'), file('api.missing-task-type.bpmn'));
      // then
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'LINT_FAILED');
      assert.equal(res.body.error.details.length, 1);
      const [failure] = res.body.error.details;
      assert.equal(failure.resource, 'api.missing-task-type.bpmn');
      const errors = failure.findings.filter((f: any) => f.category === 'error');
      assert.ok(errors.length >= 1);
      assert.ok(errors.every((f: any) => f.id === 'Task_NoType'), JSON.stringify(errors));
      assert.ok(errors.some((f: any) => f.rule === 'camunda-compat/implementation'));
      assert.equal((await w.t.db.knex('process_definitions').count<{ count: string }[]>('* as count'))[0].count, '0');
    });

    it('answers 400 VALIDATION_FAILED for a file that is neither .bpmn nor .form', async () => {
      // when
      const res = await deployment('policy-editor', { name: 'notes.txt', content: Buffer.from('just text') });
      // then
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.equal(res.body.error.details[0].field, 'resources');
      assert.match(res.body.error.details[0].message, /notes\.txt/);
    });

    it('answers 400 VALIDATION_FAILED when no file is sent', async () => {
      // when
      const res = await supertest(w.t.app).post('/api/deployments').set(await w.as('policy-editor')).field('comment', 'nothing attached');
      // then
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.equal(res.body.error.details[0].field, 'resources');
    });

    it('answers 400 naming the field when the file is sent under another field name', async () => {
      // when
      const res = await supertest(w.t.app).post('/api/deployments').set(await w.as('policy-editor')).attach('file', fixture('api.review.bpmn'), 'api.review.bpmn');
      // then
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details, [{ field: 'resources', message: '文件应放在字段 resources 中' }]);
    });

    for (const username of ['bianban-clerk', 'bianban-leader', 'admin', 'unit-U001']) {
      it(`answers 403 FORBIDDEN to ${username}, who is no policy editor`, async () => {
        // when
        const res = await deployment(username, file('api.review.bpmn'));
        // then
        assert.equal(res.status, 403);
        assert.equal(res.body.error.code, 'FORBIDDEN');
        assert.equal((await w.t.db.knex('process_definitions').where({ process_id: 'api-review' })).length, 0);
      });
    }

    it('answers 401 without credentials', async () => {
      const res = await supertest(w.t.app).post('/api/deployments').attach('resources', fixture('api.review.bpmn'), 'api.review.bpmn');
      assert.equal(res.status, 401);
    });
  });

  describe('GET /api/process-definitions', () => {
    it('lists the latest version of every deployed process', async () => {
      // given api-review in versions 1 and 2, and api-reply in version 1
      await deployment('policy-editor', file('api.review.bpmn'));
      const changed = Buffer.from(fixture('api.review.bpmn').toString('utf8').replace('name="归档"', 'name="归档登记"'));
      await deployment('policy-editor', { name: 'api.review.bpmn', content: changed });
      await deployment('policy-editor', file('api.reply.bpmn'));
      // when a clerk reads the list
      const res = await supertest(w.t.app).get('/api/process-definitions').set(await w.as('bianban-clerk'));
      // then
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.data.map((d: any) => [d.processId, d.version, d.name, d.resourceName]),
        [
          ['api-reply', 1, '接口测试等待回函', 'api.reply.bpmn'],
          ['api-review', 2, '接口测试审核', 'api.review.bpmn'],
        ],
      );
    });

    it('answers 401 without credentials', async () => {
      assert.equal((await supertest(w.t.app).get('/api/process-definitions')).status, 401);
    });
  });

  describe('GET /api/process-definitions/:key/xml', () => {
    let v1: string;
    let v2: string;

    beforeEach(async () => {
      v1 = fixture('api.review.bpmn').toString('utf8');
      v2 = v1.replace('name="归档"', 'name="归档登记"');
      await deployment('policy-editor', file('api.review.bpmn'));
      await deployment('policy-editor', { name: 'api.review.bpmn', content: Buffer.from(v2) });
    });

    it('returns the XML of the latest version by default', async () => {
      // when
      const res = await supertest(w.t.app).get('/api/process-definitions/api-review/xml').set(await w.as('bianban-clerk'));
      // then
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^application\/xml/);
      assert.equal(res.headers['x-process-version'], '2');
      assert.equal(res.text, v2);
    });

    it('returns the XML of the version asked for', async () => {
      // when
      const res = await supertest(w.t.app).get('/api/process-definitions/api-review/xml?version=1').set(await w.as('bianban-clerk'));
      // then
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-process-version'], '1');
      assert.equal(res.text, v1);
    });

    it('answers 404 NOT_FOUND for an unknown key', async () => {
      const res = await supertest(w.t.app).get('/api/process-definitions/no-such-process/xml').set(await w.as('bianban-clerk'));
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    });

    it('answers 404 NOT_FOUND for a version that was never deployed', async () => {
      const res = await supertest(w.t.app).get('/api/process-definitions/api-review/xml?version=3').set(await w.as('bianban-clerk'));
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    });

    it('answers 400 naming ?version when it is not a positive integer', async () => {
      const res = await supertest(w.t.app).get('/api/process-definitions/api-review/xml?version=abc').set(await w.as('bianban-clerk'));
      assert.equal(res.status, 400);
      assert.equal(res.body.error.details[0].field, '?version');
    });
  });
});
