// A worker process SIGKILLed while its handler works: the task stays locked to it until the lock
// expires, then another worker gets it, and the step is recorded once. And `npm run workers`
// (workers/cli.ts) as its own process on the server's PostgreSQL database, stopped with SIGTERM.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../server/core/logger';
import { complete } from '../../workers/job';
import { startExternalTaskWorkers, type RunningExternalTaskWorkers } from '../../workers/runtime/external-task';
import { databaseUrlOf, killAllSpawned, Spawned } from '../durability/harness';
import { newGraduate } from '../processes/harness';
import { requireRealPostgres } from '../support/db';
import { caseDriver, eventually, POLICY_EDITOR, runZ1, startExternalTaskServer, WORKER_USER, type ExternalTaskServer } from './harness';

const LOCK_MS = 1500;

describe('external-task workers in processes of their own', function () {
  this.timeout(120_000);
  let s: ExternalTaskServer;
  let rescuer: RunningExternalTaskWorkers | undefined;

  before(async () => {
    s = await startExternalTaskServer();
    const content = readFileSync(fileURLToPath(new URL('../fixtures/engine.error-boundary.bpmn', import.meta.url)), 'utf8');
    await s.running.engine.deploy([{ name: 'engine.error-boundary.bpmn', content }], POLICY_EDITOR);
  });
  after(async () => {
    await killAllSpawned();
    await rescuer?.stop();
    await s?.stop();
  });

  it('hands the task of a worker killed mid-task to another worker after the lock expires, and records the step once', async () => {
    // given a worker process working on the task of an instance
    const db = s.t.db.knex;
    const { id } = await s.running.engine.startInstance({ processKey: 'engine-error-boundary', variables: {} }, POLICY_EDITOR);
    const stuck = new Spawned('stuck-worker', ['test/external-tasks/stuck-worker.ts', s.engineRest, 'stuck', String(LOCK_MS)], {});
    const line = await stuck.nextLine(/^HANDLING /, 30_000);
    const jobKey = line.split(' ')[1];
    const lockedAt = Date.now();
    // when it is SIGKILLed in the middle of the handler
    await stuck.kill('SIGKILL');
    assert.equal((await db('jobs').where({ id: jobKey }).first()).worker, `${WORKER_USER}/stuck`);
    // then a second worker gets the task once the lock has expired, and completes it
    let takenAt = 0;
    rescuer = startExternalTaskWorkers({
      baseUrl: s.engineRest,
      username: WORKER_USER,
      password: 'demo',
      workerId: 'rescuer',
      handlers: new Map([['test.check', async () => ((takenAt = Date.now()), complete({ checked: true }))]]),
      log: createLogger({ logLevel: 'silent' }),
      asyncResponseTimeoutMs: 2000,
    });
    await eventually('the instance to complete', async () => ((await db('process_instances').where({ id }).first()).state === 'completed' ? true : undefined));
    assert.ok(takenAt - lockedAt >= LOCK_MS - 200, `taken ${takenAt - lockedAt} ms after the lock, which lasts ${LOCK_MS} ms`);
    const completed = await db('audit_events').where({ instance_id: id, kind: 'job.completed', element_id: 'Task_Check' });
    assert.equal(completed.length, 1);
    assert.equal(completed[0].actor, `worker:${WORKER_USER}/rescuer`);
    const activations = await db('audit_events').where({ instance_id: id, kind: 'job.activated' }).orderBy('seq').pluck('actor');
    assert.deepEqual(activations, [`worker:${WORKER_USER}/stuck`, `worker:${WORKER_USER}/rescuer`]);
    await rescuer.stop();
    rescuer = undefined;
  });

  it('runs `npm run workers` (workers/cli.ts) on the server\'s PostgreSQL: a Z1 case ends, SIGTERM stops it cleanly', async function () {
    requireRealPostgres(this, 'the worker process opens the server\'s database; PGlite cannot be opened by a second process');
    // given the CLI in its own process, on the test database, against this server
    const databaseUrl = await databaseUrlOf(s.t.db.knex);
    const cli = new Spawned('workers-cli', ['workers/cli.ts', '--url', s.engineRest, '--user', WORKER_USER, '--password', 'demo', '--worker-id', 'cli', '--async-response-timeout', '3000'], {
      DATABASE_URL: databaseUrl,
      DEMO: '1',
      LOG_LEVEL: 'info',
    });
    await cli.nextLine(/external-task workers polling/, 30_000);
    // when the departments work a Z1 case
    const id = await runZ1(s, 'U001', newGraduate()).catch((err: Error) => {
      throw new Error(`${err.message}\n${cli.output()}`);
    });
    // then the CLI's handlers did every job
    assert.equal((await caseDriver(s).ended(id)).state, 'completed');
    const actors = await s.t.db.knex('audit_events').where({ instance_id: id, kind: 'job.completed' }).distinct('actor').pluck('actor');
    assert.deepEqual(actors, [`worker:${WORKER_USER}/cli`]);
    // and SIGTERM ends it with exit code 0, after it said so
    await cli.kill('SIGTERM');
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
    assert.ok(cli.linesMatching(/"msg":"stopped"/).length === 1, cli.output());
  });
});
