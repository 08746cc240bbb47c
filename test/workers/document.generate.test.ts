// document.generate with a fake job: issues the header's documents in one transaction, merges
// `documents`, is idempotent per step, and fails without retries (an incident) on missing inputs.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { ParameterStore } from '../../server/services/parameters';
import { createHandler, jobType, worker } from '../../workers/document.generate';
import type { JobHandler } from '../../workers/job';
import { fakeClock } from '../support/clock';
import { getTestDatabase, resetDatabase } from '../support/db';
import { fakeJob } from '../support/fake-job';
import { ID_NUMBER, insertDocumentFixture, testDocumentService, type DocumentFixture } from '../services/documents-support';

const PERSON = { idNumber: ID_NUMBER, name: '张三', gender: '2', birthDate: '1949-12-31', ethnicity: '汉族', politicalStatus: '13', education: '21', degree: '学士', post: '专业技术十二级' };

describe('worker document.generate', () => {
  let knex: Knex;
  let fx: DocumentFixture;
  let handler: JobHandler<any>;

  before(async () => {
    knex = (await getTestDatabase()).knex;
  });

  beforeEach(async () => {
    await resetDatabase(knex);
    fx = await insertDocumentFixture(knex);
    const clock = fakeClock();
    handler = createHandler({ db: knex, clock: clock.now, parameters: {} as ParameterStore, documents: testDocumentService(knex, clock) });
  });

  const job = (variables: Record<string, unknown>, documentTypes = 'ZYSP,RBTZ', instanceId = fx.instanceA) =>
    fakeJob(variables, { type: jobType, instanceId, elementId: 'Task_GenerateEntryDocuments', customHeaders: { documentTypes } });

  it('is registered under its job type', () => {
    assert.equal(worker.jobType, 'document.generate');
    assert.equal(worker.createHandler, createHandler);
  });

  it('issues the documents of the header, merges them into `documents`, and fills them from the variables and the unit', async () => {
    // given a 落编许可 step with the person, the 用编通知单 of an earlier step, and the salary result
    const variables = {
      unitId: fx.unitA,
      person: PERSON,
      bianzhiType: 'SY',
      entryMode: '招聘',
      entryDate: '2026-11-24',
      quotaNotice: { reservationId: 'r', documentId: 'd', number: '370612-YBTZ-2026-0007', expiresOn: '2027-02-24', count: 1 },
      salary: { postWage: 1700, gradeWage: 800, total: 2500 },
      documents: { YBTZ: { id: 'd', number: '370612-YBTZ-2026-0007' } },
    };
    // when
    const outcome = await handler(job(variables));
    // then
    assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
    if (outcome.outcome !== 'complete') return;
    const documents = outcome.variables.documents as Record<string, { id: string; number: string }>;
    assert.deepEqual(Object.keys(documents).sort(), ['RBTZ', 'YBTZ', 'ZYSP']);
    assert.equal(documents.YBTZ!.number, '370612-YBTZ-2026-0007');
    assert.equal(documents.RBTZ!.number, '370612-RBTZ-2026-0001');
    assert.equal(documents.ZYSP!.number, '370612-ZYSP-2026-0001');
    const rbtz = await knex('documents').where({ id: documents.RBTZ!.id }).first();
    assert.equal(rbtz.unit_id, fx.unitA);
    assert.equal(rbtz.process_instance_id, fx.instanceA);
    assert.equal(rbtz.idempotency_key, `${fx.instanceA}:Task_GenerateEntryDocuments:RBTZ`);
    assert.deepEqual(
      { name: rbtz.payload.name, gender: rbtz.payload.gender, politicalStatus: rbtz.payload.politicalStatus, unitName: rbtz.payload.unitName, bianzhiType: rbtz.payload.bianzhiType, quotaNoticeNumber: rbtz.payload.quotaNoticeNumber, issuer: rbtz.payload.issuer },
      { name: '张三', gender: '女', politicalStatus: '群众', unitName: '示范区第一中学', bianzhiType: '事业编制', quotaNoticeNumber: '370612-YBTZ-2026-0007', issuer: '示范区机构编制委员会办公室' },
    );
    const zysp = await knex('documents').where({ id: documents.ZYSP!.id }).first();
    assert.equal(zysp.payload.fundingForm, '全额拨款');
    assert.equal(zysp.payload.education, '大学本科毕业');
    assert.deepEqual(zysp.payload.salary, { postWage: 1700, gradeWage: 800, total: 2500 });
  });

  it('returns the same documents when the job is delivered twice', async () => {
    const variables = { unitId: fx.unitA, person: PERSON, bianzhiType: 'SY' };
    const first = await handler(job(variables));
    const second = await handler(job(variables));
    assert.deepEqual(second, first);
    assert.equal(Number((await knex('documents').count('* as n'))[0]!.n), 2);
  });

  it('reads the person from persons by personId, and the 出编通知单 number for the 减员审批表', async () => {
    // given a 销编 step after the CBTZ was issued in an earlier step
    const earlier = await handler(job({ unitId: fx.unitA, personId: fx.personId, reason: '退休', eventDate: '2026-12-31' }, 'CBTZ'));
    assert.equal(earlier.outcome, 'complete');
    const documents = (earlier as any).variables.documents;
    // when
    const outcome = await handler(
      fakeJob(
        { unitId: fx.unitA, personId: fx.personId, reason: '退休', retirement: { retirementType: '法定', retirementDate: '2026-12-31', pensionStartMonth: '2027-01' }, documents },
        { instanceId: fx.instanceA, elementId: 'Task_Reduce', customHeaders: { documentTypes: 'jysp' } },
      ),
    );
    // then
    assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
    const jysp = await knex('documents').where({ id: (outcome as any).variables.documents.JYSP.id }).first();
    assert.equal(jysp.person_id, fx.personId);
    assert.equal(jysp.payload.name, '张三');
    assert.equal(jysp.payload.idNumber, ID_NUMBER);
    assert.equal(jysp.payload.bianzhiType, '事业编制');
    assert.equal(jysp.payload.exitNoticeNumber, documents.CBTZ.number);
    assert.equal(jysp.payload.salaryStopMonth, '2027-01');
    assert.equal(jysp.payload.eventDate, '2026-12-31');
  });

  it('issues a 调令 from the unit to the target unit, by 人社局 for 事业 staff', async () => {
    const outcome = await handler(job({ unitId: fx.unitA, targetUnitId: fx.unitB, person: PERSON, bianzhiType: 'SY', reason: '工作需要' }, 'DL,GZJS'));
    assert.equal(outcome.outcome, 'complete', JSON.stringify(outcome));
    const dl = await knex('documents').where({ type: 'DL' }).first();
    assert.equal(dl.payload.fromUnitName, '示范区第一中学');
    assert.equal(dl.payload.toUnitName, '示范区人民医院');
    assert.equal(dl.payload.birthMonth, '1949-12');
    assert.equal(dl.payload.issuer, '示范区人力资源和社会保障局');
  });

  it('issues all documents or none: a failing one rolls back the numbers of the others', async () => {
    // given a document service that fails on the 增员审批表 (issued after the 入编通知单: code order)
    const clock = fakeClock();
    const real = testDocumentService(knex, clock);
    const failing = createHandler({
      db: knex,
      clock: clock.now,
      parameters: {} as ParameterStore,
      documents: { issue: (trx, draft) => (draft.type === 'ZYSP' ? Promise.reject(new Error('storage failed')) : real.issue(trx, draft)) },
    });
    // when
    await assert.rejects(failing(job({ unitId: fx.unitA, person: PERSON, bianzhiType: 'SY' })), /storage failed/);
    // then nothing is issued and no number is used up
    assert.equal(await knex('documents').first(), undefined);
    assert.equal(await knex('document_sequences').first(), undefined);
    const outcome = await handler(job({ unitId: fx.unitA, person: PERSON, bianzhiType: 'SY' }));
    assert.equal((outcome as any).variables.documents.RBTZ.number, '370612-RBTZ-2026-0001');
  });

  describe('missing inputs: fail with 0 retries (an incident) and a zh-CN message', () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['no unitId', { person: PERSON }, 'ZYSP', /单位（unitId）/],
      ['an unknown unit', { unitId: '00000000-0000-4000-8000-000000000000', person: PERSON }, 'ZYSP', /单位不存在/],
      ['an unknown person', { unitId: 'UNIT', person: PERSON, personId: '00000000-0000-4000-8000-000000000000' }, 'ZYSP', /人员不存在（personId）/],
      ['no person for a person document', { unitId: 'UNIT' }, 'RBTZ', /人员信息/],
      ['no 减员原因 for an 出编通知单', { unitId: 'UNIT', person: PERSON }, 'CBTZ', /减员原因/],
      ['no direction for a 调令', { unitId: 'UNIT', person: PERSON }, 'DL', /调动去向/],
      ['no 编制类型 for a 用编通知单', { unitId: 'UNIT' }, 'YBTZ', /编制类型/],
      ['an unknown document type', { unitId: 'UNIT', person: PERSON }, 'RBTZ,XXXX', /未知的文书类型代码：XXXX/],
      ['no documentTypes header', { unitId: 'UNIT', person: PERSON }, '', /documentTypes/],
    ];
    for (const [what, variables, types, message] of cases) {
      it(`fails on ${what}`, async () => {
        const v = { ...variables, unitId: variables.unitId === 'UNIT' ? fx.unitA : variables.unitId };
        const outcome = await handler(job(v, types));
        assert.equal(outcome.outcome, 'fail');
        if (outcome.outcome !== 'fail') return;
        assert.equal(outcome.retries, 0);
        assert.match(outcome.message, message);
        assert.equal(await knex('documents').first(), undefined);
      });
    }
  });
});
