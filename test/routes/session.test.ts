import assert from 'node:assert/strict';
import supertest from 'supertest';
import { hashToken } from '../../server/core/tokens';
import { createTestApp, createTestUser, tokenFor, type TestApp } from '../support/app';
import { fakeClock, type FakeClock } from '../support/clock';
import { getTestDatabase, resetDatabase } from '../support/db';

describe('session API', () => {
  let clock: FakeClock;
  let t: TestApp;

  beforeEach(async () => {
    await resetDatabase((await getTestDatabase()).knex);
    clock = fakeClock();
    t = await createTestApp({ clock: clock.now, env: { TOKEN_TTL_SECONDS: '3600' } });
    await createTestUser(t.services, { username: 'bb-leader', roles: ['leader', 'clerk'], departmentId: 'bianban' });
  });

  describe('POST /api/session', () => {
    it('returns a token, its expiry and the user with candidate groups', async () => {
      // when the user logs in with the right password
      const res = await supertest(t.app).post('/api/session').send({ username: 'bb-leader', password: 'secret-password-1' });
      // then 201 with a 43-character base64url token expiring after TOKEN_TTL_SECONDS
      assert.equal(res.status, 201);
      const { token, expiresAt, user } = res.body.data;
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(expiresAt, new Date(clock.now().getTime() + 3600_000).toISOString());
      assert.equal(user.username, 'bb-leader');
      assert.deepEqual(user.roles, ['clerk', 'leader']);
      assert.deepEqual(user.groups, ['bianban', 'bianban-leader']);
      assert.equal(user.passwordHash, undefined);
    });

    it('stores only the sha256 hash of the token', async () => {
      // given a session
      const token = await tokenFor(t.app, 'bb-leader');
      // then the sessions table holds its hash and never the token itself
      const rows = await t.db.knex('sessions').select('token_hash');
      assert.deepEqual(rows.map((r) => r.token_hash), [hashToken(token)]);
      assert.ok(!JSON.stringify(rows).includes(token));
    });

    it('answers 401 with one message for an unknown user and for a wrong password', async () => {
      // when
      const wrongPassword = await supertest(t.app).post('/api/session').send({ username: 'bb-leader', password: 'nope' });
      const unknownUser = await supertest(t.app).post('/api/session').send({ username: 'ghost', password: 'nope' });
      // then both are 401 and indistinguishable
      assert.equal(wrongPassword.status, 401);
      assert.equal(unknownUser.status, 401);
      assert.equal(wrongPassword.body.error.code, 'UNAUTHENTICATED');
      assert.deepEqual(wrongPassword.body, unknownUser.body);
    });

    it('answers 400 VALIDATION_FAILED with field errors for a body without a password', async () => {
      const res = await supertest(t.app).post('/api/session').send({ username: 'bb-leader' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.error.details, [{ field: '/password', message: '必填' }]);
    });

    it('answers 429 TOO_MANY_ATTEMPTS after 5 failures within 15 minutes, even with the right password', async () => {
      // given 5 failed attempts a minute apart
      for (let i = 0; i < 5; i++) {
        const res = await supertest(t.app).post('/api/session').send({ username: 'bb-leader', password: `guess-${i}` });
        assert.equal(res.status, 401, `attempt ${i + 1}`);
        clock.advance(60_000);
      }
      // when the right password is tried
      const res = await supertest(t.app).post('/api/session').send({ username: 'bb-leader', password: 'secret-password-1' });
      // then it is refused until the first failure leaves the window (15 − 5 = 10 minutes from now)
      assert.equal(res.status, 429);
      assert.equal(res.body.error.code, 'TOO_MANY_ATTEMPTS');
      assert.equal(res.headers['retry-after'], String(10 * 60));
    });

    it('lets the user in again once the failures are older than the window', async () => {
      // given 5 failures
      for (let i = 0; i < 5; i++) {
        await supertest(t.app).post('/api/session').send({ username: 'bb-leader', password: 'wrong' });
      }
      // when 15 minutes have passed
      clock.advance(15 * 60_000 + 1000);
      // then the right password works
      const res = await supertest(t.app).post('/api/session').send({ username: 'bb-leader', password: 'secret-password-1' });
      assert.equal(res.status, 201);
    });

    it('throttles per username: failures for one user do not lock out another', async () => {
      await createTestUser(t.services, { username: 'other', roles: ['clerk'], departmentId: 'finance' });
      for (let i = 0; i < 6; i++) {
        await supertest(t.app).post('/api/session').send({ username: 'bb-leader', password: 'wrong' });
      }
      const res = await supertest(t.app).post('/api/session').send({ username: 'other', password: 'secret-password-1' });
      assert.equal(res.status, 201);
    });

    it('refuses demo users when demo mode is off', async () => {
      // given a demo-flagged user and an app with DEMO=0
      await createTestUser(t.services, { username: 'demo-user', roles: ['clerk'], departmentId: 'org', isDemo: true });
      const production = await createTestApp({ env: { DEMO: '0', DOCUMENT_SIGNING_SECRET: 'p'.repeat(40), DISTRICT_CODE: '370612' } });
      // when the demo user logs in with the right password
      const res = await supertest(production.app).post('/api/session').send({ username: 'demo-user', password: 'secret-password-1' });
      // then 401
      assert.equal(res.status, 401);
    });
  });

  describe('bearer tokens', () => {
    it('GET /api/me returns the caller', async () => {
      const token = await tokenFor(t.app, 'bb-leader');
      const res = await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.data.username, 'bb-leader');
      assert.equal(res.body.data.departmentId, 'bianban');
    });

    it('answers 401 without a token, with a malformed token, and with an unknown token', async () => {
      assert.equal((await supertest(t.app).get('/api/me')).status, 401);
      assert.equal((await supertest(t.app).get('/api/me').set('Authorization', 'Bearer abc')).status, 401);
      const unknown = 'A'.repeat(43);
      const res = await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${unknown}`);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    });

    it('stops accepting a token once it has expired', async () => {
      // given a token valid for an hour
      const token = await tokenFor(t.app, 'bb-leader');
      clock.advance(3600_000 - 1000);
      assert.equal((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`)).status, 200);
      // when the hour is over
      clock.advance(1000);
      // then it is refused
      const res = await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`);
      assert.equal(res.status, 401);
    });

    it('DELETE /api/session revokes the token, and only that token', async () => {
      // given two sessions of one user
      const first = await tokenFor(t.app, 'bb-leader');
      const second = await tokenFor(t.app, 'bb-leader');
      // when the first is revoked
      const res = await supertest(t.app).delete('/api/session').set('Authorization', `Bearer ${first}`);
      // then it no longer works and the second still does
      assert.equal(res.status, 204);
      assert.equal((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${first}`)).status, 401);
      assert.equal((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${second}`)).status, 200);
      const revoked = await t.db.knex('sessions').where({ token_hash: hashToken(first) }).first('revoked_at');
      assert.ok(revoked.revoked_at instanceof Date);
    });

    it('refuses tokens of a disabled user', async () => {
      const token = await tokenFor(t.app, 'bb-leader');
      await t.db.knex('users').where({ username: 'bb-leader' }).update({ disabled_at: new Date() });
      assert.equal((await supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`)).status, 401);
    });
  });

  describe('HTTP Basic', () => {
    it('is accepted for worker accounts', async () => {
      await createTestUser(t.services, { username: 'ext-worker', roles: ['worker'] });
      const res = await supertest(t.app).get('/api/me').auth('ext-worker', 'secret-password-1');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data.roles, ['worker']);
    });

    it('is refused for every other account, even with the right password', async () => {
      const res = await supertest(t.app).get('/api/me').auth('bb-leader', 'secret-password-1');
      assert.equal(res.status, 401);
      assert.match(res.body.error.message, /Basic/);
    });

    it('is refused with a wrong password', async () => {
      await createTestUser(t.services, { username: 'ext-worker', roles: ['worker'] });
      const res = await supertest(t.app).get('/api/me').auth('ext-worker', 'wrong');
      assert.equal(res.status, 401);
    });
  });
});
