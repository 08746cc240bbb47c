// The Camunda-7 external-task REST API on the embedded engine, as camunda-external-task-client-js
// sees it: Basic auth for worker accounts, bare JSON with Content-Type exactly application/json,
// long polling woken by new jobs, locks that expire and pass to another worker, typed variables.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromTypedValue, toTypedValue } from '../../server/services/external-tasks';
import { engineRest, eventually, pause, POLICY_EDITOR, startExternalTaskServer, WORKER_USER, type ExternalTaskServer } from './harness';

const PROCESS = 'engine-error-boundary';
const TOPIC = 'test.check';

const fetchBody = (workerId: string, extra: Record<string, unknown> = {}, lockDuration = 30_000) => ({
  workerId,
  maxTasks: 5,
  topics: [{ topicName: TOPIC, lockDuration }],
  ...extra,
});

describe('external-task REST API (/engine-rest)', function () {
  this.timeout(60_000);
  let s: ExternalTaskServer;
  let db: ExternalTaskServer['t']['db']['knex'];

  before(async () => {
    s = await startExternalTaskServer();
    db = s.t.db.knex;
    const content = readFileSync(fileURLToPath(new URL('../fixtures/engine.error-boundary.bpmn', import.meta.url)), 'utf8');
    await s.running.engine.deploy([{ name: 'engine.error-boundary.bpmn', content }], POLICY_EDITOR);
  });
  after(() => s?.stop());
  beforeEach(async () => {
    await db('jobs').where({ type: TOPIC }).whereIn('state', ['activatable', 'activated']).update({ state: 'canceled' });
  });

  const startInstance = async (variables: Record<string, unknown> = {}) => (await s.running.engine.startInstance({ processKey: PROCESS, variables }, POLICY_EDITOR)).id;
  const completions = (instanceId: string) => db('audit_events').where({ instance_id: instanceId, kind: 'job.completed' }).select('actor', 'payload');

  describe('authentication', () => {
    it('answers 401 to a worker account with a wrong password', async () => {
      // when
      const res = await engineRest(s, '/external-task/fetchAndLock', fetchBody('w'), s.basic(WORKER_USER, 'wrong-password'));
      // then
      assert.equal(res.status, 401);
    });

    it('answers 403 to an account that is not a worker', async () => {
      // when a 编办 clerk (signed in) calls
      const res = await engineRest(s, '/external-task/fetchAndLock', fetchBody('w'), await s.bearer('bianban-clerk'));
      // then
      assert.equal(res.status, 403);
      assert.equal(res.body.type, 'AuthorizationException');
    });
  });

  describe('fetchAndLock', () => {
    it('locks a task with Camunda 7 fields and typed variables, Content-Type exactly application/json', async () => {
      // given
      const id = await startInstance({ amount: 21, big: 2 ** 40, ratio: 0.5, ok: true, name: '张三', nothing: null, list: [1, 2], unit: { code: 'U001' } });
      // when
      const res = await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'));
      // then
      assert.equal(res.status, 200);
      assert.equal(res.contentType, 'application/json');
      assert.equal(res.body.length, 1);
      const [task] = res.body;
      assert.equal(task.topicName, TOPIC);
      assert.equal(task.workerId, 'w1');
      assert.equal(task.processInstanceId, id);
      assert.equal(task.processDefinitionKey, PROCESS);
      assert.equal(task.activityId, 'Task_Check');
      assert.equal(typeof task.retries, 'number');
      assert.match(task.lockExpirationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
      assert.deepEqual(task.variables.amount, { type: 'Integer', value: 21, valueInfo: {} });
      assert.equal(task.variables.big.type, 'Long');
      assert.equal(task.variables.ratio.type, 'Double');
      assert.equal(task.variables.ok.type, 'Boolean');
      assert.equal(task.variables.name.type, 'String');
      assert.deepEqual(task.variables.nothing, { type: 'Null', value: null, valueInfo: {} });
      assert.deepEqual(task.variables.list, { type: 'Json', value: '[1,2]', valueInfo: {} });
      assert.deepEqual(JSON.parse(task.variables.unit.value), { code: 'U001' });
    });

    it('returns only the variables a topic names', async () => {
      // given
      await startInstance({ amount: 1, secret: 'x' });
      // when
      const res = await engineRest(s, '/external-task/fetchAndLock', { workerId: 'w1', maxTasks: 1, topics: [{ topicName: TOPIC, lockDuration: 1000, variables: ['amount'] }] });
      // then
      assert.deepEqual(Object.keys(res.body[0].variables), ['amount']);
    });

    it('answers an empty list after asyncResponseTimeout when nothing comes', async () => {
      // when
      const began = Date.now();
      const res = await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1', { asyncResponseTimeout: 600 }));
      // then
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, []);
      assert.ok(Date.now() - began >= 550, `waited ${Date.now() - began} ms`);
    });

    it('returns early from a long poll when a job appears', async () => {
      // given a worker waiting up to 20 s
      const began = Date.now();
      const waiting = engineRest(s, '/external-task/fetchAndLock', fetchBody('w1', { asyncResponseTimeout: 20_000 }));
      await pause(300);
      // when an instance creates a job
      const id = await startInstance();
      const res = await waiting;
      // then the waiting poll hands it out at once
      const elapsed = Date.now() - began;
      assert.equal(res.body.length, 1);
      assert.equal(res.body[0].processInstanceId, id);
      assert.ok(elapsed < 5000, `answered after ${elapsed} ms`);
    });

    it('stops waiting when the client went away: a later job goes to another worker', async () => {
      // given a poll that the client abandons
      const abort = new AbortController();
      const waiting = engineRest(s, '/external-task/fetchAndLock', fetchBody('gone', { asyncResponseTimeout: 20_000 }), s.basic(WORKER_USER), abort.signal).catch(() => null);
      await pause(200);
      abort.abort();
      await waiting;
      await pause(200);
      // when a job appears
      await startInstance();
      // then another worker gets it
      const res = await engineRest(s, '/external-task/fetchAndLock', fetchBody('w2', { asyncResponseTimeout: 5000 }));
      assert.equal(res.body.length, 1);
    });

    it('refuses filters it cannot apply instead of ignoring them (400 InvalidRequestException)', async () => {
      // when
      const res = await engineRest(s, '/external-task/fetchAndLock', { workerId: 'w', maxTasks: 1, topics: [{ topicName: TOPIC, lockDuration: 1000, businessKey: 'B-1' }] });
      // then
      assert.equal(res.status, 400);
      assert.equal(res.contentType, 'application/json');
      assert.equal(res.body.type, 'InvalidRequestException');
    });
  });

  describe('complete', () => {
    it('completes with typed variables (Json parsed) and answers 204 without a body', async () => {
      // given
      const id = await startInstance({ amount: 1 });
      const [task] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'))).body;
      // when
      const res = await engineRest(s, `/external-task/${task.id}/complete`, {
        workerId: 'w1',
        variables: { result: { type: 'Json', value: '{"ok":true,"n":[1]}', valueInfo: {} }, count: { type: 'Integer', value: 3 }, when: { type: 'Date', value: '2026-01-05T08:00:00.000+0800' } },
      });
      // then
      assert.equal(res.status, 204);
      assert.equal(res.contentType, null);
      assert.equal(res.body, undefined);
      const instance = await db('process_instances').where({ id }).first();
      assert.equal(instance.state, 'completed');
      assert.deepEqual(instance.variables.result, { ok: true, n: [1] });
      assert.equal(instance.variables.count, 3);
      assert.equal(instance.variables.when, '2026-01-05T00:00:00.000Z');
      const [done] = await completions(id);
      assert.equal(done.actor, `worker:${WORKER_USER}/w1`);
    });

    it('answers 404 to a completion after the lock expired and the task went to another worker, and records nothing', async () => {
      // given w1 locks the task for 300 ms, and w2 takes it once the lock has expired
      const id = await startInstance();
      const [first] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1', {}, 300))).body;
      const second = await eventually('the expired task to go to w2', async () => {
        const res = await engineRest(s, '/external-task/fetchAndLock', fetchBody('w2', {}, 30_000));
        return res.body.length ? res.body[0] : (await pause(150), undefined);
      });
      assert.equal(second.id, first.id);
      // when w1 completes late
      const late = await engineRest(s, `/external-task/${first.id}/complete`, { workerId: 'w1', variables: { by: { type: 'String', value: 'w1' } } });
      // then it is refused as Camunda refuses a task that is not there, and nothing is recorded
      assert.equal(late.status, 404);
      assert.equal(late.contentType, 'application/json');
      assert.equal(late.body.type, 'InvalidRequestException');
      assert.equal((await completions(id)).length, 0);
      assert.equal((await db('process_instances').where({ id }).first()).state, 'active');
      // and w2's completion is the one recorded
      assert.equal((await engineRest(s, `/external-task/${second.id}/complete`, { workerId: 'w2', variables: { by: { type: 'String', value: 'w2' } } })).status, 204);
      const done = await completions(id);
      assert.equal(done.length, 1);
      assert.equal(done[0].actor, `worker:${WORKER_USER}/w2`);
      assert.equal((await db('process_instances').where({ id }).first()).variables.by, 'w2');
    });

    it('answers 404 to an unknown task id', async () => {
      for (const taskId of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await engineRest(s, `/external-task/${taskId}/complete`, { workerId: 'w1' });
        assert.equal(res.status, 404, taskId);
        assert.equal(res.body.type, 'InvalidRequestException');
      }
    });
  });

  describe('failure, bpmnError, extendLock, unlock', () => {
    it('fails with retries and a retry timeout: the task comes back after the timeout', async () => {
      // given
      await startInstance();
      const [task] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'))).body;
      // when
      const res = await engineRest(s, `/external-task/${task.id}/failure`, { workerId: 'w1', errorMessage: 'timeout', errorDetails: 'stack…', retries: 2, retryTimeout: 800 });
      // then
      assert.equal(res.status, 204);
      assert.deepEqual((await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'))).body, []);
      const again = await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1', { asyncResponseTimeout: 5000 }));
      assert.equal(again.body[0].id, task.id);
      assert.equal(again.body[0].retries, 2);
    });

    it('opens an incident on a failure with no retries left', async () => {
      // given
      const id = await startInstance();
      const [task] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'))).body;
      // when
      assert.equal((await engineRest(s, `/external-task/${task.id}/failure`, { workerId: 'w1', errorMessage: 'broken', retries: 0 })).status, 204);
      // then
      const [incident] = await db('incidents').where({ instance_id: id, state: 'active' });
      assert.equal(incident.error_type, 'JOB_NO_RETRIES');
    });

    it('throws a BPMN error that the boundary event catches, with its variables', async () => {
      // given
      const id = await startInstance();
      const [task] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'))).body;
      // when
      const res = await engineRest(s, `/external-task/${task.id}/bpmnError`, { workerId: 'w1', errorCode: 'QUOTA_EXCEEDED', errorMessage: '可用编制 0', variables: { available: { type: 'Integer', value: 0 } } });
      // then
      assert.equal(res.status, 204);
      const instance = await db('process_instances').where({ id }).first();
      assert.equal(instance.state, 'completed');
      assert.equal(instance.variables.available, 0);
    });

    it('refuses a BPMN error from a worker that does not hold the lock', async () => {
      // given
      await startInstance();
      const [task] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'))).body;
      // when
      const res = await engineRest(s, `/external-task/${task.id}/bpmnError`, { workerId: 'intruder', errorCode: 'QUOTA_EXCEEDED' });
      // then
      assert.equal(res.status, 404);
      assert.equal((await db('jobs').where({ id: task.id }).first()).state, 'activated');
    });

    it('extends the lock of its own task only', async () => {
      // given a task locked for 1 s
      await startInstance();
      const [task] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1', {}, 1000))).body;
      // when
      assert.equal((await engineRest(s, `/external-task/${task.id}/extendLock`, { workerId: 'intruder', newDuration: 60_000 })).status, 404);
      const res = await engineRest(s, `/external-task/${task.id}/extendLock`, { workerId: 'w1', newDuration: 60_000 });
      // then
      assert.equal(res.status, 204);
      const job = await db('jobs').where({ id: task.id }).first();
      assert.ok(new Date(job.deadline).getTime() > Date.now() + 50_000);
    });

    it('unlocks a task: another worker gets it at once', async () => {
      // given
      await startInstance();
      const [task] = (await engineRest(s, '/external-task/fetchAndLock', fetchBody('w1'))).body;
      const waiting = engineRest(s, '/external-task/fetchAndLock', fetchBody('w2', { asyncResponseTimeout: 10_000 }));
      await pause(200);
      // when
      const res = await engineRest(s, `/external-task/${task.id}/unlock`);
      // then
      assert.equal(res.status, 204);
      const taken = await waiting;
      assert.equal(taken.body[0].id, task.id);
      assert.equal(taken.body[0].workerId, 'w2');
    });
  });

  describe('typed values', () => {
    it('types plain values as Camunda 7 does and reads them back', () => {
      for (const value of ['text', 7, -(2 ** 31), 2 ** 31, 2.5, true, null, { a: [1, { b: 'c' }] }, [1, 'x']]) {
        assert.deepEqual(fromTypedValue(toTypedValue(value), '/v'), value);
      }
      assert.equal(toTypedValue(2 ** 31).type, 'Long');
      assert.equal(toTypedValue(2 ** 31 - 1).type, 'Integer');
    });

    it('reads the types the client sends (lower case), JSON objects, and refuses Java objects and files', () => {
      assert.deepEqual(fromTypedValue({ type: 'json', value: '{"a":1}' }, '/v'), { a: 1 });
      assert.equal(fromTypedValue({ type: 'long', value: '12' }, '/v'), 12);
      assert.equal(fromTypedValue({ type: 'boolean', value: 'false' }, '/v'), false);
      assert.deepEqual(fromTypedValue({ type: 'Object', value: '[1]', valueInfo: { serializationDataFormat: 'application/json' } }, '/v'), [1]);
      assert.throws(() => fromTypedValue({ type: 'Object', value: 'rO0AB', valueInfo: { serializationDataFormat: 'application/x-java-serialized-object' } }, '/v'), /请求数据/);
      assert.throws(() => fromTypedValue({ type: 'File', value: null }, '/v'));
      assert.throws(() => fromTypedValue({ type: 'Integer', value: 1.5 }, '/v'));
    });
  });
});
