// The document service: gapless numbering (also under concurrency on real PostgreSQL), idempotent
// issue, signing and verification of the stored row.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { parseDocumentNumber } from '../../domain/document-numbers';
import { signDocument } from '../../server/services/documents';
import { fakeClock } from '../support/clock';
import { getTestDatabase, requireRealPostgres, resetDatabase } from '../support/db';
import { ID_NUMBER, RBTZ_PAYLOAD, SIGNING_SECRET, insertDocumentFixture, testDocumentService, type DocumentFixture } from './documents-support';

describe('document service', () => {
  let knex: Knex;
  let fx: DocumentFixture;
  let service: ReturnType<typeof testDocumentService>;

  before(async () => {
    knex = (await getTestDatabase()).knex;
  });

  beforeEach(async () => {
    await resetDatabase(knex);
    fx = await insertDocumentFixture(knex);
    service = testDocumentService(knex);
  });

  const issue = (key: string, extra: Record<string, unknown> = {}) =>
    knex.transaction((trx) => service.issue(trx, { type: 'RBTZ', payload: RBTZ_PAYLOAD, unitId: fx.unitA, personId: fx.personId, instanceId: fx.instanceA, idempotencyKey: key, ...extra }));

  describe('numbering', () => {
    it('numbers each type and year from 0001 up, {district}-{type}-{yyyy}-{seq}, the year from the issue date in Beijing time', async () => {
      // given a clock at 2026-12-31 20:00 UTC, which is already 2027-01-01 in Beijing
      const late = testDocumentService(knex, fakeClock(new Date('2026-12-31T20:00:00Z')));
      // when
      const first = await issue('k1');
      const second = await issue('k2');
      const otherType = await knex.transaction((trx) => service.issue(trx, { type: 'CBTZ', payload: { name: '张三' }, unitId: fx.unitA, idempotencyKey: 'k3' }));
      const explicitDate = await issue('k4', { issuedOn: '2025-06-30' });
      const newYear = await knex.transaction((trx) => late.issue(trx, { type: 'RBTZ', payload: RBTZ_PAYLOAD, unitId: fx.unitA, idempotencyKey: 'k5' }));
      // then
      assert.equal(first.number, '370612-RBTZ-2026-0001');
      assert.equal(first.issuedOn, '2026-11-24');
      assert.equal(second.number, '370612-RBTZ-2026-0002');
      assert.equal(otherType.number, '370612-CBTZ-2026-0001');
      assert.equal(explicitDate.number, '370612-RBTZ-2025-0001');
      assert.equal(newYear.number, '370612-RBTZ-2027-0001');
      assert.equal(newYear.issuedOn, '2027-01-01');
      const row = await knex('documents').where({ id: first.id }).first();
      assert.equal(row.seq, 1);
      assert.equal(row.issued_on, '2026-11-24');
      assert.equal(row.unit_id, fx.unitA);
      assert.equal(row.person_id, fx.personId);
      assert.equal(row.process_instance_id, fx.instanceA);
    });

    it('takes the number back when the issuing transaction rolls back: no gap', async () => {
      // given one document issued
      await issue('k1');
      // when the next issue's transaction fails after the document was numbered
      await assert.rejects(
        knex.transaction(async (trx) => {
          const doc = await service.issue(trx, { type: 'RBTZ', payload: RBTZ_PAYLOAD, unitId: fx.unitA, idempotencyKey: 'k2' });
          assert.equal(doc.number, '370612-RBTZ-2026-0002');
          throw new Error('the step failed after issuing');
        }),
        /the step failed/,
      );
      const next = await issue('k3');
      // then the number is issued again, and the rolled-back document does not exist
      assert.equal(next.number, '370612-RBTZ-2026-0002');
      assert.equal(await knex('documents').where({ idempotency_key: 'k2' }).first(), undefined);
      assert.deepEqual(await knex('document_sequences').select('district', 'type', 'year', 'last_seq'), [{ district: '370612', type: 'RBTZ', year: 2026, last_seq: 2 }]);
    });

    it('gives the number back when the document insert fails, without aborting the caller\'s transaction', async () => {
      // when an issue names a unit that does not exist (a foreign-key error) and the caller goes on
      const numbers = await knex.transaction(async (trx) => {
        await assert.rejects(service.issue(trx, { type: 'RBTZ', payload: RBTZ_PAYLOAD, unitId: '00000000-0000-4000-8000-000000000000', idempotencyKey: 'bad' }), (e: any) => e.code === '23503');
        return (await service.issue(trx, { type: 'RBTZ', payload: RBTZ_PAYLOAD, unitId: fx.unitA, idempotencyKey: 'good' })).number;
      });
      // then
      assert.equal(numbers, '370612-RBTZ-2026-0001');
    });

    it('numbers 20 concurrent issues 0001…0020 with no gap and no duplicate, even when some roll back', async function () {
      requireRealPostgres(this, 'concurrent transactions need several connections; PGlite runs one at a time');
      // given 24 concurrent transactions, every sixth of which fails after issuing
      const attempts = Array.from({ length: 24 }, (_, i) =>
        knex.transaction(async (trx) => {
          const doc = await service.issue(trx, { type: 'ZYSP', payload: { name: `人员${i}` }, unitId: fx.unitA, idempotencyKey: `c${i}` });
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 13)); // hold the lock a little, in varied order
          if (i % 6 === 5) throw new Error('rolled back');
          return doc.number;
        }),
      );
      // when
      const results = await Promise.allSettled(attempts);
      // then 20 commit, with exactly the numbers 1..20
      const committed = results.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled').map((r) => r.value);
      assert.equal(committed.length, 20);
      const seqs = committed.map((n) => parseDocumentNumber(n).seq).sort((a, b) => a - b);
      assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 1));
      const stored = await knex('documents').where({ type: 'ZYSP' }).orderBy('seq').pluck('seq');
      assert.deepEqual(stored, seqs);
      assert.equal((await knex('document_sequences').where({ type: 'ZYSP' }).first()).last_seq, 20);
    });

    it('returns one document when the same key is issued concurrently', async function () {
      requireRealPostgres(this, 'concurrent transactions need several connections; PGlite runs one at a time');
      // when five transactions issue with the same key at once
      const docs = await Promise.all(Array.from({ length: 5 }, () => issue('same-key')));
      // then they all get the first, and no number was used up
      assert.equal(new Set(docs.map((d) => d.id)).size, 1);
      assert.equal(docs[0]!.number, '370612-RBTZ-2026-0001');
      assert.equal(await knex('documents').count<{ count: string }[]>('* as count').then((r) => Number(r[0]!.count)), 1);
      assert.equal((await issue('next')).number, '370612-RBTZ-2026-0002');
    });
  });

  describe('idempotency', () => {
    it('returns the first document unchanged for a second issue with the same key', async () => {
      // given
      const first = await issue('job-1:Task_Enter:RBTZ');
      // when the step runs again, even with other content
      const again = await issue('job-1:Task_Enter:RBTZ', { payload: { ...RBTZ_PAYLOAD, name: '李四' } });
      // then
      assert.deepEqual(again, first);
      const rows = await knex('documents').select('payload');
      assert.equal(rows.length, 1);
      assert.equal(rows[0].payload.name, '张三');
      assert.equal((await knex('document_sequences').first()).last_seq, 1);
    });
  });

  describe('signing and verification', () => {
    it('signs number, type, issue date and payload with HMAC-SHA256 and puts the code in the verify path', async () => {
      // when
      const doc = await issue('k1', { handler: '王经办', reviewer: '赵审核' });
      const row = await knex('documents').where({ id: doc.id }).first();
      // then
      const expected = signDocument(SIGNING_SECRET, { number: doc.number, type: 'RBTZ', issuedOn: '2026-11-24', payload: row.payload });
      assert.equal(row.signature, expected);
      assert.equal(doc.code, expected);
      assert.equal(doc.verifyPath, `/verify/370612-RBTZ-2026-0001?c=${expected}`);
      assert.equal(row.payload.issuer, '示范区机构编制委员会办公室');
      assert.equal(row.payload.handler, '王经办');
      assert.equal(row.payload.reviewer, '赵审核');
    });

    it('verifies a document with its code and gives its key fields, the ID number masked', async () => {
      // given
      const doc = await issue('k1');
      // when
      const result = await service.verify(doc.number, doc.code);
      // then
      assert.equal(result.status, 'valid');
      if (result.status !== 'valid') return;
      assert.equal(result.document.typeName, '入编通知单');
      assert.equal(result.document.issuedOn, '2026-11-24');
      assert.equal(result.document.issuer, '示范区机构编制委员会办公室');
      assert.deepEqual(result.document.keyFields, [
        { label: '姓名', value: '张三' },
        { label: '公民身份号码', value: '110105********002X' },
        { label: '入编单位', value: '示范区第一中学' },
        { label: '编制类型', value: '事业编制' },
        { label: '入编日期', value: '2026-11-24' },
      ]);
      assert.doesNotMatch(JSON.stringify(result), new RegExp(ID_NUMBER));
    });

    it('answers not-found for an unknown or malformed number', async () => {
      const doc = await issue('k1');
      assert.deepEqual(await service.verify('370612-RBTZ-2026-0099', doc.code), { status: 'not-found' });
      assert.deepEqual(await service.verify('370612-RBTZ-2026-1', doc.code), { status: 'not-found' });
      assert.deepEqual(await service.verify('<script>', doc.code), { status: 'not-found' });
    });

    it('answers altered when the payload was changed in the database after issue', async () => {
      // given a document whose 入编单位 is rewritten with plain SQL
      const doc = await issue('k1');
      await knex.raw(`update documents set payload = jsonb_set(payload, '{unitName}', '"另一个单位"') where id = ?`, [doc.id]);
      // when / then
      assert.deepEqual(await service.verify(doc.number, doc.code), { status: 'altered', reason: 'record-changed' });
    });

    it('answers altered when the issue date was changed, even if the signature column was rewritten too', async () => {
      const doc = await issue('k1');
      await knex.raw(`update documents set issued_on = '2026-01-01', signature = 'forged' where id = ?`, [doc.id]);
      assert.deepEqual(await service.verify(doc.number, doc.code), { status: 'altered', reason: 'record-changed' });
    });

    it('answers altered (code mismatch) for a code that is not the document\'s, and code-missing without one', async () => {
      const one = await issue('k1');
      const two = await issue('k2');
      assert.deepEqual(await service.verify(one.number, two.code), { status: 'altered', reason: 'code-mismatch' });
      assert.deepEqual(await service.verify(one.number, 'x'), { status: 'altered', reason: 'code-mismatch' });
      assert.deepEqual(await service.verify(one.number, undefined), { status: 'code-missing' });
    });

    it('does not accept a code signed with another secret', async () => {
      const doc = await issue('k1');
      const row = await knex('documents').where({ id: doc.id }).first();
      const forged = signDocument('another-secret-of-at-least-32-characters', { number: doc.number, type: 'RBTZ', issuedOn: doc.issuedOn, payload: row.payload });
      assert.equal((await service.verify(doc.number, forged)).status, 'altered');
    });
  });

  describe('validation', () => {
    it('refuses an unknown type, an empty key or a malformed date before numbering', async () => {
      await knex.transaction(async (trx) => {
        await assert.rejects(service.issue(trx, { type: 'NOPE' as never, payload: {}, idempotencyKey: 'a' }), (e: any) => e.code === 'VALIDATION_FAILED');
        await assert.rejects(service.issue(trx, { type: 'RBTZ', payload: {}, idempotencyKey: '' }), (e: any) => e.code === 'VALIDATION_FAILED');
        await assert.rejects(service.issue(trx, { type: 'RBTZ', payload: {}, idempotencyKey: 'b', issuedOn: '24.11.2026' }), (e: any) => e.code === 'VALIDATION_FAILED');
        await assert.rejects(service.issue(trx, { type: 'RBTZ', payload: {}, idempotencyKey: 'c', issuedOn: '2026-02-30' }), (e: any) => e.code === 'VALIDATION_FAILED');
      });
      assert.equal(await knex('document_sequences').first(), undefined);
    });
  });
});
