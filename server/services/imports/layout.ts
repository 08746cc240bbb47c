// The 实名制 import layout: one sheet per kind, zh-CN column headers, the code tables a column accepts
// (a code or its Chinese name, domain/codes.ts). The template, the parser and the validation all read
// this one list, so a header named here is the header the import looks for.
import { CODE_TABLES, type CodeTableId } from '../../../domain/codes';
import { ETHNIC_GROUPS } from '../../../domain/person-validation';

export const IMPORT_KINDS = ['units', 'quotas', 'leader-posts', 'plans', 'persons', 'payroll'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ColumnDef {
  /** the field the validation reads */
  key: string;
  /** the zh-CN header, as in the template */
  header: string;
  /** true: always; 'active': for 在编 persons (人员状态 = 在编) */
  required: boolean | 'active';
  /** what the column holds, for the 说明 sheet */
  note: string;
  /** a code table whose codes or names the column accepts */
  codes?: CodeTableId | 'ethnicity' | 'yesNo' | 'personStatus';
  /** a date column: yyyy-mm-dd (a date cell is accepted too) */
  date?: boolean;
  width?: number;
}

export interface SheetDef {
  kind: ImportKind;
  /** the sheet name in the template (and in problem reports) */
  sheet: string;
  /** other sheet names districts use for it */
  aliases: string[];
  description: string;
  columns: ColumnDef[];
}

const col = (key: string, header: string, required: ColumnDef['required'], note: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  key,
  header,
  required,
  note,
  ...extra,
});

