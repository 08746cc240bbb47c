// Z1 新录用/招聘 end to end: the real diagram, the real workers, the departments working their inboxes
// through the HTTP API. domain-spec.md §1.2 (the 8 steps of the 牟平 report).
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { parseDocumentNumber } from '../../domain/document-numbers';
import { rowHash } from '../../server/services/audit-chain';
import { newGraduate, runZ1SentBackThenRegistered, startCaseRunner, Z1_APPLICATION, type CaseRunner } from './harness';

const Z1 = 'staff-add-recruitment';

const application = Z1_APPLICATION;

describe('Z1 新录用/招聘 (staff-add-recruitment)', function () {
  let r: CaseRunner;
  let db: CaseRunner['w']['t']['db']['knex'];

  before(async () => {
    r = await startCaseRunner();
    db = r.w.t.db.knex;
  });
  after(() => r.stop());

  /** Runs a case that 编办 sends back once at 用编许可 and approves after resubmission; returns its id. */
  async function runRejectedThenRegistered(unitCode: string, person = newGraduate()): Promise<string> {
    return runZ1SentBackThenRegistered(r, await r.w.unitId(unitCode), unitCode, person);
  }

  it('registers the new hire: quota occupied once, person 在编, every document issued, history verified', async () => {
    // given the 示范区人民政府办公室 (XZ: 12 approved, 9 actual, plan 2)
    const unitId = await r.w.unitId('U001');
    const before = await db('quotas').where({ unit_id: unitId, bianzhi_type: 'XZ' }).first();
    // when
    const id = await runRejectedThenRegistered('U001');
    // then the case is done
    const instance = await r.instance(id);
    assert.equal(instance.state, 'completed', JSON.stringify(await r.incidents(id)));
    // the reservation became an occupied slot
    const after = await db('quotas').where({ unit_id: unitId, bianzhi_type: 'XZ' }).first();
    assert.equal(after.actual, before.actual + 1);
    assert.equal(after.reserved, before.reserved);
    const person = await db('persons').where({ id_number: '370612199803150014' }).first();
    assert.equal(person.status, 'active');
    assert.equal(person.unit_id, unitId);
    assert.equal(person.bianzhi_type, 'XZ');
    // the documents of §2.5, numbered district-type-year-seq
    const documents = await db('documents').where({ process_instance_id: id }).select('type', 'number');
    assert.deepEqual(documents.map((d) => d.type).sort(), ['DL', 'HBJF', 'RBTZ', 'TZB', 'XZJS', 'YBTZ', 'ZYSP']);
    for (const d of documents) assert.equal(parseDocumentNumber(d.number).type, d.type);
    // the salary, insurance and subsidy figures the departments confirmed
    assert.ok(instance.variables.salary && instance.variables.insurance && instance.variables.subsidy);
    // and an auditor verifies the record: chain intact, the re-run reproduces every step
    const verify = await supertest(r.w.t.app).post(`/api/process-instances/${id}/verify`).set(await r.w.as('auditor'));
    assert.equal(verify.status, 200);
    assert.equal(verify.body.data.chain.intact, true, JSON.stringify(verify.body.data.chain.problem));
    assert.equal(verify.body.data.rerun.consistent, true, JSON.stringify(verify.body.data.rerun.divergence));
  });

  it('replays the rejection path: the history shows 用编申请 twice and the sent-back flow', async () => {
    // given
    const id = await runRejectedThenRegistered('U001', newGraduate({ name: '吴静', idNumber: '370612199908200022', gender: '2', birthDate: '1999-08-20' }));
    // when
    const history = await supertest(r.w.t.app).get(`/api/process-instances/${id}/history`).set(await r.w.as('auditor'));
    // then
    assert.equal((await r.instance(id)).state, 'completed');
    const applied = history.body.data.filter((e: { kind: string; elementId: string }) => e.kind === 'user-task.completed' && e.elementId === 'Task_ApplyQuotaUse');
    assert.equal(applied.length, 2);
    const flows = history.body.data.filter((e: { kind: string; elementId: string }) => e.kind === 'flow.taken' && e.elementId === 'Flow_QuotaApproval_ApplicationMerge');
    assert.equal(flows.length, 1);
  });

  it('reports a divergence at the forged event when a worker output in the log is forged and re-hashed', async () => {
    // given a finished case whose second 用编许可 check is rewritten from approve to refuse, the chain re-hashed after it
    const id = await runRejectedThenRegistered('U002', newGraduate({ name: '孙敏', idNumber: '370612199501010032', birthDate: '1995-01-01', post: '一级科员' }));
    const checks = await db('audit_events').where({ instance_id: id, kind: 'job.completed', element_id: 'Task_CheckQuota' }).orderBy('seq');
    assert.equal(checks.length, 2);
    const forged = checks[1];
    const input = forged.payload.input as { quotaCheck: Record<string, unknown> };
    await db.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      // hold audit_append's lock: no event of another case may be appended while the chain is rewritten
      await trx.raw('select pg_advisory_xact_lock(1651991925)');
      await trx('audit_events').where({ seq: forged.seq }).update({ payload: JSON.stringify({ ...forged.payload, input: { ...input, quotaCheck: { ...input.quotaCheck, decision: 'refuse' } } }) });
      let prev = (await trx('audit_events').where('seq', '<', forged.seq).orderBy('seq', 'desc').first()).hash;
      for (const row of await trx('audit_events').where('seq', '>=', forged.seq).orderBy('seq')) {
        const hash = rowHash({ ...row, prev_hash: prev });
        await trx('audit_events').where({ seq: row.seq }).update({ prev_hash: prev, hash });
        prev = hash;
      }
    });
    // when
    const verify = await supertest(r.w.t.app).post(`/api/process-instances/${id}/verify`).set(await r.w.as('auditor'));
    // then the chain holds but the re-run leaves the recorded path right after the forged output
    assert.equal(verify.body.data.chain.intact, true);
    assert.equal(verify.body.data.rerun.consistent, false);
    assert.equal(verify.body.data.rerun.divergence.afterInputSeq, Number(forged.seq));
  });

  it('refuses an over-quota unit automatically and lets the unit withdraw', async () => {
    // given 示范区人民医院 is 超编 (SY: 20 approved, 22 actual)
    const unitId = await r.w.unitId('U004');
    const id = await r.start(Z1, 'unit-U004', { unitId });
    // when it applies
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U004', { ...application, bianzhiType: 'SY', entryMode: '公开招聘', post: '护士' });
    // then the application comes back to the unit with the reason, and nothing is reserved
    const tasks = await r.openTasks(id);
    assert.deepEqual(tasks.map((t) => t.element_id), ['Task_ApplyQuotaUse']);
    const instance = await r.instance(id);
    const check = instance.variables.quotaCheck as { decision: string; reasons: Array<{ message: string }> };
    assert.equal(check.decision, 'refuse');
    assert.ok(check.reasons.some((reason) => /超编/.test(reason.message)), JSON.stringify(check.reasons));
    assert.equal((await db('quota_reservations').where({ instance_id: id })).length, 0);
    // and the unit withdraws
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U004', { ...application, bianzhiType: 'SY', entryMode: '公开招聘', post: '护士', applicationAction: 'withdraw' });
    assert.equal((await r.instance(id)).state, 'completed');
  });

  it('refuses a frozen unit automatically, saying why, before the 编办 sees it', async () => {
    // given 示范区城市建设服务中心 is frozen (冻结, 示编委〔2026〕3号)
    const unitId = await r.w.unitId('U006');
    const id = await r.start(Z1, 'unit-U006', { unitId });
    // when it applies within its quota (SY: 6 approved, 4 actual)
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U006', { ...application, bianzhiType: 'SY', entryMode: '公开招聘', post: '技术员' });
    // then it is back with the unit, nothing went to the 编办, and the reason names the freeze
    assert.deepEqual((await r.openTasks(id)).map((t) => t.element_id), ['Task_ApplyQuotaUse']);
    assert.equal((await db('user_tasks').where({ instance_id: id, element_id: 'Task_ApproveQuotaUse' })).length, 0);
    const check = (await r.instance(id)).variables.quotaCheck as { decision: string; reasons: Array<{ code: string; message: string }> };
    assert.equal(check.decision, 'refuse');
    assert.ok(check.reasons.some((reason) => /冻结/.test(reason.message)), JSON.stringify(check.reasons));
  });

  it('sends a 重点管理单位 to the 编办 leader instead of passing it', async () => {
    // given 示范区卫生健康局 is key-managed
    const unitId = await r.w.unitId('U005');
    const id = await r.start(Z1, 'unit-U005', { unitId });
    // when it applies within its quota
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U005', application);
    // then the leader decides, not the automatic check
    const tasks = await r.openTasks(id);
    assert.deepEqual(tasks.map((t) => t.element_id), ['Task_LeaderReviewQuota']);
    assert.deepEqual(tasks[0]!.candidate_groups, ['bianban-leader']);
    await r.complete(id, 'Task_LeaderReviewQuota', 'bianban-leader', { quotaLeaderDecision: 'approve', quotaLeaderComment: '同意' });
    assert.deepEqual((await r.openTasks(id)).map((t) => t.element_id), ['Task_ApplyRegistration']);
  });
});
