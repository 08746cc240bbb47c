// workers/runtime/zeebe.ts with the real SDK job workers against the gateway stand-in: jobs arrive by
// StreamActivatedJobs (and by ActivateJobs in poll mode), and each handler outcome becomes the
// command the embedded engine's mapping prescribes. Asserts on what the client sent, and on our rows.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createSilentLogger } from '../../server/core/logger';
import { INSTANCE_ID_VARIABLE } from '../../server/engine/zeebe/instance-keys';
import { bpmnError, complete, fail, type JobHandler } from '../../workers/job';
import type { RunningWorkers } from '../../workers/runtime/in-process';
import { startZeebeWorkers } from '../../workers/runtime/zeebe';
import { getTestDatabase, resetDatabase } from '../support/db';
import type { StandInJob } from './gateway-stand-in';
import { startStandIns, type StandIns } from './stand-ins';

describe('Zeebe job workers (workers/runtime/zeebe.ts, real SDK, gateway stand-in)', function () {
  let s: StandIns;
  let db: Knex;
  let instanceId: string;
  let instanceKey: string;
  const seen: Array<{ type: string; retries: number; instanceId: string; variables: Record<string, unknown> }> = [];
  let flakyCalls = 0;

  const handlers = new Map<string, JobHandler<any>>([
    ['test.ok', async (job) => (seen.push(job), complete({ checked: true, doubled: (job.variables.requested as number) * 2 }))],
    ['test.flaky', async (job) => (seen.push(job), ++flakyCalls === 1 ? fail({ message: '社保接口超时', backoffMs: 50 }) : complete({ flaky: 'ok' }))],
    ['test.business', async (job) => (seen.push(job), bpmnError('QUOTA_EXCEEDED', '可用编制 0', { available: 0 }))],
    ['test.throws', async (job) => {
      seen.push(job);
      throw new Error('数据库连接中断');
    }],
    ['test.hopeless', async (job) => (seen.push(job), fail({ message: '参数表缺失', retries: 0 }))],
  ]);

  before(async () => {
    db = (await getTestDatabase()).knex;
    s = await startStandIns();
  });
  after(() => s.stop());

  beforeEach(async () => {
    await resetDatabase(db);
    seen.length = 0;
    flakyCalls = 0;
    // an instance of ours, as ZeebeEngine.startInstance leaves it
    const [definition] = await db('process_definitions').insert({ process_id: 'test-process', version: 1, resource_name: 'test.bpmn', xml: '<x/>', checksum: 'c', deployed_by: 'test' }).returning('id');
    instanceId = randomUUID();
    await db('process_instances').insert({ id: instanceId, definition_id: definition.id, process_id: 'test-process', version: 1, state: 'active', variables: JSON.stringify({ requested: 2 }), started_by: 'user:test' });
    instanceKey = s.gateway.key();
    s.gateway.instances.set(instanceKey, { key: instanceKey, bpmnProcessId: 'test-process', version: 1, variables: { requested: 2, [INSTANCE_ID_VARIABLE]: instanceId }, state: 'ACTIVE' });
  });

  const job = (type: string, retries = 3) => s.gateway.addJob({ type, processInstanceKey: instanceKey, retries });
  const commands = (method: string, j: StandInJob) => s.gateway.callsOf(method).filter((r) => String(r.jobKey) === j.key);
  const audit = (kind: string) => db('audit_events').where({ instance_id: instanceId, kind }).orderBy('seq');

  for (const mode of ['stream', 'poll'] as const) {
    describe(`${mode} mode`, () => {
      let workers: RunningWorkers;
      const name = `test-worker-${mode}`;

      beforeEach(() => {
        workers = startZeebeWorkers({ grpc: s.clients().grpc, db, handlers, log: createSilentLogger(), workerName: name, mode, jobTimeoutMs: 30_000, pollIntervalMs: 100 });
      });
      afterEach(() => workers.stop());

      it(`activates jobs by ${mode === 'stream' ? 'StreamActivatedJobs' : 'ActivateJobs'} and completes them with the handler's variables`, async () => {
        // when a job of a registered type is created
        const j = job('test.ok');
        await s.gateway.until(() => j.state === 'completed', 'the job to be completed');
        await workers.idle();
        // then the worker asked for that type under its name and the job's timeout
        const method = mode === 'stream' ? 'StreamActivatedJobs' : 'ActivateJobs';
        const request = s.gateway.callsOf(method).find((r) => r.type === 'test.ok' && r.worker === name);
        assert.ok(request, `${method} for test.ok`);
        assert.equal(request.timeout, '30000');
        // the handler saw our instance id and the variables, not our bookkeeping variable
        assert.equal(seen[0]!.instanceId, instanceId);
        assert.deepEqual(seen[0]!.variables, { requested: 2 });
        // the completion carried the handler's variables
        assert.deepEqual(JSON.parse(commands('CompleteJob', j)[0].variables), { checked: true, doubled: 4 });
        // and our instance and log have them
        assert.deepEqual((await db('process_instances').where({ id: instanceId }).first()).variables, { requested: 2, checked: true, doubled: 4 });
        const [completed] = await audit('job.completed');
        assert.equal(completed.actor, `worker:${name}`);
        assert.deepEqual(completed.payload.input, { checked: true, doubled: 4 });
      });

      it('fails with one retry fewer and the backoff, and completes when the broker hands the job out again', async () => {
        const j = job('test.flaky', 3);
        await s.gateway.until(() => j.state === 'completed', 'the retried job to be completed');
        await workers.idle();
        const [failure] = commands('FailJob', j);
        assert.deepEqual({ retries: failure.retries, retryBackOff: failure.retryBackOff, errorMessage: failure.errorMessage }, { retries: 2, retryBackOff: '50', errorMessage: '社保接口超时' });
        assert.equal(commands('CompleteJob', j).length, 1);
        assert.deepEqual(seen.map((x) => x.retries), [3, 2]);
        assert.deepEqual((await audit('job.failed')).map((e) => e.payload.retries), [2]);
        assert.equal(await db('incidents').where({ instance_id: instanceId }).count('* as n').first().then((r) => Number(r!.n)), 0);
      });

      it('throws a BPMN error with its code, message and variables', async () => {
        const j = job('test.business');
        await s.gateway.until(() => j.state === 'error-thrown', 'the error to be thrown');
        await workers.idle();
        const [thrown] = commands('ThrowError', j);
        assert.deepEqual({ errorCode: thrown.errorCode, errorMessage: thrown.errorMessage, variables: JSON.parse(thrown.variables) }, { errorCode: 'QUOTA_EXCEEDED', errorMessage: '可用编制 0', variables: { available: 0 } });
        const [event] = await audit('job.error-thrown');
        assert.equal(event.payload.code, 'QUOTA_EXCEEDED');
      });

      it('turns a thrown error into a fail with one retry fewer', async () => {
        const j = job('test.throws', 2);
        await s.gateway.until(() => commands('FailJob', j).length === 1, 'the fail');
        await workers.idle();
        assert.deepEqual({ retries: commands('FailJob', j)[0].retries, errorMessage: commands('FailJob', j)[0].errorMessage }, { retries: 1, errorMessage: '数据库连接中断' });
      });

      it('fails with 0 retries: the broker raises an incident and our instance counts one', async () => {
        const j = job('test.hopeless');
        await s.gateway.until(() => j.state === 'incident', 'the incident');
        await workers.idle();
        assert.equal(commands('FailJob', j)[0].retries, 0);
        const incidents = await db('incidents').where({ instance_id: instanceId, state: 'active' });
        assert.equal(incidents.length, 1);
        assert.equal(incidents[0].error_type, 'JOB_NO_RETRIES');
        assert.equal(incidents[0].command.jobKey, j.key);
        assert.deepEqual((await db('audit_events').where({ instance_id: instanceId }).orderBy('seq').pluck('kind')), ['job.failed', 'incident.created']);
      });
    });
  }

  it('leaves our records alone when the broker refuses the outcome (job canceled meanwhile)', async () => {
    // given a job whose instance was canceled while the handler ran
    const workers = startZeebeWorkers({ grpc: s.clients().grpc, db, handlers: new Map([['test.slow', async () => {
      j.state = 'canceled';
      return complete({ late: true });
    }]]), log: createSilentLogger(), workerName: 'slow-worker' });
    const j = job('test.slow');
    try {
      await s.gateway.until(() => commands('CompleteJob', j).length === 1, 'the completion attempt');
      await workers.idle();
      // then nothing was recorded as done
      assert.deepEqual(await audit('job.completed'), []);
      assert.deepEqual((await db('process_instances').where({ id: instanceId }).first()).variables, { requested: 2 });
    } finally {
      await workers.stop();
    }
  });
});
