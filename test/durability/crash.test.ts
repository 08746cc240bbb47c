// Durability (issue 2, point 7): a real server process is SIGKILLed twice at random moments while
// HTTP load runs, and the worker process is SIGKILLed while a handler works. After restarts on the
// same database every instance finishes, with each step, task and job recorded exactly once.
//
// The workers run in a spawned process (worker-process.ts), not in the test process: a worker that
// dies mid-job is part of what is tested, and only a separate process can be SIGKILLed.
import { strict as assert } from 'node:assert';
import type { Database } from '../../server/core/db';
import { openScratchDatabase, requireRealPostgres } from '../support/db';
import {
  Api,
  NoAnswer,
  Spawned,
  auditChainProblems,
  countsOtherThan,
  databaseUrlOf,
  fixture,
  freePort,
  inParallel,
  instancesOffPath,
  openRows,
  pause,
  startServer,
  waitUntil,
} from './harness';
import { createJobRunsTable } from './workers';

const PROCESS_ID = 'durability-chain';
const PATH = ['StartEvent_Begin', 'Task_Register', 'Task_Stamp', 'Task_Approve', 'Task_Archive', 'EndEvent_Done'];
const INSTANCES = 60;
const USER_TASKS = INSTANCES * 2;
const LOAD_TIMEOUT_MS = 45_000;
/** a job of a killed worker is handed out again this long after it was activated */
const JOB_TIMEOUT_MS = 1500;

