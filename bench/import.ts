// npm run bench:import — the 实名制 import of 100,000 persons on real PostgreSQL: generates an XLSX with
// exceljs's streaming writer (units, quotas, leader posts, plans, persons), then times the dry run (parse +
// validate) and the apply (parse + validate again inside the transaction + write), as POST /api/imports does
// them (the service, without HTTP). Prints a Markdown report with the machine facts; copy it into
// docs/benchmarks.md. Target: 100,000 persons in under 60 s including validation.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:import [-- --persons 100000 --units 500]
//
// It makes (and drops) its own database `bzf_bench_import` on that server.
import { createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { idNumberCheckDigit } from '../domain/id-number';
import { loadConfig } from '../server/core/config';
import { openDatabase } from '../server/core/db';
import { createLogger, createSilentLogger } from '../server/core/logger';
import { migrateLatest } from '../server/core/migrate';
import { ensureReferenceData } from '../server/services/reference-data';
import { createCoreServices } from '../server/services/index';
import { createImportService } from '../server/services/imports/index';
import { parseXlsx } from '../server/services/imports/parse';
import { dropDatabase, freshDatabase, serverUrlOrExit } from './database';
import { machineFacts } from './machine';

const BENCH_DB = 'bzf_bench_import';
const args = parseArgs(process.argv.slice(2));

async function main(): Promise<void> {
  const serverUrl = serverUrlOrExit('npm run bench:import');
  const file = join(os.tmpdir(), `bzf-import-${process.pid}.xlsx`);
  const db = await openDatabase({ databaseUrl: await freshDatabase(serverUrl, BENCH_DB), dataDir: '', dbPoolMax: 4 }, createSilentLogger());
  try {
    await migrateLatest(db.knex);
    await ensureReferenceData(db.knex);
    const config = loadConfig({ DEMO: '1', LOG_LEVEL: 'silent', PASSWORD_HASH_COST: '10' });
    const core = createCoreServices({ db, config, log: createSilentLogger() });
    const user = await core.auth.createUser({ username: 'bench-admin', displayName: 'bench-admin', password: 'bench-password-1', roles: ['admin'], departmentId: null, unitId: null });

    let t = performance.now();
    await generate(file, args.persons, args.units);
    const generateMs = performance.now() - t;
    const size = (await stat(file)).size;
    console.error(`generated ${args.persons} persons in ${args.units} units: ${(size / 2 ** 20).toFixed(1)} MiB in ${(generateMs / 1000).toFixed(1)} s`);

    // progress lines of the apply (every 10,000 persons) go to stderr
    const log = createLogger({ logLevel: 'info' }, process.stderr);
    const imports = createImportService({ db: db.knex, log });
    const content = await readFile(file);
    const rss = new PeakRss();

    t = performance.now();
    const parsed = await parseXlsx(content);
    const parseMs = performance.now() - t;
    const parsedRows = Object.values(parsed.sheets).reduce((n, sheet) => n + (sheet?.rows.length ?? 0), 0);

    t = performance.now();
    const dry = await imports.run({ fileName: 'bench.xlsx', content }, { dryRun: true }, user);
    const dryMs = performance.now() - t;
    if (dry.errors > 0) throw new Error(`the generated file has errors: ${JSON.stringify(dry.problems.slice(0, 5))}`);

    t = performance.now();
    const applied = await imports.run({ fileName: 'bench.xlsx', content }, { dryRun: false }, user);
    const applyMs = performance.now() - t;

    // a second apply of the same file: every row an update
    t = performance.now();
    const again = await imports.run({ fileName: 'bench.xlsx', content }, { dryRun: false }, user);
    const againMs = performance.now() - t;
    rss.stop();

    const persons = Number((await db.knex('persons').where({ status: 'active' }).count('* as n').first())?.n);
    const actual = Number((await db.knex('quotas').sum('actual as n').first())?.n);
    if (persons !== args.persons || actual !== args.persons) throw new Error(`expected ${args.persons} persons and 实有, found ${persons} / ${actual}`);

    const machine = await machineFacts(db.knex);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      [
        machine,
        '',
        `### The file`,
        '',
        `${args.persons.toLocaleString('en')} persons (16 columns) in ${args.units} units, with their quotas, leader posts and plans: ${(size / 2 ** 20).toFixed(1)} MiB XLSX (written by exceljs's streaming writer in ${s(generateMs)}).`,
        '',
        `| run | wall time | outcome |`,
        `|---|---|---|`,
        `| parse alone (exceljs WorkbookReader, all sheets) | ${s(parseMs)} | ${parsedRows.toLocaleString('en')} data rows |`,
        `| dry run (parse + load the database's state + validate; nothing written) | ${s(dryMs)} | ${dry.errors} errors, ${dry.warnings} warnings |`,
        `| apply into an empty database (parse + validate inside the transaction + write + recount 实有/实配 + audit) | **${s(applyMs)}** | ${applied.written?.persons.inserted.toLocaleString('en')} persons inserted |`,
        `| apply of the same file again (every row an update) | ${s(againMs)} | ${again.written?.persons.updated.toLocaleString('en')} persons updated |`,
        '',
        `Peak RSS of the process during the three runs: ${(rss.peak / 2 ** 20).toFixed(0)} MB.`,
      ].join('\n'),
    );
  } finally {
    await db.close();
    await dropDatabase(serverUrl, BENCH_DB);
    await rm(file, { force: true });
  }
}

