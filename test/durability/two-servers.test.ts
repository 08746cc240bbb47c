// Durability (issue 2, point 7): two server processes on one PostgreSQL database. Instances are
// started and tasks claimed and completed through both; claims and completions of one task race
// across both; both servers poll the same timers. Every step must be recorded once and every timer
// fire once.
//
// The service task's worker runs in the test process (an embedded engine + in-process workers on
// the same database): a third engine process, but nobody kills it here, so it needs no process of its own.
import { strict as assert } from 'node:assert';
import knexFactory from 'knex';
import type { Database } from '../../server/core/db';
import { createSilentLogger } from '../../server/core/logger';
import { migrateLatest } from '../../server/core/migrate';
import { hashPassword } from '../../server/core/passwords';
import { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import { createUsersRepository } from '../../server/repositories/users';
import { startInProcessWorkers, type RunningWorkers } from '../../workers/runtime/in-process';
import { openScratchDatabase, requireRealPostgres } from '../support/db';
import {
  Api,
  auditChainProblems,
  countsOtherThan,
  databaseUrlOf,
  fixture,
  freePort,
  inParallel,
  instancesOffPath,
  openRows,
  startServer,
  waitUntil,
  type Answer,
  type Spawned,
} from './harness';
import { createDurabilityHandlers, createJobRunsTable } from './workers';

const PROCESS_ID = 'durability-two-servers';
const PATH = ['StartEvent_Begin', 'Task_Receive', 'Task_Stamp', 'Event_Cooldown', 'Task_Confirm', 'EndEvent_Done'];
const INSTANCES = 40;
const CLERKS = 20;
const RACES = 5;
const PASSWORD = 'two-servers-password';
const TIMER_POLL_INTERVAL_MS = 100;

interface Race {
  taskId: string;
  claims: Answer[];
  winners: string[];
  completions: Answer[];
}

describe('durability: two server processes on one database', function () {
  this.timeout(90_000);
  let scratch: (Database & { drop(): Promise<void> }) | undefined;
  const spawned: Spawned[] = [];
  let workers: RunningWorkers | undefined;
  const seen = { unexpected: [] as string[], races: [] as Race[], startedThrough: [0, 0], claimedThrough: [0, 0] };

  before(async function () {
    requireRealPostgres(this, 'runs two real server processes on one PostgreSQL database');
    scratch = await openScratchDatabase();

    // given: two servers on one database, both polling timers every 100 ms (B starts once A has
    // migrated: starting both at the same moment is the separate test below)
    const knex = scratch.knex;
    const databaseUrl = await databaseUrlOf(knex);
    const env = { TIMER_POLL_INTERVAL_MS: String(TIMER_POLL_INTERVAL_MS) };
    const a = await startServer('server-A', { databaseUrl, port: await freePort(), env });
    spawned.push(a.proc);
    const b = await startServer('server-B', { databaseUrl, port: await freePort(), env });
    spawned.push(b.proc);
    const servers = [new Api(a.baseUrl), new Api(b.baseUrl)] as const;

    // twenty clerks of 编办 (the demo district has two), each signed in through one of the servers
    const passwordHash = await hashPassword(PASSWORD, 10);
    const usernames = Array.from({ length: CLERKS }, (_, i) => `two-servers-clerk-${i}`);
    await knex.transaction(async (trx) => {
      const users = createUsersRepository(trx);
      for (const username of usernames) await users.insert({ username, displayName: username, passwordHash, departmentId: 'bianban', roles: ['clerk'] });
    });
    const tokens = await Promise.all(usernames.map((u, i) => servers[i % 2].login(u, PASSWORD)));
    const tokenOf = new Map(usernames.map((u, i) => [u, tokens[i]]));

    const deployed = await servers[0].deploy(await servers[0].login('policy-editor'), [fixture('durability.two-servers.bpmn')]);
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));

    await createJobRunsTable(knex);
    workers = startInProcessWorkers({
      engine: new EmbeddedEngine({ db: knex, log: createSilentLogger(), timerPollIntervalMs: 60_000 }),
      handlers: createDurabilityHandlers({ knex, worker: 'test-process', workMs: () => 10 }),
      log: createSilentLogger(),
      workerName: 'test-process',
      pollIntervalMs: 50,
    });

    const began = Date.now();
    const expect = (what: string, res: Answer, status: number) => {
      if (res.status !== status) seen.unexpected.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.status === status;
    };

    // when: instances are started through both servers
    await inParallel(
      Array.from({ length: INSTANCES }, (_, i) => i),
      8,
      async (i) => {
        const res = await servers[i % 2].call('POST', '/api/process-instances', { token: tokens[i % CLERKS], body: { processKey: PROCESS_ID, businessKey: `two-${i}`, variables: { n: i } } });
        if (expect(`start two-${i}`, res, 201)) seen.startedThrough[i % 2]++;
      },
    );

    // and twenty clerks claim one task at once, half through each server; then its winner completes
    // it four times at once, twice through each server; for several tasks
    const racedTasks: Array<{ id: string }> = await knex('user_tasks').select('id').where({ element_id: 'Task_Receive', state: 'created' }).orderBy('created_at').limit(RACES);
    for (const task of racedTasks) {
      const claims = await Promise.all(usernames.map((u, i) => servers[i % 2].call('POST', `/api/tasks/${task.id}/claim`, { token: tokenOf.get(u) })));
      const winners = usernames.filter((_, i) => claims[i].status === 200);
      const winnerToken = tokenOf.get(winners[0] ?? usernames[0]);
      const completions = await Promise.all([0, 1, 0, 1].map((s) => servers[s].call('POST', `/api/tasks/${task.id}/complete`, { token: winnerToken, body: {} })));
      seen.races.push({ taskId: task.id, claims, winners, completions });
    }

    // and every other task (they have no form, so they take no variables) is claimed through one server and completed through the other, until all instances end
    let turn = 0;
    const stalled = (err: Error) => {
      throw new Error(`${err.message}\nunexpected answers (first 5 of ${seen.unexpected.length}):\n${seen.unexpected.slice(0, 5).join('\n')}`);
    };
    await waitUntil(`all ${INSTANCES} instances to complete`, 40_000, async () => {
      const list = await servers[turn++ % 2].call('GET', '/api/tasks?pageSize=200&sort=created', { token: tokens[0] });
      if (!expect('list', list, 200)) return undefined;
      const open: Array<{ id: string; assignee: string | null }> = list.body.data;
      if (!open.length) {
        const [{ count }] = await knex('process_instances').where({ process_id: PROCESS_ID, state: 'completed' }).count<{ count: string }[]>('* as count');
        return Number(count) === INSTANCES ? true : undefined; // else: waiting for a job or a timer
      }
      await inParallel(open, 8, async (task) => {
        const k = turn++;
        const username = task.assignee ?? usernames[k % CLERKS];
        if (!task.assignee) {
          if (!expect(`claim ${task.id}`, await servers[k % 2].call('POST', `/api/tasks/${task.id}/claim`, { token: tokenOf.get(username) }), 200)) return;
          seen.claimedThrough[k % 2]++;
        }
        const done = await servers[(k + 1) % 2].call('POST', `/api/tasks/${task.id}/complete`, { token: tokenOf.get(username), body: {} });
        expect(`complete ${task.id}`, done, 204);
      });
      return undefined;
    }).catch(stalled);

    console.log(
      [
        `      measured: ${INSTANCES} instances, started through A/B ${seen.startedThrough.join('/')}, all completed ${Date.now() - began} ms after the first start; servers up in ${a.startMs} / ${b.startMs} ms`,
        `      ${RACES} races of ${CLERKS} concurrent claims → 200s per race: ${seen.races.map((r) => r.claims.filter((c) => c.status === 200).length).join(',')}; 4 concurrent completions per race → ${seen.races.map((r) => r.completions.map((c) => c.status).join('/')).join(', ')}`,
        `      other claims through A/B ${seen.claimedThrough.join('/')}, each completed through the other server; timers PT1S polled every ${TIMER_POLL_INTERVAL_MS} ms by both servers`,
      ].join('\n'),
    );
  });

  after(async () => {
    await workers?.stop();
    await Promise.all(spawned.map((proc) => proc.kill('SIGKILL')));
    await scratch?.drop();
  });

  it('answers every request through either server as the API documents', () => {
    assert.deepEqual(seen.unexpected, []);
    assert.deepEqual(seen.startedThrough, [INSTANCES / 2, INSTANCES / 2]);
  });

  it('lets exactly one of 20 concurrent claims through both servers win, and tells the others who holds the task', async () => {
    assert.equal(seen.races.length, RACES);
    for (const race of seen.races) {
      assert.deepEqual(race.claims.map((c) => c.status).sort(), [200, ...Array(CLERKS - 1).fill(409)], `claims of task ${race.taskId}`);
      const told = race.claims.filter((c) => c.status === 409).map((c) => `${c.body?.error?.code}:${c.body?.error?.details?.assignee}`);
      assert.deepEqual(told, Array(CLERKS - 1).fill(`TASK_ALREADY_CLAIMED:${race.winners[0]}`));
      const task = await scratch!.knex('user_tasks').where({ id: race.taskId }).first();
      assert.equal(task.assignee, race.winners[0]);
    }
    assert.deepEqual(await countsOtherThan(scratch!.knex, 'user-task.claimed', `payload->>'taskId'`, 1), [], 'each task claimed once in the audit log');
  });

  it('accepts exactly one of four concurrent completions of a task through both servers', async () => {
    for (const race of seen.races) {
      assert.deepEqual(race.completions.map((c) => c.status).sort(), [204, 409, 409, 409], `completions of task ${race.taskId}`);
      assert.ok(race.completions.filter((c) => c.status === 409).every((c) => c.body?.error?.code === 'TASK_NOT_ACTIVE'));
      const task = await scratch!.knex('user_tasks').where({ id: race.taskId }).first();
      assert.equal(task.completed_by, race.winners[0]);
    }
  });

  it('completes every instance started through either server', async () => {
    const states: Array<{ state: string }> = await scratch!.knex('process_instances').select('state').where({ process_id: PROCESS_ID });
    assert.equal(states.length, INSTANCES);
    assert.deepEqual(states.filter((s) => s.state !== 'completed'), []);
  });

  it('records each task completion and each job completion once', async () => {
    const knex = scratch!.knex;
    assert.deepEqual(await countsOtherThan(knex, 'user-task.completed', `payload->>'taskId'`, 1), []);
    assert.deepEqual(await countsOtherThan(knex, 'job.completed', `payload->>'jobKey'`, 1), []);
    assert.deepEqual(await countsOtherThan(knex, 'instance.completed', 'instance_id::text', 1), []);
    const [{ count }] = await knex('audit_events').where({ kind: 'job.completed' }).count<{ count: string }[]>('* as count');
    assert.equal(Number(count), INSTANCES);
  });

  it('fires each timer once although both servers poll for it: one follow-up task per instance', async () => {
    const knex = scratch!.knex;
    const timers: Array<{ state: string }> = await knex('timers').select('state');
    assert.equal(timers.length, INSTANCES);
    assert.ok(timers.every((t) => t.state === 'fired'));
    const confirmations: Array<{ instance_id: string; n: string }> = await knex('user_tasks').select('instance_id').count('* as n').where({ element_id: 'Task_Confirm' }).groupBy('instance_id');
    assert.equal(confirmations.length, INSTANCES);
    assert.ok(confirmations.every((c) => Number(c.n) === 1));
  });

  it('records each timer firing once in the audit log, never before it was due', async () => {
    const knex = scratch!.knex;
    const fired: Array<{ instance_id: string; occurred_at: Date; payload: { dueAt: string } }> = await knex('audit_events').select('instance_id', 'occurred_at', 'payload').where({ kind: 'timer.fired' });
    const lateness = fired.map((r) => new Date(r.occurred_at).getTime() - new Date(r.payload.dueAt).getTime()).sort((x, y) => x - y);
    console.log(`      timer.fired events: ${fired.length}${lateness.length ? `, late by p50 ${lateness[Math.floor(lateness.length / 2)]} ms, max ${lateness[lateness.length - 1]} ms` : ''}`);
    assert.equal(new Set(fired.map((r) => r.instance_id)).size, INSTANCES, 'a timer.fired event for every instance');
    assert.equal(fired.length, INSTANCES, 'and only one each');
    assert.ok(lateness[0] >= 0, `no timer fired before it was due (earliest ${lateness[0]} ms after)`);
  });

  it('records each element of each instance completed exactly once', async () => {
    const off = await instancesOffPath(scratch!.knex, PROCESS_ID, PATH);
    assert.deepEqual(off.slice(0, 3), [], `${off.length} of ${INSTANCES} instances do not complete ${PATH.join(', ')} once each (first 3 shown)`);
  });

  it('leaves no open job, task, timer, subscription, command or incident', async () => {
    assert.deepEqual(await openRows(scratch!.knex), { jobs: 0, userTasks: 0, timers: 0, subscriptions: 0, commands: 0, incidents: 0 });
  });

  it('keeps the audit hash chain linked over the whole table', async () => {
    const chain = await auditChainProblems(scratch!.knex);
    assert.ok(chain.rows > INSTANCES * 15, `${chain.rows} audit rows`);
    assert.deepEqual(chain.problems.slice(0, 5), []);
  });
});

