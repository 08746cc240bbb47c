// ZeebeEngine with the real @camunda8/sdk clients against the gateway and REST stand-ins: what the
// client sent for each command, and what the adapter wrote to our tables and the audit log.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import type { Knex } from 'knex';
import { AppError } from '../../server/core/errors';
import { createSilentLogger } from '../../server/core/logger';
import type { Actor } from '../../server/engine/types';
import { INSTANCE_ID_VARIABLE } from '../../server/engine/zeebe/instance-keys';
import { ZeebeEngine } from '../../server/engine/zeebe/zeebe-engine';
import { getTestDatabase, resetDatabase } from '../support/db';
import { startStandIns, type StandIns } from './stand-ins';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');
const editor: Actor = { kind: 'user', id: 'policy-editor' };
const clerk: Actor = { kind: 'user', id: 'bianban-clerk' };

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('ZeebeEngine (real SDK client, gateway and REST stand-ins)', function () {
  let s: StandIns;
  let db: Knex;
  let engine: ZeebeEngine;

  before(async () => {
    db = (await getTestDatabase()).knex;
    s = await startStandIns();
  });
  beforeEach(async () => {
    await resetDatabase(db);
    const { grpc: client, rest } = s.clients();
    engine = new ZeebeEngine({ db, log: createSilentLogger(), grpc: client, rest, taskPollIntervalMs: 60_000 });
  });
  after(() => s.stop());

  const events = (instanceId: string) => db('audit_events').where({ instance_id: instanceId }).orderBy('seq').pluck('kind');

  async function deployReview() {
    return engine.deploy([{ name: 'api.review.form', content: fixture('api.review.form') }, { name: 'api.review.bpmn', content: fixture('api.review.bpmn') }], editor);
  }

  it('deploys diagrams and forms in one DeployResource and mirrors the versions the cluster gave', async () => {
    // when deployed twice, the second time unchanged
    const first = await deployReview();
    const second = await deployReview();
    // then the client sent both resources, as bytes, by name
    const [request] = s.gateway.callsOf('DeployResource').slice(-1);
    assert.deepEqual(request.resources.map((r: { name: string }) => r.name), ['api.review.form', 'api.review.bpmn']);
    assert.equal(request.resources[1].content.toString('utf8'), fixture('api.review.bpmn'));
    // and our tables hold the cluster's version, once
    assert.deepEqual(first.processes.map((p) => [p.processId, p.isNew]), [['api-review', true]]);
    assert.deepEqual(second.processes.map((p) => [p.processId, p.version, p.isNew]), [['api-review', first.processes[0]!.version, false]]);
    assert.deepEqual(second.forms.map((f) => [f.formId, f.isNew]), [['api-review', false]]);
    assert.equal(await db('process_definitions').where({ process_id: 'api-review' }).count('* as n').first().then((r) => Number(r!.n)), 1);
    const deployment = await db('audit_events').where({ kind: 'deployment.created' }).orderBy('seq').first();
    assert.equal(deployment.actor, 'user:policy-editor');
    assert.match(deployment.payload.zeebe.deploymentKey, /^\d+$/);
  });

  it('refuses a diagram the lint refuses without sending anything to the cluster', async () => {
    const before = s.gateway.callsOf('DeployResource').length;
    const error = await rejection(engine.deploy([{ name: 'broken.bpmn', content: '<bpmn:definitions' }], editor));
    assert.equal(error.code, 'LINT_FAILED');
    assert.equal(s.gateway.callsOf('DeployResource').length, before);
  });

  it('starts an instance with our id among its variables, after recording it', async () => {
    // given
    await deployReview();
    // when
    const instance = await engine.startInstance({ processKey: 'api-review', businessKey: 'BK-1', variables: { unitId: 'u-1', requested: 2 } }, clerk);
    // then the command named the process, its version and the variables, our id among them
    const [request] = s.gateway.callsOf('CreateProcessInstance').slice(-1);
    assert.equal(request.bpmnProcessId, 'api-review');
    assert.equal(request.version, instance.version);
    assert.deepEqual(JSON.parse(request.variables), { unitId: 'u-1', requested: 2, [INSTANCE_ID_VARIABLE]: instance.id });
    // and our row is there for the API, with no engine state of ours
    const row = await db('process_instances').where({ id: instance.id }).first();
    assert.equal(row.state, 'active');
    assert.equal(row.engine_state, null);
    assert.equal(row.business_key, 'BK-1');
    assert.deepEqual(row.variables, { unitId: 'u-1', requested: 2 });
    assert.deepEqual(await events(instance.id), ['instance.created']);
  });

  it('records a compensating event when the cluster refuses the start', async () => {
    // given a deployed process the cluster answers NOT_FOUND for
    await deployReview();
    s.gateway.failNext('CreateProcessInstance', grpc.status.NOT_FOUND, 'process not found');
    // when
    const error = await rejection(engine.startInstance({ processKey: 'api-review', variables: {} }, clerk));
    // then
    assert.equal(error.status, 404);
    const row = await db('process_instances').orderBy('created_at', 'desc').first();
    assert.equal(row.state, 'terminated');
    assert.deepEqual(await events(row.id), ['instance.created', 'instance.create-failed']);
  });

  it('publishes a message with its name, correlation key, variables, time to live and id', async () => {
    // when
    const result = await engine.publishMessage({ name: 'Message_Reply', correlationKey: 'case-7', variables: { reply: '同意' }, timeToLiveMs: 60_000, messageId: 'm-1' }, clerk);
    // then
    const [request] = s.gateway.callsOf('PublishMessage').slice(-1);
    assert.deepEqual(
      { name: request.name, correlationKey: request.correlationKey, timeToLive: request.timeToLive, messageId: request.messageId, variables: JSON.parse(request.variables) },
      { name: 'Message_Reply', correlationKey: 'case-7', timeToLive: '60000', messageId: 'm-1', variables: { reply: '同意' } },
    );
    assert.match(result.bufferedMessageId!, /^\d+$/);
    const audit = await db('audit_events').where({ kind: 'message.published' }).first();
    assert.equal(audit.actor, 'user:bianban-clerk');
    // and a second message with the same id is refused as on the embedded engine
    const again = await rejection(engine.publishMessage({ name: 'Message_Reply', correlationKey: 'case-7', timeToLiveMs: 60_000, messageId: 'm-1' }, clerk));
    assert.equal(again.code, 'MESSAGE_ALREADY_PUBLISHED');
  });

  it('cancels through the gateway with the instance key and closes our rows', async () => {
    // given a running instance with an open task in our inbox
    await deployReview();
    const instance = await engine.startInstance({ processKey: 'api-review', variables: {} }, clerk);
    const key = [...s.gateway.instances.values()].at(-1)!.key;
    s.rest.addUserTask({ processInstanceKey: key, elementId: 'Task_Review', candidateGroups: ['bianban'] });
    await engine.sync.run();
    // when
    await engine.cancelInstance(instance.id, { kind: 'user', id: 'admin' });
    // then
    assert.equal(s.gateway.callsOf('CancelProcessInstance').at(-1).processInstanceKey, key);
    assert.equal((await db('process_instances').where({ id: instance.id }).first()).state, 'canceled');
    assert.deepEqual(await db('user_tasks').where({ instance_id: instance.id }).pluck('state'), ['canceled']);
    assert.deepEqual((await events(instance.id)).slice(-1), ['instance.canceled']);
  });

  describe('user tasks (REST v2)', () => {
    let instanceId: string;
    let instanceKey: string;

    beforeEach(async () => {
      await deployReview();
      instanceId = (await engine.startInstance({ processKey: 'api-review', variables: { unitId: 'u-1' } }, clerk)).id;
      instanceKey = [...s.gateway.instances.values()].at(-1)!.key;
    });

    async function openTask() {
      const task = s.rest.addUserTask({ processInstanceKey: instanceKey, elementId: 'Task_Review', name: '编办审核', candidateGroups: ['bianban'], dueDate: '2030-01-01T00:00:00.000Z' });
      await engine.sync.run();
      const row = await db('user_tasks').where({ execution_id: task.userTaskKey }).first();
      return { task, row };
    }

    it('mirrors a Camunda user task into the inbox table, with the form of the diagram, once', async () => {
      // when the task appears in the search and the sync runs twice
      const { task, row } = await openTask();
      await engine.sync.run();
      // then one row, keyed by the userTaskKey, for our instance
      assert.equal(await db('user_tasks').where({ instance_id: instanceId }).count('* as n').first().then((r) => Number(r!.n)), 1);
      assert.equal(row.instance_id, instanceId);
      assert.equal(row.element_id, 'Task_Review');
      assert.equal(row.form_id, 'api-review');
      assert.deepEqual(row.candidate_groups, ['bianban']);
      assert.equal(row.unit_id, 'u-1');
      assert.equal(new Date(row.due_at).toISOString(), '2030-01-01T00:00:00.000Z');
      assert.ok(s.rest.requestsTo('POST', /^\/v2\/user-tasks\/search$/).some((r) => r.body.filter.state === 'CREATED'));
      const created = await db('audit_events').where({ instance_id: instanceId, kind: 'user-task.created' }).first();
      assert.equal(created.payload.userTaskKey, task.userTaskKey);
    });

    it('completes through REST v2: assigns to the claimant without override, then completes with the form data', async () => {
      // given the task claimed by bianban-clerk in our inbox
      const { task, row } = await openTask();
      await db('user_tasks').where({ id: row.id }).update({ assignee: 'bianban-clerk' });
      // when
      await engine.completeUserTask(row.id, { opinion: '同意', approved: true }, clerk, { requireAssignee: 'bianban-clerk' });
      // then the client asked for the assignment with allowOverride:false, then the completion
      const [assignment] = s.rest.requestsTo('POST', new RegExp(`/v2/user-tasks/${task.userTaskKey}/assignment$`));
      assert.deepEqual({ assignee: assignment!.body.assignee, allowOverride: assignment!.body.allowOverride }, { assignee: 'bianban-clerk', allowOverride: false });
      const [completion] = s.rest.requestsTo('POST', new RegExp(`/v2/user-tasks/${task.userTaskKey}/completion$`));
      assert.deepEqual(completion!.body.variables, { opinion: '同意', approved: true });
      // and our rows say so
      assert.equal((await db('user_tasks').where({ id: row.id }).first()).state, 'completed');
      assert.deepEqual((await db('process_instances').where({ id: instanceId }).first()).variables, { unitId: 'u-1', opinion: '同意', approved: true });
      const done = await db('audit_events').where({ instance_id: instanceId, kind: 'user-task.completed' }).first();
      assert.equal(done.actor, 'user:bianban-clerk');
      assert.deepEqual(done.payload.input, { opinion: '同意', approved: true });
    });

    it('answers 409 TASK_ALREADY_CLAIMED when the cluster has the task assigned to someone else', async () => {
      // given a task claimed in Tasklist by another user after our inbox gave it to bianban-clerk
      const { task, row } = await openTask();
      await db('user_tasks').where({ id: row.id }).update({ assignee: 'bianban-clerk' });
      task.assignee = 'tasklist-user';
      // when completing, or claiming, through us
      const completing = await rejection(engine.completeUserTask(row.id, { opinion: '同意' }, clerk, { requireAssignee: 'bianban-clerk' }));
      await db('user_tasks').where({ id: row.id }).update({ assignee: null });
      const claiming = await rejection(engine.claimUserTask(row.id, 'bianban-clerk', clerk));
      // then both are our 409, nothing was completed, and nothing was recorded as done
      for (const error of [completing, claiming]) {
        assert.equal(error.status, 409);
        assert.equal(error.code, 'TASK_ALREADY_CLAIMED');
        assert.deepEqual(error.details, { assignee: 'tasklist-user' });
      }
      assert.equal(s.rest.requestsTo('POST', new RegExp(`/v2/user-tasks/${task.userTaskKey}/completion$`)).length, 0);
      assert.equal(task.state, 'CREATED');
      assert.equal((await db('user_tasks').where({ id: row.id }).first()).state, 'created');
      assert.deepEqual(await db('audit_events').where({ instance_id: instanceId }).whereIn('kind', ['user-task.completed', 'user-task.claimed']).pluck('kind'), []);
    });

    it('claims in the cluster and in our row', async () => {
      const { task, row } = await openTask();
      await engine.claimUserTask(row.id, 'bianban-clerk', clerk);
      assert.equal(task.assignee, 'bianban-clerk');
      assert.equal((await db('user_tasks').where({ id: row.id }).first()).assignee, 'bianban-clerk');
      assert.deepEqual((await events(instanceId)).slice(-1), ['user-task.claimed']);
    });

    it('closes tasks the cluster closed elsewhere, and ends instances the cluster ended', async () => {
      // given a task completed in Tasklist and another canceled by a boundary timer
      const { task: done, row: doneRow } = await openTask();
      const { task: gone, row: goneRow } = await openTask();
      done.state = 'COMPLETED';
      done.assignee = 'tasklist-user';
      gone.state = 'CANCELED';
      [...s.gateway.instances.values()].at(-1)!.state = 'COMPLETED';
      // when
      const counts = await engine.sync.run();
      // then
      assert.deepEqual(counts, { created: 0, closed: 2, instancesEnded: 1 });
      assert.equal((await db('user_tasks').where({ id: doneRow.id }).first()).state, 'completed');
      assert.equal((await db('user_tasks').where({ id: goneRow.id }).first()).state, 'canceled');
      assert.equal((await db('process_instances').where({ id: instanceId }).first()).state, 'completed');
      const kinds = await events(instanceId);
      assert.deepEqual(kinds.slice(-2), ['user-task.completed', 'instance.completed']);
    });
  });
});
