// Units and their establishment through the API: reads scoped like cases (a unit clerk sees the own
// unit, a 主管部门 clerk also the units below), writes by administrators only, each write one audit
// event with the fields that changed, a request that changes nothing none, and the counts the workflows
// keep (实有, 预占, plan used, 实配) refused. Demo district: U002 supervises U003, U001 supervises U006.
import assert from 'node:assert/strict';
import type express from 'express';
import supertest from 'supertest';
import { unitRoutes } from '../../server/routes/units';
import { createUnitService } from '../../server/services/units';
import { fakeClock } from '../support/clock';
import { createTestApp } from '../support/app';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('units API', () => {
  let w: WorkflowApi;
  let app: express.Express;
  const units: Record<string, string> = {};
  const year = new Date().getFullYear();
  const USERS = ['admin', 'auditor', 'bianban-clerk', 'unit-U001', 'unit-U003'];
  const auth: Record<string, { Authorization: string }> = {};

  before(async () => {
    w = await startWorkflowApi();
    app = (await createTestApp({ db: w.t.db, log: w.t.log, routers: [...w.running.routers, unitRoutes(createUnitService({ db: w.t.db.knex }))] })).app;
    for (const code of ['U001', 'U002', 'U003', 'U004', 'U005', 'U006']) units[code] = await w.unitId(code);
    for (const name of USERS) auth[name] = await w.as(name); // sign in first: sign-ins are audit events too
  });

  after(async () => {
    await w?.stop();
  });

  const knex = () => w.t.db.knex;
  const headSeq = () => w.auditHeadSeq();
  const eventsAfter = (seq: number) => w.userEventsAfter(seq);
  const as = (user: string) => ({
    get: (path: string) => supertest(app).get(path).set(auth[user]!),
    post: (path: string, body: unknown) => supertest(app).post(path).set(auth[user]!).send(body as object),
    patch: (path: string, body: unknown) => supertest(app).patch(path).set(auth[user]!).send(body as object),
    put: (path: string, body: unknown) => supertest(app).put(path).set(auth[user]!).send(body as object),
  });

  describe('reading', () => {
    it('lists every unit to an administrator with its 主管部门, flags and counts per 编制类型', async () => {
      const res = await as('admin').get('/api/units');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const byCode = new Map(res.body.data.map((u: any) => [u.code, u]));
      assert.deepEqual([...byCode.keys()], ['U001', 'U002', 'U003', 'U004', 'U005', 'U006']);
      const u003 = byCode.get('U003') as any;
      assert.deepEqual(u003.parent, { id: units.U002, code: 'U002', name: '示范区教育和体育局' });
      assert.deepEqual(u003.quotas, [{ bianzhiType: 'SY', approved: 30, actual: 27, reserved: 0, available: 3, vacant: 3, over: 0, overflowAllowance: 0, approvedDocNo: null }]);
      const u004 = byCode.get('U004') as any;
      assert.deepEqual([u004.quotas[0].over, u004.quotas[0].vacant, u004.quotas[0].available], [2, 0, -2]);
      assert.equal((byCode.get('U005') as any).keyManaged, true);
      assert.equal((byCode.get('U005') as any).keyManagedReason, '机构改革/撤并中');
      assert.deepEqual([(byCode.get('U006') as any).frozen, (byCode.get('U006') as any).frozenDocNo], [true, '示编委〔2026〕3号']);
    });

    it('shows a unit clerk only the own unit, and a 主管部门 clerk also the units below it', async () => {
      const own = await as('unit-U003').get('/api/units');
      assert.deepEqual(own.body.data.map((u: any) => u.code), ['U003']);
      const supervisor = await as('unit-U001').get('/api/units');
      assert.deepEqual(supervisor.body.data.map((u: any) => u.code), ['U001', 'U006']);
      const department = await as('bianban-clerk').get('/api/units');
      assert.equal(department.body.data.length, 6);
    });

    it('answers 404 for another unit, exactly as for a missing one, and records the denial', async () => {
      // given
      const seq = await headSeq();
      // when unit-U003 opens U004 and its establishment
      const hidden = await as('unit-U003').get(`/api/units/${units.U004}`);
      const hiddenEst = await as('unit-U003').get(`/api/units/${units.U004}/establishment`);
      const missing = await as('unit-U003').get('/api/units/00000000-0000-4000-8000-000000000000');
      // then
      assert.equal(hidden.status, 404);
      assert.equal(hiddenEst.status, 404);
      assert.deepEqual(hidden.body, missing.body);
      const events = await eventsAfter(seq);
      assert.deepEqual(events.map((e) => [e.kind, e.actor, e.payload.action, e.payload.unitId]), [
        ['access.denied', 'user:unit-U003', 'unit.read', units.U004],
        ['access.denied', 'user:unit-U003', 'unit.read', units.U004],
      ]);
      assert.equal((await as('unit-U003').get(`/api/units/${units.U003}`)).status, 200);
    });

    it('gives the establishment: 核定/实有/预占/可用/空编/超编, leader posts, this year\'s plan', async () => {
      const res = await as('unit-U001').get(`/api/units/${units.U001}/establishment`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { unit, quotas, leaderPosts, plans } = res.body.data;
      assert.equal(unit.code, 'U001');
      assert.deepEqual(quotas.find((q: any) => q.bianzhiType === 'XZ'), { bianzhiType: 'XZ', approved: 12, actual: 9, reserved: 0, available: 3, vacant: 3, over: 0, overflowAllowance: 0, approvedDocNo: null });
      assert.deepEqual(leaderPosts, [
        { level: '乡科级', kind: 'deputy', approved: 3, actual: 2, vacant: 1, over: 0 },
        { level: '乡科级', kind: 'principal', approved: 1, actual: 1, vacant: 0, over: 0 },
      ]);
      assert.equal(plans.year, year);
      assert.deepEqual(plans.items.find((p: any) => p.bianzhiType === 'XZ'), { year, bianzhiType: 'XZ', planned: 2, used: 0, remaining: 2, docNo: `示编委〔${year}〕1号` });
    });

    it("takes this year's plan by the date in Beijing: on 31 December at 20:00 UTC it is already next year", async () => {
      const lateApp = (await createTestApp({ db: w.t.db, log: w.t.log, routers: [unitRoutes(createUnitService({ db: w.t.db.knex, clock: fakeClock(new Date('2026-12-31T20:00:00Z')).now }))] })).app;
      const res = await supertest(lateApp).get(`/api/units/${units.U001}/establishment`).set(auth['unit-U001']!);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.data.plans.year, 2027);
    });
  });

  describe('who may write', () => {
    for (const user of ['auditor', 'unit-U001', 'bianban-clerk']) {
      it(`refuses ${user} every write with 403, and changes nothing`, async () => {
        const seq = await headSeq();
        const answers = [
          await as(user).post('/api/units', { code: 'X1', name: '某单位', nature: 'organ', fundingForm: 'full' }),
          await as(user).patch(`/api/units/${units.U001}`, { name: '改名' }),
          await as(user).put(`/api/units/${units.U001}/quotas/XZ`, { approved: 99 }),
          await as(user).put(`/api/units/${units.U001}/leader-posts`, { level: '乡科级', kind: 'deputy', approved: 9 }),
          await as(user).put(`/api/units/${units.U001}/plans/${year}/XZ`, { planned: 9 }),
        ];
        assert.deepEqual(answers.map((r) => [r.status, r.body.error?.code]), Array(5).fill([403, 'FORBIDDEN']));
        assert.equal((await knex()('units').where({ id: units.U001 }).first()).name, '示范区人民政府办公室');
        assert.equal((await knex()('quotas').where({ unit_id: units.U001, bianzhi_type: 'XZ' }).first()).approved, 12);
        const events = await eventsAfter(seq);
        assert.deepEqual(new Set(events.map((e) => e.kind)), new Set(['access.denied']));
      });
    }
  });

  describe('creating and changing a unit', () => {
    it('creates a unit and records admin.unit.created', async () => {
      const seq = await headSeq();
      const res = await as('admin').post('/api/units', { code: 'U101', name: '示范区档案馆', nature: 'institution', level: '股级', fundingForm: 'full', parentUnitId: units.U001 });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.data.code, 'U101');
      assert.equal(res.body.data.parent.code, 'U001');
      const row = await knex()('units').where({ code: 'U101' }).first();
      assert.equal(row.name, '示范区档案馆');
      const events = await eventsAfter(seq);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.kind, 'admin.unit.created');
      assert.equal(events[0]!.actor, 'user:admin');
      assert.deepEqual(events[0]!.payload, {
        unitId: row.id,
        unitCode: 'U101',
        before: null,
        after: { code: 'U101', nature: 'institution', name: '示范区档案馆', level: '股级', fundingForm: 'full', parentUnitId: units.U001, keyManaged: false, keyManagedReason: null, frozen: false, frozenReason: null, frozenDocNo: null, frozenUntil: null },
      });
    });

    it('answers 409 for a duplicate unit code and records nothing', async () => {
      const seq = await headSeq();
      const res = await as('admin').post('/api/units', { code: 'U001', name: '重复', nature: 'organ', fundingForm: 'full' });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'UNIT_CODE_TAKEN');
      assert.deepEqual(await eventsAfter(seq), []);
    });

    it('freezes a unit with reason, 文号 and term; the event holds only the fields that changed', async () => {
      // given a freeze without a 文号
      const incomplete = await as('admin').patch(`/api/units/${units.U003}`, { frozen: true, frozenReason: '机构改革' });
      assert.equal(incomplete.status, 400);
      assert.deepEqual(incomplete.body.error.details, [{ field: '/frozenDocNo', message: '冻结编制须填写文号' }]);
      const seq = await headSeq();
      // when
      const res = await as('admin').patch(`/api/units/${units.U003}`, { frozen: true, frozenReason: '机构改革', frozenDocNo: '示编委〔2026〕9号', frozenUntil: '2026-12-31' });
      // then
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const row = await knex()('units').where({ id: units.U003 }).first();
      assert.deepEqual([row.frozen, row.frozen_reason, row.frozen_doc_no], [true, '机构改革', '示编委〔2026〕9号']);
      assert.equal(res.body.data.frozenUntil, '2026-12-31');
      const events = await eventsAfter(seq);
      assert.deepEqual(events.map((e) => [e.kind, e.actor]), [['admin.unit.changed', 'user:admin']]);
      assert.deepEqual(events[0]!.payload, {
        unitId: units.U003,
        unitCode: 'U003',
        before: { frozen: false, frozenReason: null, frozenDocNo: null, frozenUntil: null },
        after: { frozen: true, frozenReason: '机构改革', frozenDocNo: '示编委〔2026〕9号', frozenUntil: '2026-12-31' },
      });
    });

    it('appends nothing when the request changes nothing', async () => {
      const seq = await headSeq();
      const res = await as('admin').patch(`/api/units/${units.U003}`, { frozen: true, frozenReason: '机构改革', frozenDocNo: '示编委〔2026〕9号', name: '示范区第一中学' });
      assert.equal(res.status, 200);
      assert.deepEqual(await eventsAfter(seq), []);
    });

    it('unfreezes, clearing the freeze fields (the event keeps them as before)', async () => {
      const seq = await headSeq();
      const res = await as('admin').patch(`/api/units/${units.U003}`, { frozen: false });
      assert.equal(res.status, 200);
      const row = await knex()('units').where({ id: units.U003 }).first();
      assert.deepEqual([row.frozen, row.frozen_reason, row.frozen_doc_no, row.frozen_until], [false, null, null, null]);
      const [event] = await eventsAfter(seq);
      assert.deepEqual(event!.payload.before, { frozen: true, frozenReason: '机构改革', frozenDocNo: '示编委〔2026〕9号', frozenUntil: '2026-12-31' });
      assert.deepEqual(event!.payload.after, { frozen: false, frozenReason: null, frozenDocNo: null, frozenUntil: null });
    });

    it('marks a unit key-managed only with a reason, and renames and re-parents it', async () => {
      const noReason = await as('admin').patch(`/api/units/${units.U003}`, { keyManaged: true });
      assert.equal(noReason.status, 400);
      assert.equal(noReason.body.error.details[0].field, '/keyManagedReason');
      const seq = await headSeq();
      const res = await as('admin').patch(`/api/units/${units.U003}`, { keyManaged: true, keyManagedReason: '巡视整改', name: '示范区第一高级中学', parentUnitId: units.U005, fundingForm: 'partial' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const row = await knex()('units').where({ id: units.U003 }).first();
      assert.deepEqual([row.key_managed, row.key_managed_reason, row.name, row.parent_unit_id, row.funding_form], [true, '巡视整改', '示范区第一高级中学', units.U005, 'partial']);
      const [event] = await eventsAfter(seq);
      assert.deepEqual(event!.payload.before, { name: '示范区第一中学', fundingForm: 'full', parentUnitId: units.U002, keyManaged: false, keyManagedReason: null });
      assert.deepEqual(event!.payload.after, { name: '示范区第一高级中学', fundingForm: 'partial', parentUnitId: units.U005, keyManaged: true, keyManagedReason: '巡视整改' });
      // the new 主管部门's clerk now sees the unit, the old one's no longer
      assert.ok((await supertest(app).get('/api/units').set(await w.as('unit-U005'))).body.data.some((u: any) => u.code === 'U003'));
      assert.ok(!(await supertest(app).get('/api/units').set(await w.as('unit-U002'))).body.data.some((u: any) => u.code === 'U003'));
    });

    it('refuses a 主管部门 that is the unit itself or below it, and an unknown one', async () => {
      // U001 supervises U006 and the new U101
      const self = await as('admin').patch(`/api/units/${units.U001}`, { parentUnitId: units.U001 });
      const below = await as('admin').patch(`/api/units/${units.U001}`, { parentUnitId: units.U006 });
      const unknown = await as('admin').patch(`/api/units/${units.U001}`, { parentUnitId: '00000000-0000-4000-8000-000000000000' });
      for (const res of [self, below, unknown]) {
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.details[0].field, '/parentUnitId');
      }
      assert.equal((await knex()('units').where({ id: units.U001 }).first()).parent_unit_id, null);
    });

    it('answers 404 for an unknown unit and 400 with field errors for a bad body', async () => {
      assert.equal((await as('admin').patch('/api/units/00000000-0000-4000-8000-000000000000', { name: 'x' })).status, 404);
      const bad = await as('admin').patch(`/api/units/${units.U001}`, { fundingForm: 'gift', nature: 'organ' });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.error.details.map((d: any) => d.field).sort(), ['/fundingForm', '/nature']);
    });
  });

  describe('quotas (核定编制)', () => {
    it('changes 核定 and records admin.quota.changed with the diff', async () => {
      const seq = await headSeq();
      const res = await as('admin').put(`/api/units/${units.U001}/quotas/XZ`, { approved: 14, approvedDocNo: '示编委〔2026〕5号' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.data, { bianzhiType: 'XZ', approved: 14, actual: 9, reserved: 0, available: 5, vacant: 5, over: 0, overflowAllowance: 0, approvedDocNo: '示编委〔2026〕5号' });
      const row = await knex()('quotas').where({ unit_id: units.U001, bianzhi_type: 'XZ' }).first();
      assert.deepEqual([row.approved, row.actual, row.reserved, row.approved_doc_no], [14, 9, 0, '示编委〔2026〕5号']);
      const events = await eventsAfter(seq);
      assert.deepEqual(events.map((e) => [e.kind, e.actor]), [['admin.quota.changed', 'user:admin']]);
      assert.deepEqual(events[0]!.payload, { unitId: units.U001, unitCode: 'U001', bianzhiType: 'XZ', before: { approved: 12, approvedDocNo: null }, after: { approved: 14, approvedDocNo: '示编委〔2026〕5号' } });
    });

    it('appends nothing when 核定 is set to what it is', async () => {
      const seq = await headSeq();
      const res = await as('admin').put(`/api/units/${units.U001}/quotas/XZ`, { approved: 14 });
      assert.equal(res.status, 200);
      assert.deepEqual(await eventsAfter(seq), []);
    });

    it('refuses 核定 below 实有 + 预占 unless allowOverstaff with a reason', async () => {
      // given 1 reserved on top of 9 actual
      await knex()('quotas').where({ unit_id: units.U001, bianzhi_type: 'XZ' }).update({ reserved: 1 });
      const seq = await headSeq();
      // when
      const refused = await as('admin').put(`/api/units/${units.U001}/quotas/XZ`, { approved: 9 });
      const noReason = await as('admin').put(`/api/units/${units.U001}/quotas/XZ`, { approved: 9, allowOverstaff: true });
      // then
      for (const res of [refused, noReason]) {
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.equal(res.body.error.details[0].field, '/approved');
        assert.match(res.body.error.details[0].message, /实有 9 \+ 预占 1/);
      }
      assert.equal((await knex()('quotas').where({ unit_id: units.U001, bianzhi_type: 'XZ' }).first()).approved, 14);
      assert.deepEqual(await eventsAfter(seq), []);
      // when done on purpose
      const done = await as('admin').put(`/api/units/${units.U001}/quotas/XZ`, { approved: 9, allowOverstaff: true, reason: '机构改革核减编制' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.deepEqual([done.body.data.available, done.body.data.over], [-1, 0]);
      const [event] = await eventsAfter(seq);
      assert.deepEqual(event!.payload, {
        unitId: units.U001,
        unitCode: 'U001',
        bianzhiType: 'XZ',
        before: { approved: 14 },
        after: { approved: 9 },
        reason: '机构改革核减编制',
        allowOverstaff: true,
        held: { actual: 9, reserved: 1 },
      });
    });

    it('refuses the workflow counts 实有 and 预占 with a message that says why', async () => {
      const res = await as('admin').put(`/api/units/${units.U001}/quotas/XZ`, { approved: 20, actual: 3, reserved: 0 });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details.map((d: any) => d.field), ['/actual', '/reserved']);
      assert.match(res.body.error.details[0].message, /只随.*流程变动/);
      assert.match(res.body.error.message, /流程维护/);
    });

    it('refuses a 编制类型 the unit\'s nature may not hold, and an unknown one', async () => {
      const sy = await as('admin').put(`/api/units/${units.U001}/quotas/SY`, { approved: 1 });
      assert.equal(sy.status, 400);
      assert.deepEqual(sy.body.error.details, [{ field: '/bianzhiType', message: '机关不得使用编制类型 SY' }]);
      const unknown = await as('admin').put(`/api/units/${units.U001}/quotas/QQ`, { approved: 1 });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.details[0].field, '/bianzhiType');
    });

    it('creates the quota of a new 编制类型 (before: null)', async () => {
      const seq = await headSeq();
      const res = await as('admin').put(`/api/units/${units.U001}/quotas/ZF`, { approved: 2 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((await knex()('quotas').where({ unit_id: units.U001, bianzhi_type: 'ZF' }).first()).approved, 2);
      const [event] = await eventsAfter(seq);
      assert.deepEqual(event!.payload, { unitId: units.U001, unitCode: 'U001', bianzhiType: 'ZF', before: null, after: { approved: 2, overflowAllowance: 0, approvedDocNo: null } });
    });
  });

  describe('leader posts and annual plans', () => {
    it('changes a leader post\'s 核定职数 and creates a new one', async () => {
      const seq = await headSeq();
      const changed = await as('admin').put(`/api/units/${units.U001}/leader-posts`, { level: '乡科级', kind: 'deputy', approved: 4 });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual(changed.body.data, { level: '乡科级', kind: 'deputy', approved: 4, actual: 2, vacant: 2, over: 0 });
      const created = await as('admin').put(`/api/units/${units.U006}/leader-posts`, { level: '股级', kind: 'principal', approved: 1 });
      assert.equal(created.status, 200);
      const again = await as('admin').put(`/api/units/${units.U006}/leader-posts`, { level: '股级', kind: 'principal', approved: 1 });
      assert.equal(again.status, 200);
      assert.equal((await knex()('leader_posts').where({ unit_id: units.U001, level: '乡科级', kind: 'deputy' }).first()).approved, 4);
      const events = await eventsAfter(seq);
      assert.deepEqual(events.map((e) => [e.kind, e.payload.unitCode, e.payload.before, e.payload.after]), [
        ['admin.leader-posts.changed', 'U001', { approved: 3 }, { approved: 4 }],
        ['admin.leader-posts.changed', 'U006', null, { approved: 1 }],
      ]);
    });

    it('refuses 核定职数 below 实配 without allowOverstaff, and refuses 实配 itself', async () => {
      const below = await as('admin').put(`/api/units/${units.U001}/leader-posts`, { level: '乡科级', kind: 'deputy', approved: 1 });
      assert.equal(below.status, 400);
      assert.equal(below.body.error.details[0].field, '/approved');
      const actual = await as('admin').put(`/api/units/${units.U001}/leader-posts`, { level: '乡科级', kind: 'deputy', approved: 4, actual: 0 });
      assert.equal(actual.status, 400);
      assert.equal(actual.body.error.details[0].field, '/actual');
    });

    it('changes this year\'s plan, never below what is used, and never the used count', async () => {
      // given one place of the plan used
      await knex()('annual_plans').where({ unit_id: units.U001, bianzhi_type: 'XZ', year }).update({ used: 1 });
      const seq = await headSeq();
      // when
      const ok = await as('admin').put(`/api/units/${units.U001}/plans/${year}/XZ`, { planned: 3, docNo: `示编委〔${year}〕7号` });
      const same = await as('admin').put(`/api/units/${units.U001}/plans/${year}/XZ`, { planned: 3 });
      const below = await as('admin').put(`/api/units/${units.U001}/plans/${year}/XZ`, { planned: 0 });
      const used = await as('admin').put(`/api/units/${units.U001}/plans/${year}/XZ`, { planned: 3, used: 0 });
      const badYear = await as('admin').put(`/api/units/${units.U001}/plans/1999/XZ`, { planned: 3 });
      // then
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.data, { year, bianzhiType: 'XZ', planned: 3, used: 1, remaining: 2, docNo: `示编委〔${year}〕7号` });
      assert.equal(same.status, 200);
      assert.equal(below.status, 400);
      assert.equal(below.body.error.details[0].field, '/planned');
      assert.equal(used.status, 400);
      assert.equal(used.body.error.details[0].field, '/used');
      assert.equal(badYear.status, 400);
      const row = await knex()('annual_plans').where({ unit_id: units.U001, bianzhi_type: 'XZ', year }).first();
      assert.deepEqual([row.planned, row.used, row.doc_no], [3, 1, `示编委〔${year}〕7号`]);
      const events = await eventsAfter(seq);
      assert.deepEqual(events.map((e) => [e.kind, e.payload]), [
        ['admin.plan.changed', { unitId: units.U001, unitCode: 'U001', year, bianzhiType: 'XZ', before: { planned: 2, docNo: `示编委〔${year}〕1号` }, after: { planned: 3, docNo: `示编委〔${year}〕7号` } }],
      ]);
    });

    it('shows the changes in the establishment', async () => {
      const res = await as('admin').get(`/api/units/${units.U001}/establishment?year=${year}`);
      const xz = res.body.data.quotas.find((q: any) => q.bianzhiType === 'XZ');
      assert.deepEqual([xz.approved, xz.actual, xz.reserved, xz.available], [9, 9, 1, -1]);
      assert.deepEqual(res.body.data.plans.items.find((p: any) => p.bianzhiType === 'XZ').remaining, 2);
    });
  });

  // (in a suite of its own: mocha runs a suite's own tests before its nested suites)
  describe('afterwards', () => {
    it('leaves the whole audit chain intact', async () => {
      const res = await as('auditor').get('/api/audit/verify');
      assert.equal(res.status, 200);
      assert.equal(res.body.data.intact, true, JSON.stringify(res.body.data));
      const kinds = ((await knex()('audit_events').distinct('kind').pluck('kind')) as string[]).filter((k) => k.startsWith('admin.'));
      assert.deepEqual(kinds.sort(), ['admin.leader-posts.changed', 'admin.plan.changed', 'admin.quota.changed', 'admin.unit.changed', 'admin.unit.created']);
    });
  });
});
