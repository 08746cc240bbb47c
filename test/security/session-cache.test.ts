// What a server keeps of signed-in users between requests (services/session-cache.ts) answers a
// request without a lookup — and is forgotten as soon as the database announces a change to
// sessions, users, roles or units, whichever process made it; while those announcements cannot be
// heard, nothing is answered from memory.
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { AUTH_CHANGED } from '../../server/core/change-feed';
import { hashToken } from '../../server/core/tokens';
import { createTestApp, createTestUser, tokenFor, type TestApp } from '../support/app';
import { requireRealPostgres, resetDatabase } from '../support/db';

describe('signed-in users kept between requests', function () {
  let t: TestApp;
  let lookups: number;
  const countLookups = (query: { sql: string }) => {
    if (query.sql.includes('join "sessions" as "s"')) lookups++;
  };

  const me = async (token: string) => supertest(t.app).get('/api/me').set('Authorization', `Bearer ${token}`);

  /** Polls `probe` until it holds (2 s at most): an announcement arrives on its own connection. */
  async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 2000;
    while (!(await probe())) {
      if (Date.now() > deadline) assert.fail(`not within 2 s: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const live = () => t.db.changes.live(AUTH_CHANGED);

  before(async () => {
    t = await createTestApp();
    await resetDatabase(t.db.knex);
    await createTestUser(t.services, { username: 'kept-clerk', roles: ['clerk'], departmentId: 'org' });
    await eventually(async () => live(), 'the change notices are heard');
    t.db.knex.on('query', countLookups);
  });

  after(() => {
    t.db.knex.off('query', countLookups);
  });

  beforeEach(() => {
    lookups = 0;
  });

  it('looks a token up once, then answers from memory', async () => {
    const token = await tokenFor(t.app, 'kept-clerk');
    for (let i = 0; i < 3; i++) assert.equal((await me(token)).status, 200);
    assert.equal(lookups, 1);
  });

  it('refuses a token at once after its logout here', async () => {
    const token = await tokenFor(t.app, 'kept-clerk');
    assert.equal((await me(token)).status, 200);
    assert.equal((await supertest(t.app).delete('/api/session').set('Authorization', `Bearer ${token}`)).status, 204);
    assert.equal((await me(token)).status, 401);
  });

  it('forgets a session another process revoked once the database announces it', async () => {
    const token = await tokenFor(t.app, 'kept-clerk');
    assert.equal((await me(token)).status, 200);
    await t.db.knex('sessions').where({ token_hash: hashToken(token) }).update({ revoked_at: new Date() });
    await eventually(async () => (await me(token)).status === 401, 'the revoked token is refused');
  });

  it('keeps what it has when a change touched no row (nothing is announced)', async () => {
    const token = await tokenFor(t.app, 'kept-clerk');
    assert.equal((await me(token)).status, 200);
    // a revoke that finds nothing to revoke, as a logout of a token already logged out
    await t.db.knex('sessions').where({ token_hash: hashToken('no-such-token') }).update({ revoked_at: new Date() });
    await new Promise((resolve) => setTimeout(resolve, 200));
    lookups = 0;
    assert.equal((await me(token)).status, 200);
    assert.equal(lookups, 0);
  });

  it('answers with the roles another process gave the user once the database announces it', async () => {
    const token = await tokenFor(t.app, 'kept-clerk');
    assert.deepEqual((await me(token)).body.data.roles, ['clerk']);
    const user = await t.db.knex('users').where({ username: 'kept-clerk' }).first('id');
    await t.db.knex('user_roles').insert({ user_id: user.id, role_id: 'leader' });
    await eventually(async () => (await me(token)).body.data.roles.includes('leader'), 'the new role is seen');
    await t.db.knex('user_roles').where({ user_id: user.id, role_id: 'leader' }).delete();
  });

  it('checks a worker account\'s Basic credentials afresh once the database announces a change to it', async () => {
    await createTestUser(t.services, { username: 'kept-worker', password: 'worker-password-1', roles: ['worker'] });
    const basic = `Basic ${Buffer.from('kept-worker:worker-password-1').toString('base64')}`;
    const asWorker = () => supertest(t.app).get('/api/me').set('Authorization', basic);
    assert.equal((await asWorker()).status, 200);
    await t.db.knex('users').where({ username: 'kept-worker' }).update({ disabled_at: new Date() });
    await eventually(async () => (await asWorker()).status === 401, 'the disabled worker is refused');
  });

  it('answers nothing from memory while the announcements cannot be heard, and again once they can', async function () {
    requireRealPostgres(this, 'ends the listening connection from the server side');
    const token = await tokenFor(t.app, 'kept-clerk');
    assert.equal((await me(token)).status, 200);
    // when the listening connection is cut
    await t.db.knex.raw(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'listen %'`);
    await eventually(async () => !live(), 'the feed knows it is deaf');
    lookups = 0;
    for (let i = 0; i < 3; i++) assert.equal((await me(token)).status, 200);
    assert.equal(lookups, 3, 'every request looked its session up');
    // then it listens again by itself
    await eventually(async () => live(), 'the feed listens again');
    await me(token);
    lookups = 0;
    for (let i = 0; i < 3; i++) assert.equal((await me(token)).status, 200);
    assert.equal(lookups, 0);
  });
});
