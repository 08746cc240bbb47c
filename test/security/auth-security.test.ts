// Security of accounts and logs: the password policy for non-demo users, every login (and failure,
// throttling, logout) in the audit log, and no personal data in the process log.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { createLogger } from '../../server/core/logger';
import { DEMO_PASSWORD } from '../../server/demo/district';
import { seedDemo } from '../../server/demo/seed';
import { startEngine, type RunningEngine } from '../../server/engine/index';
import { createTestApp, createTestUser, testConfig, tokenFor, type TestApp } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';
import { fixture } from '../routes/workflow-api-harness';

describe('account and log security', () => {
  let t: TestApp;
  let running: RunningEngine;
  let logLines: string[];

  before(async () => {
    const db = await getTestDatabase();
    await resetDatabase(db.knex);
    logLines = [];
    const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    const log = createLogger({ logLevel: 'debug' }, sink);
    await seedDemo(db.knex, log);
    running = await startEngine({ db, config: testConfig(), log });
    t = await createTestApp({ db, log, routers: running.routers, env: { LOGIN_MAX_FAILURES: '3' } });
  });

  after(async () => {
    await running?.stop();
  });

  const audit = (kind: string) => t.db.knex('audit_events').where({ kind }).orderBy('seq');

  describe('password policy (non-demo users)', () => {
    for (const [password, code] of [
      ['short1', 'PASSWORD_TOO_SHORT'],
      ['onlyletterslong', 'PASSWORD_NEEDS_LETTERS_AND_DIGITS'],
      ['12345678901', 'PASSWORD_NEEDS_LETTERS_AND_DIGITS'],
      ['xx-policy-user-2026', 'PASSWORD_CONTAINS_USERNAME'],
    ] as const) {
      it(`refuses "${password}" with ${code}, and creates nothing`, async () => {
        await assert.rejects(
          createTestUser(t.services, { username: 'policy-user', password, roles: ['clerk'], departmentId: 'org' }),
          (error: any) => error.status === 400 && error.details[0].code === code && error.details[0].field === '/password',
        );
        assert.equal(await t.db.knex('users').where({ username: 'policy-user' }).first(), undefined);
      });
    }

    it('accepts ten or more characters with letters and digits, and exempts demo users', async () => {
      await createTestUser(t.services, { username: 'policy-ok', password: 'gaoxiao2026', roles: ['clerk'], departmentId: 'org' });
      await createTestUser(t.services, { username: 'policy-demo', password: DEMO_PASSWORD, roles: ['clerk'], departmentId: 'org', isDemo: true });
      assert.ok(await tokenFor(t.app, 'policy-ok', 'gaoxiao2026'));
    });
  });

  describe('logins in the audit log', () => {
    it('records a login, a logout, failures and throttling, with no password and no typed garbage', async () => {
      // given
      await createTestUser(t.services, { username: 'audited', password: 'open-sesame-42', roles: ['clerk'], departmentId: 'org' });
      // when: a login and a logout, three failures, a throttled attempt, a failure with a username that is not one
      const token = await tokenFor(t.app, 'audited', 'open-sesame-42');
      await supertest(t.app).delete('/api/session').set('Authorization', `Bearer ${token}`);
      for (let i = 0; i < 3; i++) await supertest(t.app).post('/api/session').send({ username: 'audited', password: `wrong-${i}` });
      const throttled = await supertest(t.app).post('/api/session').send({ username: 'audited', password: 'open-sesame-42' });
      await supertest(t.app).post('/api/session').send({ username: '张三 11010519491231002X', password: 'x' });
      // then
      assert.equal(throttled.status, 429);
      assert.deepEqual((await audit('session.opened')).filter((e) => e.actor === 'user:audited').length, 1);
      assert.deepEqual((await audit('session.closed')).map((e) => e.actor), ['user:audited']);
      const failed = await audit('session.login-failed');
      assert.deepEqual(failed.map((e) => e.actor), ['user:audited', 'user:audited', 'user:audited', 'anonymous']);
      assert.deepEqual(failed[0].payload, { scheme: 'password' });
      assert.deepEqual((await audit('session.login-throttled')).map((e) => e.actor), ['user:audited']);
      const all = JSON.stringify(await t.db.knex('audit_events').whereIn('kind', ['session.opened', 'session.closed', 'session.login-failed', 'session.login-throttled']));
      assert.doesNotMatch(all, /wrong-0|open-sesame-42|张三|11010519491231002X/);
    });
  });

  describe('the process log', () => {
    it('holds no names, ID numbers, variables, passwords or tokens, whatever the requests carried', async () => {
      // given a case about a person, worked through HTTP
      const editor = await tokenFor(t.app, 'policy-editor', DEMO_PASSWORD);
      await supertest(t.app).post('/api/deployments').set('Authorization', `Bearer ${editor}`)
        .attach('resources', fixture('inbox.task.bpmn'), 'inbox.task.bpmn').attach('resources', fixture('inbox.person.form'), 'inbox.person.form');
      const clerk = await tokenFor(t.app, 'bianban-clerk', DEMO_PASSWORD);
      const auth = { Authorization: `Bearer ${clerk}` };
      const started = await supertest(t.app).post('/api/process-instances').set(auth).send({ processKey: 'inbox-task', variables: { groups: ['bianban'], personName: '王秀英', idNumber: '11010519491231002X' } });
      assert.equal(started.status, 201);
      const task = await t.db.knex('user_tasks').where({ instance_id: started.body.data.id }).first('id');
      await supertest(t.app).get(`/api/tasks?person=${encodeURIComponent('王秀英')}`).set(auth);
      await supertest(t.app).post(`/api/tasks/${task.id}/claim`).set(auth);
      await supertest(t.app).post(`/api/tasks/${task.id}/complete`).set(auth).send({ variables: { personName: '王 秀英', idNumber: '11010519491231002X' } });
      const done = await supertest(t.app).post(`/api/tasks/${task.id}/complete`).set(auth).send({ variables: { personName: '王秀英', idNumber: '11010519491231002X' } });
      assert.equal(done.status, 204);
      await supertest(t.app).get(`/api/tasks/stream?token=${clerk}`).set('Accept', 'text/event-stream').timeout(200).catch(() => undefined);
      await supertest(t.app).post('/api/session').send({ username: '王秀英', password: 'secret-typed-here' });
      // then
      const all = logLines.join('\n');
      assert.ok(logLines.length > 10, 'the requests were logged');
      assert.doesNotMatch(all, /王秀英|王 秀英|11010519491231002X|secret-typed-here/);
      assert.ok(!all.includes(clerk), 'no session token');
      assert.match(all, /"path":"\/api\/tasks"/);
    });
  });
});
