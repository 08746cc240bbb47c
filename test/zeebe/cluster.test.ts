// Conformance on a REAL Camunda 8 cluster: the nine staff-change workflows (the step lists of
// test/processes/*.test.ts: the same departments, the same form data) run with ENGINE=zeebe — the
// bundled diagrams deployed to the cluster, the registered workers as Zeebe job workers, the
// departments working their inboxes through the HTTP API. Needs ZEEBE_ADDRESS (and
// ZEEBE_REST_ADDRESS, and credentials as config.ts describes) in the environment; without it every
// test is pending and the run says so. README "Run on Zeebe" has the command.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { createSilentLogger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { seedDemo } from '../../server/demo/seed';
import { startEngine, type RunningEngine } from '../../server/engine/index';
import { enrolPerson, idNumber, newGraduate, type CaseRunner } from '../processes/harness';
import { createTestApp, testConfig, tokenFor, type TestApp } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';

/** The Camunda settings config.ts reads, taken from the environment of this test run (and only here). */
const CAMUNDA_SETTINGS = [
  'ZEEBE_ADDRESS', 'ZEEBE_REST_ADDRESS', 'CAMUNDA_AUTH_STRATEGY', 'CAMUNDA_SECURE_CONNECTION', 'ZEEBE_CLIENT_ID', 'ZEEBE_CLIENT_SECRET',
  'CAMUNDA_OAUTH_URL', 'ZEEBE_TOKEN_AUDIENCE', 'CAMUNDA_BASIC_AUTH_USERNAME', 'CAMUNDA_BASIC_AUTH_PASSWORD',
];
const clusterEnv: Record<string, string> | null = process.env.ZEEBE_ADDRESS
  ? Object.fromEntries([['ENGINE', 'zeebe'], ['ZEEBE_TASK_POLL_INTERVAL_MS', '200'], ...CAMUNDA_SETTINGS.filter((k) => process.env[k]).map((k) => [k, process.env[k]!])])
  : null;

/** The export to secondary storage plus a poll: a task reaches the inbox within seconds, not at once. */
const WAIT_MS = 60_000;

type Vars = Record<string, unknown>;
interface Context {
  unitId(code: string): Promise<string>;
  enrol(unitCode: string, p: Parameters<typeof enrolPerson>[2]): Promise<string>;
  db: TestApp['db']['knex'];
}
interface Scenario {
  name: string;
  processKey: string;
  starter: string;
  start(ctx: Context): Promise<Vars>;
  steps: Array<[elementId: string, username: string, variables: Vars]>;
  then?(ctx: Context, vars: Vars): Promise<void>;
}

const z1Application = { bianzhiType: 'XZ', requested: 1, entryMode: '考试录用', post: '一级科员', conditions: '本科及以上，35 周岁以下', applicationReason: '综合科人员不足', applicationAction: 'submit' };