describe('durability: two server processes started at the same moment on a fresh database', function () {
  this.timeout(60_000);
  const spawned: Spawned[] = [];
  const scratches: Array<Database & { drop(): Promise<void> }> = [];

  before(function () {
    requireRealPostgres(this, 'starts two real server processes on one PostgreSQL database');
  });

  after(async () => {
    await Promise.all(spawned.map((proc) => proc.kill('SIGKILL')));
    for (const scratch of scratches) await scratch.drop();
  });

  it('migrates once when two processes migrate the same fresh database at once', async () => {
    // given: a fresh database and two connection pools, as two servers have at start
    const scratch = await openScratchDatabase();
    scratches.push(scratch);
    const url = await databaseUrlOf(scratch.knex);
    const pools = [0, 1].map(() => knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } }));
    try {
      // when
      const results = await Promise.allSettled(pools.map((pool) => migrateLatest(pool)));
      // then
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message).split('\n')[0]] : []));
      assert.deepEqual(failures, [], 'both migrate calls succeed (one applies, the other finds nothing to do)');
    } finally {
      await Promise.all(pools.map((pool) => pool.destroy()));
    }
  });

  it('brings both servers up, in each of three rounds on a fresh database', async () => {
    for (let round = 1; round <= 3; round++) {
      // given
      const scratch = await openScratchDatabase();
      scratches.push(scratch);
      const databaseUrl = await databaseUrlOf(scratch.knex);
      // when: both spawned together
      const results = await Promise.allSettled(
        ['A', 'B'].map(async (name) => {
          const server = await startServer(`round-${round}-${name}`, { databaseUrl, port: await freePort(), startTimeoutMs: 25_000 });
          spawned.push(server.proc);
          return server;
        }),
      );
      // then
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message).split('\n').slice(0, 2).join(' | ')] : []));
      assert.deepEqual(failures, [], `round ${round}: both servers answer /api/health`);
      await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.proc.kill('SIGKILL') : undefined)));
    }
  });
});
