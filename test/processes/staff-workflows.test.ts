// Z2, Z3, J1–J3 and T1–T3 end to end: the real diagrams, the registered workers and the departments
// working their inboxes through the HTTP API. Each test checks what the case changed in the 实名制 data
// (persons, quotas, leader posts), which documents it issued, and that the record verifies.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { enrolPerson, idNumber, newGraduate, startCaseRunner, type CaseRunner } from './harness';

describe('the staff-change workflows Z2, Z3, J1–J3, T1–T3', function () {
  let r: CaseRunner;
  let db: CaseRunner['w']['t']['db']['knex'];

  before(async () => {
    r = await startCaseRunner();
    db = r.w.t.db.knex;
  });
  after(() => r.stop());

  const quota = async (unitCode: string, type: string) => db('quotas').where({ unit_id: await r.w.unitId(unitCode), bianzhi_type: type }).first();
  const documentTypes = async (id: string) => (await db('documents').where({ process_instance_id: id }).select('type')).map((d) => d.type as string).sort();

  async function assertVerified(id: string): Promise<void> {
    const instance = await r.instance(id);
    assert.equal(instance.state, 'completed', JSON.stringify(await r.incidents(id)));
    const verify = await supertest(r.w.t.app).post(`/api/process-instances/${id}/verify`).set(await r.w.as('auditor'));
    assert.equal(verify.body.data.ok, true, JSON.stringify(verify.body.data));
  }

  it('Z2 调入: continues the salary from the 工资介绍信 and registers the person', async () => {
    // given 示范区第一中学 (SY, 30 approved, 27 actual, plan 3)
    const unitId = await r.w.unitId('U003');
    const before = await quota('U003', 'SY');
    const id = await r.start('staff-add-transfer-in', 'unit-U003', { unitId });
    // when
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U003', {
      bianzhiType: 'SY', requested: 1, entryMode: '调入', post: '数学教师', person: { name: '郑华', previousEmployer: '某市第三中学', previousBianzhiType: 'SY' },
      applicationReason: '数学教师缺编', applicationAction: 'submit',
    });
    await r.complete(id, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve' });
    await r.complete(id, 'Task_ApplyRegistration', 'unit-U003', {
      person: newGraduate({ name: '郑华', idNumber: idNumber('37061219900412001'), birthDate: '1990-04-12', graduationDate: '2012-06-30', workStartDate: '2012-08-01', post: '专业技术十级', previousEmployer: '某市第三中学', previousBianzhiType: 'SY' }),
      salaryLetter: { post: '专业技术十级', track: 'professional', postLevel: 10, scale: 14, paidUntil: '2026-11' },
      registrationAction: 'submit',
    });
    await r.complete(id, 'Task_ApproveRegistration', 'bianban-clerk', { registrationDecision: 'approve' });
    await r.complete(id, 'Task_Deploy', 'hrss-clerk', { reportDate: '2026-12-01' });
    await r.complete(id, 'Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true });
    await r.complete(id, 'Task_ConfirmInsuranceBase', 'insurance-clerk', { insuranceConfirmed: true });
    await r.complete(id, 'Task_ConfirmSubsidy', 'finance-clerk', { subsidyConfirmed: true });
    // then
    await assertVerified(id);
    const salary = (await r.instance(id)).variables.salary as { effectiveMonth: string };
    assert.equal(salary.effectiveMonth, '2026-12', '起薪 = the month after 工资已发至');
    assert.equal((await quota('U003', 'SY')).actual, before.actual + 1);
    assert.deepEqual(await documentTypes(id), ['DL', 'HBJF', 'RBTZ', 'TZB', 'XZJS', 'YBTZ', 'ZYSP']);
  });

  it('Z3 政策性安置: the 编办 consults the plan first, then places the person', async () => {
    const unitId = await r.w.unitId('U002');
    const id = await r.start('staff-add-placement', 'unit-U002', { unitId });
    await r.complete(id, 'Task_ApplyQuotaUse', 'unit-U002', {
      bianzhiType: 'XZ', requested: 1, entryMode: '军队转业干部', post: '四级主任科员', placementPlanDocNo: '军转安〔2026〕12号', applicationReason: '军转干部安置', applicationAction: 'submit',
    });
    await r.complete(id, 'Task_ConsultPlacementPlan', 'bianban-clerk', { consultDecision: 'approve' });
    await r.complete(id, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve' });
    await r.complete(id, 'Task_ApplyRegistration', 'unit-U002', {
      person: newGraduate({ name: '冯军', idNumber: idNumber('37061219850617003'), birthDate: '1985-06-17', education: '21', graduationDate: '2007-06-30', workStartDate: '2007-07-01', post: '四级主任科员', previousEmployer: '某部队', previousBianzhiType: 'none' }),
      salaryLetter: { post: '四级主任科员', level: 22, grade: 3, paidUntil: '2026-11' },
      registrationAction: 'submit',
    });
    await r.complete(id, 'Task_ApproveRegistration', 'bianban-clerk', { registrationDecision: 'approve' });
    await r.complete(id, 'Task_Deploy', 'org-clerk', { reportDate: '2026-12-01' });
    await r.complete(id, 'Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true });
    await r.complete(id, 'Task_ConfirmInsuranceBase', 'insurance-clerk', { insuranceConfirmed: true });
    await r.complete(id, 'Task_ConfirmSubsidy', 'finance-clerk', { subsidyConfirmed: true });
    await assertVerified(id);
    const person = await db('persons').where({ id_number: idNumber('37061219850617003') }).first();
    assert.equal(person.status, 'active');
    assert.equal(person.unit_id, unitId);
  });

  it('J1 退休: 工资 → 社保 → 财政 → 编办销编, the person moves to the retirees, the 老干部局 is told', async () => {
    // given a 一级调研员 born 1966-02 (statutory retirement 2026-06 under the 2025 law)
    const unitId = await r.w.unitId('U001');
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219660210001'), name: '陈建国', gender: '1', birthDate: '1966-02-10', bianzhiType: 'XZ', post: '一级调研员' });
    const before = await quota('U001', 'XZ');
    const id = await r.start('staff-reduce-retirement', 'unit-U001', { unitId, personId, reason: '退休', eventDate: '2026-11-20' });
    // when
    await r.complete(id, 'Task_ApplyRetirement', 'unit-U001', { retirementType: '法定', eventDate: '2026-11-20', applicationReason: '到龄退休' });
    await r.complete(id, 'Task_ApproveRetirement', 'org-clerk', { retirementDecision: 'approve' });
    await r.complete(id, 'Task_SetRetirementPay', 'hrss-clerk', { retirementPayConfirmed: true, stopMonth: '2026-11', currentSalary: { post: '一级调研员', level: 13, grade: 6 } });
    await r.complete(id, 'Task_EnterContributions', 'insurance-clerk', { contributionMonths: 456, personalAccountBalance: 98000, averageContributionIndex: 1.3, deemedMonths: 315, deemedIndex: 1.2, workStartDate: '1988-07-01' });
    await r.complete(id, 'Task_ConfirmPension', 'insurance-clerk', { pensionConfirmed: true });
    await r.complete(id, 'Task_ConfirmFundingCut', 'finance-clerk', { fundingCutConfirmed: true });
    await r.complete(id, 'Task_ConfirmDeregistration', 'bianban-clerk', { deregistrationConfirmed: true });
    // then
    await assertVerified(id);
    const person = await db('persons').where({ id: personId }).first();
    assert.equal(person.status, 'retired');
    assert.equal((await quota('U001', 'XZ')).actual, before.actual - 1);
    assert.deepEqual(await documentTypes(id), ['CBTZ', 'JYSP']);
    assert.equal((await db('person_archives').where({ person_id: personId })).length, 1);
    const variables = (await r.instance(id)).variables;
    assert.equal(variables.veteransNotified, true, '一级调研员 is at the 老干部局 threshold');
    assert.ok((variables.pension as { total?: number }).total! > 0);
  });

  it('J3 死亡: needs no approval and ends with 出编', async () => {
    const unitId = await r.w.unitId('U003');
    const personId = await enrolPerson(r, 'U003', { idNumber: idNumber('37061219750303002'), name: '林秀英', gender: '2', birthDate: '1975-03-03', bianzhiType: 'SY', post: '专业技术十级', profile: {} });
    const id = await r.start('staff-reduce-exit', 'unit-U003', { unitId, personId });
    await r.complete(id, 'Task_RegisterExit', 'unit-U003', { reason: '死亡', eventDate: '2026-11-10', basisDocNo: '死亡证明 2026-0110', applicationReason: '病故' });
    assert.deepEqual((await r.openTasks(id)).map((t) => t.element_id), ['Task_StopPay']);
    await r.complete(id, 'Task_StopPay', 'hrss-clerk', { stopMonth: '2026-11', funeralAllowance: 5000, survivorPension: 40000, currentSalary: { post: '专业技术十级', track: 'professional', postLevel: 10, scale: 14 } });
    await r.complete(id, 'Task_SettleInsurance', 'insurance-clerk', { insuranceSettlementConfirmed: true });
    await r.complete(id, 'Task_ConfirmFundingCut', 'finance-clerk', { fundingCutConfirmed: true });
    await r.complete(id, 'Task_ConfirmDeregistration', 'bianban-clerk', { deregistrationConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('persons').where({ id: personId }).first()).status, 'history');
    assert.deepEqual(await documentTypes(id), ['CBTZ', 'JYSP']);
  });

  it('J2 调出: the 工资介绍信 and the 调令 go with the person', async () => {
    const unitId = await r.w.unitId('U005');
    const personId = await enrolPerson(r, 'U005', { idNumber: idNumber('37061219880808005'), name: '何伟', gender: '1', birthDate: '1988-08-08', bianzhiType: 'XZ', post: '二级主任科员' });
    const id = await r.start('staff-reduce-transfer-out', 'unit-U005', { unitId, personId, reason: '调出' });
    await r.complete(id, 'Task_ApplyTransferOut', 'unit-U005', { transferType: '调出', receivingUnit: '某市发展和改革委员会', basisDocNo: '某组调〔2026〕33号', eventDate: '2026-11-30', applicationReason: '工作调动' });
    await r.complete(id, 'Task_ApproveTransferOut', 'org-clerk', { transferOutDecision: 'approve' });
    await r.complete(id, 'Task_IssueSalaryLetter', 'hrss-clerk', { stopMonth: '2026-11', currentSalary: { post: '二级主任科员', level: 20, grade: 3 } });
    await r.complete(id, 'Task_TransferInsuranceOut', 'insurance-clerk', { insuranceTransferConfirmed: true });
    await r.complete(id, 'Task_ConfirmFundingCut', 'finance-clerk', { fundingCutConfirmed: true });
    await r.complete(id, 'Task_ConfirmDeregistration', 'bianban-clerk', { deregistrationConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('persons').where({ id: personId }).first()).status, 'history');
    assert.deepEqual(await documentTypes(id), ['CBTZ', 'DL', 'GZJS', 'JYSP']);
  });

  it('T1 区内调动: 出编 at A and 入编 at B happen together', async () => {
    const fromId = await r.w.unitId('U001');
    const toId = await r.w.unitId('U002');
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219920101007'), name: '郭磊', gender: '1', birthDate: '1992-01-01', bianzhiType: 'XZ', post: '一级科员' });
    const [a, b] = [await quota('U001', 'XZ'), await quota('U002', 'XZ')];
    const id = await r.start('staff-adjust-transfer', 'unit-U001', { unitId: fromId, personId, targetUnitId: toId });
    await r.complete(id, 'Task_ApplyTransfer', 'unit-U001', { transferType: '调动', targetConsent: true, applicationReason: '工作需要', applicationAction: 'submit' });
    await r.complete(id, 'Task_ApproveTransfer', 'bianban-clerk', { transferDecision: 'approve' });
    await r.complete(id, 'Task_ConfirmTransferOrder', 'org-clerk', { transferOrderConfirmed: true });
    await r.complete(id, 'Task_ConfirmSalaryContinues', 'hrss-clerk', { salaryContinuationConfirmed: true });
    await r.complete(id, 'Task_ConfirmBudgetMove', 'finance-clerk', { budgetMoveConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('persons').where({ id: personId }).first()).unit_id, toId);
    assert.equal((await quota('U001', 'XZ')).actual, a.actual - 1);
    assert.equal((await quota('U002', 'XZ')).actual, b.actual + 1);
    assert.deepEqual(await documentTypes(id), ['DL', 'RBTZ']);
  });

  it('T2 晋升: a 领导职务 takes a vacant 领导职数 and the salary is re-slotted', async () => {
    // given 示范区人民政府办公室 has 3 乡科级副职 posts, 2 filled
    const unitId = await r.w.unitId('U001');
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219860505009'), name: '黄涛', gender: '1', birthDate: '1986-05-05', bianzhiType: 'XZ', post: '一级主任科员' });
    const posts = await db('leader_posts').where({ unit_id: unitId, level: '乡科级', kind: 'deputy' }).first();
    const id = await r.start('staff-adjust-post', 'unit-U001', { unitId, personId, bianzhiType: 'XZ' });
    await r.complete(id, 'Task_ApplyPostChange', 'org-clerk', {
      changeType: '晋升', newPost: '乡科级副职', isLeaderPost: true, leaderPost: { level: '乡科级', kind: 'deputy' },
      currentSalary: { post: '一级主任科员', level: 21, grade: 2 }, decisionDocNo: '示组任〔2026〕8号', effectiveDate: '2026-11-01',
    });
    await r.complete(id, 'Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true });
    await r.complete(id, 'Task_ConfirmPayrollChange', 'finance-clerk', { payrollChangeConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('leader_posts').where({ id: posts.id }).first()).actual, posts.actual + 1);
    assert.equal((await db('persons').where({ id: personId }).first()).post, '乡科级副职');
    assert.deepEqual(await documentTypes(id), ['TZB']);
  });

  it('T3 编制类型变更: 工勤 → 行政 within the unit', async () => {
    const unitId = await r.w.unitId('U001');
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219800220001'), name: '马强', gender: '1', birthDate: '1980-02-20', bianzhiType: 'GQ', post: '技术工三级' });
    const [gq, xz] = [await quota('U001', 'GQ'), await quota('U001', 'XZ')];
    const id = await r.start('staff-adjust-establishment-type', 'bianban-clerk', { unitId, personId });
    await r.complete(id, 'Task_RegisterTypeChange', 'bianban-clerk', { changeType: '工勤转管理', newBianzhiType: 'XZ', basisDocNo: '示编委〔2026〕9号', effectiveDate: '2026-11-01' });
    // (the person is 工勤 until the change: 人社 re-grades)
    await r.complete(id, 'Task_RegradeSalary', 'hrss-clerk', { regradeConfirmed: true });
    await r.complete(id, 'Task_ConfirmFundingChange', 'finance-clerk', { fundingChangeConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('persons').where({ id: personId }).first()).bianzhi_type, 'XZ');
    assert.equal((await quota('U001', 'GQ')).actual, gq.actual - 1);
    assert.equal((await quota('U001', 'XZ')).actual, xz.actual + 1);
  });
});