const scenarios: Scenario[] = [
  {
    name: 'Z1 新录用/招聘 (sent back once at 用编许可)',
    processKey: 'staff-add-recruitment',
    starter: 'unit-U001',
    start: async (c) => ({ unitId: await c.unitId('U001') }),
    steps: [
      ['Task_ApplyQuotaUse', 'unit-U001', { ...z1Application, post: '科员' }],
      ['Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'reject', quotaComment: '请写明职位' }],
      ['Task_ApplyQuotaUse', 'unit-U001', z1Application],
      ['Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve', quotaComment: '同意' }],
      ['Task_ApplyRegistration', 'unit-U001', { person: newGraduate(), registrationAction: 'submit' }],
      ['Task_ApproveRegistration', 'bianban-clerk', { registrationDecision: 'approve' }],
      ['Task_Deploy', 'org-clerk', { reportDate: '2026-12-01' }],
      ['Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true }],
      ['Task_ConfirmInsuranceBase', 'insurance-clerk', { insuranceConfirmed: true }],
      ['Task_ConfirmSubsidy', 'finance-clerk', { subsidyConfirmed: true }],
    ],
    then: async (c) => assert.equal((await c.db('persons').where({ id_number: '370612199803150014' }).first()).status, 'active'),
  },
  {
    name: 'Z2 调入',
    processKey: 'staff-add-transfer-in',
    starter: 'unit-U003',
    start: async (c) => ({ unitId: await c.unitId('U003') }),
    steps: [
      ['Task_ApplyQuotaUse', 'unit-U003', { bianzhiType: 'SY', requested: 1, entryMode: '调入', post: '数学教师', person: { name: '郑华', previousEmployer: '某市第三中学', previousBianzhiType: 'SY' }, applicationReason: '数学教师缺编', applicationAction: 'submit' }],
      ['Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve' }],
      ['Task_ApplyRegistration', 'unit-U003', {
        person: newGraduate({ name: '郑华', idNumber: idNumber('37061219900412001'), birthDate: '1990-04-12', graduationDate: '2012-06-30', workStartDate: '2012-08-01', post: '专业技术十级', previousEmployer: '某市第三中学', previousBianzhiType: 'SY' }),
        salaryLetter: { post: '专业技术十级', track: 'professional', postLevel: 10, scale: 14, paidUntil: '2026-11' },
        registrationAction: 'submit',
      }],
      ['Task_ApproveRegistration', 'bianban-clerk', { registrationDecision: 'approve' }],
      ['Task_Deploy', 'hrss-clerk', { reportDate: '2026-12-01' }],
      ['Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true }],
      ['Task_ConfirmInsuranceBase', 'insurance-clerk', { insuranceConfirmed: true }],
      ['Task_ConfirmSubsidy', 'finance-clerk', { subsidyConfirmed: true }],
    ],
  },
  {
    name: 'Z3 政策性安置',
    processKey: 'staff-add-placement',
    starter: 'unit-U002',
    start: async (c) => ({ unitId: await c.unitId('U002') }),
    steps: [
      ['Task_ApplyQuotaUse', 'unit-U002', { bianzhiType: 'XZ', requested: 1, entryMode: '军队转业干部', post: '四级主任科员', placementPlanDocNo: '军转安〔2026〕12号', applicationReason: '军转干部安置', applicationAction: 'submit' }],
      ['Task_ConsultPlacementPlan', 'bianban-clerk', { consultDecision: 'approve' }],
      ['Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve' }],
      ['Task_ApplyRegistration', 'unit-U002', {
        person: newGraduate({ name: '冯军', idNumber: idNumber('37061219850617003'), birthDate: '1985-06-17', education: '21', graduationDate: '2007-06-30', workStartDate: '2007-07-01', post: '四级主任科员', previousEmployer: '某部队', previousBianzhiType: 'none' }),
        salaryLetter: { post: '四级主任科员', level: 22, grade: 3, paidUntil: '2026-11' },
        registrationAction: 'submit',
      }],
      ['Task_ApproveRegistration', 'bianban-clerk', { registrationDecision: 'approve' }],
      ['Task_Deploy', 'org-clerk', { reportDate: '2026-12-01' }],
      ['Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true }],
      ['Task_ConfirmInsuranceBase', 'insurance-clerk', { insuranceConfirmed: true }],
      ['Task_ConfirmSubsidy', 'finance-clerk', { subsidyConfirmed: true }],
    ],
  },
  {
    name: 'J1 退休',
    processKey: 'staff-reduce-retirement',
    starter: 'unit-U001',
    start: async (c) => ({
      unitId: await c.unitId('U001'),
      personId: await c.enrol('U001', { idNumber: idNumber('37061219660210001'), name: '陈建国', gender: '1', birthDate: '1966-02-10', bianzhiType: 'XZ', post: '一级调研员' }),
      reason: '退休',
      eventDate: '2026-11-20',
    }),
    steps: [
      ['Task_ApplyRetirement', 'unit-U001', { retirementType: '法定', eventDate: '2026-11-20', applicationReason: '到龄退休' }],
      ['Task_ApproveRetirement', 'org-clerk', { retirementDecision: 'approve' }],
      ['Task_SetRetirementPay', 'hrss-clerk', { retirementPayConfirmed: true, stopMonth: '2026-11', currentSalary: { post: '一级调研员', level: 13, grade: 6 } }],
      ['Task_EnterContributions', 'insurance-clerk', { contributionMonths: 456, personalAccountBalance: 98000, averageContributionIndex: 1.3, deemedMonths: 315, deemedIndex: 1.2, workStartDate: '1988-07-01' }],
      ['Task_ConfirmPension', 'insurance-clerk', { pensionConfirmed: true }],
      ['Task_ConfirmFundingCut', 'finance-clerk', { fundingCutConfirmed: true }],
      ['Task_ConfirmDeregistration', 'bianban-clerk', { deregistrationConfirmed: true }],
    ],
    then: async (c, v) => assert.equal((await c.db('persons').where({ id: v.personId }).first()).status, 'retired'),
  },
  {
    name: 'J2 调出',
    processKey: 'staff-reduce-transfer-out',
    starter: 'unit-U005',
    start: async (c) => ({
      unitId: await c.unitId('U005'),
      personId: await c.enrol('U005', { idNumber: idNumber('37061219880808005'), name: '何伟', gender: '1', birthDate: '1988-08-08', bianzhiType: 'XZ', post: '二级主任科员' }),
      reason: '调出',
    }),
    steps: [
      ['Task_ApplyTransferOut', 'unit-U005', { transferType: '调出', receivingUnit: '某市发展和改革委员会', basisDocNo: '某组调〔2026〕33号', eventDate: '2026-11-30', applicationReason: '工作调动' }],
      ['Task_ApproveTransferOut', 'org-clerk', { transferOutDecision: 'approve' }],
      ['Task_IssueSalaryLetter', 'hrss-clerk', { stopMonth: '2026-11', currentSalary: { post: '二级主任科员', level: 20, grade: 3 } }],
      ['Task_TransferInsuranceOut', 'insurance-clerk', { insuranceTransferConfirmed: true }],
      ['Task_ConfirmFundingCut', 'finance-clerk', { fundingCutConfirmed: true }],
      ['Task_ConfirmDeregistration', 'bianban-clerk', { deregistrationConfirmed: true }],
    ],
    then: async (c, v) => assert.equal((await c.db('persons').where({ id: v.personId }).first()).status, 'history'),
  },
  {
    name: 'J3 死亡',
    processKey: 'staff-reduce-exit',
    starter: 'unit-U003',
    start: async (c) => ({
      unitId: await c.unitId('U003'),
      personId: await c.enrol('U003', { idNumber: idNumber('37061219750303002'), name: '林秀英', gender: '2', birthDate: '1975-03-03', bianzhiType: 'SY', post: '专业技术十级', profile: {} }),
    }),
    steps: [
      ['Task_RegisterExit', 'unit-U003', { reason: '死亡', eventDate: '2026-11-10', basisDocNo: '死亡证明 2026-0110', applicationReason: '病故' }],
      ['Task_StopPay', 'hrss-clerk', { stopMonth: '2026-11', funeralAllowance: 5000, survivorPension: 40000, currentSalary: { post: '专业技术十级', track: 'professional', postLevel: 10, scale: 14 } }],
      ['Task_SettleInsurance', 'insurance-clerk', { insuranceSettlementConfirmed: true }],
      ['Task_ConfirmFundingCut', 'finance-clerk', { fundingCutConfirmed: true }],
      ['Task_ConfirmDeregistration', 'bianban-clerk', { deregistrationConfirmed: true }],
    ],
    then: async (c, v) => assert.equal((await c.db('persons').where({ id: v.personId }).first()).status, 'history'),
  },
  {
    name: 'T1 区内调动',
    processKey: 'staff-adjust-transfer',
    starter: 'unit-U001',
    start: async (c) => ({
      unitId: await c.unitId('U001'),
      personId: await c.enrol('U001', { idNumber: idNumber('37061219920101007'), name: '郭磊', gender: '1', birthDate: '1992-01-01', bianzhiType: 'XZ', post: '一级科员' }),
      targetUnitId: await c.unitId('U002'),
    }),
    steps: [
      ['Task_ApplyTransfer', 'unit-U001', { transferType: '调动', targetConsent: true, applicationReason: '工作需要', applicationAction: 'submit' }],
      ['Task_ApproveTransfer', 'bianban-clerk', { transferDecision: 'approve' }],
      ['Task_ConfirmTransferOrder', 'org-clerk', { transferOrderConfirmed: true }],
      ['Task_ConfirmSalaryContinues', 'hrss-clerk', { salaryContinuationConfirmed: true }],
      ['Task_ConfirmBudgetMove', 'finance-clerk', { budgetMoveConfirmed: true }],
    ],
    then: async (c, v) => assert.equal((await c.db('persons').where({ id: v.personId }).first()).unit_id, v.targetUnitId),
  },
  {
    name: 'T2 晋升',
    processKey: 'staff-adjust-post',
    starter: 'unit-U001',
    start: async (c) => ({
      unitId: await c.unitId('U001'),
      personId: await c.enrol('U001', { idNumber: idNumber('37061219860505009'), name: '黄涛', gender: '1', birthDate: '1986-05-05', bianzhiType: 'XZ', post: '一级主任科员' }),
      bianzhiType: 'XZ',
    }),
    steps: [
      ['Task_ApplyPostChange', 'org-clerk', {
        changeType: '晋升', newPost: '乡科级副职', isLeaderPost: true, leaderPost: { level: '乡科级', kind: 'deputy' },
        currentSalary: { post: '一级主任科员', level: 21, grade: 2 }, decisionDocNo: '示组任〔2026〕8号', effectiveDate: '2026-11-01',
      }],
      ['Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true }],
      ['Task_ConfirmPayrollChange', 'finance-clerk', { payrollChangeConfirmed: true }],
    ],
    then: async (c, v) => assert.equal((await c.db('persons').where({ id: v.personId }).first()).post, '乡科级副职'),
  },
  {
    name: 'T3 编制类型变更',
    processKey: 'staff-adjust-establishment-type',
    starter: 'bianban-clerk',
    start: async (c) => ({
      unitId: await c.unitId('U001'),
      personId: await c.enrol('U001', { idNumber: idNumber('37061219800220001'), name: '马强', gender: '1', birthDate: '1980-02-20', bianzhiType: 'GQ', post: '技术工三级' }),
    }),
    steps: [
      ['Task_RegisterTypeChange', 'bianban-clerk', { changeType: '工勤转管理', newBianzhiType: 'XZ', basisDocNo: '示编委〔2026〕9号', effectiveDate: '2026-11-01' }],
      ['Task_RegradeSalary', 'hrss-clerk', { regradeConfirmed: true }],
      ['Task_ConfirmFundingChange', 'finance-clerk', { fundingChangeConfirmed: true }],
    ],
    then: async (c, v) => assert.equal((await c.db('persons').where({ id: v.personId }).first()).bianzhi_type, 'XZ'),
  },
];

describe('the nine workflows on a real Zeebe cluster (conformance)', function () {
  let running: RunningEngine;
  let t: TestApp;
  let ctx: Context;
  const tokens = new Map<string, string>();
  const as = async (username: string) => {
    if (!tokens.has(username)) tokens.set(username, await tokenFor(t.app, username, DEMO_PASSWORD));
    return { Authorization: `Bearer ${tokens.get(username)}` };
  };

  before(async function () {
    if (!clusterEnv) {
      // visible in the spec reporter's output, next to the pending tests
      console.log('      SKIPPED (needs a Zeebe cluster: set ZEEBE_ADDRESS and ZEEBE_REST_ADDRESS, plus CAMUNDA_AUTH_STRATEGY and its credentials — README "Run on Zeebe")');
      return;
    }
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    const log = createSilentLogger();
    await seedDemo(db.knex, log);
    running = await startEngine({ db, config: testConfig(clusterEnv), log });
    t = await createTestApp({ db, log, routers: running.routers });
    const unitId = async (code: string) => (await db.knex('units').where({ code }).first('id')).id as string;
    ctx = {
      db: db.knex,
      unitId,
      enrol: (unitCode, p) => enrolPerson({ w: { t, unitId } } as unknown as CaseRunner, unitCode, p),
    };
  });
  after(async () => {
    await running?.stop();
  });

  async function eventually<T>(probe: () => Promise<T | undefined>, what: string, instanceId: string): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      const incidents = await ctx.db('incidents').where({ instance_id: instanceId, state: 'active' }).select('element_id', 'error_message');
      if (incidents.length) throw new Error(`incident while waiting for ${what}: ${JSON.stringify(incidents)}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  for (const scenario of scenarios) {
    it(`${scenario.name} (${scenario.processKey}) runs to the end with the same steps as on the embedded engine`, async function () {
      if (!clusterEnv) this.skip();
      this.timeout(WAIT_MS * (scenario.steps.length + 2));
      // given
      const variables = await scenario.start(ctx);
      const started = await supertest(t.app).post('/api/process-instances').set(await as(scenario.starter)).send({ processKey: scenario.processKey, variables });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const id = started.body.data.id as string;
      // when each department works its inbox
      for (const [elementId, username, submitted] of scenario.steps) {
        const task = await eventually(
          async () => (await ctx.db('user_tasks').where({ instance_id: id, element_id: elementId, state: 'created' }).first('id')) as { id: string } | undefined,
          `user task ${elementId}`,
          id,
        );
        const claim = await supertest(t.app).post(`/api/tasks/${task.id}/claim`).set(await as(username));
        assert.equal(claim.status, 200, `claim ${elementId} as ${username}: ${JSON.stringify(claim.body)}`);
        const done = await supertest(t.app).post(`/api/tasks/${task.id}/complete`).set(await as(username)).send({ variables: submitted });
        assert.equal(done.status, 204, `complete ${elementId} as ${username}: ${JSON.stringify(done.body)}`);
      }
      // then the cluster ends the instance and the sync records it
      await eventually(async () => ((await ctx.db('process_instances').where({ id }).first('state')).state === 'completed' ? true : undefined), 'the instance to complete', id);
      await scenario.then?.(ctx, variables);
      const history = await supertest(t.app).get(`/api/process-instances/${id}/history`).set(await as('auditor'));
      const kinds = (history.body.data as { kind: string }[]).map((e) => e.kind);
      assert.equal(kinds[0], 'instance.created');
      assert.equal(kinds.at(-1), 'instance.completed');
      assert.equal(kinds.filter((k) => k === 'user-task.completed').length, scenario.steps.length);
    });
  }
});
