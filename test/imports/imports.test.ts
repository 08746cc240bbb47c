// 实名制 import through the API: a spreadsheet with mistakes gets every mistake reported with sheet, row
// and column and nothing written; the corrected file imports in one transaction with the counts set from
// the persons and one audit event; CSV per kind; the template parses back; a failing apply leaves nothing.
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type express from 'express';
import supertest from 'supertest';
import type { Knex } from 'knex';
import { importRoutes } from '../../server/routes/imports';
import { createImportService } from '../../server/services/imports/index';
import { createTestApp, createTestUser, tokenFor } from '../support/app';
import { getTestDatabase, resetDatabase } from '../support/db';
import { idNumber, PAYROLL_HEADERS, PERSON_HEADERS, personRow, PLAN_HEADERS, POST_HEADERS, QUOTA_HEADERS, UNIT_HEADERS, withBadCheckDigit, workbook } from './workbook';

const DATA_TABLES = ['units', 'quotas', 'leader_posts', 'annual_plans', 'persons'] as const;

describe('实名制 import (POST /api/imports)', () => {
  let app: express.Express;
  let knex: Knex;
  let admin: { Authorization: string };
  let auditor: { Authorization: string };

  before(async () => {
    const db = await getTestDatabase();
    knex = db.knex;
    await resetDatabase(knex);
    const t = await createTestApp({ db });
    app = (await createTestApp({ db, routers: [importRoutes(createImportService({ db: knex, log: t.log }))] })).app;
    await createTestUser(t.services, { username: 'import-admin', roles: ['admin'] });
    await createTestUser(t.services, { username: 'import-auditor', roles: ['auditor'] });
    admin = { Authorization: `Bearer ${await tokenFor(app, 'import-admin')}` };
    auditor = { Authorization: `Bearer ${await tokenFor(app, 'import-auditor')}` };
  });

  const rowCounts = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const table of DATA_TABLES) out[table] = Number((await knex(table).count('* as n').first())?.n ?? 0);
    return out;
  };
  const post = (content: Buffer, name: string, query = '') =>
    supertest(app).post(`/api/imports${query}`).set(admin).attach('file', content, { filename: name });

  // the people of the district, with valid ID numbers
  const P = {
    zhang: { name: '张三', id: idNumber('1985-03-12', 11, '男'), gender: '男', birth: '1985-03-12' },
    li: { name: '李四', id: idNumber('1986-04-02', 22, '女'), gender: '女', birth: '1986-04-02' },
    wang: { name: '王五', id: idNumber('1987-05-20', 33, '男'), gender: '男', birth: '1987-05-20' },
    zhao: { name: '赵六', id: idNumber('1988-06-30', 44, '女'), gender: '女', birth: '1988-06-30' },
    qian: { name: '钱七', id: idNumber('1989-07-15', 55, '男'), gender: '男', birth: '1989-07-15' },
    zhou: { name: '周九', id: idNumber('1990-08-08', 66, '女'), gender: '女', birth: '1990-08-08' },
    wu: { name: '吴十', id: idNumber('1991-09-09', 77, '男'), gender: '男', birth: '1991-09-09' },
    ouyang: { name: '欧阳·娜', id: idNumber('1992-10-10', 88, '女'), gender: '女', birth: '1992-10-10' },
  } as const;

  /** The district's file; `mistakes` puts in one of each mistake the import must catch. */
  async function districtFile(mistakes: boolean): Promise<Buffer> {
    const m = mistakes;
    return workbook({
      单位: [
        UNIT_HEADERS,
        ['U100', '示范区发展和改革局', '机关', '正科', '全额拨款', null, '否', '否'],
        ['U200', '示范区第一中学', '事业单位', '正科', '全额拨款', 'U100', '否', '否'],
        ['U300', '示范区档案馆', m ? '行政单位' : '参公事业单位', '副科', '全额拨款', 'U100', '是', '否'], // bad code
      ],
      编制: [
        QUOTA_HEADERS,
        ['U100', '行政编制', 2, 0, '示编〔2026〕1号'], // 3 在编 below in the file with mistakes: 实有 above 核定
        ['U100', '工勤人员编制', 1, null, null],
        ['U200', 'SY', 10, 1, null],
        ['U300', '事业编制', 3, null, null],
      ],
      领导职数: [POST_HEADERS, ['U100', '乡科级', '正职', 1], ['U100', '乡科级', '副职', 2], ['U200', '乡科级', '正职', 1]],
      年度用编计划: [PLAN_HEADERS, ['U100', '行政编制', 2026, 1, '示编〔2026〕9号'], ['U200', '事业编制', 2026, 3, null]],
      人员: [
        PERSON_HEADERS,
        personRow({ ...P.zhang, unit: 'U100', type: '行政编制', leaderLevel: '乡科级', leaderKind: '正职', post: '四级主任科员' }),
        personRow({ ...P.li, id: m ? withBadCheckDigit(P.li.id) : P.li.id, unit: 'U100', type: 'XZ', leaderLevel: '乡科级', leaderKind: '副职' }), // bad check digit
        personRow({ ...P.wang, gender: m ? '女' : '男', unit: m ? 'U100' : 'U200', type: m ? '行政编制' : '事业编制', post: m ? '一级科员' : '专业技术十二级' }), // gender not matching the ID
        personRow({ ...P.zhao, unit: m ? 'U999' : 'U200', type: '事业编制', post: '专业技术十级' }), // unknown unit
        personRow({ ...P.qian, unit: 'U200', type: m ? '行政编制' : '事业编制', post: m ? '一级科员' : '专业技术十级' }), // 编制类型 not allowed for a 事业单位
        m
          ? personRow({ ...P.zhang, name: '张叁', unit: 'U200', type: '事业编制', post: '专业技术十级' }) // the same ID number twice
          : personRow({ ...P.ouyang, unit: 'U300', type: '事业编制', post: '四级主任科员' }),
        personRow({ ...P.zhou, unit: 'U200', type: '事业编制', post: '专业技术九级', enteredOn: m ? '2020/05/01' : '2020-05-01' }), // a bad date
        personRow({ ...P.wu, unit: 'U200', type: '事业编制', post: '管理八级', politicalStatus: m ? '党员' : '群众' }), // a bad code
      ],
    });
  }

  it('reports every mistake with sheet, row and column and writes nothing, on a dry run and on an apply', async () => {
    // given
    const file = await districtFile(true);
    const before = await rowCounts();

    // when
    const dry = await post(file, '示范区实名制.xlsx');
    const applied = await post(file, '示范区实名制.xlsx', '?dryRun=false');

    // then
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    const errors = (dry.body.data.problems as any[]).filter((p) => p.level === 'error').map((p) => [p.sheet, p.row, p.column?.header, p.column?.letter, p.code]);
    assert.deepEqual(errors, [
      ['单位', 4, '机构性质', 'C', 'CODE_INVALID'],
      ['编制', 2, '核定编制数', 'C', 'QUOTA_EXCEEDED'],
      ['人员', 3, '公民身份号码', 'B', 'ID_NUMBER_INVALID'],
      ['人员', 4, '性别', 'C', 'GENDER_MISMATCH'],
      ['人员', 5, '单位代码', 'J', 'UNIT_UNKNOWN'],
      ['人员', 6, '编制类型', 'K', 'BIANZHI_TYPE_NOT_ALLOWED'],
      ['人员', 7, '公民身份号码', 'B', 'DUPLICATE_ID_NUMBER'],
      ['人员', 8, '入编日期', 'O', 'DATE_INVALID'],
      ['人员', 9, '政治面貌', 'F', 'CODE_INVALID'],
    ]);
    assert.equal(dry.body.data.errors, 9);
    assert.equal(dry.body.data.status, 'dry-run');
    assert.deepEqual(dry.body.data.counts, { units: 3, quotas: 4, 'leader-posts': 3, plans: 2, persons: 8 });
    for (const p of dry.body.data.problems) assert.match(p.message, /\p{Script=Han}/u, 'messages are zh-CN');
    const quotaMessage = dry.body.data.problems.find((p: any) => p.code === 'QUOTA_EXCEEDED').message;
    assert.match(quotaMessage, /实有 3 人.*核定编制数 2/);

    assert.equal(applied.status, 422, JSON.stringify(applied.body));
    assert.equal(applied.body.error.code, 'IMPORT_INVALID');
    assert.equal(applied.body.error.details.errors, 9);
    assert.deepEqual(await rowCounts(), before);
    const records = await knex('imports').orderBy('created_at').select('status', 'error_count');
    assert.deepEqual(records.slice(-2), [
      { status: 'dry-run', error_count: 9 },
      { status: 'failed', error_count: 9 },
    ]);
  });

  it('imports the corrected file in one go: units, quotas, persons with 实有 and 实配 from the data, and one audit event', async () => {
    // given
    const file = await districtFile(false);
    const seq = Number((await knex('audit_events').max('seq as s').first())?.s ?? 0);

    // when
    const dry = await post(file, '示范区实名制.xlsx', '?dryRun=true');
    const res = await post(file, '示范区实名制.xlsx', '?dryRun=false');

    // then
    assert.equal(dry.body.data.errors, 0, JSON.stringify(dry.body.data.problems));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.data.status, 'applied');
    assert.deepEqual(res.body.data.written.persons, { inserted: 8, updated: 0 });
    assert.deepEqual(await rowCounts(), { units: 3, quotas: 4, leader_posts: 3, annual_plans: 2, persons: 8 });

    const units = await knex('units as u').leftJoin('units as p', 'p.id', 'u.parent_unit_id').orderBy('u.code').select('u.code', 'u.nature', 'u.funding_form', 'u.key_managed', 'p.code as parent');
    assert.deepEqual(units, [
      { code: 'U100', nature: 'organ', funding_form: 'full', key_managed: false, parent: null },
      { code: 'U200', nature: 'institution', funding_form: 'full', key_managed: false, parent: 'U100' },
      { code: 'U300', nature: 'institution_cs', funding_form: 'full', key_managed: true, parent: 'U100' },
    ]);
    const quotas = await knex('quotas as q').join('units as u', 'u.id', 'q.unit_id').orderBy(['u.code', 'q.bianzhi_type']).select('u.code', 'q.bianzhi_type', 'q.approved', 'q.overflow_allowance', 'q.actual');
    assert.deepEqual(quotas, [
      { code: 'U100', bianzhi_type: 'GQ', approved: 1, overflow_allowance: 0, actual: 0 },
      { code: 'U100', bianzhi_type: 'XZ', approved: 2, overflow_allowance: 0, actual: 2 },
      { code: 'U200', bianzhi_type: 'SY', approved: 10, overflow_allowance: 1, actual: 5 },
      { code: 'U300', bianzhi_type: 'SY', approved: 3, overflow_allowance: 0, actual: 1 },
    ]);
    const posts = await knex('leader_posts as l').join('units as u', 'u.id', 'l.unit_id').orderBy(['u.code', 'l.kind']).select('u.code', 'l.kind', 'l.approved', 'l.actual');
    assert.deepEqual(posts, [
      { code: 'U100', kind: 'deputy', approved: 2, actual: 1 },
      { code: 'U100', kind: 'principal', approved: 1, actual: 1 },
      { code: 'U200', kind: 'principal', approved: 1, actual: 0 },
    ]);
    const zhang = await knex('persons').where({ id_number: P.zhang.id }).first();
    assert.equal(zhang.name, '张三');
    assert.equal(zhang.gender, '1');
    assert.equal(zhang.status, 'active');
    assert.deepEqual(zhang.profile, { ethnicity: '汉族', politicalStatus: '01', education: '21', degree: 'bachelor', workStartDate: '2010-07-01', leaderPost: { level: '乡科级', kind: 'principal' } });
    assert.equal((await knex('persons').where({ id_number: P.ouyang.id }).first()).name, '欧阳·娜');

    const events = await knex('audit_events').where('seq', '>', seq).where('actor', 'like', 'user:%').orderBy('seq');
    assert.deepEqual(events.map((e) => [e.kind, e.actor]), [['admin.import.applied', 'user:import-admin']]);
    const payload = events[0].payload;
    assert.equal(payload.sha256, res.body.data.sha256);
    assert.deepEqual(payload.counts, { units: 3, quotas: 4, 'leader-posts': 3, plans: 2, persons: 8 });
    assert.equal(payload.importId, res.body.data.importId);
    const text = JSON.stringify(payload);
    for (const p of Object.values(P)) assert.ok(!text.includes(p.id) && !text.includes(p.name), 'no personal data in the audit event');
    assert.equal((await knex('imports').where({ id: res.body.data.importId }).first()).status, 'applied');
  });

  it('updates by natural keys when the same file comes again: no duplicates, the same counts', async () => {
    // when
    const res = await post(await districtFile(false), '示范区实名制.xlsx', '?dryRun=false');
    // then
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.data.written.persons, { inserted: 0, updated: 8 });
    assert.deepEqual(res.body.data.written.units, { inserted: 0, updated: 3 });
    assert.deepEqual(await rowCounts(), { units: 3, quotas: 4, leader_posts: 3, annual_plans: 2, persons: 8 });
  });

  it('imports persons from a CSV of one kind and recounts the unit', async () => {
    // given a UTF-8 CSV of persons, one newcomer in U200
    const newcomer = { name: '郑十一', id: idNumber('1993-01-05', 99, '女'), gender: '女' as const, birth: '1993-01-05' };
    const csv = [PERSON_HEADERS, personRow({ ...newcomer, unit: 'U200', type: '事业编制', post: '专业技术十二级' })].map((r) => r.map((c) => c ?? '').join(',')).join('\r\n');
    const content = Buffer.from(csv, 'utf8');
    // when
    const res = await post(content, 'persons.csv', '?dryRun=false&kind=persons');
    // then
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.data.format, 'csv');
    assert.deepEqual(res.body.data.counts, { persons: 1 });
    const q = await knex('quotas as q').join('units as u', 'u.id', 'q.unit_id').where({ 'u.code': 'U200', 'q.bianzhi_type': 'SY' }).first('q.actual');
    assert.equal(q.actual, 6);
    assert.equal((await knex('persons').where({ id_number: newcomer.id }).first()).name, '郑十一');
  });

  it('reports in a CSV the sheet, row and column too, and 一人一编 against the database', async () => {
    // given 张三 is 在编 in U100; a CSV puts him in U200
    const csv = [PERSON_HEADERS, personRow({ ...P.zhang, unit: 'U200', type: '事业编制', post: '专业技术十级' })].map((r) => r.map((c) => c ?? '').join(',')).join('\n');
    // when
    const res = await supertest(app).post('/api/imports').set(admin).field('kind', 'persons').attach('file', Buffer.from(csv), { filename: 'p.csv' });
    // then
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.data.problems.map((p: any) => [p.sheet, p.row, p.column?.letter, p.code]),
      [['人员', 2, 'B', 'ACTIVE_ELSEWHERE']],
    );
  });

  it('reads a GB18030 CSV (Excel on a Chinese Windows)', async () => {
    // given the header row and one unit, encoded GB18030 by hand for the characters used
    const csv = `${UNIT_HEADERS.join(',')}\r\nU400,示范区图书馆,事业单位,股级,全额拨款,U100,否,否\r\n`;
    const gb = encodeGb18030(csv);
    // when
    const res = await post(gb, 'units.csv', '?kind=units');
    // then
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.errors, 0, JSON.stringify(res.body.data.problems));
    assert.deepEqual(res.body.data.counts, { units: 1 });
  });

  it('serves a template that parses back with every sheet, its headers and a 说明 sheet', async () => {
    // when
    const res = await supertest(app).get('/api/imports/template.xlsx').set(auditor).buffer(true).parse(binary);
    // then
    assert.equal(res.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    assert.deepEqual(wb.worksheets.map((w) => w.name), ['说明', '单位', '编制', '领导职数', '年度用编计划', '人员', '工资统发']);
    const headers = (name: string) => (wb.getWorksheet(name)!.getRow(1).values as unknown[]).slice(1);
    assert.deepEqual(headers('人员'), [...PERSON_HEADERS.slice(0, 13), '领导职务正副职', '入编日期', '人员状态']);
    assert.deepEqual(headers('工资统发'), PAYROLL_HEADERS);
    assert.deepEqual(headers('单位').slice(0, 8), ['单位代码', '单位名称', '机构性质', '机构规格', '经费形式', '主管部门代码', '重点管理', '重点管理原因']);
    const notes = wb.getWorksheet('说明')!;
    const noteText = (notes.getSheetValues() as unknown[][]).flat().join(' ');
    assert.match(noteText, /01 中国共产党党员/);
    assert.match(noteText, /XZ 行政编制/);

    // and the template itself is a valid, empty import
    const dry = await post(res.body as Buffer, 'template.xlsx');
    assert.equal(dry.status, 200);
    assert.equal(dry.body.data.errors, 0, JSON.stringify(dry.body.data.problems));
    assert.deepEqual(dry.body.data.counts, { units: 0, quotas: 0, 'leader-posts': 0, plans: 0, persons: 0, payroll: 0 });

    const csv = await supertest(app).get('/api/imports/template?kind=persons&format=csv').set(auditor);
    assert.equal(csv.status, 200);
    assert.equal(csv.text.replace(/^\uFEFF/, '').trim(), ['姓名', '公民身份号码', '性别', '出生日期', '民族', '政治面貌', '学历', '学位', '参加工作时间', '单位代码', '编制类型', '职务职级', '领导职务层级', '领导职务正副职', '入编日期', '人员状态'].join(','));
  });

  it('leaves nothing behind when the apply fails in the database', async () => {
    // given a constraint the check does not know, hit by the last person of the file
    await knex.raw(`alter table persons add constraint test_import_refused check (name <> '失败者')`);
    try {
      const before = await rowCounts();
      const quotasBefore = await knex('quotas').orderBy('id').select('id', 'approved', 'actual');
      const file = await workbook({
        单位: [UNIT_HEADERS, ['U500', '示范区新机构', '机关', '正科', '全额拨款', null, '否', '否']],
        编制: [QUOTA_HEADERS, ['U500', '行政编制', 5, 0, null], ['U100', '行政编制', 9, 0, null]],
        人员: [
          PERSON_HEADERS,
          personRow({ name: '甲乙', id: idNumber('1980-01-01', 1, '男'), gender: '男', birth: '1980-01-01', unit: 'U500', type: '行政编制' }),
          personRow({ name: '失败者', id: idNumber('1980-01-02', 3, '男'), gender: '男', birth: '1980-01-02', unit: 'U500', type: '行政编制' }),
        ],
      });
      // when
      const res = await post(file, 'fails.xlsx', '?dryRun=false');
      // then
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.error.details.constraint, 'test_import_refused');
      assert.deepEqual(await rowCounts(), before);
      assert.deepEqual(await knex('quotas').orderBy('id').select('id', 'approved', 'actual'), quotasBefore);
      assert.equal(await knex('units').where({ code: 'U500' }).first(), undefined);
      assert.equal((await knex('imports').where({ id: res.body.error.details.importId }).first()).status, 'failed');
      assert.equal((await knex('audit_events').where({ kind: 'admin.import.applied' }).count('* as n').first())?.n, '3');
    } finally {
      await knex.raw('alter table persons drop constraint test_import_refused');
    }
  });

  it('imports the 工资统发 roster into payroll_roster, replacing the months it brings', async () => {
    // given the table (another migration creates it; made here, as it shapes it, only when it is not there yet)
    const made = (await knex.raw(`select to_regclass('payroll_roster') is null as missing`)).rows[0].missing as boolean;
    if (made) await knex.raw(`create table payroll_roster (month text not null, id_number text not null, unit_id uuid not null references units(id), source text not null)`);
    try {
      const file = await workbook({ 工资统发: [PAYROLL_HEADERS, ['2026-10', P.zhang.id, 'U100'], ['2026-10', P.li.id, 'U100'], ['2026-10', P.li.id, 'U100'], ['2026-13', P.wu.id, 'U200']] });
      // when the file has a repeated person and a bad month
      const bad = await post(file, 'payroll.xlsx');
      // then
      assert.deepEqual(bad.body.data.problems.map((p: any) => [p.sheet, p.row, p.column?.letter, p.code]), [
        ['工资统发', 4, 'B', 'DUPLICATE_KEY'],
        ['工资统发', 5, 'A', 'DATE_INVALID'],
      ]);
      // when corrected, twice
      const good = await workbook({ 工资统发: [PAYROLL_HEADERS, ['2026-10', P.zhang.id, 'U100'], ['2026-10', P.li.id, 'U100'], ['2026-10', P.wu.id, 'U200']] });
      assert.equal((await post(good, 'payroll.xlsx', '?dryRun=false')).status, 201);
      const again = await post(good, 'payroll.xlsx', '?dryRun=false');
      // then
      assert.equal(again.status, 201, JSON.stringify(again.body));
      const rows = await knex('payroll_roster').where({ source: 'import' }).select(knex.raw('month::text as month'), 'id_number');
      assert.equal(rows.length, 3);
    } finally {
      if (made) await knex.raw('drop table payroll_roster');
    }
  });

  it('lets only holders of unit.write import, and answers 400 for a CSV without kind', async () => {
    const csv = Buffer.from(UNIT_HEADERS.join(','));
    const refused = await supertest(app).post('/api/imports').set(auditor).attach('file', csv, { filename: 'u.csv' });
    assert.equal(refused.status, 403);
    const noKind = await post(csv, 'u.csv');
    assert.equal(noKind.status, 400);
    assert.equal(noKind.body.error.details[0].field, 'kind');
  });
});

function binary(res: supertest.Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

/** GB18030 bytes of a string (Node has no GB encoder): each CJK character through a lookup of the decoder. */
function encodeGb18030(text: string): Buffer {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  const wanted = new Set([...text].filter((c) => c.charCodeAt(0) > 0x7f));
  for (let hi = 0x81; hi <= 0xfe && table.size < wanted.size; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      const c = decoder.decode(Uint8Array.of(hi, lo));
      if (wanted.has(c) && !table.has(c)) table.set(c, [hi, lo]);
    }
  }
  const bytes: number[] = [];
  for (const c of text) bytes.push(...(c.charCodeAt(0) <= 0x7f ? [c.charCodeAt(0)] : table.get(c)!));
  return Buffer.from(bytes);
}
