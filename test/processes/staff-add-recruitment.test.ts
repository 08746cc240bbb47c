// Z1 新录用/招聘 end to end: the real diagram, the real workers, the departments working their inboxes
// through the HTTP API. domain-spec.md §1.2 (the 8 steps of the 牟平 report).
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { parseDocumentNumber } from '../../domain/document-numbers';
import { rowHash } from '../../server/services/audit-chain';
import {
  FULL_COVERAGE,
  idNumber,
  insuranceAtLowerBoundOfFullUnit,
  insuranceFigures,
  newGraduate,
  runZ1SentBackThenRegistered,
  salaryFigures,
  startCaseRunner,
  subsidyFigures,
  Z1_APPLICATION,
  type CaseRunner,
} from './harness';

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
    // the salary, insurance and subsidy figures the departments confirmed: a 公务员 本科 graduate (education 21),
    // 报到 2026-12-01 in a 机关 全额拨款 unit (U001), worked by hand from domain-spec §3.4, §4, §6
    const v = instance.variables;
    assert.deepEqual(salaryFigures(v.salary), {
      // §3.4 试用期: P_probation[本科] = 1,450 (salary.civil-servant.probation-pay, placeholder [C]) for 12 months from the 报到 month
      effectiveMonth: '2026-12',
      position: null,
      items: { 'probation-pay': 1450 },
      monthlyBasic: 1450,
      probation: { months: 12, monthlyPay: 1450, fromMonth: '2026-12', toMonth: '2027-11', regradingMonth: '2027-12' },
      // 转正定级 本科 → 一级科员, 25级2档 (§3.4 [B]): 职级工资 一级科员 = 科员 600 + 级别工资 25级2档 = 850 + 1 · 50 = 900 → 1,500
      afterProbation: {
        effectiveMonth: '2027-12',
        position: { system: 'civil-servant', post: '一级科员', postLayer: '科员', leadership: false, level: 25, grade: 2 },
        items: { 'post-wage': 600, 'level-wage': 900 },
        monthlyBasic: 1500,
      },
      before: null,
      increase: null,
    });
    // §4.2 new hire: W = the 起薪 month's eligible wage = 试用期工资 1,450 < 4,200 → base 4,200 (worked example in the harness)
    assert.deepEqual(insuranceFigures(v.insurance), insuranceAtLowerBoundOfFullUnit('civil-servant', 1450, '2026-12'));
    // §6 from the 起薪 month 2026-12: n = 13 − 12 = 1; 全额 covers 100 %
    //   B = 1 · 1,450 = 1,450 · T = 1 · 3,000 (subsidy.allowance-standard 公务员, placeholder [C]) = 3,000
    //   YB = December's basic 1,450 (公务员, subsidy.year-end-bonus) · SIu = 1 · 1,520.40 · 公用 = 1/12 · 12,000 (机关, placeholder [C]) = 1,000
    //   total = 1,450 + 3,000 + 1,450 + 1,520.40 + 1,000 = 8,420.40
    assert.deepEqual(subsidyFigures(v.subsidy), {
      mode: 'add', year: 2026, fromMonth: '2026-12', months: 1,
      cost: { basic: 1450, allowance: 3000, bonus: 1450, social: 1520.4, public: 1000 },
      coverage: FULL_COVERAGE,
      totalCost: 8420.4,
      total: 8420.4,
      payrollList: { listed: true, action: 'add', month: '2026-12' },
    });
    // and an auditor verifies the record: chain intact, the re-run reproduces every step
    const verify = await supertest(r.w.t.app).post(`/api/process-instances/${id}/verify`).set(await r.w.as('auditor'));
    assert.equal(verify.status, 200);
    assert.equal(verify.body.data.chain.intact, true, JSON.stringify(verify.body.data.chain.problem));
    assert.equal(verify.body.data.rerun.consistent, true, JSON.stringify(verify.body.data.rerun.divergence));
  });

  it('grades a 事业 master graduate: 见习期工资 first, 专技十一级 薪级 11 after 转正, and prices the months to December', async () => {
    // given 示范区第一中学 (SY 事业单位, 全额拨款: 30 approved, 27 actual, plan 3) hires a 硕士 (education 14, degree 硕士)
    const unitId = await r.w.unitId('U003');
    const id = await r.start(Z1, 'unit-U003', { unitId });
    // when the case runs with 报到 on 2026-09-01
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U003', { ...application, bianzhiType: 'SY', entryMode: '公开招聘', post: '专业技术十一级' });
    await r.complete(id, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve' });
    await r.complete(id, 'Task_ApplyRegistration', 'unit-U003', {
      person: newGraduate({ name: '林雪', idNumber: idNumber('37061219980520004'), gender: '2', birthDate: '1998-05-20', education: '14', degree: '硕士', graduationDate: '2026-06-30', workStartDate: '2026-09-01', post: '专业技术十一级' }),
      registrationAction: 'submit',
    });
    await r.complete(id, 'Task_ApproveRegistration', 'bianban-clerk', { registrationDecision: 'approve' });
    await r.complete(id, 'Task_Deploy', 'hrss-clerk', { reportDate: '2026-09-01' });
    await r.complete(id, 'Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true });
    await r.complete(id, 'Task_ConfirmInsuranceBase', 'insurance-clerk', { insuranceConfirmed: true });
    await r.complete(id, 'Task_ConfirmSubsidy', 'finance-clerk', { subsidyConfirmed: true });
    // then
    const instance = await r.instance(id);
    assert.equal(instance.state, 'completed', JSON.stringify(await r.incidents(id)));
    const v = instance.variables;
    assert.deepEqual(salaryFigures(v.salary), {
      // §3.4 见习期 (事业): 见习期工资[硕士] = 1,550 (salary.institution.trainee-pay, placeholder [C]) for 12 months from 2026-09
      effectiveMonth: '2026-09',
      position: null,
      items: { 'trainee-pay': 1550 },
      monthlyBasic: 1550,
      probation: { months: 12, monthlyPay: 1550, fromMonth: '2026-09', toMonth: '2027-08', regradingMonth: '2027-09' },
      // 转正定级 硕士 → 专技 11级, 薪级 11 (§3.4 [C]): 岗位工资 专技十一级 = 620 + 薪级工资 11 = 215 (§3.2 2006 table [C]) → 835
      afterProbation: {
        effectiveMonth: '2027-09',
        position: { system: 'institution', track: 'professional', postLevel: '11', postName: '专业技术十一级', scale: 11 },
        items: { 'post-wage': 620, 'scale-wage': 215 },
        monthlyBasic: 835,
      },
      before: null,
      increase: null,
    });
    // §4.2: W = 见习期工资 1,550 < 4,200 → base 4,200; 事业 staff pay 失业 (worked example in the harness)
    assert.deepEqual(insuranceFigures(v.insurance), insuranceAtLowerBoundOfFullUnit('institution', 1550, '2026-09'));
    // §6 from 2026-09: n = 13 − 9 = 4 (all 见习期 months); 全额 covers 100 %
    //   B = 4 · 1,550 = 6,200 · T = 4 · 2,500 (subsidy.allowance-standard 事业, placeholder [C]) = 10,000
    //   YB = 0 (事业: no 年终一次性奖金) · SIu = 4 · 1,541.40 = 6,165.60 · 公用 = 4/12 · 8,000 (事业单位, placeholder [C]) = 2,666.67
    //   total = 6,200 + 10,000 + 0 + 6,165.60 + 2,666.67 = 25,032.27
    assert.deepEqual(subsidyFigures(v.subsidy), {
      mode: 'add', year: 2026, fromMonth: '2026-09', months: 4,
      cost: { basic: 6200, allowance: 10000, bonus: 0, social: 6165.6, public: 2666.67 },
      coverage: FULL_COVERAGE,
      totalCost: 25032.27,
      total: 25032.27,
      payrollList: { listed: true, action: 'add', month: '2026-09' },
    });
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