describe('durability: SIGKILL of a server process mid-load', function () {
  this.timeout(90_000);
  let scratch: (Database & { drop(): Promise<void> }) | undefined;
  const spawned: Spawned[] = [];
  let finished = false;
  /** what the load saw; the assertions below read it and the database */
  const seen = {
    ackedStarts: new Map<string, string>(),
    ackedCompletions: new Set<string>(),
    unexpected: [] as string[],
    kills: [] as string[],
    killedJobKey: null as string | null,
  };

  before(async function () {
    requireRealPostgres(this, 'SIGKILLs real server and worker processes that share one PostgreSQL database');
    scratch = await openScratchDatabase();

    // given: a server, a worker process and the chain user task → service task → user task → service task
    const knex = scratch.knex;
    const databaseUrl = await databaseUrlOf(knex);
    const port = await freePort();
    const began = Date.now();
    const elapsed = () => Date.now() - began;

    const launchServer = async (n: number) => {
      if (finished) throw new Error('test already finished');
      const server = await startServer(`server#${n}`, { databaseUrl, port });
      spawned.push(server.proc);
      return server;
    };
    const launchWorker = async (n: number) => {
      if (finished) throw new Error('test already finished');
      const proc = new Spawned(`worker#${n}`, ['test/durability/worker-process.ts', databaseUrl, `worker-${n}`, String(JOB_TIMEOUT_MS)], {});
      spawned.push(proc);
      await proc.nextLine(/^ready$/, 20_000);
      return proc;
    };

    let server = await launchServer(1);
    const firstStartMs = server.startMs;
    await createJobRunsTable(knex);
    let worker = await launchWorker(1);
    const api = new Api(server.baseUrl);
    const deployed = await api.deploy(await api.login('policy-editor'), [fixture('durability.chain.bpmn')]);
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const clerk = await api.login('bianban-clerk');

    // when: N instances are started and their user tasks claimed and completed over HTTP, while the
    // server is SIGKILLed twice and the worker once, each at a random point of the load
    const loadDeadline = Date.now() + LOAD_TIMEOUT_MS;
    let noAnswers = 0;
    let completions = 0;
    let startsDone = false;

    const fraction = (from: number, to: number) => Math.round(USER_TASKS * (from + Math.random() * (to - from)));
    const chaosPlan = [
      { kind: 'server' as const, atCompletions: fraction(0.1, 0.3) },
      { kind: 'worker' as const, atCompletions: fraction(0.35, 0.5) },
      { kind: 'server' as const, atCompletions: fraction(0.55, 0.8) },
    ];

    const overdue = (what: string) => {
      if (Date.now() > loadDeadline) throw new Error(`load not finished after ${LOAD_TIMEOUT_MS} ms (${what}; ${completions} tasks completed)\n${server.proc.output(20)}`);
    };
    const noAnswer = async (err: unknown) => {
      if (!(err instanceof NoAnswer)) throw err;
      noAnswers++;
      await pause(100); // the server is down; the chaos loop restarts it
    };

    const startOne = async (key: string) => {
      let attempted = false;
      for (;;) {
        overdue(`starting ${key}`);
        if (attempted) {
          // a start whose answer was lost may have committed: look before starting again
          const row = await knex('process_instances').select('id').where({ business_key: key }).first();
          if (row) return;
        }
        attempted = true;
        try {
          const res = await api.call('POST', '/api/process-instances', { token: clerk, body: { processKey: PROCESS_ID, businessKey: key, variables: { n: key } } });
          if (res.status === 201) {
            seen.ackedStarts.set(key, res.body.data.id);
            return;
          }
          seen.unexpected.push(`start ${key}: ${res.status} ${JSON.stringify(res.body)}`);
          await pause(100);
        } catch (err) {
          await noAnswer(err);
        }
      }
    };

    const workTask = async (task: { id: string }) => {
      try {
        const claim = await api.call('POST', `/api/tasks/${task.id}/claim`, { token: clerk });
        if (claim.status === 409 && claim.body?.error?.code === 'TASK_NOT_ACTIVE') return; // completed by a request whose answer was lost
        if (claim.status !== 200) return void seen.unexpected.push(`claim ${task.id}: ${claim.status} ${JSON.stringify(claim.body)}`);
        // the fixture's tasks have no form: they take no variables
        const done = await api.call('POST', `/api/tasks/${task.id}/complete`, { token: clerk, body: {} });
        if (done.status === 204) {
          seen.ackedCompletions.add(task.id);
          completions++;
        } else if (!(done.status === 409 && done.body?.error?.code === 'TASK_NOT_ACTIVE')) {
          seen.unexpected.push(`complete ${task.id}: ${done.status} ${JSON.stringify(done.body)}`);
        }
      } catch (err) {
        await noAnswer(err);
      }
    };

    const allCompleted = async () => {
      if (!startsDone) return false;
      const [{ count }] = await knex('process_instances').where({ process_id: PROCESS_ID, state: 'completed' }).count<{ count: string }[]>('* as count');
      return Number(count) >= INSTANCES;
    };

    const workTasks = async () => {
      for (;;) {
        overdue('working the inbox');
        let tasks: Array<{ id: string }>;
        try {
          const res = await api.call('GET', '/api/tasks?pageSize=200&sort=created', { token: clerk });
          if (res.status !== 200) {
            seen.unexpected.push(`list: ${res.status} ${JSON.stringify(res.body)}`);
            await pause(100);
            continue;
          }
          tasks = res.body.data;
        } catch (err) {
          await noAnswer(err);
          continue;
        }
        if (tasks.length) await inParallel(tasks, 6, workTask);
        else if (await allCompleted()) return;
        else await pause(50); // the next tasks wait for jobs in the worker process
      }
    };

    const chaos = async () => {
      for (const step of chaosPlan) {
        await waitUntil(`${step.atCompletions} completed tasks`, LOAD_TIMEOUT_MS, async () => (completions >= step.atCompletions ? true : undefined), 5);
        if (step.kind === 'server') {
          // the moment: requests in flight, so that the kill lands inside some step
          const until = Date.now() + 2000;
          while (api.inFlight === 0 && Date.now() < until) await pause(1);
          const inFlight = api.inFlight;
          const at = elapsed();
          await server.proc.kill('SIGKILL');
          server = await launchServer(seen.kills.length + 2);
          seen.kills.push(`server SIGKILLed at ${at} ms after ${completions}/${USER_TASKS} tasks with ${inFlight} requests in flight; up again after ${server.startMs} ms`);
        } else {
          const line = await worker.nextLine(/^started /, 10_000);
          const at = elapsed();
          await worker.kill('SIGKILL');
          seen.killedJobKey = line.split(' ')[1];
          worker = await launchWorker(2);
          seen.kills.push(`worker SIGKILLed at ${at} ms while a handler ran job ${seen.killedJobKey}, after ${completions}/${USER_TASKS} tasks`);
        }
      }
    };

    const loadBegan = Date.now();
    await Promise.all([
      inParallel(
        Array.from({ length: INSTANCES }, (_, i) => `crash-${i}`),
        6,
        startOne,
      ).then(() => {
        startsDone = true;
      }),
      workTasks(),
      chaos(),
    ]).catch((err: Error) => {
      throw new Error(`${err.message}\n${seen.kills.join('\n')}\nunexpected answers (first 5 of ${seen.unexpected.length}):\n${seen.unexpected.slice(0, 5).join('\n')}`);
    });
    const runs: Array<{ runs: string }> = await knex('durability_job_runs').count('* as runs');
    console.log(
      [
        `      measured: ${INSTANCES} instances, ${USER_TASKS} user tasks, ${INSTANCES * 2} jobs: load ${Date.now() - loadBegan} ms (first server start ${firstStartMs} ms)`,
        ...seen.kills.map((k) => `      ${k}`),
        `      requests without answer: ${noAnswers}; handler runs: ${runs[0].runs} for ${INSTANCES * 2} jobs`,
      ].join('\n'),
    );
  });

  after(async () => {
    finished = true;
    await Promise.all(spawned.map((proc) => proc.kill('SIGKILL')));
    await scratch?.drop();
  });

  it('answers only what the API documents while it is killed and restarted', () => {
    assert.deepEqual(seen.unexpected, []);
    assert.equal(seen.kills.length, 3, 'two server kills and one worker kill happened');
  });

  it('finishes every instance, none lost and none started twice', async () => {
    const instances: Array<{ id: string; business_key: string; state: string }> = await scratch!.knex('process_instances').select('id', 'business_key', 'state').where({ process_id: PROCESS_ID });
    assert.equal(instances.length, INSTANCES, 'one instance per business key');
    assert.equal(new Set(instances.map((i) => i.business_key)).size, INSTANCES);
    for (const [key, id] of seen.ackedStarts) assert.ok(instances.some((i) => i.id === id && i.business_key === key), `acknowledged start ${key} (${id}) kept`);
    assert.deepEqual(instances.filter((i) => i.state !== 'completed'), [], 'every instance completed');
  });

  it('records each element of each instance completed exactly once', async () => {
    const knex = scratch!.knex;
    const off = await instancesOffPath(knex, PROCESS_ID, PATH);
    assert.deepEqual(off.slice(0, 3), [], `${off.length} of ${INSTANCES} instances do not complete ${PATH.join(', ')} once each (first 3 shown)`);
    assert.deepEqual(await countsOtherThan(knex, 'instance.created', 'instance_id::text', 1), []);
    assert.deepEqual(await countsOtherThan(knex, 'instance.completed', 'instance_id::text', 1), []);
  });

  it('records each user task completion once and keeps every acknowledged one', async () => {
    const knex = scratch!.knex;
    assert.deepEqual(await countsOtherThan(knex, 'user-task.completed', `payload->>'taskId'`, 1), []);
    const tasks: Array<{ id: string; state: string }> = await knex('user_tasks').select('id', 'state');
    assert.equal(tasks.length, USER_TASKS);
    for (const id of seen.ackedCompletions) assert.equal(tasks.find((t) => t.id === id)?.state, 'completed', `acknowledged completion of task ${id} kept`);
  });

  it('records each job completion once, although the job of the killed worker ran again', async () => {
    const knex = scratch!.knex;
    assert.deepEqual(await countsOtherThan(knex, 'job.completed', `payload->>'jobKey'`, 1), [], 'no job completion recorded twice');
    const jobs: Array<{ id: string; state: string; completions: string }> = await knex('jobs as j')
      .select('j.id', 'j.state', knex.raw(`(select count(*) from audit_events a where a.kind = 'job.completed' and a.payload->>'jobKey' = j.id::text) as completions`));
    assert.equal(jobs.length, INSTANCES * 2);
    assert.deepEqual(jobs.filter((j) => j.state !== 'completed' || Number(j.completions) !== 1), [], 'every job row completed, with exactly one job.completed event');
    assert.ok(seen.killedJobKey, 'the worker was killed while a handler ran');
    const [{ runs }] = await knex('durability_job_runs').where({ job_key: seen.killedJobKey }).count<{ runs: string }[]>('* as runs');
    assert.ok(Number(runs) >= 2, `the job of the killed worker was handed out again (at-least-once): ${runs} runs`);
  });

  it('leaves no open job, task, timer, subscription, command or incident', async () => {
    assert.deepEqual(await openRows(scratch!.knex), { jobs: 0, userTasks: 0, timers: 0, subscriptions: 0, commands: 0, incidents: 0 });
  });

  it('keeps the audit hash chain linked over the whole table', async () => {
    const chain = await auditChainProblems(scratch!.knex);
    assert.ok(chain.rows > INSTANCES * 20, `${chain.rows} audit rows`);
    assert.deepEqual(chain.problems.slice(0, 5), []);
  });
});
