// 编制锁定 under load, end to end: 100 Z1 用编申请 of one unit race for its 3 vacant slots through the HTTP API,
// the real diagram and the in-process workers (quota.reserve runs several jobs at once, each in its own
// transaction). domain-spec.md §2.3 (锁定/预占), §2.4 (available ≥ requested). Real PostgreSQL only: PGlite runs one
// transaction at a time, so there would be no race to lose.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { requireRealPostgres } from '../support/db';
import { startCaseRunner, Z1_APPLICATION, type CaseRunner } from './harness';

const CASES = 100;
const VACANT = 3;
const SETTLE_MS = 60_000;

describe('Z1 用编申请 racing for the last slots (real PostgreSQL)', function () {
  this.timeout(180_000);
  let r: CaseRunner | undefined;

  before(async function () {
    requireRealPostgres(this, `${CASES} concurrent cases; PGlite runs one transaction at a time`);
    r = await startCaseRunner();
  });
  after(() => r?.stop());

  it(`reserves exactly ${VACANT} slots for ${CASES} concurrent applications and sends the other ${CASES - VACANT} back to the unit`, async () => {
    const runner = r!;
    const db = runner.w.t.db.knex;
    const clerk = 'unit-U003';
    const unitId = await runner.w.unitId('U003');

    // given 示范区第一中学 (SY) with exactly 3 vacant slots, nothing reserved, and a plan large enough that only the
    // slots can run out (the annual plan is not what this test races for)
    await db('quotas').where({ unit_id: unitId, bianzhi_type: 'SY' }).update({ approved: db.raw('actual + ?', [VACANT]), reserved: 0, overflow_allowance: 0 });
    await db('annual_plans').where({ unit_id: unitId, bianzhi_type: 'SY' }).update({ planned: CASES, used: 0 });
    const before = await db('quotas').where({ unit_id: unitId, bianzhi_type: 'SY' }).first();
    assert.equal(before.approved - before.actual - before.reserved, VACANT);
    const application = { ...Z1_APPLICATION, bianzhiType: 'SY', entryMode: '公开招聘', post: '专业技术十二级' };

    // when the unit clerk starts and submits 100 用编申请 at once
    const ids = await Promise.all(Array.from({ length: CASES }, () => runner.start('staff-add-recruitment', clerk, { unitId })));
    const applications = await settled(db, ids, ['Task_ApplyQuotaUse']);
    await Promise.all(ids.map((id) => runner.claimAndComplete(applications.get(id)!.taskId, clerk, application)));
    // every one passed the automatic check (nothing is reserved yet) and waits for the 编办
    const approvals = await settled(db, ids, ['Task_ApproveQuotaUse']);
    const checks = await db('process_instances').whereIn('id', ids).pluck('variables');
    assert.deepEqual([...new Set(checks.map((v: { quotaCheck?: { decision: string } }) => v.quotaCheck?.decision))], ['approve']);
    // and the 编办 approves all 100 at once: 100 quota.reserve jobs race for 3 slots
    await Promise.all(ids.map((id) => runner.claimAndComplete(approvals.get(id)!.taskId, 'bianban-clerk', { quotaDecision: 'approve', quotaComment: '同意' })));
    const next = await settled(db, ids, ['Task_ApplyRegistration', 'Task_ApplyQuotaUse']);

    // then exactly 3 cases hold a 用编通知单 and wait for the 落编申请
    const granted = ids.filter((id) => next.get(id)!.elementId === 'Task_ApplyRegistration');
    const refused = ids.filter((id) => next.get(id)!.elementId === 'Task_ApplyQuotaUse');
    assert.equal(granted.length, VACANT);
    assert.equal(refused.length, CASES - VACANT);
    assert.deepEqual(await db('incidents').whereIn('instance_id', ids).where({ state: 'active' }).select('element_id', 'error_message'), []);
    // the database holds 3 reservations, one per granted case, each with its notice; the counts agree
    const reservations = await db('quota_reservations').where({ unit_id: unitId, bianzhi_type: 'SY' }).select('instance_id', 'status', 'count', 'document_id');
    assert.deepEqual(reservations.map((x) => x.instance_id).sort(), [...granted].sort());
    for (const x of reservations) assert.deepEqual([x.status, x.count, x.document_id !== null], ['reserved', 1, true]);
    assert.equal(Number((await db('documents').where({ unit_id: unitId, type: 'YBTZ' }).count({ n: '*' }).first())?.n), VACANT);
    const after = await db('quotas').where({ unit_id: unitId, bianzhi_type: 'SY' }).first();
    assert.deepEqual({ approved: after.approved, actual: after.actual, reserved: after.reserved }, { approved: before.approved, actual: before.actual, reserved: VACANT });
    assert.equal((await db('annual_plans').where({ unit_id: unitId, bianzhi_type: 'SY' }).first()).used, VACANT);
    // and the unit's establishment (what the 编办 and the unit see) is full: 3 预占, 0 available
    const establishment = await supertest(runner.w.t.app).get(`/api/units/${unitId}/establishment`).set(await runner.w.as('bianban-clerk'));
    assert.equal(establishment.status, 200, JSON.stringify(establishment.body));
    const sy = findQuota(establishment.body.data, 'SY');
    assert.deepEqual({ approved: sy.approved, actual: sy.actual, reserved: sy.reserved, available: sy.available }, { approved: before.approved, actual: before.actual, reserved: VACANT, available: 0 });
    const variables = new Map((await db('process_instances').whereIn('id', ids).select('id', 'state', 'variables')).map((row) => [row.id as string, row]));
    for (const id of granted) {
      const row = variables.get(id)!;
      assert.equal(row.state, 'active');
      assert.match(row.variables.quotaNotice?.number ?? '', /-YBTZ-\d{4}-\d{4}$/);
    }
    // the other 97 took the QUOTA_EXHAUSTED boundary back to the unit: no notice, nothing reserved, the reason on the job
    for (const id of refused) {
      const row = variables.get(id)!;
      assert.equal(row.state, 'active');
      assert.equal(row.variables.quotaNotice, undefined, `${id} holds a notice without a reservation`);
    }
    const reserveJobs = await db('jobs').whereIn('instance_id', refused).where({ element_id: 'Task_ReserveQuota' }).select('state', 'error_message');
    assert.equal(reserveJobs.length, CASES - VACANT);
    for (const job of reserveJobs) {
      assert.equal(job.state, 'error_thrown');
      assert.match(job.error_message, /^QUOTA_EXHAUSTED: 可用编制不足/);
    }
    const refusalFlows = await db('audit_events').whereIn('instance_id', refused).where({ kind: 'flow.taken', element_id: 'Flow_ReserveQuota_QUOTA_EXHAUSTED' }).count({ n: '*' }).first();
    assert.equal(Number(refusalFlows?.n), CASES - VACANT);
  });
});

