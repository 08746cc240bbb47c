// Runs the real processes/*.bpmn through the real engine, the registered workers and the HTTP API, the
// way the departments would: each user task is found in the worker's inbox, claimed and completed
// with its form's variables by the demo user of the department the diagram names.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { idNumberCheckDigit } from '../../domain/id-number';
import { startWorkflowApi, type WorkflowApi } from '../routes/workflow-api-harness';

export interface CaseRunner {
  w: WorkflowApi;
  /** starts a process as `username`; returns the instance id */
  start(processKey: string, username: string, variables: Record<string, unknown>): Promise<string>;
  /** waits until `elementId` has an open user task in the instance, claims and completes it as `username` */
  complete(instanceId: string, elementId: string, username: string, variables?: Record<string, unknown>): Promise<void>;
  /** claims and completes an open user task as `username` through the API, as the inbox does; `what` names it in a failure */
  claimAndComplete(taskId: string, username: string, variables?: Record<string, unknown>, what?: string): Promise<void>;
  /** the open user tasks of an instance, once the workers have nothing left to do */
  openTasks(instanceId: string): Promise<Array<{ id: string; element_id: string; candidate_groups: string[] }>>;
  /** waits for the workers, then returns the instance row */
  instance(instanceId: string): Promise<{ state: string; variables: Record<string, unknown> }>;
  /** the open incidents of an instance (a worker that failed) */
  incidents(instanceId: string): Promise<Array<{ element_id: string; message: string }>>;
  stop(): Promise<void>;
}

const WAIT_MS = 15_000;