export const SHEETS: readonly SheetDef[] = [
  {
    kind: 'units',
    sheet: '单位',
    aliases: ['机构', '单位信息', '机构信息'],
    description: '机构（单位）：按单位代码新增或更新',
    columns: [
      col('code', '单位代码', true, '本区唯一的单位代码，按此新增或更新', { width: 14 }),
      col('name', '单位名称', true, '全称', { width: 30 }),
      col('nature', '机构性质', true, '机关 / 事业单位 / 参公事业单位（或代码 organ / institution / institution_cs）', { codes: 'unitNature', width: 14 }),
      col('level', '机构规格', false, '如 正科、副科', { width: 10 }),
      col('fundingForm', '经费形式', true, '全额拨款 / 差额拨款 / 自收自支（或代码 full / partial / self）', { codes: 'fundingForm', width: 12 }),
      col('parentCode', '主管部门代码', false, '主管部门的单位代码（本文件或系统中已有）；空白表示无', { width: 14 }),
      col('keyManaged', '重点管理', false, '是 / 否（空白为否）', { codes: 'yesNo', width: 10 }),
      col('keyManagedReason', '重点管理原因', false, '如 超编单位、机构改革/撤并中、审计整改、编委指定控编', { width: 20 }),
      col('frozen', '冻结', false, '是 / 否（空白为否）', { codes: 'yesNo', width: 8 }),
      col('frozenReason', '冻结原因', false, '', { width: 20 }),
      col('frozenDocNo', '冻结文号', false, '', { width: 20 }),
      col('frozenUntil', '冻结截止日期', false, 'yyyy-mm-dd', { date: true, width: 14 }),
    ],
  },
  {
    kind: 'quotas',
    sheet: '编制',
    aliases: ['核定编制', '编制信息'],
    description: '核定编制：每个单位 × 编制类型一行，按（单位代码, 编制类型）新增或更新；实有人数由人员数据计算，不填',
    columns: [
      col('unitCode', '单位代码', true, '', { width: 14 }),
      col('bianzhiType', '编制类型', true, '行政编制 / 政法专项编制 / 事业编制 / 工勤人员编制 / 老干编制（或代码 XZ / ZF / SY / GQ / LG）；须与机构性质相符', { codes: 'bianzhiType', width: 14 }),
      col('approved', '核定编制数', true, '非负整数', { width: 12 }),
      col('overflowAllowance', '允许溢出数', false, '非负整数，空白为 0', { width: 12 }),
      col('approvedDocNo', '文号', false, '三定或编委文号', { width: 24 }),
    ],
  },
  {
    kind: 'leader-posts',
    sheet: '领导职数',
    aliases: ['职数'],
    description: '领导职数：每个单位 × 层级 × 正副职一行，按此新增或更新；实配数由人员数据计算，不填',
    columns: [
      col('unitCode', '单位代码', true, '', { width: 14 }),
      col('level', '职数层级', true, '如 乡科级、县处级', { width: 12 }),
      col('kind', '正副职', true, '正职 / 副职（或代码 principal / deputy）', { codes: 'leaderPostKind', width: 10 }),
      col('approved', '核定职数', true, '非负整数', { width: 10 }),
    ],
  },
  {
    kind: 'plans',
    sheet: '年度用编计划',
    aliases: ['用编计划'],
    description: '年度用编计划：每个单位 × 编制类型 × 年度一行，按此新增或更新',
    columns: [
      col('unitCode', '单位代码', true, '', { width: 14 }),
      col('bianzhiType', '编制类型', true, '同“编制”表', { codes: 'bianzhiType', width: 14 }),
      col('year', '年度', true, '四位年份，2000–2100', { width: 8 }),
      col('planned', '计划用编数', true, '非负整数', { width: 12 }),
      col('used', '已用编数', false, '非负整数；空白时保留系统中的数（新计划为 0）', { width: 10 }),
      col('docNo', '文号', false, '编委批复文号', { width: 24 }),
    ],
  },
  {
    kind: 'persons',
    sheet: '人员',
    aliases: ['实名制人员', '人员信息', '在编人员'],
    description: '实名制人员：按公民身份号码新增或更新；在编人员计入所在单位、编制类型的实有人数',
    columns: [
      col('name', '姓名', true, '2–20 个汉字（少数民族、外译姓名可用间隔号“·”），不含空格', { width: 10 }),
      col('idNumber', '公民身份号码', true, '18 位，末位可为 X；单元格须为文本格式', { width: 22 }),
      col('gender', '性别', true, '男 / 女（或代码 1 / 2）；须与公民身份号码第 17 位一致', { codes: 'gender', width: 6 }),
      col('birthDate', '出生日期', true, 'yyyy-mm-dd；须与公民身份号码一致', { date: true, width: 12 }),
      col('ethnicity', '民族', false, 'GB/T 3304 全称，如 汉族（或代码 01–56）', { codes: 'ethnicity', width: 10 }),
      col('politicalStatus', '政治面貌', false, 'GB/T 4762 名称或代码 01–13，如 中国共产党党员（中共党员）、群众', { codes: 'politicalStatus', width: 16 }),
      col('education', '学历', false, 'GB/T 4658 名称或代码，如 大学本科毕业（21）', { codes: 'education', width: 14 }),
      col('degree', '学位', false, '博士 / 硕士 / 学士 / 无', { codes: 'degree', width: 8 }),
      col('workStartDate', '参加工作时间', false, 'yyyy-mm-dd', { date: true, width: 14 }),
      col('unitCode', '单位代码', 'active', '所在单位（本文件或系统中已有）；在编人员必填', { width: 14 }),
      col('bianzhiType', '编制类型', 'active', '同“编制”表；须与单位的机构性质相符；在编人员必填', { codes: 'bianzhiType', width: 14 }),
      col('post', '职务职级', false, '如 一级科员、专业技术十二级', { width: 18 }),
      col('leaderLevel', '领导职务层级', false, '担任领导职务时填写，与“领导职数”表的职数层级一致，如 乡科级', { width: 14 }),
      col('leaderKind', '领导职务正副职', false, '正职 / 副职；填写领导职务层级时必填', { codes: 'leaderPostKind', width: 14 }),
      col('enteredOn', '入编日期', 'active', 'yyyy-mm-dd；在编人员必填', { date: true, width: 12 }),
      col('status', '人员状态', false, '在编 / 历史 / 退休（空白为在编）', { codes: 'personStatus', width: 10 }),
    ],
  },
  {
    kind: 'payroll',
    sheet: '工资统发',
    aliases: ['工资统发名单', '统发名单'],
    description: '财政工资统发名单：每月每人一行；导入时替换文件所含月份中此前导入的名单',
    columns: [
      col('month', '月份', true, 'yyyy-mm', { width: 10 }),
      col('idNumber', '公民身份号码', true, '18 位；单元格须为文本格式', { width: 22 }),
      col('unitCode', '单位代码', true, '发放单位（本文件或系统中已有）', { width: 14 }),
    ],
  },
];

export const SHEET_OF: Readonly<Record<ImportKind, SheetDef>> = Object.fromEntries(SHEETS.map((s) => [s.kind, s])) as Record<ImportKind, SheetDef>;

export const NOTES_SHEET = '说明';

