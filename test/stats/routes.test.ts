// GET /api/stats/... over HTTP: JSON, XLSX (read back with exceljs) and CSV (BOM, rows), the snapshot
// endpoint for administrators, and 403 for roles without stats.read.
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import supertest from 'supertest';
import { statsRoutes } from '../../server/routes/stats';
import { createParameterStore } from '../../server/services/parameters';
import { createStatsService, reconcilePayroll, REPORTS } from '../../server/services/stats/index';
import { createTestApp, createTestUser, tokenFor, type TestApp } from '../support/app';
import { fakeClock } from '../support/clock';
import { resetDatabase } from '../support/db';
import { activeIn, initialDistrict, writeDistrict, type DistrictState } from './district';

const binary = (res: supertest.Response, callback: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('statistics routes: JSON, XLSX, CSV and access', function () {
  this.timeout(120_000);
  let t: TestApp;
  let district: DistrictState;
  const tokens: Record<string, string> = {};

  before(async () => {
    // given a district with a 2026-09 snapshot taken through the API by an administrator
    const clock = fakeClock(new Date('2026-10-01T01:00:00Z'));
    t = await createTestApp({ clock: clock.now, routers: [] });
    await resetDatabase(t.db.knex);
    const stats = createStatsService({ db: t.db.knex, parameters: createParameterStore(t.db.knex, clock.now), clock: clock.now });
    t = await createTestApp({ clock: clock.now, routers: [statsRoutes(stats)] });
    district = initialDistrict();
    await writeDistrict(t.db.knex, district);
    for (const [username, roles] of [['st-admin', ['admin']], ['st-clerk', ['clerk']], ['st-unit', ['unit-clerk']], ['st-editor', ['policy-editor']], ['st-auditor', ['auditor']]] as const) {
      await createTestUser(t.services, { username, roles: [...roles], departmentId: roles[0] === 'clerk' ? 'bianban' : null });
      tokens[username] = await tokenFor(t.app, username);
    }
    const res = await supertest(t.app).post('/api/stats/snapshots').set('Authorization', `Bearer ${tokens['st-admin']}`).send({ month: '2026-09' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.data.persons, district.persons.filter((p) => p.status === 'active').length);
  });

  const get = (path: string, user = 'st-clerk') => supertest(t.app).get(path).set('Authorization', `Bearer ${tokens[user]}`);

  it('answers each report as JSON naming the snapshot it used', async () => {
    for (const report of REPORTS) {
      const res = await get(`/api/stats/${report}?date=2026-09-30`);
      assert.equal(res.status, 200, `${report}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.data.snapshot.month, '2026-09');
      assert.equal(res.body.data.snapshot.live, false);
      assert.ok(Object.keys(res.body.data.definitions).length > 0);
    }
    const live = await get('/api/stats/establishment');
    assert.equal(live.body.data.snapshot.live, true);
  });

  it('exports every report as XLSX that exceljs reads back: zh-CN headers, frozen header row, numbers', async () => {
    for (const report of REPORTS) {
      const res = await get(`/api/stats/${report}.xlsx?date=2026-09-30`).buffer(true).parse(binary);
      assert.equal(res.status, 200, report);
      assert.match(String(res.headers['content-disposition']), /attachment; filename="?stats-[a-z-]+-2026-09\.xlsx"?/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as never);
      assert.ok(workbook.worksheets.length >= 2, report);
      const first = workbook.worksheets[0]!;
      assert.equal(first.views[0]?.state, 'frozen');
      assert.match(String(first.getRow(1).getCell(1).value), /[\u4e00-\u9fff]/);
      assert.ok(workbook.getWorksheet('说明'));
    }
    const res = await get('/api/stats/establishment.xlsx?date=2026-09-30').buffer(true).parse(binary);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as never);
    const sheet = workbook.getWorksheet('单位超缺编')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    const codeCol = headers.indexOf('单位代码') + 1;
    const typeCol = headers.indexOf('编制类型') + 1;
    const actualCol = headers.indexOf('实有人数') + 1;
    const rowOf = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(codeCol).value === 'S1A' && r.getCell(typeCol).value === '事业编制')!;
    assert.equal(rowOf.getCell(actualCol).value, activeIn(district, 'S1A', 'SY'));
    assert.equal(sheet.rowCount - 1, district.quotas.length);
  });

  it('exports a table as CSV in UTF-8 with a BOM, chosen with ?table=', async () => {
    const res = await get('/api/stats/establishment.csv?date=2026-09-30').buffer(true).parse(binary);
    assert.equal(res.status, 200);
    const body = res.body as Buffer;
    assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = body.subarray(3).toString('utf8').trim().split(/\r?\n/);
    assert.match(lines[0]!, /^单位代码,单位名称,主管部门/);
    assert.equal(lines.length - 1, district.quotas.length);
    const byType = await get('/api/stats/establishment.csv?date=2026-09-30&table=by-type').buffer(true).parse(binary);
    assert.match((byType.body as Buffer).subarray(3).toString('utf8'), /^编制类型,/);
    const bad = await get('/api/stats/establishment.csv?table=nope');
    assert.equal(bad.status, 400);
  });

  it('answers 403 to roles without stats.read and lets only administrators take a snapshot', async () => {
    for (const user of ['st-unit', 'st-editor']) {
      assert.equal((await get('/api/stats/establishment', user)).status, 403, user);
      assert.equal((await get('/api/stats/structure.xlsx', user)).status, 403, user);
    }
    assert.equal((await get('/api/stats/leader-posts', 'st-auditor')).status, 200);
    const refused = await supertest(t.app).post('/api/stats/snapshots').set('Authorization', `Bearer ${tokens['st-clerk']}`).send({ month: '2026-09' });
    assert.equal(refused.status, 403);
    const again = await supertest(t.app).post('/api/stats/snapshots').set('Authorization', `Bearer ${tokens['st-admin']}`).send({ month: '2026-09' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'SNAPSHOT_EXISTS');
    const badMonth = await supertest(t.app).post('/api/stats/snapshots').set('Authorization', `Bearer ${tokens['st-admin']}`).send({ month: '2026-9' });
    assert.equal(badMonth.status, 400);
  });

  it('rejects a malformed date or unit id with 400', async () => {
    assert.equal((await get('/api/stats/establishment?date=2026-13-01')).status, 400);
    assert.equal((await get('/api/stats/establishment?unitId=nope')).status, 400);
    assert.equal((await get('/api/stats/flows?years=0')).status, 400);
  });

  it('pages the payroll mismatch lists of a month, and refuses an unknown kind', async () => {
    // the district's 2026-09 roster: all 在编 but the first two, plus one unknown ID number
    const people = district.persons.filter((p) => p.status === 'active');
    const unitId = async (code: string) => (await t.db.knex('units').where({ code }).first('id')).id as string;
    await t.db.knex('payroll_roster').insert([
      ...(await Promise.all(people.slice(2).map(async (p) => ({ month: '2026-09', id_number: p.idNumber, unit_id: await unitId(p.unit), source: 'test' })))),
      { month: '2026-09', id_number: '110101199001019994', unit_id: null, source: 'test' },
    ]);
    await reconcilePayroll(t.db.knex, '2026-09');
    const res = await get('/api/stats/compliance/payroll-mismatches?date=2026-09-30&kind=not_on_roster&limit=1');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.data.total, res.body.data.items.length, res.body.data.snapshot.month], [2, 1, '2026-09']);
    const next = await get('/api/stats/compliance/payroll-mismatches?date=2026-09-30&kind=not_on_roster&limit=1&offset=1');
    assert.deepEqual([next.body.data.items[0].idNumber, res.body.data.items[0].idNumber].sort(), people.slice(0, 2).map((p) => p.idNumber).sort());
    assert.equal((await get('/api/stats/compliance?date=2026-09-30')).body.data.payroll.noRecord, 1);
    assert.equal((await get('/api/stats/compliance/payroll-mismatches?kind=nope&date=2026-09-30')).status, 400);
    assert.equal((await get('/api/stats/compliance/payroll-mismatches?date=2026-09-30', 'st-unit')).status, 403);
  });
});
