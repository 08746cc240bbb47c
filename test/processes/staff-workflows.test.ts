// Z2, Z3, J1–J3 and T1–T3 end to end: the real diagrams, the registered workers and the departments
// working their inboxes through the HTTP API. Each test checks what the case changed in the 实名制 data
// (persons, quotas, leader posts), which documents it issued, and that the record verifies.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import {
  enrolPerson,
  FULL_COVERAGE,
  idNumber,
  insuranceAtLowerBoundOfFullUnit,
  insuranceFigures,
  newGraduate,
  salaryFigures,
  startCaseRunner,
  subsidyFigures,
  type CaseRunner,
} from './harness';

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
    // the figures, worked by hand (domain-spec §3.2, §3.4 Z2, §4, §6): a 专技十级 薪级 14 teacher into a 事业 全额 unit
    const v = (await r.instance(id)).variables;
    assert.deepEqual(salaryFigures(v.salary), {
      // §3.4 Z2: continues the 工资介绍信 at today's standard; 起薪 = the month after 工资已发至 2026-11 → 2026-12
      // 岗位工资 专技十级 = 680 + 薪级工资 14 = 273 (§3.2 2006 table [C]) → 953
      effectiveMonth: '2026-12',
      position: { system: 'institution', track: 'professional', postLevel: '10', postName: '专业技术十级', scale: 14 },
      items: { 'post-wage': 680, 'scale-wage': 273 },
      monthlyBasic: 953,
      probation: null,
      afterProbation: null,
      before: null,
      increase: null,
    });
    // §4.2 (no prior base entered): W = the 起薪 month's 953 < 4,200 → base 4,200 (worked example in the harness)
    assert.deepEqual(insuranceFigures(v.insurance), insuranceAtLowerBoundOfFullUnit('institution', 953, '2026-12'));
    // §6 from 2026-12: n = 1 · B = 953 · T = 2,500 [C] · YB = 0 (事业) · SIu = 1,541.40 · 公用 = 1/12 · 8,000 [C] = 666.67
    //   total = 953 + 2,500 + 0 + 1,541.40 + 666.67 = 5,661.07
    assert.deepEqual(subsidyFigures(v.subsidy), {
      mode: 'add', year: 2026, fromMonth: '2026-12', months: 1,
      cost: { basic: 953, allowance: 2500, bonus: 0, social: 1541.4, public: 666.67 },
      coverage: FULL_COVERAGE,
      totalCost: 5661.07,
      total: 5661.07,
      payrollList: { listed: true, action: 'add', month: '2026-12' },
    });
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
    // the figures, worked by hand (domain-spec §3.1, §3.4, §4, §6): a 四级主任科员 22级3档 into a 机关 全额 unit (U002)
    const v = (await r.instance(id)).variables;
    assert.deepEqual(salaryFigures(v.salary), {
      // 起薪 = the month after 工资已发至 2026-11 → 2026-12; 职级工资 四级主任科员 = 乡科级副职 non-leadership 690 (§3.1 [B])
      // + 级别工资 22级3档 = 1,075 + 2 · 70 = 1,215 (§3.1 [B]) → 1,905
      effectiveMonth: '2026-12',
      position: { system: 'civil-servant', post: '四级主任科员', postLayer: '乡科级副职', leadership: false, level: 22, grade: 3 },
      items: { 'post-wage': 690, 'level-wage': 1215 },
      monthlyBasic: 1905,
      probation: null,
      afterProbation: null,
      before: null,
      increase: null,
    });
    // §4.2: W = 1,905 < 4,200 → base 4,200 (worked example in the harness)
    assert.deepEqual(insuranceFigures(v.insurance), insuranceAtLowerBoundOfFullUnit('civil-servant', 1905, '2026-12'));
    // §6 from 2026-12: n = 1 · B = 1,905 · T = 3,000 [C] · YB = December's basic 1,905 · SIu = 1,520.40 · 公用 = 1/12 · 12,000 [C] = 1,000
    //   total = 1,905 + 3,000 + 1,905 + 1,520.40 + 1,000 = 9,330.40
    assert.deepEqual(subsidyFigures(v.subsidy), {
      mode: 'add', year: 2026, fromMonth: '2026-12', months: 1,
      cost: { basic: 1905, allowance: 3000, bonus: 1905, social: 1520.4, public: 1000 },
      coverage: FULL_COVERAGE,
      totalCost: 9330.4,
      total: 9330.4,
      payrollList: { listed: true, action: 'add', month: '2026-12' },
    });
  });

  it('J1 退休: 工资 → 社保 → 财政 → 编办销编, the person moves to the retirees, the 老干部局 is told', async () => {
    // given a man, 一级调研员 12级6档, born 1966-12-10, 参加工作 1988-07-01, in a 机关 全额 unit (U001)
    const unitId = await r.w.unitId('U001');
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219661210001'), name: '陈建国', gender: '1', birthDate: '1966-12-10', bianzhiType: 'XZ', post: '一级调研员' });
    const before = await quota('U001', 'XZ');
    const id = await r.start('staff-reduce-retirement', 'unit-U001', { unitId, personId, reason: '退休', eventDate: '2026-11-20' });
    // when
    await r.complete(id, 'Task_ApplyRetirement', 'unit-U001', { retirementType: '法定', eventDate: '2026-11-20', applicationReason: '到龄退休' });
    await r.complete(id, 'Task_ApproveRetirement', 'org-clerk', { retirementDecision: 'approve' });
    // (在职工资 paid up to the retirement month 2027-06: 自退休次月起停发)
    await r.complete(id, 'Task_SetRetirementPay', 'hrss-clerk', { retirementPayConfirmed: true, stopMonth: '2027-06', currentSalary: { post: '一级调研员', level: 12, grade: 6 } });
    // 视同缴费 1988-07 … 2014-09 = 26 · 12 + 3 = 315 months; 实际缴费 2014-10 … 2027-06 = 12 · 12 + 9 = 153 months; total 468
    await r.complete(id, 'Task_EnterContributions', 'insurance-clerk', { contributionMonths: 468, personalAccountBalance: 98000, averageContributionIndex: 1.3, deemedMonths: 315, deemedIndex: 1.2, workStartDate: '1988-07-01' });
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
    // the figures, worked by hand (domain-spec §5.1, §5.2–§5.3, §6)
    const retirement = variables.retirement as Record<string, unknown>;
    // §5.1 man: orig_year = 1966 + 60 = 2026; n = (2026 − 2025) · 12 + 12 = 24; delay = min(ceil(24 / 4), 36) = 6 months
    //   → statutory age 60y6m; retire_month = 1966-12 + 726 months = 2027-06 (day 10); pension from the month after: 2027-07
    //   flexible: earliest = max(726 − 36, 720) = 720 months (60y0m) → 2026-12-10; latest = 726 + 36 = 762 (63y6m) → 2030-06-10
    //   minimum contribution years in 2027 (≤ 2029) = 15
    assert.deepEqual(
      { category: retirement.category, statutoryAge: retirement.statutoryAge, retirementDate: retirement.retirementDate, retirementAge: retirement.retirementAge, pensionStartMonth: retirement.pensionStartMonth, earliest: retirement.earliest, latest: retirement.latest, minimumContributionYears: retirement.minimumContributionYears, rule: retirement.rule },
      {
        category: 'man', statutoryAge: { years: 60, months: 6 }, retirementDate: '2027-06-10', retirementAge: { years: 60, months: 6 }, pensionStartMonth: '2027-07',
        earliest: { date: '2026-12-10', month: '2026-12', age: { years: 60, months: 0 } }, latest: { date: '2030-06-10', month: '2030-06', age: { years: 63, months: 6 } },
        minimumContributionYears: 15, rule: '2025-law',
      },
    );
    // §5.2 中人 (worked before 2014-10-01, retires after it); C_r = 8,000 (pension.average-wage, placeholder [C]); δ = 1.2 % [C]
    //   基础 = (8,000 + 8,000 · 1.3) / 2 · (468 / 12 = 39) · 1 % = 9,200 · 39 · 0.01 = 3,588.00
    //   个人账户 = 98,000 / M(60) = 98,000 / 139 (§5.3: completed years, 60y6m → 60) = 705.0359… → 705.04
    //   过渡性 = 8,000 · 1.2 · (315 / 12 = 26.25) · 1.2 % = 3,024.00
    //   total = 3,588.00 + 705.04 + 3,024.00 = 7,317.04; eligible: 468 ≥ 15 · 12
    const pension = variables.pension as Record<string, unknown>;
    assert.deepEqual(
      { cohort: pension.cohort, base: pension.base, personalAccount: pension.personalAccount, transitional: pension.transitional, total: pension.total, monthsOfPayment: pension.monthsOfPayment, averageContributionIndex: pension.averageContributionIndex, contributionMonths: pension.contributionMonths, deemedMonths: pension.deemedMonths, eligible: pension.eligible, provisional: pension.provisional },
      { cohort: 'middle', base: 3588, personalAccount: 705.04, transitional: 3024, total: 7317.04, monthsOfPayment: 139, averageContributionIndex: 1.3, contributionMonths: 468, deemedMonths: 315, eligible: true, provisional: true },
    );
    // §6 财政核减 over the months after the stop month 2027-06: 2027-07 … 12, n = 6 (= the pension start month)
    //   B = 职级工资 一级调研员 = 县处级正职 non-leadership 1,270 + 级别工资 12级6档 = 2,415 + 5 · 183 = 3,330 (§3.1 [B]) → 4,600
    //   insurance on B: W = 4,600 within 4,200 … 21,000 → base 4,600; SIu = 4,600 · (16 % + 8 % + 0 % + 0.2 %) + 4,600 · 12 %
    //     = 736 + 368 + 0 + 9.20 + 552 = 1,665.20 (职业年金 8 % 记账 in a 全额 unit: not cash)
    //   basic = 6 · 4,600 = 27,600 · T = 6 · 3,000 [C] = 18,000 · YB = December's basic 4,600 · SIu = 6 · 1,665.20 = 9,991.20
    //   公用 = 6/12 · 12,000 [C] = 6,000 → total = 27,600 + 18,000 + 4,600 + 9,991.20 + 6,000 = 66,191.20
    assert.deepEqual(subsidyFigures(variables.subsidy), {
      mode: 'reduce', year: 2027, fromMonth: '2027-07', months: 6,
      cost: { basic: 27600, allowance: 18000, bonus: 4600, social: 9991.2, public: 6000 },
      coverage: FULL_COVERAGE,
      totalCost: 66191.2,
      total: 66191.2,
      payrollList: { listed: true, action: 'remove', month: '2027-07' },
    });
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
    // §6 财政核减 after the stop month 2026-11: 2026-12, n = 1, in a 事业 全额 unit (U003)
    //   B = 岗位工资 专技十级 680 + 薪级工资 14 = 273 (§3.2 [C]) → 953; W = 953 < 4,200 → base 4,200 → SIu = 1,541.40 (事业, harness example)
    //   basic 953 · T = 2,500 [C] · YB = 0 (事业) · SIu 1,541.40 · 公用 = 1/12 · 8,000 [C] = 666.67 → total = 5,661.07
    assert.deepEqual(subsidyFigures((await r.instance(id)).variables.subsidy), {
      mode: 'reduce', year: 2026, fromMonth: '2026-12', months: 1,
      cost: { basic: 953, allowance: 2500, bonus: 0, social: 1541.4, public: 666.67 },
      coverage: FULL_COVERAGE,
      totalCost: 5661.07,
      total: 5661.07,
      payrollList: { listed: true, action: 'remove', month: '2026-12' },
    });
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
    // §6 财政核减 after the stop month 2026-11: 2026-12, n = 1, in a 机关 全额 unit (U005)
    //   B = 职级工资 二级主任科员 = 乡科级正职 non-leadership 820 + 级别工资 20级3档 = 1,265 + 2 · 87 = 1,439 (§3.1 [B]) → 2,259
    //   W = 2,259 < 4,200 → base 4,200 → SIu = 1,520.40 (公务员, harness example)
    //   basic 2,259 · T = 3,000 [C] · YB = December's basic 2,259 · SIu 1,520.40 · 公用 = 1/12 · 12,000 [C] = 1,000 → total = 10,038.40
    assert.deepEqual(subsidyFigures((await r.instance(id)).variables.subsidy), {
      mode: 'reduce', year: 2026, fromMonth: '2026-12', months: 1,
      cost: { basic: 2259, allowance: 3000, bonus: 2259, social: 1520.4, public: 1000 },
      coverage: FULL_COVERAGE,
      totalCost: 10038.4,
      total: 10038.4,
      payrollList: { listed: true, action: 'remove', month: '2026-12' },
    });
  });

  it('T1 区内调动: 出编 at A and 入编 at B happen together', async () => {
    const fromId = await r.w.unitId('U001');
    const toId = await r.w.unitId('U002');
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219920101007'), name: '郭磊', gender: '1', birthDate: '1992-01-01', bianzhiType: 'XZ', post: '一级科员' });
    const [a, b] = [await quota('U001', 'XZ'), await quota('U002', 'XZ')];
    const id = await r.start('staff-adjust-transfer', 'unit-U001', { unitId: fromId, personId, targetUnitId: toId });
    await r.complete(id, 'Task_ApplyTransfer', 'unit-U001', { transferType: '调动', targetConsent: true, applicationReason: '工作需要', applicationAction: 'submit', currentSalary: { post: '一级科员', level: 25, grade: 4 } });
    await r.complete(id, 'Task_ApproveTransfer', 'bianban-clerk', { transferDecision: 'approve' });
    await r.complete(id, 'Task_ConfirmTransferOrder', 'org-clerk', { transferOrderConfirmed: true, effectiveDate: '2026-12-01' });
    await r.complete(id, 'Task_ConfirmSalaryContinues', 'hrss-clerk', { salaryContinuationConfirmed: true });
    await r.complete(id, 'Task_ConfirmBudgetMove', 'finance-clerk', { budgetMoveConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('persons').where({ id: personId }).first()).unit_id, toId);
    assert.equal((await quota('U001', 'XZ')).actual, a.actual - 1);
    assert.equal((await quota('U002', 'XZ')).actual, b.actual + 1);
    assert.deepEqual(await documentTypes(id), ['DL', 'RBTZ']);
    // the figures, worked by hand (domain-spec §1 T1 steps 4 and 6, §3.1, §4.2, §6): U001 → U002, both 机关 全额, XZ stays XZ
    const v = (await r.instance(id)).variables;
    // step 4 工资接续, from the month of the move 2026-12 (调令 effectiveDate 2026-12-01); same 身份 (公务员 → 公务员): no 套改
    //   职级工资 一级科员 = 科员 600 + 级别工资 25级4档 = 850 + 3 · 50 = 1,000 (§3.1 [B]) → 1,600, before = after, 增减 0
    const position = { system: 'civil-servant', post: '一级科员', postLayer: '科员', leadership: false, level: 25, grade: 4 };
    assert.deepEqual(salaryFigures(v.salary), {
      effectiveMonth: '2026-12',
      position,
      items: { 'post-wage': 600, 'level-wage': 1000 },
      monthlyBasic: 1600,
      probation: null,
      afterProbation: null,
      before: { position, items: { 'post-wage': 600, 'level-wage': 1000 }, monthlyBasic: 1600 },
      increase: 0,
    });
    // step 6 the budget line moves from the month of the move 2026-12: n = 13 − 12 = 1, at B added and at A reduced alike
    //   B = 1,600 · T = 3,000 [C] · YB = December's basic 1,600 (公务员) · SIu: W = 1,600 < 4,200 → base 4,200 → 1,520.40
    //   (公务员, harness example) · 公用 = 1/12 · 12,000 [C] = 1,000 → total = 1,600 + 3,000 + 1,600 + 1,520.40 + 1,000 = 8,720.40
    const moved = { year: 2026, fromMonth: '2026-12', months: 1, cost: { basic: 1600, allowance: 3000, bonus: 1600, social: 1520.4, public: 1000 }, coverage: FULL_COVERAGE, totalCost: 8720.4, total: 8720.4 };
    assert.deepEqual(subsidyFigures(v.subsidy), { mode: 'add', ...moved, payrollList: { listed: true, action: 'add', month: '2026-12' } });
    assert.deepEqual(subsidyFigures(v.subsidyRelease), { mode: 'reduce', ...moved, payrollList: { listed: true, action: 'remove', month: '2026-12' } });
  });

  it('T2 晋升: a 领导职务 takes a vacant 领导职数 and the salary is re-slotted', async () => {
    // given 示范区人民政府办公室 has 3 乡科级副职 posts, 2 filled
    const unitId = await r.w.unitId('U001');
    // and a 一级科员 25级4档 there
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219860505009'), name: '黄涛', gender: '1', birthDate: '1986-05-05', bianzhiType: 'XZ', post: '一级科员' });
    const posts = await db('leader_posts').where({ unit_id: unitId, level: '乡科级', kind: 'deputy' }).first();
    const id = await r.start('staff-adjust-post', 'unit-U001', { unitId, personId, bianzhiType: 'XZ' });
    await r.complete(id, 'Task_ApplyPostChange', 'org-clerk', {
      changeType: '晋升', newPost: '乡科级副职', isLeaderPost: true, leaderPost: { level: '乡科级', kind: 'deputy' },
      currentSalary: { post: '一级科员', level: 25, grade: 4 }, decisionDocNo: '示组任〔2026〕8号', effectiveDate: '2026-11-01',
    });
    await r.complete(id, 'Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true });
    await r.complete(id, 'Task_ConfirmPayrollChange', 'finance-clerk', { payrollChangeConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('leader_posts').where({ id: posts.id }).first()).actual, posts.actual + 1);
    assert.equal((await db('persons').where({ id: personId }).first()).post, '乡科级副职');
    assert.deepEqual(await documentTypes(id), ['TZB']);
    // §3.3 晋升, from the month of the 任职 document 2026-11:
    //   before: 职级工资 一级科员 = 科员 600 + 级别工资 25级4档 = 850 + 3 · 50 = 1,000 → 1,600
    //   乡科级副职 (领导) range 24–17: 级别 25 is below its minimum → raised to 24, 档 就近就高: 24级 = 917, 973, 1,029 …
    //   the smallest ≥ 1,000 is 3档 (1,029); 职务工资 乡科级副职 领导 = 720 → 720 + 1,029 = 1,749; 增资额 = 1,749 − 1,600 = 149
    assert.deepEqual(salaryFigures((await r.instance(id)).variables.salary), {
      effectiveMonth: '2026-11',
      position: { system: 'civil-servant', post: '乡科级副职', postLayer: '乡科级副职', leadership: true, level: 24, grade: 3 },
      items: { 'post-wage': 720, 'level-wage': 1029 },
      monthlyBasic: 1749,
      probation: null,
      afterProbation: null,
      before: { position: { system: 'civil-servant', post: '一级科员', postLayer: '科员', leadership: false, level: 25, grade: 4 }, items: { 'post-wage': 600, 'level-wage': 1000 }, monthlyBasic: 1600 },
      increase: 149,
    });
  });

  it('T3 编制类型变更: 工勤 → 行政 within the unit', async () => {
    const unitId = await r.w.unitId('U001');
    const personId = await enrolPerson(r, 'U001', { idNumber: idNumber('37061219800220001'), name: '马强', gender: '1', birthDate: '1980-02-20', bianzhiType: 'GQ', post: '技术工三级' });
    const [gq, xz] = [await quota('U001', 'GQ'), await quota('U001', 'XZ')];
    const id = await r.start('staff-adjust-establishment-type', 'bianban-clerk', { unitId, personId });
    await r.complete(id, 'Task_RegisterTypeChange', 'bianban-clerk', {
      changeType: '工勤转管理', newBianzhiType: 'XZ', basisDocNo: '示编委〔2026〕9号', effectiveDate: '2026-11-01',
      currentSalary: { post: '技术工三级', track: 'worker', postLevel: 3, scale: 10 }, regradeTarget: { post: '一级科员', level: 26, grade: 2 },
    });
    // (the person is 工勤 until the change: 人社 re-grades)
    await r.complete(id, 'Task_RegradeSalary', 'hrss-clerk', { regradeConfirmed: true });
    await r.complete(id, 'Task_ConfirmFundingChange', 'finance-clerk', { fundingChangeConfirmed: true });
    await assertVerified(id);
    assert.equal((await db('persons').where({ id: personId }).first()).bianzhi_type, 'XZ');
    assert.equal((await quota('U001', 'GQ')).actual, gq.actual - 1);
    assert.equal((await quota('U001', 'XZ')).actual, xz.actual + 1);
    // the figures, worked by hand (domain-spec §1 T3 steps 3 and 5, §3.1, §3.2, §4.2, §6), from the month of the change 2026-11
    const v = (await r.instance(id)).variables;
    // step 3 身份/工资套改: before, 工勤 (事业 structure, 工勤技能 track [C]): 技术工三级 615 + 薪级 10 = 197 (§3.2 2006 table [C]) → 812
    //   after, 公务员: 职级工资 一级科员 = 科员 600 + 级别工资 26级2档 = 790 + 45 = 835 (§3.1 [B]) → 1,435; 增资 = 1,435 − 812 = 623
    assert.deepEqual(salaryFigures(v.salary), {
      effectiveMonth: '2026-11',
      position: { system: 'civil-servant', post: '一级科员', postLayer: '科员', leadership: false, level: 26, grade: 2 },
      items: { 'post-wage': 600, 'level-wage': 835 },
      monthlyBasic: 1435,
      probation: null,
      afterProbation: null,
      before: { position: { system: 'institution', track: 'worker', postLevel: '3', postName: '技术工三级', scale: 10 }, items: { 'post-wage': 615, 'scale-wage': 197 }, monthlyBasic: 812 },
      increase: 623,
    });
    // step 5 财政 on the new track, U001 机关 全额, from 2026-11: n = 13 − 11 = 2
    //   basic = 2 · 1,435 = 2,870 · T = 2 · 3,000 [C] = 6,000 · YB = December's basic 1,435 (公务员 now) · SIu: W = 1,435 < 4,200
    //   → base 4,200 → 1,520.40 (公务员, harness example) · 2 = 3,040.80 · 公用 = 2/12 · 12,000 [C] = 2,000
    //   total = 2,870 + 6,000 + 1,435 + 3,040.80 + 2,000 = 15,345.80
    assert.deepEqual(subsidyFigures(v.subsidy), {
      mode: 'add', year: 2026, fromMonth: '2026-11', months: 2,
      cost: { basic: 2870, allowance: 6000, bonus: 1435, social: 3040.8, public: 2000 },
      coverage: FULL_COVERAGE,
      totalCost: 15345.8,
      total: 15345.8,
      payrollList: { listed: true, action: 'add', month: '2026-11' },
    });
  });
});
