// The import and the reports together, through the whole API: a file with a mistake writes nothing and the
// reports do not move; the corrected file imports and the establishment report shows its units and counts.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { startWorkflowApi, type WorkflowApi } from '../routes/workflow-api-harness';
import { idNumber, PERSON_HEADERS, personRow, QUOTA_HEADERS, UNIT_HEADERS, withBadCheckDigit, workbook } from './workbook';

describe('实名制 import → reports', function () {
  let w: WorkflowApi;
  before(async () => {
    w = await startWorkflowApi();
  });
  after(() => w.stop());

  const file = (mistake: boolean) =>
    workbook({
      单位: [UNIT_HEADERS, ['U710', '示范区统计局', '机关', '正科', '全额拨款', null, '否', '否']],
      编制: [QUOTA_HEADERS, ['U710', '行政编制', 5, 0, '示编〔2026〕21号']],
      人员: [
        PERSON_HEADERS,
        personRow({ name: '孔明', id: idNumber('1984-02-02', 12, '男'), gender: '男', birth: '1984-02-02', unit: 'U710', type: '行政编制', post: '一级主任科员' }),
        personRow({ name: '孟丽', id: mistake ? withBadCheckDigit(idNumber('1986-06-06', 24, '女')) : idNumber('1986-06-06', 24, '女'), gender: '女', birth: '1986-06-06', unit: 'U710', type: '行政编制', post: '一级科员' }),
        personRow({ name: '曹阳', id: idNumber('1990-09-09', 36, '男'), gender: '男', birth: '1990-09-09', unit: 'U710', type: '行政编制', post: '一级科员' }),
      ],
    });

  const establishment = async () => {
    const res = await supertest(w.t.app).get('/api/stats/establishment').set(await w.as('bianban-clerk'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body.data.units as Array<{ unitCode: string; bianzhiType: string; approved: number; actual: number; vacant: number }>).find((u) => u.unitCode === 'U710' && u.bianzhiType === 'XZ');
  };

  it('reflects the corrected file in the establishment report, and nothing of the file with a mistake', async () => {
    // given a file with a bad ID number: refused whole
    const refused = await supertest(w.t.app).post('/api/imports?dryRun=false').set(await w.as('admin')).attach('file', await file(true), { filename: '统计局.xlsx' });
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(await establishment(), undefined, 'nothing of the refused file is reported');
    // when the corrected file is imported
    const applied = await supertest(w.t.app).post('/api/imports?dryRun=false').set(await w.as('admin')).attach('file', await file(false), { filename: '统计局.xlsx' });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    // then the report shows the unit with 核定 5, 实有 3, 空编 2
    const row = await establishment();
    assert.ok(row, 'the imported unit is reported');
    assert.deepEqual([row.approved, row.actual, row.vacant], [5, 3, 2]);
  });
});