export async function startCaseRunner(): Promise<CaseRunner> {
  const w = await startWorkflowApi();
  const db = w.t.db.knex;

  /** The workers run asynchronously: wait until they are idle, and look again until `probe` answers. */
  async function eventually<T>(probe: () => Promise<T | undefined>, what: string, instanceId: string): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      await w.running.idle();
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        const open = await db('user_tasks').where({ instance_id: instanceId, state: 'created' }).pluck('element_id');
        const instance = await db('process_instances').where({ id: instanceId }).first('state', 'variables');
        const check = instance?.variables?.quotaCheck ? ` quotaCheck=${JSON.stringify(instance.variables.quotaCheck.reasons)}` : '';
        const jobs = await db('jobs').where({ instance_id: instanceId }).whereNotIn('state', ['completed', 'canceled']).select('element_id', 'state', 'retries');
        throw new Error(`timed out waiting for ${what}: instance ${instance?.state}, open tasks [${open.join(', ')}], jobs ${JSON.stringify(jobs)}${check}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const runner: CaseRunner = {
    w,
    async start(processKey, username, variables) {
      const res = await supertest(w.t.app).post('/api/process-instances').set(await w.as(username)).send({ processKey, variables });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.data.id as string;
    },
    async complete(instanceId, elementId, username, variables = {}) {
      const task = await eventually(async () => {
        const row = await db('user_tasks').where({ instance_id: instanceId, element_id: elementId, state: 'created' }).first('id');
        if (row) return row as { id: string };
        const incidents = await runner.incidents(instanceId);
        if (incidents.length) throw new Error(`incident while waiting for ${elementId}: ${JSON.stringify(incidents)}`);
        return undefined;
      }, `user task ${elementId}`, instanceId);
      await runner.claimAndComplete(task.id, username, variables, elementId);
    },
    async claimAndComplete(taskId, username, variables = {}, what = 'task') {
      const auth = await w.as(username);
      const claim = await supertest(w.t.app).post(`/api/tasks/${taskId}/claim`).set(auth);
      assert.equal(claim.status, 200, `claim ${what} as ${username}: ${JSON.stringify(claim.body)}`);
      const done = await supertest(w.t.app).post(`/api/tasks/${taskId}/complete`).set(auth).send({ variables });
      assert.equal(done.status, 204, `complete ${what} as ${username}: ${JSON.stringify(done.body)}`);
    },
    async openTasks(instanceId) {
      await w.running.idle();
      return db('user_tasks').where({ instance_id: instanceId, state: 'created' }).select('id', 'element_id', 'candidate_groups');
    },
    async instance(instanceId) {
      // settled: ended, or waiting for a person (an open task) or for a fix (an incident)
      const read = async () => (await db('process_instances').where({ id: instanceId }).first('state', 'variables')) as { state: string; variables: Record<string, unknown> };
      await eventually(async () => {
        const row = await read();
        if (row.state !== 'active') return row;
        const waiting = await db('user_tasks').where({ instance_id: instanceId, state: 'created' }).first('id');
        return waiting || (await runner.incidents(instanceId)).length ? row : undefined;
      }, 'the instance to settle', instanceId);
      return read();
    },
    async incidents(instanceId) {
      return db('incidents').where({ instance_id: instanceId, state: 'active' }).select('element_id', 'error_message as message');
    },
    stop: () => w.stop(),
  };
  return runner;
}

/** A person the 落编申请 form would submit: valid GB 11643 number, born 1998. */
export function newGraduate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '周晓明',
    idNumber: '370612199803150014',
    gender: '1',
    birthDate: '1998-03-15',
    ethnicity: '汉族',
    politicalStatus: '03',
    education: '21',
    degree: '学士',
    school: '山东大学',
    major: '行政管理',
    graduationDate: '2020-06-30',
    workStartDate: '2020-07-01',
    post: '一级科员',
    ...overrides,
  };
}

/** Puts a person 在编 in a demo unit (its quota's 实有 counted), as the 实名制 data would hold them; returns the person id. */
export async function enrolPerson(
  runner: CaseRunner,
  unitCode: string,
  p: { idNumber: string; name: string; gender: '1' | '2'; birthDate: string; bianzhiType: string; post: string; profile?: Record<string, unknown> },
): Promise<string> {
  const db = runner.w.t.db.knex;
  const unitId = await runner.w.unitId(unitCode);
  return db.transaction(async (trx) => {
    const [row] = await trx('persons')
      .insert({ id_number: p.idNumber, name: p.name, gender: p.gender, birth_date: p.birthDate, status: 'active', unit_id: unitId, bianzhi_type: p.bianzhiType, post: p.post, entered_on: '2010-07-01', profile: JSON.stringify({ workStartDate: '1988-07-01', ...(p.profile ?? {}) }) })
      .returning('id');
    await trx('quotas').where({ unit_id: unitId, bianzhi_type: p.bianzhiType }).increment('actual', 1);
    return (row as { id: string }).id;
  });
}

/** A GB 11643 number from its first 17 digits. */
export const idNumber = (first17: string): string => first17 + idNumberCheckDigit(first17);

/** What drives a case through its user tasks: the in-process CaseRunner, or the external-task test server's. */
export interface CaseDriver {
  start(processKey: string, username: string, variables: Record<string, unknown>): Promise<string>;
  complete(instanceId: string, elementId: string, username: string, variables?: Record<string, unknown>): Promise<void>;
}

/** The Z1 用编申请 form as a unit fills it in. */
export const Z1_APPLICATION = {
  bianzhiType: 'XZ',
  requested: 1,
  entryMode: '考试录用',
  post: '一级科员',
  conditions: '本科及以上，35 周岁以下',
  applicationReason: '综合科人员不足',
  applicationAction: 'submit',
};

/** Runs a Z1 case that 编办 sends back once at 用编许可 and approves after resubmission; returns its id. */
export async function runZ1SentBackThenRegistered(d: CaseDriver, unitId: string, unitCode: string, person: Record<string, unknown>): Promise<string> {
  const clerk = `unit-${unitCode}`;
  const id = await d.start('staff-add-recruitment', clerk, { unitId });
  // 1 用编申请 → 2 用编许可: sent back once, then approved
  await d.complete(id, 'Task_ApplyQuotaUse', clerk, { ...Z1_APPLICATION, post: '科员' });
  await d.complete(id, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'reject', quotaComment: '请写明职位' });
  await d.complete(id, 'Task_ApplyQuotaUse', clerk, Z1_APPLICATION);
  await d.complete(id, 'Task_ApproveQuotaUse', 'bianban-clerk', { quotaDecision: 'approve', quotaComment: '同意' });
  // 3 落编申请 → 4 落编许可
  await d.complete(id, 'Task_ApplyRegistration', clerk, { person, registrationAction: 'submit' });
  await d.complete(id, 'Task_ApproveRegistration', 'bianban-clerk', { registrationDecision: 'approve' });
  // 5 人员调配 (公务员: 组织部) → 6 核定工资 → 7 社保 ∥ 8 财政
  await d.complete(id, 'Task_Deploy', 'org-clerk', { reportDate: '2026-12-01' });
  await d.complete(id, 'Task_ConfirmSalary', 'hrss-clerk', { salaryConfirmed: true });
  await d.complete(id, 'Task_ConfirmInsuranceBase', 'insurance-clerk', { insuranceConfirmed: true });
  await d.complete(id, 'Task_ConfirmSubsidy', 'finance-clerk', { subsidyConfirmed: true });
  return id;
}

// ---------------------------------------------------------------------------------------------------
// The figures a case computed, as plain numbers: the worked examples of the scenario tests (computed by
// hand from domain-spec §3–§6 and the seeded parameter defaults) are written against these shapes.

type Items = Array<{ code: string; amount: number }>;
const byCode = (items: Items): Record<string, number> => Object.fromEntries(items.map((i) => [i.code, i.amount]));

/** salary.calculate's `salary`: the items of the 起薪 month, probation / 转正定级, before / increase. */
export function salaryFigures(salary: unknown): Record<string, unknown> {
  const s = salary as {
    effectiveMonth: string; position: unknown; items: Items; monthlyBasic: number;
    probation: { months: number; monthlyPay: number; fromMonth: string; toMonth: string; regradingMonth: string } | null;
    afterProbation: { effectiveMonth: string; position: unknown; items: Items; monthlyBasic: number } | null;
    before: { position: unknown; items: Items; monthlyBasic: number } | null;
    increase: number | null;
  };
  assert.ok(s && typeof s === 'object', 'no salary result');
  return {
    effectiveMonth: s.effectiveMonth,
    position: s.position,
    items: byCode(s.items),
    monthlyBasic: s.monthlyBasic,
    probation: s.probation && { months: s.probation.months, monthlyPay: s.probation.monthlyPay, fromMonth: s.probation.fromMonth, toMonth: s.probation.toMonth, regradingMonth: s.probation.regradingMonth },
    afterProbation: s.afterProbation && { effectiveMonth: s.afterProbation.effectiveMonth, position: s.afterProbation.position, items: byCode(s.afterProbation.items), monthlyBasic: s.afterProbation.monthlyBasic },
    before: s.before && { position: s.before.position, items: byCode(s.before.items), monthlyBasic: s.before.monthlyBasic },
    increase: s.increase,
  };
}

/** insurance.calculate-base's `insurance`: W, the clamp, the base, each contribution, the totals. */
export function insuranceFigures(insurance: unknown): Record<string, unknown> {
  const i = insurance as {
    effectiveMonth: string | null; eligibleWage: number; lowerBound: number; upperBound: number; base: number; clamped: string | null;
    contributions: Array<{ code: string; base: number; unitAmount: number; individualAmount: number; unitAccounting: string }>;
    totals: { unit: number; unitCash: number; unitNotional: number; individual: number };
  };
  assert.ok(i && typeof i === 'object', 'no insurance result');
  for (const c of i.contributions) assert.equal(c.base, i.base, `${c.code}: every contribution is on the one clamped base`);
  return {
    effectiveMonth: i.effectiveMonth,
    eligibleWage: i.eligibleWage,
    bounds: [i.lowerBound, i.upperBound],
    base: i.base,
    clamped: i.clamped,
    unit: Object.fromEntries(i.contributions.map((c) => [c.code, c.unitAmount])),
    individual: Object.fromEntries(i.contributions.map((c) => [c.code, c.individualAmount])),
    notional: i.contributions.filter((c) => c.unitAccounting === 'notional').map((c) => c.code),
    totals: i.totals,
  };
}

/** finance.calculate-subsidy's `subsidy`: the months counted, each component (financed amount), the totals. */
export function subsidyFigures(subsidy: unknown): Record<string, unknown> {
  const s = subsidy as {
    mode: string; year: number; fromMonth: string; months: number;
    components: Array<{ code: string; cost: number; coverage: number; amount: number }>;
    totalCost: number; total: number; payrollList: unknown;
  };
  assert.ok(s && typeof s === 'object', 'no subsidy result');
  return {
    mode: s.mode,
    year: s.year,
    fromMonth: s.fromMonth,
    months: s.months,
    cost: Object.fromEntries(s.components.map((c) => [c.code, c.cost])),
    coverage: Object.fromEntries(s.components.map((c) => [c.code, c.coverage])),
    totalCost: s.totalCost,
    total: s.total,
    payrollList: s.payrollList,
  };
}

/** 全额拨款 covers every component in full (subsidy.coverage, domain-spec §6 defaults [C]). */
export const FULL_COVERAGE = { basic: 1, allowance: 1, bonus: 1, social: 1, public: 1 };

/**
 * Worked example (domain-spec §4.2–§4.3, seeded defaults) for a 全额拨款 unit whose new member's W is below 60 % of C:
 *   C = 7,000 (insurance.average-wage, placeholder [C]) → bounds 60 % · C = 4,200 and 300 % · C = 21,000 → base = 4,200
 *   unit:       养老 16 % = 672.00 · 职业年金 8 % = 336.00, 记账 (全额 unit, §4.3: not cash) · 医保 8 % [C] = 336.00
 *               · 公务员医疗补助 0 % [C] = 0 (公务员 only) · 失业 0.5 % [C] = 21.00 (事业 only) · 工伤 0.2 % = 8.40 · 公积金 12 % [C] = 504.00
 *   individual: 养老 8 % = 336.00 · 职业年金 4 % = 168.00 · 医保 2 % = 84.00 · 失业 0.5 % = 21.00 (事业 only) · 公积金 12 % = 504.00
 *   公务员: SIu (cash) = 672 + 336 + 0 + 8.40 + 504 = 1,520.40; with the 记账 336 = 1,856.40; individual = 336 + 168 + 84 + 0 + 504 = 1,092.00
 *   事业:   SIu (cash) = 672 + 336 + 21 + 8.40 + 504 = 1,541.40; with the 记账 336 = 1,877.40; individual = 336 + 168 + 84 + 21 + 504 = 1,113.00
 */
export function insuranceAtLowerBoundOfFullUnit(system: 'civil-servant' | 'institution', eligibleWage: number, effectiveMonth: string): Record<string, unknown> {
  const common = { effectiveMonth, eligibleWage, bounds: [4200, 21000], base: 4200, clamped: 'lower', notional: ['annuity'] };
  return system === 'civil-servant'
    ? {
        ...common,
        unit: { pension: 672, annuity: 336, medical: 336, 'civil-servant-medical': 0, injury: 8.4, 'housing-fund': 504 },
        individual: { pension: 336, annuity: 168, medical: 84, 'civil-servant-medical': 0, injury: 0, 'housing-fund': 504 },
        totals: { unit: 1856.4, unitCash: 1520.4, unitNotional: 336, individual: 1092 },
      }
    : {
        ...common,
        unit: { pension: 672, annuity: 336, medical: 336, unemployment: 21, injury: 8.4, 'housing-fund': 504 },
        individual: { pension: 336, annuity: 168, medical: 84, unemployment: 21, injury: 0, 'housing-fund': 504 },
        totals: { unit: 1877.4, unitCash: 1541.4, unitNotional: 336, individual: 1113 },
      };
}
