// The real camunda-external-task-client-js, bound to the registered handlers by
// workers/runtime/external-task.ts, works every job of a Z1 case against a server listening on a
// port; the engine runs no in-process worker, so every job goes over /engine-rest.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../server/core/logger';
import { startExternalTaskWorkers, type RunningExternalTaskWorkers } from '../../workers/runtime/external-task';
import { newGraduate } from '../processes/harness';
import { caseDriver, runZ1, startExternalTaskServer, WORKER_USER, Z1_APPLICATION, type ExternalTaskServer } from './harness';

const Z1 = 'staff-add-recruitment';
/** task.escalate runs only when a time limit passes (test/processes/time-limits.test.ts) */
const NOT_ON_THIS_PATH = new Set(['task.escalate']);

describe('external-task workers: the real client works a Z1 case', function () {
  this.timeout(120_000);
  let s: ExternalTaskServer;
  let running: RunningExternalTaskWorkers | undefined;

  before(async () => {
    s = await startExternalTaskServer();
  });
  after(async () => {
    await running?.stop();
    await s?.stop();
  });

  it('completes every job type of the case over /engine-rest, each job once', async () => {
    // given external workers for every registered job type, and no in-process worker
    running = startExternalTaskWorkers({
      baseUrl: s.engineRest,
      username: WORKER_USER,
      password: 'demo',
      handlers: s.handlers(),
      log: createLogger({ logLevel: 'silent' }),
      workerId: 'z1-client',
      asyncResponseTimeoutMs: 5000,
    });
    // when the departments work a case that 编办 sends back once, and one that the unit gives up after approval
    const id = await runZ1(s, 'U001', newGraduate());
    const d = caseDriver(s);
    const withdrawn = await d.start(Z1, 'unit-U002', { unitId: await s.unitId('U002') });
    await d.complete(withdrawn, 'Task_ApplyQuotaUse', 'unit-U002', Z1_APPLICATION);
    await d.complete(withdrawn, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve', quotaComment: '同意' });
    await d.complete(withdrawn, 'Task_ApplyRegistration', 'unit-U002', { registrationAction: 'withdraw' });
    // then both end: one registered, one with its reservation released
    const instance = await d.ended(id);
    assert.equal(instance.state, 'completed');
    assert.equal((await d.ended(withdrawn)).state, 'completed');
    const db = s.t.db.knex;
    assert.equal((await db('quota_reservations').where({ instance_id: withdrawn }).whereNot({ status: 'released' })).length, 0);
    const person = await db('persons').where({ id_number: '370612199803150014' }).first();
    assert.equal(person.status, 'active');
    // every job type of the diagram (but the escalation) was completed by the external worker
    const xml = readFileSync(fileURLToPath(new URL(`../../processes/${Z1}.bpmn`, import.meta.url)), 'utf8');
    const diagramTypes = new Set([...xml.matchAll(/taskDefinition type="([^"]+)"/g)].map((m) => m[1]));
    const completed = await db('audit_events').whereIn('instance_id', [id, withdrawn]).where({ kind: 'job.completed' }).select('actor', 'element_id', 'payload');
    const completedTypes = new Set(completed.map((e) => e.payload.type as string));
    assert.deepEqual([...diagramTypes].filter((t) => !NOT_ON_THIS_PATH.has(t) && !completedTypes.has(t)), []);
    assert.deepEqual([...new Set(completed.map((e) => e.actor))], [`worker:${WORKER_USER}/z1-client`]);
    // no job left open or failed, and no job completed twice
    const jobs = await db('jobs').whereIn('instance_id', [id, withdrawn]).select('id', 'state');
    assert.deepEqual(jobs.filter((j) => !['completed', 'canceled'].includes(j.state)), []);
    const byJob = new Map<string, number>();
    for (const e of completed) byJob.set(e.payload.jobKey, (byJob.get(e.payload.jobKey) ?? 0) + 1);
    assert.deepEqual([...byJob.values()].filter((n) => n !== 1), []);
    // the documents were issued by the handlers in this process, on the server's database
    const documents = await db('documents').where({ process_instance_id: id }).pluck('type');
    assert.deepEqual([...documents].sort(), ['DL', 'HBJF', 'RBTZ', 'TZB', 'XZJS', 'YBTZ', 'ZYSP']);
  });
});
