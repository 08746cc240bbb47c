// The document routes: reading (scoped), the PDF, an instance's list, and the public QR verification page.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { documentRoutes, publicVerifyRoutes } from '../../server/routes/documents';
import { createTestApp, createTestUser, tokenFor, type TestApp } from '../support/app';
import { resetDatabase } from '../support/db';
import { ID_NUMBER, RBTZ_PAYLOAD, extractPdfText, insertDocumentFixture, testDocumentService, type DocumentFixture } from '../services/documents-support';

const binary = (res: any, callback: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('document routes', () => {
  let t: TestApp;
  let fx: DocumentFixture;
  let doc: { id: string; number: string; code: string; verifyPath: string };
  const auth: Record<string, { Authorization: string }> = {};

  before(async () => {
    const probe = await createTestApp();
    await resetDatabase(probe.db.knex);
    fx = await insertDocumentFixture(probe.db.knex);
    const service = testDocumentService(probe.db.knex);
    t = await createTestApp({ routers: [documentRoutes(service), { path: '/', router: publicVerifyRoutes(service), auth: 'public' }] });
    await createTestUser(t.services, { username: 'clerk-a', roles: ['unit-clerk'], departmentId: 'unit', unitId: fx.unitA });
    await createTestUser(t.services, { username: 'clerk-b', roles: ['unit-clerk'], departmentId: 'unit', unitId: fx.unitB });
    await createTestUser(t.services, { username: 'auditor', roles: ['auditor'] });
    for (const name of ['clerk-a', 'clerk-b', 'auditor']) auth[name] = { Authorization: `Bearer ${await tokenFor(t.app, name)}` };
    doc = await t.db.knex.transaction((trx) => service.issue(trx, { type: 'RBTZ', payload: RBTZ_PAYLOAD, unitId: fx.unitA, personId: fx.personId, instanceId: fx.instanceA, idempotencyKey: 'route-test' }));
  });

  describe('GET /api/documents/:id', () => {
    it('gives the own unit\'s clerk the document with its number, fields and verification URL', async () => {
      const res = await supertest(t.app).get(`/api/documents/${doc.id}`).set(auth['clerk-a']!);
      assert.equal(res.status, 200);
      assert.equal(res.body.data.number, '370612-RBTZ-2026-0001');
      assert.equal(res.body.data.typeName, '入编通知单');
      assert.equal(res.body.data.payload.name, '张三');
      assert.equal(res.body.data.verifyUrl, `https://bianzhi.example.gov.cn${doc.verifyPath}`);
    });

    it('answers 404 to the clerk of another unit, exactly as for a document that does not exist, and records the denial', async () => {
      const hidden = await supertest(t.app).get(`/api/documents/${doc.id}`).set(auth['clerk-b']!);
      const missing = await supertest(t.app).get('/api/documents/00000000-0000-4000-8000-000000000000').set(auth['clerk-b']!);
      assert.equal(hidden.status, 404);
      assert.deepEqual(hidden.body, missing.body);
      assert.deepEqual(hidden.body.error, { code: 'NOT_FOUND', message: '文书不存在' });
      const denial = await t.db.knex('audit_events').where({ actor: 'user:clerk-b', kind: 'access.denied' }).first();
      assert.equal(denial.payload.documentId, doc.id);
    });

    it('lets an auditor read any document, and refuses callers without a session', async () => {
      assert.equal((await supertest(t.app).get(`/api/documents/${doc.id}`).set(auth.auditor!)).status, 200);
      assert.equal((await supertest(t.app).get(`/api/documents/${doc.id}`)).status, 401);
    });
  });

  describe('GET /api/documents/:id/pdf', () => {
    it('returns the PDF as an attachment, with the Chinese text intact', async () => {
      const res = await supertest(t.app).get(`/api/documents/${doc.id}/pdf`).set(auth['clerk-a']!).buffer(true).parse(binary);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.equal(res.headers['content-disposition'], 'attachment; filename=370612-RBTZ-2026-0001.pdf');
      const text = extractPdfText(res.body as Buffer).replace(/\n/g, '');
      for (const expected of ['入编通知单', '370612-RBTZ-2026-0001', '示范区机构编制委员会办公室', '张三', '示范区第一中学', '扫码核验']) assert.ok(text.includes(expected), expected);
    });

    it('answers 404 to the clerk of another unit', async () => {
      assert.equal((await supertest(t.app).get(`/api/documents/${doc.id}/pdf`).set(auth['clerk-b']!)).status, 404);
    });
  });

  describe('GET /api/process-instances/:id/documents', () => {
    it('lists the instance\'s documents for its unit, and answers 404 to another unit', async () => {
      const own = await supertest(t.app).get(`/api/process-instances/${fx.instanceA}/documents`).set(auth['clerk-a']!);
      const other = await supertest(t.app).get(`/api/process-instances/${fx.instanceA}/documents`).set(auth['clerk-b']!);
      const empty = await supertest(t.app).get(`/api/process-instances/${fx.instanceB}/documents`).set(auth['clerk-b']!);
      assert.equal(own.status, 200);
      assert.deepEqual(own.body.data.map((d: any) => [d.number, d.typeName]), [['370612-RBTZ-2026-0001', '入编通知单']]);
      assert.equal(other.status, 404);
      assert.deepEqual(empty.body, { data: [] });
    });
  });

  describe('GET /verify/:number (public)', () => {
    it('shows a zh-CN page with the key fields and the ID number masked, without a session', async () => {
      const res = await supertest(t.app).get(doc.verifyPath);
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /text\/html/);
      assert.match(res.text, /lang="zh-CN"/);
      assert.match(res.text, /核验通过/);
      assert.match(res.text, /370612-RBTZ-2026-0001/);
      assert.match(res.text, /张三/);
      assert.match(res.text, /110105\*{8}002X/);
      assert.doesNotMatch(res.text, new RegExp(ID_NUMBER));
      assert.doesNotMatch(res.text, /1949-12-31/, 'the birth date is not a key field');
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('answers JSON when asked for application/json', async () => {
      const res = await supertest(t.app).get(doc.verifyPath).set('Accept', 'application/json');
      assert.equal(res.status, 200);
      assert.equal(res.body.data.valid, true);
      assert.equal(res.body.data.number, '370612-RBTZ-2026-0001');
      assert.deepEqual(res.body.data.keyFields[1], { label: '公民身份号码', value: '110105********002X' });
    });

    it('answers 404 with 未找到 for an unknown number, as a page and as JSON', async () => {
      const page = await supertest(t.app).get(`/verify/370612-RBTZ-2026-0999?c=${doc.code}`);
      const json = await supertest(t.app).get(`/verify/370612-RBTZ-2026-0999?c=${doc.code}`).set('Accept', 'application/json');
      assert.equal(page.status, 404);
      assert.match(page.text, /未找到/);
      assert.equal(json.status, 404);
      assert.equal(json.body.error.code, 'NOT_FOUND');
    });

    it('says 校验码不符（文书可能已被篡改） for a wrong code, and asks for the code when it is missing', async () => {
      const wrong = await supertest(t.app).get(`/verify/${doc.number}?c=not-the-code`);
      const missing = await supertest(t.app).get(`/verify/${doc.number}`);
      assert.equal(wrong.status, 200);
      assert.match(wrong.text, /校验码不符（文书可能已被篡改）/);
      assert.doesNotMatch(wrong.text, /张三/);
      assert.equal(missing.status, 400);
      assert.match(missing.text, /缺少校验码/);
    });

    it('shows a document changed in the database as altered', async () => {
      // given a second document, its 姓名 rewritten with plain SQL
      const service = testDocumentService(t.db.knex);
      const other = await t.db.knex.transaction((trx) => service.issue(trx, { type: 'CBTZ', payload: { name: '李四', unitName: '示范区第一中学', reason: '辞职' }, unitId: fx.unitA, idempotencyKey: 'route-test-2' }));
      await t.db.knex.raw(`update documents set payload = jsonb_set(payload, '{name}', '"王五"') where id = ?`, [other.id]);
      // when
      const page = await supertest(t.app).get(other.verifyPath);
      const json = await supertest(t.app).get(other.verifyPath).set('Accept', 'application/json');
      // then
      assert.match(page.text, /校验码不符（文书可能已被篡改）/);
      assert.doesNotMatch(page.text, /王五|李四/);
      assert.deepEqual(json.body.data, { valid: false, status: 'altered', reason: 'record-changed', message: '校验码不符（文书可能已被篡改）' });
    });

    it('escapes what the caller puts in the path', async () => {
      const res = await supertest(t.app).get('/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E?c=x');
      assert.equal(res.status, 404);
      assert.doesNotMatch(res.text, /<script>/);
    });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const res = await supertest(t.app).get('/api/openapi.json');
    for (const path of ['/api/documents/{id}', '/api/documents/{id}/pdf', '/api/process-instances/{id}/documents', '/verify/{number}']) assert.ok(res.body.paths[path]?.get, path);
  });
});
