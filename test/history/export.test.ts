// The case-file exports of one instance: the JSON export (everything, with hashes that recompute)
// and the PDF case report, through the HTTP API with the demo district's accounts.
// Whether the Chinese text of the PDF renders is checked by looking at it (pdftoppm), not here:
// these tests check the file itself (a PDF, the CJK font embedded, its page count).
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import type { EmbeddedEngine } from '../../server/engine/embedded/embedded-engine';
import { hashAuditEvent } from '../../server/repositories/audit-events';
import { CJK_FONT_NAME, renderCaseReport } from '../../server/services/case-report';
import type { CaseFile } from '../../server/services/history-export';
import { startWorkflowApi, type WorkflowApi } from '../routes/workflow-api-harness';

/** supertest's parser for a binary body */
function binary(res: any, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** pages of a PDF (pdfkit writes its objects uncompressed; only content streams are deflated) */
function pageCount(pdf: Buffer): { pages: number; declared: number } {
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type \/Page\b(?!s)/g) ?? []).length;
  const declared = Number(/\/Type \/Pages\s*\/Count (\d+)/.exec(text)?.[1] ?? /\/Count (\d+)/.exec(text)?.[1]);
  return { pages, declared };
}

describe('case-file exports of an instance', function () {
  this.timeout(60_000);
  let w: WorkflowApi;
  let instanceId: string;
  let documentNumber: string;

  /** A case of unit U001: started by its clerk, reviewed by bianban's clerk, archived by its leader. */
  async function runCase(): Promise<string> {
    const app = w.t.app;
    const started = await supertest(app).post('/api/process-instances').set(await w.as('unit-U001')).send({ processKey: 'api-review', businessKey: 'EXPORT-1', variables: { applicant: '张三' } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const id = started.body.data.id as string;
    const taskOf = async (user: string) => (await supertest(app).get('/api/tasks?processKey=api-review').set(await w.as(user))).body.data.find((t: any) => t.instanceId === id);
    const review = await taskOf('bianban-clerk');
    assert.equal((await supertest(app).post(`/api/tasks/${review.id}/claim`).set(await w.as('bianban-clerk'))).status, 200);
    assert.equal((await supertest(app).post(`/api/tasks/${review.id}/complete`).set(await w.as('bianban-clerk')).send({ variables: { opinion: '同意增编一名', approved: true } })).status, 204);
    const archive = await taskOf('bianban-leader');
    assert.equal((await supertest(app).post(`/api/tasks/${archive.id}/claim`).set(await w.as('bianban-leader'))).status, 200);
    assert.equal((await supertest(app).post(`/api/tasks/${archive.id}/complete`).set(await w.as('bianban-leader')).send({})).status, 204);
    return id;
  }

  before(async () => {
    w = await startWorkflowApi();
    await w.deploy('api.review.bpmn', 'api.review.form');
    instanceId = await runCase();
    documentNumber = `TEST-DOC-${Date.now()}`;
    await w.t.db.knex('documents').insert({ number: documentNumber, type: 'approval-notice', payload: JSON.stringify({ instanceId }), unit_id: await w.unitId('U001') });
  });

  after(async () => {
    await w?.stop();
  });

  describe('GET /api/process-instances/:id/export.json', () => {
    it('gives an auditor the whole record as a JSON attachment: instance, definition version and checksum, events with hashes, verification, head hash', async () => {
      // when
      const res = await supertest(w.t.app).get(`/api/process-instances/${instanceId}/export.json`).set(await w.as('auditor'));
      // then
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.equal(res.headers['content-disposition'], `attachment; filename=instance-${instanceId}-history.json`);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.body;
      assert.equal(body.format, 'bianzhi-flow/instance-history');
      assert.equal(body.exportedBy, 'auditor');
      assert.equal(body.instance.id, instanceId);
      assert.equal(body.instance.businessKey, 'EXPORT-1');
      assert.equal(body.instance.state, 'completed');
      assert.equal(body.instance.unit.code, 'U001');
      const definition = await w.t.db.knex('process_definitions').where({ process_id: 'api-review' }).orderBy('version', 'desc').first();
      assert.deepEqual([body.definition.processId, body.definition.version, body.definition.checksum], ['api-review', definition.version, definition.checksum]);
      assert.equal(body.definition.xml, definition.xml);
      const rows = await w.t.db.knex('audit_events').where({ instance_id: instanceId }).orderBy('seq');
      assert.deepEqual(
        body.events.map((e: any) => e.seq),
        rows.map((r: any) => Number(r.seq)),
      );
      const review = body.events.find((e: any) => e.kind === 'user-task.completed' && e.elementId === 'Task_Review');
      assert.deepEqual(review.payload.input, { opinion: '同意增编一名', approved: true });
      assert.equal(review.actor, 'user:bianban-clerk');
      assert.equal(body.actors['user:bianban-clerk'], '编办经办人');
      // every hash recomputes from the exported event alone
      for (const e of body.events) {
        const { prevHash, hash, seq: _seq, ...content } = e;
        assert.equal(hashAuditEvent(prevHash, content), hash, `event ${e.seq}`);
      }
      assert.equal(body.verification.ok, true, JSON.stringify(body.verification));
      assert.equal(body.verification.chain.intact, true);
      assert.equal(body.verification.rerun.consistent, true);
      assert.equal(body.headHash, rows[rows.length - 1].hash);
      assert.equal(body.headSeq, Number(rows[rows.length - 1].seq));
      assert.ok(body.logHead.seq >= body.headSeq);
      assert.deepEqual(
        body.documents.map((d: any) => d.number),
        [documentNumber],
      );
    });

    it('lets the unit clerk of the case export it, and answers 404 to the clerk of another unit', async () => {
      // when
      const own = await supertest(w.t.app).get(`/api/process-instances/${instanceId}/export.json`).set(await w.as('unit-U001'));
      const other = await supertest(w.t.app).get(`/api/process-instances/${instanceId}/export.json`).set(await w.as('unit-U002'));
      // then
      assert.equal(own.status, 200);
      assert.equal(own.body.instance.id, instanceId);
      assert.equal(other.status, 404);
      assert.equal(other.body.error.code, 'NOT_FOUND');
    });

    it('answers 401 without credentials and 404 for an unknown instance', async () => {
      // when
      const anonymous = await supertest(w.t.app).get(`/api/process-instances/${instanceId}/export.json`);
      const unknown = await supertest(w.t.app).get('/api/process-instances/00000000-0000-4000-8000-000000000000/export.json').set(await w.as('auditor'));
      // then
      assert.equal(anonymous.status, 401);
      assert.equal(unknown.status, 404);
    });
  });

  describe('GET /api/process-instances/:id/report.pdf', () => {
    it('gives an auditor a PDF attachment that embeds the CJK font: case and verification, then the timeline running onto page 2', async () => {
      // when
      const res = await supertest(w.t.app).get(`/api/process-instances/${instanceId}/report.pdf`).set(await w.as('auditor')).buffer(true).parse(binary);
      // then
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.equal(res.headers['content-disposition'], `attachment; filename=case-report-${instanceId}.pdf`);
      const pdf = res.body as Buffer;
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.match(pdf.toString('latin1'), new RegExp(`/BaseFont /[A-Z]{6}\\+${CJK_FONT_NAME}`));
      assert.match(pdf.toString('latin1'), /\/FontFile3 /, 'the font program is embedded');
      assert.deepEqual(pageCount(pdf), { pages: 2, declared: 2 });
    });

    it('answers 404 to the clerk of another unit', async () => {
      // when
      const res = await supertest(w.t.app).get(`/api/process-instances/${instanceId}/report.pdf`).set(await w.as('unit-U002'));
      // then
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    });

    it('continues the timeline over as many pages as it needs', async () => {
      // given the recorded case with its review submitted 150 times over
      const exported = (await supertest(w.t.app).get(`/api/process-instances/${instanceId}/export.json`).set(await w.as('auditor'))).body;
      const file = await caseFileOf(exported);
      const review = file.events.find((e) => e.kind === 'user-task.completed')!;
      const many = Array.from({ length: 150 }, (_, i) => ({ ...review, seq: String(1000 + i) }));
      // when
      const pdf = await renderCaseReport({ ...file, events: [...file.events, ...many] });
      // then
      const { pages, declared } = pageCount(pdf);
      assert.equal(pages, declared);
      assert.equal(pages, 8);
    });
  });

  it('documents both exports in the OpenAPI document', async () => {
    // when
    const res = await supertest(w.t.app).get('/api/openapi.json');
    // then
    assert.ok(res.body.paths['/api/process-instances/{id}/export.json']?.get);
    assert.ok(res.body.paths['/api/process-instances/{id}/report.pdf']?.get);
  });

  /** A CaseFile rebuilt from an export (the report is rendered from the same data). */
  async function caseFileOf(exported: any): Promise<CaseFile> {
    const definition = await (w.running.engine as EmbeddedEngine).definitions.byId(exported.definition.id);
    return {
      instance: exported.instance,
      definition: definition.row,
      model: definition.model,
      events: exported.events.map((e: any) => ({ seq: String(e.seq), occurred_at: new Date(e.occurredAt), actor: e.actor, kind: e.kind, instance_id: e.instanceId, element_id: e.elementId, payload: e.payload, prev_hash: e.prevHash, hash: e.hash })),
      verification: exported.verification,
      documents: exported.documents,
      actorNames: exported.actors,
      unit: exported.instance.unit,
      logHead: exported.logHead,
      exportedAt: exported.exportedAt,
      exportedBy: exported.exportedBy,
    };
  }
});
