// Test spreadsheets, built with exceljs as a district clerk's Excel would save them, and valid ID numbers.
import ExcelJS from 'exceljs';
import { idNumberCheckDigit } from '../../domain/id-number';

export type SheetRows = Record<string, Array<Array<string | number | Date | null>>>;

/** An XLSX with one sheet per entry: the first row is the header row. */
export async function workbook(sheets: SheetRows): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const row of rows) ws.addRow(row);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A valid 18-digit ID number: Beijing 朝阳 address code, the birth date, a sequence whose last digit gives the gender. */
export function idNumber(birth: string, seq: number, gender: '男' | '女'): string {
  let s = seq % 1000;
  if ((s % 2 === 1) !== (gender === '男')) s = (s + 1) % 1000;
  const first17 = `110105${birth.replaceAll('-', '')}${String(s).padStart(3, '0')}`;
  return first17 + idNumberCheckDigit(first17);
}

/** The same ID number with a wrong check digit. */
export function withBadCheckDigit(id: string): string {
  const good = id[17]!;
  const other = '0123456789X'.split('').find((c) => c !== good)!;
  return id.slice(0, 17) + other;
}

export const UNIT_HEADERS = ['单位代码', '单位名称', '机构性质', '机构规格', '经费形式', '主管部门代码', '重点管理', '冻结'];
export const QUOTA_HEADERS = ['单位代码', '编制类型', '核定编制数', '允许溢出数', '文号'];
export const POST_HEADERS = ['单位代码', '职数层级', '正副职', '核定职数'];
export const PLAN_HEADERS = ['单位代码', '编制类型', '年度', '计划用编数', '文号'];
export const PERSON_HEADERS = ['姓名', '公民身份号码', '性别', '出生日期', '民族', '政治面貌', '学历', '学位', '参加工作时间', '单位代码', '编制类型', '职务职级', '领导职务层级', '领导职务正副职', '入编日期', '人员状态'];
export const PAYROLL_HEADERS = ['月份', '公民身份号码', '单位代码'];

export interface PersonRowInput {
  name: string;
  id: string;
  gender: '男' | '女';
  birth: string;
  unit: string;
  type: string;
  politicalStatus?: string;
  enteredOn?: string;
  leaderLevel?: string;
  leaderKind?: string;
  post?: string;
}

export function personRow(p: PersonRowInput): Array<string | null> {
  return [
    p.name,
    p.id,
    p.gender,
    p.birth,
    '汉族',
    p.politicalStatus ?? '中共党员',
    '大学本科毕业',
    '学士',
    '2010-07-01',
    p.unit,
    p.type,
    p.post ?? '一级科员',
    p.leaderLevel ?? null,
    p.leaderKind ?? null,
    p.enteredOn ?? '2010-07-01',
    '在编',
  ];
}
