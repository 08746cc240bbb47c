// Jobs handed to the in-process worker by the step that creates them (server/engine/embedded/local-jobs.ts):
// written activated with the job.activated event, delivered only after the commit, and completed on
// the live session the step left — with exactly the outcome a completion after loading the saved
// state has. The in-process worker runtime gives back what it was handed but will not run.
import { strict as assert } from 'node:assert';
import { InstanceSession } from '../../server/engine/embedded/instance-session';
import { takeHandoff, type HandedJob, type SessionHandoff } from '../../server/engine/embedded/local-jobs';
import type { Variables } from '../../server/engine/types';
import { createSilentLogger } from '../../server/core/logger';
import { complete, type JobHandler } from '../../workers/job';
import { startInProcessWorkers } from '../../workers/runtime/in-process';
import { createEngineHarness, tester, testWorker, type EngineHarness } from './harness';

const LOCAL = 'local-test-worker';

describe('embedded engine: jobs handed to the in-process worker', function () {
  let h: EngineHarness;
  let delivered: HandedJob[];
  let recovers: number;
  const realRecover = InstanceSession.recover;

  before(async () => {
    h = await createEngineHarness();
    await h.deploy('engine.service-task.bpmn', 'engine.gateways.bpmn', 'engine.multi-instance.bpmn', 'engine.user-task.bpmn');
    // counts how often a step loads an instance from its saved state
    InstanceSession.recover = function (...args: Parameters<typeof realRecover>) {
      recovers++;
      return realRecover.apply(InstanceSession, args);
    };
  });

  after(() => {
    InstanceSession.recover = realRecover;
    h.engine.attachLocalWorker(null);
  });

  beforeEach(async () => {
    await h.resetRuntime();
    delivered = [];
    recovers = 0;
    h.engine.attachLocalWorker({ worker: LOCAL, timeoutMs: 60_000, takes: (type) => type.startsWith('test.'), deliver: (jobs) => delivered.push(...jobs) });
  });

  /** Completes every handed job, in the order handed, until none is left; with or without the session it brought. */
  async function workHandedJobs(useHandoff: boolean, output: (job: HandedJob) => Variables): Promise<void> {
    while (delivered.length) {
      const job = delivered.shift()!;
      await h.engine.completeJob(job.key, output(job), testWorker, { handoff: useHandoff ? job.handoff : undefined });
    }
  }

  /** What a run left that must not depend on how the steps loaded the engine. */
  async function trace(instanceId: string): Promise<{ path: string[]; variables: unknown; changes: unknown[]; state: string; openJobs: string[]; openTasks: string[] }> {
    const events: { kind: string; element_id: string | null; payload: any }[] = await h.db('audit_events').where({ instance_id: instanceId }).orderBy('seq');
    const instance = await h.instance(instanceId);
    const jobs: { element_id: string }[] = await h.db('jobs').where({ instance_id: instanceId }).whereIn('state', ['activatable', 'activated']).orderBy('element_id');
    return {
      path: events.map((e) => `${e.kind} ${e.element_id ?? ''}`),
      variables: instance.variables,
      changes: events.filter((e) => e.kind === 'variables.changed').map((e) => e.payload),
      state: instance.state,
      openJobs: jobs.map((j) => j.element_id),
      openTasks: (await h.openTasks(instanceId)).map((t: { element_id: string }) => t.element_id),
    };
  }

  async function runBothWays(processKey: string, variables: Variables, output: (job: HandedJob) => Variables) {
    const runs = [];
    for (const useHandoff of [true, false]) {
      recovers = 0;
      const started = await h.engine.startInstance({ processKey, variables }, tester);
      await workHandedJobs(useHandoff, output);
      runs.push({ ...(await trace(started.id)), recovers });
    }
    return { handedOff: runs[0], loaded: runs[1] };
  }

  it('writes the job activated by the worker, with job.activated, and delivers it only once the step has committed', async () => {
    // given a worker that checks, on delivery, what the database holds
    let seenAtDelivery: { state: string; worker: string; deadline: Date } | undefined;
    h.engine.attachLocalWorker({
      worker: LOCAL,
      timeoutMs: 30_000,
      takes: (type) => type === 'test.check',
      deliver: (jobs) => {
        delivered.push(...jobs);
        // a query on another connection sees the row: the step has committed
        void h.db('jobs').where({ id: jobs[0].key }).first().then((row) => (seenAtDelivery = row));
      },
    });
    // when
    const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 21 } }, tester);
    // then
    assert.equal(delivered.length, 1);
    const [job] = delivered;
    assert.deepEqual([job.type, job.elementId, job.instanceId], ['test.check', 'Task_Check', started.id]);
    assert.equal(job.variables.doubled, 42, 'the job carries its input mappings as an activation would');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(seenAtDelivery?.state, 'activated');
    assert.equal(seenAtDelivery?.worker, LOCAL);
    assert.ok(Math.abs(new Date(seenAtDelivery!.deadline).getTime() - (h.clock.now.getTime() + 30_000)) < 1000, 'deadline = now + the worker timeout');
    const kinds = await h.auditKinds(started.id);
    assert.ok(kinds.indexOf('job.activated') > kinds.indexOf('job.created'), kinds.join(', '));
    // nobody else can activate it
    assert.deepEqual(await h.jobs('test.check'), []);
  });

  it('hands nothing the worker does not take: such jobs wait for activation', async () => {
    h.engine.attachLocalWorker({ worker: LOCAL, timeoutMs: 60_000, takes: () => false, deliver: (jobs) => delivered.push(...jobs) });
    const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 1 } }, tester);
    assert.equal(delivered.length, 0);
    const [job] = await h.jobs('test.check');
    assert.equal(job.instanceId, started.id);
  });

  it('completes a handed job on the live session: no load from the saved state, same outcome as with one', async () => {
    const { handedOff, loaded } = await runBothWays('engine-service-task', { amount: 21 }, () => ({ result: 'ok' }));
    assert.equal(handedOff.recovers, 0, 'the completion continued on the session of the start');
    assert.equal(loaded.recovers, 1);
    const { recovers: _a, ...handedOffOutcome } = handedOff;
    const { recovers: _b, ...loadedOutcome } = loaded;
    assert.deepEqual(handedOffOutcome, loadedOutcome);
    assert.equal(handedOff.state, 'completed');
    assert.equal((handedOff.variables as Variables).checkResult, 'ok');
  });

  it('parallel jobs share one session: the first completion takes it, the second loads the state; same outcome', async () => {
    const outputs = (job: HandedJob): Variables => ({ [`${job.elementId}_done`]: true });
    const { handedOff, loaded } = await runBothWays('engine-gateways', { notifyX: true, notifyY: true, caseNo: 'G-1' }, outputs);
    // two review jobs, then notify-x and notify-y from one step: 4 completions
    assert.equal(loaded.recovers, 4);
    assert.equal(handedOff.recovers, 2, 'one of each pair of parallel jobs continued on the live session');
    const { recovers: _a, ...handedOffOutcome } = handedOff;
    const { recovers: _b, ...loadedOutcome } = loaded;
    assert.deepEqual(handedOffOutcome, loadedOutcome);
    assert.ok(handedOff.path.includes('element.completed Task_NotifyY'), handedOff.path.join('\n'));
  });

  it('multi-instance jobs and their output collection come out the same either way', async () => {
    const { handedOff, loaded } = await runBothWays('engine-multi-instance', { docs: ['用编通知单', '入编通知单', '调令'] }, (job) => ({ number: `No-${job.variables.doc}` }));
    assert.ok(handedOff.recovers < loaded.recovers, `${handedOff.recovers} < ${loaded.recovers}`);
    const { recovers: _a, ...handedOffOutcome } = handedOff;
    const { recovers: _b, ...loadedOutcome } = loaded;
    assert.deepEqual(handedOffOutcome, loadedOutcome);
    assert.deepEqual((handedOff.variables as Variables).numbers, ['No-用编通知单', 'No-入编通知单', 'No-调令']);
    assert.equal(handedOff.openTasks.length, 1, 'the sequential sign-off waits at its first document');
  });

  it('uses a session at most once: a completion after it was taken loads the saved state', async () => {
    // given a handoff already taken (as by a parallel job's completion)
    const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 2 } }, tester);
    const [job] = delivered;
    const handoff = job.handoff as SessionHandoff;
    assert.ok(takeHandoff(handoff), 'the first take gets the session');
    // then
    assert.equal(handoff.taken, true);
    assert.equal(takeHandoff(handoff), null, 'taken at most once');
    // and the completion loads the saved state instead
    await h.engine.completeJob(job.key, { result: 'late' }, testWorker, { handoff });
    assert.equal(recovers, 1);
    assert.equal((await h.instance(started.id)).state, 'completed');
  });

  it('writes nothing of a completion on a session the database has moved past (step_guard), and completes it the usual way', async () => {
    // given the two parallel review jobs, handed with one session; one is completed without it
    const started = await h.engine.startInstance({ processKey: 'engine-gateways', variables: { notifyX: false, notifyY: false, caseNo: 'G-2' } }, tester);
    const [hr, org] = delivered.splice(0);
    await h.engine.completeJob(hr.key, { hrDone: true }, testWorker);
    const stepsBefore = (await h.instance(started.id)).step_count;
    recovers = 0;
    // when the other is completed on the session the start left (now one step behind the row)
    await h.engine.completeJob(org.key, { orgDone: true }, testWorker, { handoff: org.handoff });
    // then the guarded statement was refused and the step ran after loading the state: once
    assert.equal(recovers, 1);
    const row = await h.instance(started.id);
    assert.equal(row.step_count, stepsBefore + 1);
    assert.deepEqual([row.variables.hrDone, row.variables.orgDone], [true, true]);
    const completions = await h.db('audit_events').where({ instance_id: started.id, kind: 'job.completed' });
    assert.equal(completions.length, 2, 'each job completion recorded once');
    assert.ok((await h.elementsCompleted(started.id)).includes('Gateway_Join'));
  });

  it('refuses a completion on the session when the instance was canceled meanwhile, and records nothing', async () => {
    const started = await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: 3 } }, tester);
    const [job] = delivered.splice(0);
    await h.engine.cancelInstance(started.id, tester);
    await assert.rejects(h.engine.completeJob(job.key, { result: 'too late' }, testWorker, { handoff: job.handoff }), (err: any) => err.status === 409);
    assert.equal((await h.db('jobs').where({ id: job.key }).first()).state, 'canceled');
    assert.deepEqual(await h.db('audit_events').where({ instance_id: started.id, kind: 'job.completed' }), []);
    assert.equal((await h.instance(started.id)).state, 'canceled');
  });
});

