import assert from 'node:assert/strict';
import supertest from 'supertest';
import type { Database } from '../../server/core/db';
import { registerPaths } from '../../server/openapi';
import { createHealthService } from '../../server/services/health';
import { createTestApp } from '../support/app';

describe('GET /api/health', () => {
  it('answers 200 with the database kind when the database answers, without authentication', async () => {
    // given the app on the test database
    const { app, db } = await createTestApp();
    // when
    const res = await supertest(app).get('/api/health');
    // then
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { data: { status: 'ok', db: db.kind } });
    assert.match(res.headers['x-request-id']!, /^[0-9a-f-]{36}$/);
  });

  it('answers 503 DATABASE_UNAVAILABLE when the database does not answer in time', async () => {
    // given a database whose queries never finish
    const hanging = { kind: 'postgres', knex: { raw: () => new Promise(() => {}) }, close: async () => {} } as unknown as Database;
    const { app } = await createTestApp({ services: { health: createHealthService(hanging, 50) } });
    // when
    const res = await supertest(app).get('/api/health');
    // then
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'DATABASE_UNAVAILABLE');
  });

  it('answers 503 when the database refuses queries', async () => {
    const broken = { kind: 'postgres', knex: { raw: async () => { throw new Error('connection refused'); } } } as unknown as Database;
    const { app } = await createTestApp({ services: { health: createHealthService(broken) } });
    const res = await supertest(app).get('/api/health');
    assert.equal(res.status, 503);
    assert.equal(res.body.error.message.includes('refused'), false);
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const { app } = await createTestApp();
    assert.equal((await supertest(app).get('/api/health').set('X-Request-Id', 'abc-123')).headers['x-request-id'], 'abc-123');
    const unsafe = await supertest(app).get('/api/health').set('X-Request-Id', 'a b\tc');
    assert.notEqual(unsafe.headers['x-request-id'], 'a b\tc');
  });
});

describe('GET /api/openapi.json', () => {
  it('serves an OpenAPI 3.1 document with the session, me and health paths', async () => {
    const { app } = await createTestApp();
    // when fetched without authentication
    const res = await supertest(app).get('/api/openapi.json');
    // then
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    assert.ok(res.body.paths['/api/session'].post);
    assert.ok(res.body.paths['/api/session'].delete);
    assert.ok(res.body.paths['/api/me'].get);
    assert.ok(res.body.paths['/api/health'].get);
    assert.ok(res.body.components.schemas.AuthUser);
    assert.ok(res.body.components.securitySchemes.bearer);
  });

  it('includes paths registered by other modules', async () => {
    // given a module that registers its paths
    registerPaths({ '/api/test-registered': { get: { summary: 'registered by a test', responses: {} } } });
    const { app } = await createTestApp();
    // when
    const res = await supertest(app).get('/api/openapi.json');
    // then
    assert.equal(res.body.paths['/api/test-registered'].get.summary, 'registered by a test');
  });
});