/** A district of `units` units (2/3 机关 with 行政编制, 1/3 事业单位 with 事业编制) and `persons` 在编 persons. */
async function generate(path: string, persons: number, units: number): Promise<void> {
  const out = createWriteStream(path);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const unitCode = (u: number) => `B${String(u).padStart(4, '0')}`;
  const organ = (u: number) => u % 3 !== 0;
  const perUnit = Math.ceil(persons / units);

  const unitSheet = wb.addWorksheet('单位');
  unitSheet.addRow(['单位代码', '单位名称', '机构性质', '机构规格', '经费形式', '主管部门代码', '重点管理', '冻结']).commit();
  for (let u = 0; u < units; u++) {
    unitSheet.addRow([unitCode(u), `示范区第${u + 1}单位`, organ(u) ? '机关' : '事业单位', '正科', '全额拨款', u < 10 ? null : unitCode(u % 10), '否', '否']).commit();
  }
  unitSheet.commit();
  const quotaSheet = wb.addWorksheet('编制');
  quotaSheet.addRow(['单位代码', '编制类型', '核定编制数', '允许溢出数', '文号']).commit();
  for (let u = 0; u < units; u++) quotaSheet.addRow([unitCode(u), organ(u) ? '行政编制' : '事业编制', perUnit + 5, 0, `示编〔2026〕${u + 1}号`]).commit();
  quotaSheet.commit();
  const postSheet = wb.addWorksheet('领导职数');
  postSheet.addRow(['单位代码', '职数层级', '正副职', '核定职数']).commit();
  for (let u = 0; u < units; u++) {
    postSheet.addRow([unitCode(u), '乡科级', '正职', 1]).commit();
    postSheet.addRow([unitCode(u), '乡科级', '副职', 3]).commit();
  }
  postSheet.commit();
  const planSheet = wb.addWorksheet('年度用编计划');
  planSheet.addRow(['单位代码', '编制类型', '年度', '计划用编数', '文号']).commit();
  for (let u = 0; u < units; u++) planSheet.addRow([unitCode(u), organ(u) ? '行政编制' : '事业编制', 2026, 2, null]).commit();
  planSheet.commit();

  const personSheet = wb.addWorksheet('人员');
  personSheet
    .addRow(['姓名', '公民身份号码', '性别', '出生日期', '民族', '政治面貌', '学历', '学位', '参加工作时间', '单位代码', '编制类型', '职务职级', '领导职务层级', '领导职务正副职', '入编日期', '人员状态'])
    .commit();
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';
  for (let i = 0; i < persons; i++) {
    const u = Math.floor(i / perUnit);
    const year = 1966 + (i % 36);
    const month = 1 + (i % 12);
    const day = 1 + (i % 28);
    const birth = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const seq = Math.floor(i / 252) % 1000; // the birth date repeats every 252 rows (lcm of 36, 12, 28): the sequence keeps numbers unique
    const first17 = `${['110105', '320102', '440305', '510104'][Math.floor(i / 252_000) % 4]}${birth.replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
    const id = first17 + idNumberCheckDigit(first17);
    const male = seq % 2 === 1;
    const nth = i % perUnit;
    const leader = nth === 0 ? '正职' : nth <= 2 ? '副职' : null;
    personSheet
      .addRow([
        `${surnames[i % surnames.length]}${given[(i * 7) % given.length]}${i % 3 === 0 ? given[(i * 11) % given.length] : ''}`,
        id,
        male ? '男' : '女',
        birth,
        '汉族',
        i % 2 ? '中共党员' : '群众',
        '大学本科毕业',
        '学士',
        `${year + 22}-07-01`,
        unitCode(u),
        organ(u) ? '行政编制' : '事业编制',
        organ(u) ? '一级科员' : '专业技术十二级',
        leader ? '乡科级' : null,
        leader,
        `${year + 23}-07-01`,
        '在编',
      ])
      .commit();
  }
  personSheet.commit();
  await wb.commit();
  await new Promise<void>((resolve, reject) => {
    if (out.closed) resolve();
    else out.on('close', resolve).on('error', reject);
  });
}

class PeakRss {
  peak = process.memoryUsage().rss;
  private readonly timer = setInterval(() => {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }, 100);
  stop(): void {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
}

function parseArgs(argv: string[]): { persons: number; units: number } {
  const get = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return { persons: get('persons', 100_000), units: get('units', 500) };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
