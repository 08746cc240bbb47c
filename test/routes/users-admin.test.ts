// User administration through the API: admins create, change, deactivate users and reset passwords;
// every signed-in user changes the own password. Each change is one audit event with the fields that
// changed and never a password or a hash; a request that changes nothing appends nothing; the last
// active administrator cannot be removed.
import assert from 'node:assert/strict';
import type express from 'express';
import supertest from 'supertest';
import { userAdminRoutes } from '../../server/routes/users';
import { createUserAdminService } from '../../server/services/users-admin';
import { createTestApp, tokenFor } from '../support/app';
import { startWorkflowApi, type WorkflowApi } from './workflow-api-harness';

describe('user administration API', () => {
  let w: WorkflowApi;
  let app: express.Express;
  let u003: string;
  const auth: Record<string, { Authorization: string }> = {};
  const PASSWORD = 'Initial-pass-2026';

  before(async () => {
    w = await startWorkflowApi();
    const service = createUserAdminService({ db: w.t.db.knex, config: w.t.config });
    app = (await createTestApp({ db: w.t.db, log: w.t.log, routers: [...w.running.routers, userAdminRoutes(service)] })).app;
    u003 = await w.unitId('U003');
    for (const name of ['admin', 'auditor', 'unit-U003', 'bianban-clerk']) auth[name] = await w.as(name);
  });

  after(async () => {
    await w?.stop();
  });

  const knex = () => w.t.db.knex;
  const headSeq = () => w.auditHeadSeq();
  const eventsAfter = (seq: number) => w.userEventsAfter(seq);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const req = (headers: { Authorization: string }) => ({
    get: (path: string) => supertest(app).get(path).set(headers),
    post: (path: string, body: unknown) => supertest(app).post(path).set(headers).send(body as object),
    patch: (path: string, body: unknown) => supertest(app).patch(path).set(headers).send(body as object),
  });
  const as = (user: string) => req(auth[user]!);
  const userRow = (username: string) => knex()('users').where({ username }).first();
  const rolesOf = async (id: string) => ((await knex()('user_roles').where({ user_id: id }).orderBy('role_id').pluck('role_id')) as string[]);

  it('lists users without any password hash', async () => {
    const res = await as('admin').get('/api/users');
    assert.equal(res.status, 200);
    const admin = res.body.data.find((u: any) => u.username === 'admin');
    assert.deepEqual(Object.keys(admin).sort(), ['active', 'departmentId', 'displayName', 'id', 'isDemo', 'roles', 'unitCode', 'unitId', 'username']);
    assert.ok(!JSON.stringify(res.body).includes('scrypt'));
    const clerks = await as('admin').get('/api/users?role=unit-clerk&active=true');
    assert.ok(clerks.body.data.every((u: any) => u.roles.includes('unit-clerk')));
    assert.ok(clerks.body.data.some((u: any) => u.username === 'unit-U003'));
  });

  for (const user of ['auditor', 'unit-U003', 'bianban-clerk']) {
    it(`refuses ${user} with 403 and records the refusal only`, async () => {
      const seq = await headSeq();
      const admin = await userRow('admin');
      const answers = [
        await as(user).get('/api/users'),
        await as(user).post('/api/users', { username: 'mallory', displayName: 'M', roles: ['admin'], password: PASSWORD }),
        await as(user).patch(`/api/users/${admin.id}`, { active: false }),
        await as(user).post(`/api/users/${admin.id}/password`, { password: 'Taken-over-2026' }),
      ];
      assert.deepEqual(answers.map((r) => [r.status, r.body.error?.code]), Array(4).fill([403, 'FORBIDDEN']));
      assert.equal(await userRow('mallory'), undefined);
      assert.deepEqual(new Set((await eventsAfter(seq)).map((e) => e.kind)), new Set(['access.denied']));
    });
  }

  describe('creating', () => {
    it('refuses an initial password that breaks the policy, with field errors', async () => {
      const res = await as('admin').post('/api/users', { username: 'li.si', displayName: '李四', roles: ['clerk'], departmentId: 'hrss', password: 'li.si123' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.details.map((d: any) => d.code), ['PASSWORD_TOO_SHORT', 'PASSWORD_CONTAINS_USERNAME']);
      assert.equal(await userRow('li.si'), undefined);
    });

    it('refuses roles that do not fit the department or unit', async () => {
      const unitless = await as('admin').post('/api/users', { username: 'wang.wu', displayName: '王五', roles: ['unit-clerk'], departmentId: 'unit', password: PASSWORD });
      assert.equal(unitless.status, 400);
      assert.deepEqual(unitless.body.error.details, [{ field: '/unitId', message: '单位经办人、主管部门经办人须关联单位' }]);
      const noDept = await as('admin').post('/api/users', { username: 'wang.wu', displayName: '王五', roles: ['clerk'], departmentId: 'nowhere', password: PASSWORD });
      assert.equal(noDept.status, 400);
      assert.equal(noDept.body.error.details[0].field, '/departmentId');
      const badRole = await as('admin').post('/api/users', { username: 'wang.wu', displayName: '王五', roles: ['root'], password: PASSWORD });
      assert.equal(badRole.status, 400);
      assert.equal(badRole.body.error.details[0].field, '/roles/0');
    });

    it('creates a user who can sign in, and records admin.user.created without the password', async () => {
      // given
      const seq = await headSeq();
      // when
      const res = await as('admin').post('/api/users', { username: 'zhang.san', displayName: '张三', roles: ['unit-clerk'], departmentId: 'unit', unitId: u003, password: PASSWORD });
      // then
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.data, { id: res.body.data.id, username: 'zhang.san', displayName: '张三', roles: ['unit-clerk'], departmentId: 'unit', unitId: u003, unitCode: 'U003', active: true, isDemo: false });
      const row = await userRow('zhang.san');
      assert.match(row.password_hash, /^scrypt\$/);
      assert.equal(row.is_demo, false);
      assert.deepEqual(await rolesOf(row.id), ['unit-clerk']);
      const events = await eventsAfter(seq);
      assert.deepEqual(events.map((e) => [e.kind, e.actor]), [['admin.user.created', 'user:admin']]);
      assert.deepEqual(events[0]!.payload, {
        userId: row.id,
        username: 'zhang.san',
        before: null,
        after: { displayName: '张三', roles: ['unit-clerk'], departmentId: 'unit', unitId: u003, active: true },
      });
      assert.ok(!JSON.stringify(events).includes(PASSWORD) && !JSON.stringify(events).includes('scrypt'));
      const token = await tokenFor(app, 'zhang.san', PASSWORD);
      assert.equal((await supertest(app).get('/api/me').set(bearer(token))).body.data.unitCode, 'U003');
    });

    it('answers 409 USERNAME_TAKEN for a duplicate username and records nothing', async () => {
      const seq = await headSeq();
      const res = await as('admin').post('/api/users', { username: 'zhang.san', displayName: '另一个张三', roles: ['auditor'], password: PASSWORD });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'USERNAME_TAKEN');
      assert.deepEqual(await eventsAfter(seq), []);
    });
  });

  describe('changing', () => {
    it('changes name, roles and unit; the event holds only the fields that changed', async () => {
      const row = await userRow('zhang.san');
      const seq = await headSeq();
      const res = await as('admin').patch(`/api/users/${row.id}`, { displayName: '张三丰', roles: ['supervisor-clerk', 'unit-clerk'], unitId: u003 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((await userRow('zhang.san')).display_name, '张三丰');
      assert.deepEqual(await rolesOf(row.id), ['supervisor-clerk', 'unit-clerk']);
      const events = await eventsAfter(seq);
      assert.deepEqual(events.map((e) => [e.kind, e.payload]), [
        ['admin.user.changed', { userId: row.id, username: 'zhang.san', before: { displayName: '张三', roles: ['unit-clerk'] }, after: { displayName: '张三丰', roles: ['supervisor-clerk', 'unit-clerk'] } }],
      ]);
    });

    it('appends nothing when the request changes nothing', async () => {
      const row = await userRow('zhang.san');
      const seq = await headSeq();
      const res = await as('admin').patch(`/api/users/${row.id}`, { displayName: '张三丰', roles: ['unit-clerk', 'supervisor-clerk'], active: true });
      assert.equal(res.status, 200);
      assert.deepEqual(await eventsAfter(seq), []);
    });

    it('refuses a password or username in PATCH, and answers 404 for an unknown user', async () => {
      const row = await userRow('zhang.san');
      const pw = await as('admin').patch(`/api/users/${row.id}`, { password: 'Another-pass-2026' });
      assert.equal(pw.status, 400);
      assert.equal(pw.body.error.details[0].field, '/password');
      assert.equal((await as('admin').patch('/api/users/00000000-0000-4000-8000-000000000000', { active: false })).status, 404);
      assert.equal((await as('admin').patch('/api/users/not-a-uuid', { active: false })).status, 404);
    });

    it('deactivates a user: the session ends at once and sign-in fails', async () => {
      // given zhang.san signed in
      const token = await tokenFor(app, 'zhang.san', PASSWORD);
      const row = await userRow('zhang.san');
      const seq = await headSeq();
      // when
      const res = await as('admin').patch(`/api/users/${row.id}`, { active: false });
      // then
      assert.equal(res.status, 200);
      assert.equal(res.body.data.active, false);
      assert.notEqual((await userRow('zhang.san')).disabled_at, null);
      assert.equal((await supertest(app).get('/api/me').set(bearer(token))).status, 401);
      assert.equal((await supertest(app).post('/api/session').send({ username: 'zhang.san', password: PASSWORD })).status, 401);
      const [event] = await eventsAfter(seq);
      assert.equal(event!.kind, 'admin.user.changed');
      assert.deepEqual([event!.payload.before, event!.payload.after], [{ active: true }, { active: false }]);
      // and back
      assert.equal((await as('admin').patch(`/api/users/${row.id}`, { active: true })).status, 200);
      assert.equal((await userRow('zhang.san')).disabled_at, null);
    });

    it('never removes the last active administrator', async () => {
      // given 'admin' is the only administrator
      const admin = await userRow('admin');
      const seq = await headSeq();
      // when it would lose the role or be deactivated
      const demote = await as('admin').patch(`/api/users/${admin.id}`, { roles: ['auditor'] });
      const disable = await as('admin').patch(`/api/users/${admin.id}`, { active: false });
      // then
      for (const res of [demote, disable]) {
        assert.equal(res.status, 409);
        assert.equal(res.body.error.code, 'LAST_ADMIN');
      }
      assert.deepEqual(await rolesOf(admin.id), ['admin']);
      assert.deepEqual(await eventsAfter(seq), []);
      // with a second administrator the first may step down
      const second = await as('admin').post('/api/users', { username: 'admin2', displayName: '管理员二', roles: ['admin'], password: PASSWORD });
      assert.equal(second.status, 201);
      const token2 = await tokenFor(app, 'admin2', PASSWORD);
      assert.equal((await req(bearer(token2)).patch(`/api/users/${admin.id}`, { roles: ['admin', 'auditor'] })).status, 200);
      assert.equal((await req(bearer(token2)).patch(`/api/users/${second.body.data.id}`, { active: false })).status, 200);
      assert.equal((await as('admin').patch(`/api/users/${admin.id}`, { roles: ['auditor'] })).status, 409);
      assert.equal((await as('admin').patch(`/api/users/${admin.id}`, { roles: ['admin'] })).status, 200);
    });
  });

  describe('passwords', () => {
    it('lets an admin reset a password: policy-checked, sessions ended, recorded without the password', async () => {
      // given zhang.san signed in
      const token = await tokenFor(app, 'zhang.san', PASSWORD);
      const row = await userRow('zhang.san');
      const weak = await as('admin').post(`/api/users/${row.id}/password`, { password: 'short1' });
      assert.equal(weak.status, 400);
      assert.equal(weak.body.error.details[0].code, 'PASSWORD_TOO_SHORT');
      const seq = await headSeq();
      // when
      const res = await as('admin').post(`/api/users/${row.id}/password`, { password: 'Reset-by-admin-77' });
      // then
      assert.equal(res.status, 204);
      assert.notEqual((await userRow('zhang.san')).password_hash, row.password_hash);
      assert.equal((await supertest(app).get('/api/me').set(bearer(token))).status, 401);
      assert.equal((await supertest(app).post('/api/session').send({ username: 'zhang.san', password: PASSWORD })).status, 401);
      await tokenFor(app, 'zhang.san', 'Reset-by-admin-77');
      const events = (await eventsAfter(seq)).filter((e) => e.kind.startsWith('admin.'));
      assert.deepEqual(events.map((e) => [e.kind, e.actor, e.payload]), [['admin.user.password-reset', 'user:admin', { userId: row.id, username: 'zhang.san', sessionsRevoked: 1 }]]);
      assert.ok(!JSON.stringify(await eventsAfter(seq)).includes('Reset-by-admin-77'));
    });

    it('lets a user change the own password: old one checked, this session kept, the others ended', async () => {
      // given two more sessions of zhang.san (besides the one the reset test opened)
      const mine = await tokenFor(app, 'zhang.san', 'Reset-by-admin-77');
      const other = await tokenFor(app, 'zhang.san', 'Reset-by-admin-77');
      const wrong = await req(bearer(mine)).post('/api/session/password', { oldPassword: 'not-it-at-all-1', newPassword: 'Changed-myself-88' });
      assert.equal(wrong.status, 400);
      assert.deepEqual(wrong.body.error.details, [{ field: '/oldPassword', message: '原密码不正确' }]);
      const weak = await req(bearer(mine)).post('/api/session/password', { oldPassword: 'Reset-by-admin-77', newPassword: 'weak' });
      assert.equal(weak.status, 400);
      assert.ok(weak.body.error.details.every((d: any) => d.field === '/newPassword'));
      const seq = await headSeq();
      // when
      const res = await req(bearer(mine)).post('/api/session/password', { oldPassword: 'Reset-by-admin-77', newPassword: 'Changed-myself-88' });
      // then
      assert.equal(res.status, 204, JSON.stringify(res.body));
      assert.equal((await supertest(app).get('/api/me').set(bearer(mine))).status, 200);
      assert.equal((await supertest(app).get('/api/me').set(bearer(other))).status, 401);
      await tokenFor(app, 'zhang.san', 'Changed-myself-88');
      const events = (await eventsAfter(seq)).filter((e) => e.kind !== 'session.opened');
      const row = await userRow('zhang.san');
      assert.deepEqual(events.map((e) => [e.kind, e.actor, e.payload]), [['user.password-changed', 'user:zhang.san', { userId: row.id, username: 'zhang.san', otherSessionsRevoked: 2 }]]);
    });

    it('lets an auditor change the own password too (session.self)', async () => {
      const res = await as('auditor').post('/api/session/password', { oldPassword: 'demo', newPassword: 'Watch-dog-2026' });
      assert.equal(res.status, 204, JSON.stringify(res.body));
      await tokenFor(app, 'auditor', 'Watch-dog-2026');
    });
  });

  describe('two administrators at once', () => {
    it('lets only one of two admins who deactivate each other at the same time succeed', async () => {
      // given admin and admin3, the only active administrators (admin2 was deactivated above)
      const third = await as('admin').post('/api/users', { username: 'admin3', displayName: '管理员三', roles: ['admin'], password: PASSWORD });
      assert.equal(third.status, 201);
      const token3 = await tokenFor(app, 'admin3', PASSWORD);
      const admin = await userRow('admin');
      // when each deactivates the other concurrently
      const [a, b] = await Promise.all([as('admin').patch(`/api/users/${third.body.data.id}`, { active: false }), req(bearer(token3)).patch(`/api/users/${admin.id}`, { active: false })]);
      // then exactly one succeeds and one active administrator is left; the other is refused as the last
      // admin (409) or, when the winner committed before it signed in, no longer signed in at all (401)
      const statuses = [a.status, b.status].sort();
      assert.ok(statuses[0] === 200 && (statuses[1] === 409 || statuses[1] === 401), JSON.stringify([a.body, b.body]));
      const active = await knex()('users as u').join('user_roles as r', 'r.user_id', 'u.id').where('r.role_id', 'admin').whereNull('u.disabled_at').pluck('u.username');
      assert.equal(active.length, 1);
      // and the survivor restores the other (a deactivated admin's sessions are gone: sign in again)
      const survivor = active[0] === 'admin' ? auth.admin! : bearer(token3);
      const other = active[0] === 'admin' ? third.body.data.id : admin.id;
      assert.equal((await req(survivor).patch(`/api/users/${other}`, { active: true })).status, 200);
      auth.admin = bearer(await tokenFor(app, 'admin', 'demo'));
    });
  });

  describe('afterwards', () => {
    it('leaves the whole audit chain intact', async () => {
      const res = await as('auditor').get('/api/audit/verify');
      assert.equal(res.status, 200);
      assert.equal(res.body.data.intact, true, JSON.stringify(res.body.data));
      const kinds = ((await knex()('audit_events').distinct('kind').pluck('kind')) as string[]).filter((k) => k.startsWith('admin.') || k.startsWith('user.'));
      assert.deepEqual(kinds.sort(), ['admin.user.changed', 'admin.user.created', 'admin.user.password-reset', 'user.password-changed']);
      const payloads = JSON.stringify(await knex()('audit_events').pluck('payload'));
      assert.ok(!payloads.includes('scrypt$') && !payloads.includes(PASSWORD));
    });
  });
});