describe('in-process workers: handed jobs', function () {
  let h: EngineHarness;

  before(async () => {
    h = await createEngineHarness();
    await h.deploy('engine.service-task.bpmn');
  });

  beforeEach(() => h.resetRuntime());

  it('runs handed jobs without activating them, and on stop gives back those it had not started', async () => {
    // given one slot, and a handler that holds its job until released
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const handlers = new Map<string, JobHandler<any>>([
      [
        'test.check',
        async (job) => {
          ran.push(job.key);
          await held;
          return complete({ result: 'ok' });
        },
      ],
    ]);
    const workers = startInProcessWorkers({ engine: h.engine, handlers, log: createSilentLogger(), workerName: LOCAL, maxConcurrent: 1, pollIntervalMs: 60_000 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await h.engine.startInstance({ processKey: 'engine-service-task', variables: { amount: i } }, tester)).id);
    const jobOf = (id: string) => h.db('jobs').where({ instance_id: id }).first();
    // then: one runs, one waits in the worker's queue (both activated by it), the third is left to activation
    assert.equal(ran.length, 1);
    assert.deepEqual([(await jobOf(ids[0])).state, (await jobOf(ids[1])).state, (await jobOf(ids[2])).state], ['activated', 'activated', 'activatable']);
    assert.equal((await jobOf(ids[1])).worker, LOCAL);
    // when the workers stop while the first job still runs
    const stopping = workers.stop();
    release();
    await stopping;
    // then the first completed, the queued one is activatable again at once (not after its deadline)
    assert.equal((await h.instance(ids[0])).state, 'completed');
    const queued = await jobOf(ids[1]);
    assert.deepEqual([queued.state, queued.worker], ['activatable', null]);
    assert.deepEqual(ran.length, 1, 'the queued job was not run after stop');
    const activatable = await h.jobs('test.check');
    assert.deepEqual(activatable.map((j) => j.instanceId).sort(), [ids[1], ids[2]].sort());
  });
});
