import assert from 'node:assert/strict';
import { Router } from 'express';
import supertest from 'supertest';
import { createLogger } from '../../server/core/logger';
import { conflict, requireUuid } from '../../server/core/errors';
import { createTestApp, createTestUser, tokenFor, type TestApp } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';
import { Writable } from 'node:stream';

/** Test-only routes that raise each kind of error (test code may use knex directly). */
function errorRoutes(t: () => TestApp): Router {
  const router = Router();
  router.post('/test-errors/department', async (req, res) => {
    await t().db.knex('departments').insert({ id: (req.body as { id: string }).id, name: '测试' });
    res.status(201).json({ data: null });
  });
  router.get('/test-errors/by-id/:id', async (req, res) => {
    await t().db.knex('users').where({ id: req.params.id }).first();
    res.json({ data: null });
  });
  router.get('/test-errors/checked/:id', (req, res) => {
    requireUuid(req.params.id, '用户');
    res.json({ data: null });
  });
  router.get('/test-errors/app-error', () => {
    throw conflict('TASK_ALREADY_CLAIMED', '任务已被他人领取', { assignee: 'someone' });
  });
  router.get('/test-errors/crash', () => {
    throw new Error('secret internal detail');
  });
  return router;
}

describe('error responses', () => {
  let t: TestApp;
  let token: string;
  let logLines: string[];

  beforeEach(async () => {
    await resetDatabase((await getTestDatabase()).knex);
    logLines = [];
    const sink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    t = await createTestApp({ routers: [errorRoutes(() => t)], log: createLogger({ logLevel: 'info' }, sink) });
    await createTestUser(t.services, { username: 'clerk', roles: ['clerk'], departmentId: 'org' });
    token = await tokenFor(t.app, 'clerk');
  });

  const auth = () => ({ Authorization: `Bearer ${token}` });

  it('answers 400 VALIDATION_FAILED for a body that is not JSON', async () => {
    const res = await supertest(t.app).post('/api/session').set('Content-Type', 'application/json').send('{"username":');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
  });

  it('answers 413 for a JSON body over 1 MB', async () => {
    const res = await supertest(t.app).post('/api/session').set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'x', password: 'y'.repeat(1_100_000) }));
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('answers 404 NOT_FOUND as JSON for an unknown /api route of a signed-in caller', async () => {
    const res = await supertest(t.app).get('/api/no-such-thing').set(auth());
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: { code: 'NOT_FOUND', message: '接口不存在' } });
  });

  it('answers 401, not 404, for an unknown /api route without credentials (routes stay hidden)', async () => {
    const res = await supertest(t.app).get('/api/no-such-thing');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });

  it('maps a unique violation to 409 CONFLICT by its SQLSTATE, naming only the constraint', async () => {
    // given a department that exists (reference data)
    // when a route inserts it again
    const res = await supertest(t.app).post('/api/test-errors/department').set(auth()).send({ id: 'bianban' });
    // then 409 with the constraint, and no values from PostgreSQL's detail text
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'CONFLICT');
    assert.equal(res.body.error.details.sqlstate, '23505');
    assert.equal(res.body.error.details.constraint, 'departments_pkey');
    assert.doesNotMatch(JSON.stringify(res.body), /Key \(id\)/);
  });

  it('maps a CHECK violation to 409 CONFLICT', async () => {
    const res = await supertest(t.app).post('/api/test-errors/department').set(auth()).send({ id: 'BAD ID' });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.details.constraint, 'departments_id_format');
  });

  it('maps invalid text for a uuid column (22P02) to 400 VALIDATION_FAILED', async () => {
    const res = await supertest(t.app).get('/api/test-errors/by-id/not-a-uuid').set(auth());
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.equal(res.body.error.details.sqlstate, '22P02');
  });

  it('lets routes turn a malformed id into 404 before it reaches the database', async () => {
    const res = await supertest(t.app).get('/api/test-errors/checked/not-a-uuid').set(auth());
    assert.equal(res.status, 404);
    assert.equal(res.body.error.message, '用户不存在');
  });

  it('passes an AppError through with its status, code, message and details', async () => {
    const res = await supertest(t.app).get('/api/test-errors/app-error').set(auth());
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, {
      error: { code: 'TASK_ALREADY_CLAIMED', message: '任务已被他人领取', details: { assignee: 'someone' } },
    });
  });

  it('answers 500 INTERNAL without details for an unexpected error, and logs its stack', async () => {
    const res = await supertest(t.app).get('/api/test-errors/crash').set(auth());
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, { error: { code: 'INTERNAL', message: '服务器内部错误' } });
    const logged = logLines.map((l) => JSON.parse(l) as { msg: string; err?: { stack?: string }; reqId?: string; user?: string })
      .find((l) => l.msg === 'unhandled error');
    assert.ok(logged?.err?.stack?.includes('secret internal detail'));
    assert.equal(logged?.user, 'clerk');
    assert.ok(logged?.reqId);
  });

  it('never writes request bodies or passwords to the log', async () => {
    await supertest(t.app).post('/api/session').send({ username: 'clerk', password: 'wrong-password-xyz' });
    await supertest(t.app).post('/api/session').send({ username: 'clerk', password: 'secret-password-1' });
    const all = logLines.join('\n');
    assert.doesNotMatch(all, /wrong-password-xyz|secret-password/);
    assert.match(all, /"path":"\/api\/session"/);
  });
});