/**
 * Waits until every instance has an open user task among `elements` (and no job is left to run for them);
 * returns instance id → that task. One poll for all the cases (the harness's per-case wait would poll 100 times
 * as often). Fails at the first incident, or after SETTLE_MS.
 */
async function settled(db: CaseRunner['w']['t']['db']['knex'], ids: string[], elements: string[]): Promise<Map<string, { taskId: string; elementId: string }>> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const incidents = await db('incidents').whereIn('instance_id', ids).where({ state: 'active' }).select('element_id', 'error_message');
    assert.deepEqual(incidents, [], 'an incident while the cases ran');
    const open = await db('user_tasks').whereIn('instance_id', ids).whereIn('element_id', elements).where({ state: 'created' }).select('id', 'instance_id', 'element_id');
    const pending = await db('jobs').whereIn('instance_id', ids).whereIn('state', ['activatable', 'activated']).count({ n: '*' }).first();
    if (open.length === ids.length && Number(pending?.n) === 0) return new Map(open.map((t) => [t.instance_id as string, { taskId: t.id as string, elementId: t.element_id as string }]));
    if (Date.now() > deadline) throw new Error(`after ${SETTLE_MS} ms only ${open.length} of ${ids.length} cases wait at ${elements.join(' / ')}; ${Number(pending?.n)} jobs pending`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function findQuota(data: unknown, type: string): { approved: number; actual: number; reserved: number; available: number } {
  const quotas = ((data as { quotas?: unknown[] }).quotas ?? []) as Array<{ bianzhiType: string; approved: number; actual: number; reserved: number; available: number }>;
  const found = quotas.find((q) => q.bianzhiType === type);
  assert.ok(found, `no ${type} quota in ${JSON.stringify(data)}`);
  return found;
}
