// ENGINE=zeebe through the HTTP API (startEngine's Zeebe branch, on the stand-ins): the bundled
// diagrams are deployed to the gateway, a case starts through POST /api/process-instances, Camunda
// user tasks reach the department inbox with the same authorization as on the embedded engine, and
// claim / complete end in REST v2 calls — a task someone else holds in the cluster is our 409.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { createSilentLogger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { seedDemo } from '../../server/demo/seed';
import { startEngine, type RunningEngine } from '../../server/engine/index';
import type { ZeebeGrpc } from '../../server/engine/zeebe/clients';
import { workers } from '../../workers/registry';
import { createTestApp, testConfig, tokenFor, type TestApp } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';
import { startStandIns, type StandIns } from './stand-ins';

describe('ENGINE=zeebe through the HTTP API (gateway and REST stand-ins)', function () {
  let s: StandIns;
  let running: RunningEngine;
  let t: TestApp;
  const tokens = new Map<string, string>();
  const as = async (username: string) => {
    if (!tokens.has(username)) tokens.set(username, await tokenFor(t.app, username, DEMO_PASSWORD));
    return { Authorization: `Bearer ${tokens.get(username)}` };
  };

  before(async () => {
    s = await startStandIns();
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    const log = createSilentLogger();
    await seedDemo(db.knex, log);
    running = await startEngine({ db, config: testConfig(s.env), log });
    t = await createTestApp({ db, log, routers: running.routers });
  });
  after(async () => {
    if (running) {
      // the workers' job streams (one per job type) end at the gateway first, so that stopping them
      // cancels nothing and the SDK prints no CANCELLED (stand-ins.ts stopWorkers)
      const grpc = (running.engine as unknown as { grpc?: ZeebeGrpc }).grpc;
      if (grpc) await s.endJobStreams(new Set(workers.map((w) => w.jobType)).size, [grpc]);
      await running.stop();
    }
    await s.stop();
  });

  async function startCase(): Promise<{ id: string; key: string }> {
    const unitId = (await t.db.knex('units').where({ code: 'U003' }).first('id')).id as string;
    const res = await supertest(t.app).post('/api/process-instances').set(await as('unit-U003')).send({ processKey: 'staff-add-transfer-in', variables: { unitId } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const key = [...s.gateway.instances.values()].at(-1)!.key;
    return { id: res.body.data.id, key };
  }

  async function inboxTask(username: string, instanceId: string): Promise<{ id: string }> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await supertest(t.app).get('/api/tasks').set(await as(username));
      const task = res.body.data?.find((item: { instanceId: string }) => item.instanceId === instanceId);
      if (task) return task;
      if (Date.now() > deadline) throw new Error(`no task of ${instanceId} in ${username}'s inbox: ${JSON.stringify(res.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('deploys the bundled diagrams and forms to the gateway at start', () => {
    const [request] = s.gateway.callsOf('DeployResource');
    const names = request.resources.map((r: { name: string }) => r.name);
    assert.ok(names.includes('staff-add-recruitment.bpmn'));
    assert.ok(names.includes('quota-approval.form'));
    assert.equal(names.filter((n: string) => n.endsWith('.bpmn')).length, 9);
  });

  it('starts a case on the cluster and brings its user task to the right inbox only', async () => {
    // given a case started by the unit
    const { id, key } = await startCase();
    const [create] = s.gateway.callsOf('CreateProcessInstance').slice(-1);
    assert.equal(create.bpmnProcessId, 'staff-add-transfer-in');
    // when the cluster opens the 编办's task
    s.rest.addUserTask({ processInstanceKey: key, elementId: 'Task_ApproveQuotaUse', name: '用编许可', candidateGroups: ['bianban'] });
    // then the 编办 clerk sees it with its form, the finance clerk does not
    const task = await inboxTask('bianban-clerk', id);
    const detail = await supertest(t.app).get(`/api/tasks/${task.id}`).set(await as('bianban-clerk'));
    assert.equal(detail.status, 200);
    assert.equal(detail.body.data.formId, 'quota-approval');
    assert.ok(detail.body.data.form, 'the form schema from the deployed form');
    const other = await supertest(t.app).get(`/api/tasks/${task.id}`).set(await as('finance-clerk'));
    assert.equal(other.status, 404);
  });

  it('claims and completes through the inbox: REST v2 assignment (allowOverride:false) and completion', async () => {
    // given
    const { id, key } = await startCase();
    const clusterTask = s.rest.addUserTask({ processInstanceKey: key, elementId: 'Task_ApproveQuotaUse', candidateGroups: ['bianban'] });
    const task = await inboxTask('bianban-clerk', id);
    // when
    const claim = await supertest(t.app).post(`/api/tasks/${task.id}/claim`).set(await as('bianban-clerk'));
    const done = await supertest(t.app).post(`/api/tasks/${task.id}/complete`).set(await as('bianban-clerk')).send({ variables: { quotaDecision: 'approve' } });
    // then
    assert.equal(claim.status, 200, JSON.stringify(claim.body));
    assert.equal(done.status, 204, JSON.stringify(done.body));
    const [assignment] = s.rest.requestsTo('POST', new RegExp(`/v2/user-tasks/${clusterTask.userTaskKey}/assignment$`));
    assert.deepEqual({ assignee: assignment!.body.assignee, allowOverride: assignment!.body.allowOverride }, { assignee: 'bianban-clerk', allowOverride: false });
    assert.equal(clusterTask.state, 'COMPLETED');
    assert.deepEqual(clusterTask.variables, { quotaDecision: 'approve' });
    const history = await supertest(t.app).get(`/api/process-instances/${id}/history`).set(await as('auditor'));
    const kinds = history.body.data.map((e: { kind: string }) => e.kind);
    assert.deepEqual(kinds, ['instance.created', 'user-task.created', 'user-task.claimed', 'user-task.completed']);
  });

  it('answers 409 TASK_ALREADY_CLAIMED when someone holds the task in the cluster', async () => {
    // given a task the inbox gave to bianban-clerk, claimed in Tasklist by someone else meanwhile
    const { id, key } = await startCase();
    const clusterTask = s.rest.addUserTask({ processInstanceKey: key, elementId: 'Task_ApproveQuotaUse', candidateGroups: ['bianban'] });
    const task = await inboxTask('bianban-clerk', id);
    await supertest(t.app).post(`/api/tasks/${task.id}/claim`).set(await as('bianban-clerk'));
    clusterTask.assignee = 'bianban-leader';
    // when
    const done = await supertest(t.app).post(`/api/tasks/${task.id}/complete`).set(await as('bianban-clerk')).send({ variables: { quotaDecision: 'approve' } });
    // then
    assert.equal(done.status, 409);
    assert.equal(done.body.error.code, 'TASK_ALREADY_CLAIMED');
    assert.equal(clusterTask.state, 'CREATED');
  });
});