/** The sheet def a sheet name names (its name or an alias), if any. */
export function sheetByName(name: string): SheetDef | undefined {
  const n = name.trim();
  return SHEETS.find((s) => s.sheet === n || s.aliases.includes(n));
}

/** The sheet def whose required headers are all in `headers` (for a sheet with an unknown name); the most specific wins. */
export function sheetByHeaders(headers: readonly string[]): SheetDef | undefined {
  const set = new Set(headers);
  const fits = SHEETS.filter((s) => s.columns.filter((c) => c.required === true).every((c) => set.has(c.header)));
  return fits.sort((a, b) => b.columns.filter((c) => set.has(c.header)).length - a.columns.filter((c) => set.has(c.header)).length)[0];
}

/** Excel's column letter of a 1-based column number (1 → A, 27 → AA). */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

// ---- code tables: a code or its name ------------------------------------------------------------

/** Names districts write that are not the table's own (spec §7.2 calls 中共党员 a full name too). */
const ALIASES: Partial<Record<CodeTableId, Record<string, string>>> = {
  politicalStatus: { 中共党员: '01', 中共预备党员: '02', 共青团员: '03', 民革党员: '04', 民盟盟员: '05', 民建会员: '06', 民进会员: '07', 农工党党员: '08', 致公党党员: '09', 台盟盟员: '11' },
  bianzhiType: { 行政: 'XZ', 政法专项: 'ZF', 政法专项编: 'ZF', 事业: 'SY', 工勤: 'GQ', 机关工勤编制: 'GQ', 老干: 'LG' },
  fundingForm: { 全额: 'full', 差额: 'partial', 自收自支单位: 'self', 财政全额拨款: 'full', 财政差额拨款: 'partial' },
  unitNature: { 行政机关: 'organ', 党政机关: 'organ', 参公: 'institution_cs', 参照公务员法管理事业单位: 'institution_cs' },
  leaderPostKind: { 正: 'principal', 副: 'deputy' },
};

const LOOKUPS = new Map<string, Map<string, string>>();

function lookupFor(table: CodeTableId): Map<string, string> {
  let map = LOOKUPS.get(table);
  if (!map) {
    map = new Map();
    for (const e of CODE_TABLES[table].entries) {
      map.set(e.code, e.code);
      map.set(e.name, e.code);
    }
    for (const [name, code] of Object.entries(ALIASES[table] ?? {})) map.set(name, code);
    LOOKUPS.set(table, map);
  }
  return map;
}

/** The code of `value` in a code table: the code itself or its (Chinese) name; undefined when neither. */
export function resolveCode(table: CodeTableId, value: string): string | undefined {
  const map = lookupFor(table);
  const hit = map.get(value) ?? map.get(value.toUpperCase());
  if (hit) return hit;
  // a two-digit code typed as a number in Excel loses its leading zero (政治面貌 1 → 01)
  if (/^\d$/.test(value)) return map.get(`0${value}`);
  return undefined;
}

/** 民族: the GB/T 3304 full name, given the name or its code 01–56. */
export function resolveEthnicity(value: string): string | undefined {
  if (ETHNIC_GROUPS.includes(value)) return value;
  if (/^\d{1,2}$/.test(value)) return ETHNIC_GROUPS[Number(value) - 1];
  return undefined;
}

export function resolveYesNo(value: string): boolean | undefined {
  if (value === '' || ['否', 'N', 'n', 'no', 'false', 'FALSE', '0'].includes(value)) return false;
  if (['是', 'Y', 'y', 'yes', 'true', 'TRUE', '1'].includes(value)) return true;
  return undefined;
}

export type PersonStatus = 'active' | 'history' | 'retired';

export function resolvePersonStatus(value: string): PersonStatus | undefined {
  const map: Record<string, PersonStatus> = { '': 'active', 在编: 'active', active: 'active', 历史: 'history', 离开: 'history', history: 'history', 退休: 'retired', retired: 'retired' };
  return map[value];
}

/** The lines of the 说明 sheet for one column: the code table's entries, when it has one. */
export function codeListOf(column: ColumnDef): string | undefined {
  switch (column.codes) {
    case undefined:
      return undefined;
    case 'ethnicity':
      return ETHNIC_GROUPS.map((n, i) => `${String(i + 1).padStart(2, '0')} ${n}`).join('，');
    case 'yesNo':
      return '是，否';
    case 'personStatus':
      return '在编，历史，退休';
    default:
      return CODE_TABLES[column.codes].entries.map((e) => `${e.code} ${e.name}`).join('，');
  }
}
