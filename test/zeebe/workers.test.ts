// workers/runtime/zeebe.ts with the real SDK job workers against the gateway stand-in: jobs arrive by
// StreamActivatedJobs (and by ActivateJobs in poll mode), and each handler outcome becomes the
// command the embedded engine's mapping prescribes. Asserts on what the client sent, and on our rows.
//
// Each test has its own stand-ins and clients, its workers are stopped (awaited) before the next test
// starts, its conditions name its own job, and it waits on the stand-in's events, not on time.
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
  // the stand-in's waits are generous (30 s) for a loaded machine; the test's ceiling is above them
  this.timeout(90_000);
  let s: StandIns;
  let db: Knex;
  let instanceId: string;
  let instanceKey: string;
  const seen: Array<{ key: string; type: string; retries: number; instanceId: string; variables: Record<string, unknown> }> = [];
  /** handler runs per job key (test.flaky fails its first) */
  const runs = new Map<string, number>();
  const nthRun = (key: string) => {
    const n = (runs.get(key) ?? 0) + 1;
    runs.set(key, n);
    return n;
  };

  const handlers = new Map<string, JobHandler<any>>([
    ['test.ok', async (job) => (seen.push(job), complete({ checked: true, doubled: (job.variables.requested as number) * 2 }))],
    ['test.flaky', async (job) => (seen.push(job), nthRun(job.key) === 1 ? fail({ message: '社保接口超时', backoffMs: 50 }) : complete({ flaky: 'ok' }))],
    ['test.business', async (job) => (seen.push(job), bpmnError('QUOTA_EXCEEDED', '可用编制 0', { available: 0 }))],
    ['test.throws', async (job) => {
      seen.push(job);
      throw new Error('数据库连接中断');
    }],
    ['test.hopeless', async (job) => (seen.push(job), fail({ message: '参数表缺失', retries: 0 }))],
  ]);

  before(async () => {
    db = (await getTestDatabase()).knex;
  });

  beforeEach(async () => {
    // a cluster of this test's own: no call, job or worker of an earlier test is in it
    s = await startStandIns();
    await resetDatabase(db);
    seen.length = 0;
    runs.clear();
    // an instance of ours, as ZeebeEngine.startInstance leaves it
    const [definition] = await db('process_definitions').insert({ process_id: 'test-process', version: 1, resource_name: 'test.bpmn', xml: '<x/>', checksum: 'c', deployed_by: 'test' }).returning('id');
    instanceId = randomUUID();
    await db('process_instances').insert({ id: instanceId, definition_id: definition.id, process_id: 'test-process', version: 1, state: 'active', variables: JSON.stringify({ requested: 2 }), started_by: 'user:test' });
    instanceKey = s.gateway.key();
    s.gateway.instances.set(instanceKey, { key: instanceKey, bpmnProcessId: 'test-process', version: 1, variables: { requested: 2, [INSTANCE_ID_VARIABLE]: instanceId }, state: 'ACTIVE' });
  });

  // after the describes' own afterEach, which stop their workers
  afterEach(() => s.stop());

  const job = (type: string, retries = 3) => s.gateway.addJob({ type, processInstanceKey: instanceKey, retries });
  const commands = (method: string, j: StandInJob) => s.gateway.callsOf(method).filter((r) => String(r.jobKey) === j.key);
  const seenOf = (j: StandInJob) => seen.filter((x) => x.key === j.key);
  const audit = (kind: string) => db('audit_events').where({ instance_id: instanceId, kind }).orderBy('seq');

  for (const mode of ['stream', 'poll'] as const) {
    describe(`${mode} mode`, () => {
      let workers: RunningWorkers;
      const name = `test-worker-${mode}`;

      beforeEach(() => {
        workers = startZeebeWorkers({ grpc: s.clients().grpc, db, handlers, log: createSilentLogger(), workerName: name, mode, jobTimeoutMs: 30_000, pollIntervalMs: 100 });
      });
      afterEach(() => s.stopWorkers(workers, mode === 'stream' ? handlers.size : 0));

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
        const [handled] = seenOf(j);
        assert.equal(handled!.instanceId, instanceId);
        assert.deepEqual(handled!.variables, { requested: 2 });
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
        assert.deepEqual(seenOf(j).map((x) => x.retries), [3, 2]);
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
        // given a job with 2 retries whose handler throws: without a backoff the broker hands it out
        // again at once, so the handler throws twice and the job ends in an incident
        const j = job('test.throws', 2);
        await s.gateway.until(() => j.state === 'incident', 'the incident after the second fail');
        await workers.idle();
        // then each thrown error became a fail with one retry fewer and the error's message
        assert.deepEqual(commands('FailJob', j).map((f) => ({ retries: f.retries, errorMessage: f.errorMessage })), [
          { retries: 1, errorMessage: '数据库连接中断' },
          { retries: 0, errorMessage: '数据库连接中断' },
        ]);
        assert.deepEqual(seenOf(j).map((x) => x.retries), [2, 1]);
        assert.deepEqual((await audit('job.failed')).map((e) => e.payload.retries), [1, 0]);
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

  it('stops the back-fill poll of stream mode with the worker, a poll in flight at stop() included', async () => {
    const workers = startZeebeWorkers({ grpc: s.clients().grpc, db, handlers: new Map([['test.ok', handlers.get('test.ok')!]]), log: createSilentLogger(), workerName: 'backfill-worker', pollIntervalMs: 20 });
    const polls = () => s.gateway.callsOf('ActivateJobs').filter((r) => r.worker === 'backfill-worker').length;
    // given the initial back-fill poll and a recurring one answered, and the next one in flight
    await s.gateway.until(() => polls() >= 2, 'a recurring back-fill poll');
    const release = s.gateway.holdActivations();
    const inFlight = polls() + 1;
    await s.gateway.until(() => polls() >= inFlight, 'a back-fill poll in flight');
    await s.endJobStreams(1);
    // when the worker stops, and the poll is answered only after stop() has closed what it closes
    const stopping = workers.stop();
    setImmediate(release);
    await stopping;
    // then no poll follows, in 25 intervals (the SDK's own sidecar poll went on for ever here)
    const after = polls();
    await assert.rejects(s.gateway.until(() => polls() > after, 'a poll after stop()', 500), /timed out/);
  });

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
      await s.stopWorkers(workers, 1);
    }
  });
});
