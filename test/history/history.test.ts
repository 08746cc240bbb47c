// History, replay and verification of an instance that was rejected once and resubmitted, and what
// verification reports when the log is altered, shortened or forged.
import { strict as assert } from 'node:assert';
import type { Knex } from 'knex';
import { createSilentLogger } from '../../server/core/logger';
import { migrateLatest } from '../../server/core/migrate';
import { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import { rowHash } from '../../server/services/audit-chain';
import { createHistoryService, type HistoryService } from '../../server/services/history';
import { createProcessInstanceService } from '../../server/services/process-instances';
import type { AuthUser } from '../../server/core/auth-user';
import { openScratchDatabase } from '../support/db';
import { fixture, tester, testWorker } from '../engine/harness';

const auditor: AuthUser = { id: 'a', username: 'auditor', displayName: '审计', roles: ['auditor'], departmentId: null, unitId: null, unitCode: null, groups: [] };

describe('instance history', function () {
  let drop: () => Promise<void>;
  let db: Knex;
  let engine: EmbeddedEngine;
  let history: HistoryService;

  /** Runs one instance: submit, check (score 40), review rejects; submit again, check (score 80), review approves. */
  async function runRejectedThenApproved(): Promise<string> {
    const started = await engine.startInstance({ processKey: 'history-review-loop', variables: { applicant: '李四' } }, tester);
    const task = async () => (await db('user_tasks').where({ instance_id: started.id, state: 'created' }))[0];
    const job = async () => (await engine.activateJobs({ types: ['history.check'], worker: 'w', maxJobs: 10, timeoutMs: 60_000 })).find((j) => j.instanceId === started.id)!;
    await engine.completeUserTask((await task()).id, { material: 'v1' }, tester);
    await engine.completeJob((await job()).key, { score: 40 }, testWorker);
    await engine.completeUserTask((await task()).id, { approved: false }, tester);
    await engine.completeUserTask((await task()).id, { material: 'v2' }, tester);
    await engine.completeJob((await job()).key, { score: 80 }, testWorker);
    await engine.completeUserTask((await task()).id, { approved: true }, tester);
    return started.id;
  }

  /** Writes to the log as a superuser would, past the append-only trigger. */
  async function tamper(work: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
    await db.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await work(trx);
    });
  }

  // one scratch database for the describe: each test runs its own instance, and the tests that
  // tamper with the log only touch that instance's rows (the untouched-log test runs first)
  before(async () => {
    const scratch = await openScratchDatabase();
    drop = scratch.drop;
    db = scratch.knex;
    await migrateLatest(db);
    engine = new EmbeddedEngine({ db, log: createSilentLogger(), timerPollIntervalMs: 60_000 });
    await engine.deploy([{ name: 'history.review-loop.bpmn', content: fixture('history.review-loop.bpmn') }], tester);
    history = createHistoryService({ db, definitions: engine.definitions, instances: createProcessInstanceService({ db, engine }) });
  });

  after(() => drop());

  it('verifies an untouched instance: chain intact and the re-run reproduces every step', async () => {
    // given
    const id = await runRejectedThenApproved();
    // when
    const result = await history.verify(id, auditor);
    // then
    assert.equal(result.chain.intact, true, JSON.stringify(result.chain.problem));
    assert.equal(result.rerun.consistent, true, JSON.stringify(result.rerun.divergence));
    assert.equal(result.rerun.inputsApplied, 6);
    assert.equal(result.ok, true);
    assert.equal((await history.verifyAll()).intact, true);
  });

  it('records who did what at which element, with hashes that link', async () => {
    // given
    const id = await runRejectedThenApproved();
    // when
    const events = await history.history(id, auditor);
    // then
    const kinds = events.map((e) => e.kind);
    assert.equal(kinds[0], 'instance.created');
    assert.equal(kinds.filter((k) => k === 'user-task.completed').length, 4);
    assert.equal(kinds.filter((k) => k === 'job.completed').length, 2);
    assert.ok(kinds.includes('instance.completed'));
    const review = events.filter((e) => e.kind === 'user-task.completed' && e.elementId === 'Task_Review');
    assert.deepEqual(review.map((e) => e.payload.input), [{ approved: false }, { approved: true }]);
    assert.equal(review[0].actor, 'user:tester');
    const changes = events.filter((e) => e.kind === 'variables.changed').map((e) => e.payload.set);
    assert.ok(changes.some((set) => (set as any).score === 40));
    for (let i = 1; i < events.length; i++) assert.ok(events[i].seq > events[i - 1].seq);
  });

  it('replays the state after any event: the rejection sends the case back to the submitter', async () => {
    // given
    const id = await runRejectedThenApproved();
    const events = await history.history(id, auditor);
    const rejection = events.findIndex((e) => e.kind === 'user-task.completed' && (e.payload.input as any)?.approved === false);
    const afterRejection = events.findIndex((e, i) => i > rejection && e.kind === 'user-task.created');
    // when
    const midway = await history.replay(id, afterRejection + 1, auditor);
    const end = await history.replay(id, undefined, auditor);
    // then
    assert.deepEqual(midway.activeElements, ['Task_Submit']);
    assert.equal(midway.completedElements.Task_Submit, 1);
    assert.equal(midway.takenFlows.Flow_Rejected, 1);
    assert.equal(midway.variables.score, 40);
    assert.equal(midway.instanceState, 'active');
    assert.equal(end.instanceState, 'completed');
    assert.equal(end.completedElements.Task_Submit, 2);
    assert.equal(end.completedElements.EndEvent_Approved, 1);
    assert.equal(end.variables.score, 80);
    await assert.rejects(history.replay(id, events.length + 1, auditor), (err: any) => err.code === 'VALIDATION_FAILED');
  });

  it('names the sequence number of a row changed with plain SQL', async () => {
    // given
    const id = await runRejectedThenApproved();
    const target = await db('audit_events').where({ instance_id: id, kind: 'user-task.completed' }).orderBy('seq').first();
    await tamper((trx) => trx('audit_events').where({ seq: target.seq }).update({ actor: 'user:someone-else' }));
    // when
    const result = await history.verify(id, auditor);
    const whole = await history.verifyAll();
    // then
    assert.equal(result.ok, false);
    assert.equal(result.chain.problem?.kind, 'altered');
    assert.equal(result.chain.problem?.seq, Number(target.seq));
    assert.equal(whole.problem?.seq, Number(target.seq));
  });

  it('reports the gap where a row was removed', async () => {
    // given
    const id = await runRejectedThenApproved();
    const rows = await db('audit_events').where({ instance_id: id }).orderBy('seq');
    const removed = rows[5];
    await tamper((trx) => trx('audit_events').where({ seq: removed.seq }).delete());
    // when
    const result = await history.verify(id, auditor);
    // then
    assert.equal(result.chain.problem?.kind, 'gap');
    assert.equal(result.chain.problem?.seq, Number(rows[6].seq));
  });

  it('finds a forged worker output even when the forger rewrote every hash after it', async () => {
    // given: the first check's score forged from 40 to 90, and the chain re-hashed from there on
    const id = await runRejectedThenApproved();
    const forged = await db('audit_events').where({ instance_id: id, kind: 'job.completed' }).orderBy('seq').first();
    await tamper(async (trx) => {
      await trx('audit_events').where({ seq: forged.seq }).update({ payload: JSON.stringify({ ...forged.payload, input: { score: 90 } }) });
      const rows = await trx('audit_events').where('seq', '>=', forged.seq).orderBy('seq');
      let prev = (await trx('audit_events').where('seq', '<', forged.seq).orderBy('seq', 'desc').first()).hash;
      for (const row of rows) {
        const hash = rowHash({ ...row, prev_hash: prev });
        await trx('audit_events').where({ seq: row.seq }).update({ prev_hash: prev, hash });
        prev = hash;
      }
    });
    // when
    const result = await history.verify(id, auditor);
    // then: the chain holds, the re-run does not
    assert.equal(result.chain.intact, true);
    assert.equal(result.rerun.consistent, false);
    assert.equal(result.rerun.divergence?.afterInputSeq, Number(forged.seq));
    assert.ok(result.rerun.divergence!.seq > Number(forged.seq));
  });
});
