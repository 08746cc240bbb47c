// Validates a parsed import file against the domain rules and the database's current state, in memory
// (Maps keyed by natural keys), and turns it into the records the apply writes. Every problem names its
// sheet, row and column. The person rules are domain/person-validation.ts validatePerson (§7.1 ID
// number, gender and birth date against it, §7.2 names and text fields, §7.4 V1–V4, V8, V9, V11, V12),
// run in 'adjust' mode: the persons are already 在编, so V5/V6 (增员 age) do not apply. What needs the
// whole file or the database is here: 一人一编 (V7), references, duplicates, quota and leader-post counts.
import { checkIdNumber, ID_NUMBER_PROBLEM_TEXT, isRealDate } from '../../../domain/id-number';
import type { RecruitAgeMax } from '../../../domain/parameters/person';
import type { StatutoryAgeRules } from '../../../domain/parameters/retirement';
import { validatePerson, type Finding } from '../../../domain/person-validation';
import { BIANZHI_TYPES, isBianzhiTypeValidFor, type BianzhiType, type UnitNature } from '../../../domain/quota';
import { codeNames } from '../../../domain/codes';
import { isYearMonth } from '../../../domain/salary';
import { columnLetter, resolveCode, resolveEthnicity, resolvePersonStatus, resolveYesNo, SHEETS, type ImportKind, type PersonStatus } from './layout';
import type { Cell, ParsedFile, ParsedRow, ParsedSheet } from './parse';
import type { Problem } from './problems';

// ---- what the database holds (loaded by the repository) ------------------------------------------

export interface ExistingState {
  /** by unit code */
  units: Map<string, { id: string; nature: UnitNature; parentCode: string | null }>;
  /** by `${unitCode}|${bianzhiType}` */
  quotas: Map<string, { approved: number; overflowAllowance: number; reserved: number }>;
  /** by `${unitCode}|${level}|${kind}` */
  leaderPosts: Map<string, { approved: number }>;
  /** active (在编) persons by ID number; leaderKey `${unitCode}|${level}|${kind}` */
  activePersons: Map<string, { unitCode: string; bianzhiType: string; leaderKey: string | null }>;
}

// ---- the records the apply writes ------------------------------------------------------------------

export interface UnitImport {
  code: string;
  name: string;
  nature: UnitNature;
  level: string | null;
  funding_form: string;
  parent_code: string | null;
  key_managed: boolean;
  key_managed_reason: string | null;
  frozen: boolean;
  frozen_reason: string | null;
  frozen_doc_no: string | null;
  frozen_until: string | null;
}

export interface QuotaImport {
  unit_code: string;
  bianzhi_type: BianzhiType;
  approved: number;
  overflow_allowance: number;
  approved_doc_no: string | null;
}

export interface LeaderPostImport {
  unit_code: string;
  level: string;
  kind: 'principal' | 'deputy';
  approved: number;
}

export interface PlanImport {
  unit_code: string;
  bianzhi_type: BianzhiType;
  year: number;
  planned: number;
  used: number | null;
  doc_no: string | null;
}

export interface PersonImport {
  id_number: string;
  name: string;
  gender: string;
  birth_date: string;
  status: PersonStatus;
  unit_code: string | null;
  bianzhi_type: BianzhiType | null;
  post: string | null;
  entered_on: string | null;
  /** 学历, 政治面貌, 民族 …, and leaderPost {level, kind} (server/repositories/persons.ts leaderPostOf) */
  profile: Record<string, unknown>;
}

export interface PayrollImport {
  month: string;
  id_number: string;
  unit_code: string;
}

export interface ImportPlan {
  units: UnitImport[];
  quotas: QuotaImport[];
  leaderPosts: LeaderPostImport[];
  plans: PlanImport[];
  persons: PersonImport[];
  payroll: PayrollImport[];
  /** data rows per kind present in the file */
  counts: Partial<Record<ImportKind, number>>;
  /** unit codes whose quotas / leader posts get their 实有 / 实配 recounted */
  touchedUnitCodes: string[];
}

export interface ValidationContext {
  /** yyyy-mm-dd */
  today: string;
  nameLength: { min: number; max: number };
  retirementRules: StatutoryAgeRules;
  recruitAgeMax: RecruitAgeMax;
}

const BIANZHI_NAMES = codeNames('bianzhiType');
const NATURE_NAMES = codeNames('unitNature');
const KIND_NAMES = codeNames('leaderPostKind');

/** The problem code of a validatePerson finding. */
function findingCode(f: Finding): string {
  if (f.rule === '7.1') return f.field === 'idNumber' ? 'ID_NUMBER_INVALID' : f.field === 'gender' ? 'GENDER_MISMATCH' : f.field === 'birthDate' ? 'BIRTH_DATE_MISMATCH' : 'ID_NUMBER_MISMATCH';
  if (f.rule === '7.2') return f.field === 'name' ? 'NAME_INVALID' : 'CODE_INVALID';
  if (f.rule === '7.3') return 'CODE_INVALID';
  const byRule: Record<string, string> = { V1: 'DATE_ORDER', V2: 'DATE_ORDER', V3: 'DATE_ORDER', V4: 'DATE_ORDER', V8: 'BIANZHI_TYPE_NOT_ALLOWED', V9: 'POST_NOT_ALLOWED', V11: 'DEGREE_MISMATCH', V12: 'DATE_INVALID' };
  return byRule[f.rule] ?? `RULE_${f.rule}`;
}

/** One sheet's rows with typed readers that report problems at the cell. */
class SheetReader {
  constructor(
    readonly sheet: ParsedSheet,
    private readonly problems: Problem[],
  ) {}

  has(key: string): boolean {
    return this.sheet.index.has(key);
  }

  raw(r: ParsedRow, key: string): Cell {
    const i = this.sheet.index.get(key);
    return i === undefined ? undefined : r.cells[i];
  }

  /** trimmed text; '' when blank (numbers as written) */
  text(r: ParsedRow, key: string): string {
    const v = this.raw(r, key);
    if (v === undefined) return '';
    if (v instanceof Date) return isoOf(v);
    return String(v).trim();
  }

  column(key: string) {
    const def = this.sheet.def.columns.find((c) => c.key === key)!;
    const i = this.sheet.index.get(key);
    return { header: def.header, letter: i === undefined ? null : columnLetter(i + 1) };
  }

  report(level: Problem['level'], code: string, r: ParsedRow | number, key: string | null, message: string): void {
    this.problems.push({ level, code, sheet: this.sheet.name, row: typeof r === 'number' ? r : r.row, column: key === null ? null : this.column(key), message });
  }

  error(code: string, r: ParsedRow | number, key: string | null, message: string): void {
    this.report('error', code, r, key, message);
  }

  /** required text; reports REQUIRED and returns undefined when blank */
  required(r: ParsedRow, key: string, maxLength = 200): string | undefined {
    const v = this.text(r, key);
    if (v === '') {
      this.error('REQUIRED', r, key, `${this.column(key).header}不能为空`);
      return undefined;
    }
    if (v.length > maxLength) {
      this.error('TEXT_TOO_LONG', r, key, `${this.column(key).header}不能超过 ${maxLength} 个字符`);
      return undefined;
    }
    return v;
  }

  optional(r: ParsedRow, key: string, maxLength = 200): string | null {
    const v = this.text(r, key);
    if (v.length > maxLength) {
      this.error('TEXT_TOO_LONG', r, key, `${this.column(key).header}不能超过 ${maxLength} 个字符`);
      return null;
    }
    return v === '' ? null : v;
  }

  /** a non-negative integer; blank → fallback (undefined fallback: required) */
  count(r: ParsedRow, key: string, fallback?: number | null, max = 1_000_000): number | null | undefined {
    const v = this.raw(r, key);
    const header = this.column(key).header;
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) {
      if (fallback !== undefined) return fallback;
      this.error('REQUIRED', r, key, `${header}不能为空`);
      return undefined;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 0 || n > max) {
      this.error('NUMBER_INVALID', r, key, `${header}须为 0–${max} 的整数`);
      return undefined;
    }
    return n;
  }

  /** a code of a table (the code or its name) */
  code<T extends string>(r: ParsedRow, key: string, resolve: (v: string) => T | undefined, required: boolean): T | null | undefined {
    const v = this.text(r, key);
    if (v === '') {
      if (required) this.error('REQUIRED', r, key, `${this.column(key).header}不能为空`);
      return required ? undefined : null;
    }
    const code = resolve(v);
    if (code === undefined) {
      this.error('CODE_INVALID', r, key, `${this.column(key).header}“${v}”不在代码表中（见“说明”表）`);
      return undefined;
    }
    return code;
  }

  /** a date yyyy-mm-dd (or a date cell) that exists in the calendar; null when blank */
  date(r: ParsedRow, key: string, required: boolean): string | null | undefined {
    const v = this.raw(r, key);
    const header = this.column(key).header;
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) {
      if (required) this.error('REQUIRED', r, key, `${header}不能为空`);
      return required ? undefined : null;
    }
    const text = v instanceof Date ? isoOf(v) : String(v).trim();
    if (!isRealDate(text)) {
      this.error('DATE_INVALID', r, key, `${header}须为 yyyy-mm-dd 格式的有效日期（现为“${typeof v === 'number' ? '数字' : text}”）`);
      return undefined;
    }
    return text;
  }
}

/** yyyy-mm-dd of a date cell (exceljs reads date cells as UTC midnight). */
function isoOf(d: Date): string {
  return Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString().slice(0, 10);
}

/** as server/routes/units.ts: a unit code is also a candidate group `unit:<code>` */
const UNIT_CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

const asBianzhiType = (v: string) => resolveCode('bianzhiType', v) as BianzhiType | undefined;
const asNature = (v: string) => resolveCode('unitNature', v) as UnitNature | undefined;
const asKind = (v: string) => resolveCode('leaderPostKind', v) as 'principal' | 'deputy' | undefined;
const asYesNo = (v: string) => (resolveYesNo(v) === undefined ? undefined : String(resolveYesNo(v)));

/**
 * Where a count over `allowed` is reported: of the `count` persons of a key, the file's rows counted last, the
 * file row that takes place `allowed` + 1 (the first or last file row when that place is not one of them).
 */
const overRow = (fileRows: readonly ParsedRow[], allowed: number, count: number): ParsedRow | undefined =>
  fileRows[Math.max(0, Math.min(fileRows.length - 1, allowed - (count - fileRows.length)))];

/**
 * Checks the whole file; the plan holds only rows without errors of their own, but is applied only when
 * there is no error at all.
 */
export function validateImport(file: ParsedFile, existing: ExistingState, ctx: ValidationContext): { problems: Problem[]; plan: ImportPlan } {
  const problems: Problem[] = [...file.problems];
  const plan: ImportPlan = { units: [], quotas: [], leaderPosts: [], plans: [], persons: [], payroll: [], counts: {}, touchedUnitCodes: [] };
  const touched = new Set<string>();
  for (const s of SHEETS) {
    const sheet = file.sheets[s.kind];
    if (sheet) plan.counts[s.kind] = sheet.rows.length;
  }

  // ---- 单位 ----
  /** units after the import, by code: the file's over the database's */
  const natureOf = new Map<string, UnitNature | undefined>();
  for (const [code, u] of existing.units) natureOf.set(code, u.nature);
  const unitsSheet = file.sheets.units;
  const fileUnits = new Map<string, { row: ParsedRow; parentCode: string | null }>();
  if (unitsSheet) {
    const s = new SheetReader(unitsSheet, problems);
    const firstRow = new Map<string, number>();
    for (const r of unitsSheet.rows) {
      let code = s.required(r, 'code', 32);
      if (code !== undefined && !UNIT_CODE.test(code)) {
        s.error('CODE_FORMAT', r, 'code', '单位代码只能由字母、数字、下划线和连字符组成（以字母或数字开头，至多 32 位）');
        code = undefined;
      }
      if (code !== undefined) {
        const first = firstRow.get(code);
        if (first !== undefined) {
          s.error('DUPLICATE_KEY', r, 'code', `单位代码 ${code} 与第 ${first} 行重复`);
          continue;
        }
        firstRow.set(code, r.row);
      }
      const name = s.required(r, 'name');
      const nature = s.code(r, 'nature', asNature, true);
      const fundingForm = s.code(r, 'fundingForm', (v) => resolveCode('fundingForm', v), true);
      const keyManaged = s.code(r, 'keyManaged', asYesNo, false);
      const frozen = s.code(r, 'frozen', asYesNo, false);
      const frozenUntil = s.date(r, 'frozenUntil', false);
      const parentCode = s.optional(r, 'parentCode', 50);
      if (code === undefined) continue;
      natureOf.set(code, nature ?? undefined);
      fileUnits.set(code, { row: r, parentCode });
      touched.add(code);
      if (code === parentCode) s.error('PARENT_INVALID', r, 'parentCode', '主管部门不能是本单位');
      if (name === undefined || !nature || !fundingForm || keyManaged === undefined || frozen === undefined || frozenUntil === undefined) continue;
      plan.units.push({
        code,
        name,
        nature,
        level: s.optional(r, 'level', 40),
        funding_form: fundingForm,
        parent_code: parentCode,
        key_managed: keyManaged === 'true',
        key_managed_reason: s.optional(r, 'keyManagedReason', 500),
        frozen: frozen === 'true',
        frozen_reason: s.optional(r, 'frozenReason', 500),
        frozen_doc_no: s.optional(r, 'frozenDocNo'),
        frozen_until: frozenUntil,
      });
    }
    // 主管部门: exists (file or database), and no cycle through the merged tree
    const parentOf = new Map<string, string | null>();
    for (const [code, u] of existing.units) parentOf.set(code, u.parentCode);
    for (const [code, u] of fileUnits) parentOf.set(code, u.parentCode);
    for (const [code, { row, parentCode }] of fileUnits) {
      if (parentCode === null || parentCode === code) continue;
      if (!natureOf.has(parentCode)) {
        s.error('UNIT_UNKNOWN', row, 'parentCode', `主管部门代码 ${parentCode} 在本文件和系统中都不存在`);
        continue;
      }
      const seen = new Set([code]);
      for (let p: string | null | undefined = parentCode; p; p = parentOf.get(p)) {
        if (seen.has(p)) {
          s.error('PARENT_CYCLE', row, 'parentCode', `主管部门关系形成循环（${[...seen, p].join(' → ')}）`);
          break;
        }
        seen.add(p);
      }
    }
    // a changed 机构性质 must still fit the 编制类型 the unit holds in the database
    for (const [code, { row }] of fileUnits) {
      const nature = natureOf.get(code);
      if (!nature || !existing.units.has(code)) continue;
      for (const type of BIANZHI_TYPES) {
        if (existing.quotas.has(`${code}|${type}`) && !isBianzhiTypeValidFor(type, nature)) {
          s.error('BIANZHI_TYPE_NOT_ALLOWED', row, 'nature', `单位 ${code} 在系统中有${BIANZHI_NAMES[type]}，机构性质不能改为${NATURE_NAMES[nature]}`);
        }
      }
    }
  }

  /** the unit of a reference: reports UNIT_UNKNOWN; the nature when the unit is known and valid */
  const unitRef = (s: SheetReader, r: ParsedRow, key: string, required: boolean): { code: string | null; nature?: UnitNature } | undefined => {
    const code = required ? s.required(r, key, 50) : s.optional(r, key, 50);
    if (code === undefined) return undefined;
    if (code === null) return { code: null };
    if (!natureOf.has(code)) {
      s.error('UNIT_UNKNOWN', r, key, `单位代码 ${code} 在本文件“单位”表和系统中都不存在`);
      return undefined;
    }
    return { code, nature: natureOf.get(code) };
  };
  const typeFits = (s: SheetReader, r: ParsedRow, key: string, type: BianzhiType, unit: { code: string | null; nature?: UnitNature }): boolean => {
    if (!unit.nature || isBianzhiTypeValidFor(type, unit.nature)) return true;
    s.error('BIANZHI_TYPE_NOT_ALLOWED', r, key, `${BIANZHI_NAMES[type]}不能用于${NATURE_NAMES[unit.nature]}（单位 ${unit.code}）`);
    return false;
  };

  // ---- 编制 ----
  const mergedQuotas = new Map(existing.quotas);
  const quotaRows = new Map<string, ParsedRow>();
  let quotaReader: SheetReader | undefined;
  if (file.sheets.quotas) {
    const s = (quotaReader = new SheetReader(file.sheets.quotas, problems));
    for (const r of file.sheets.quotas.rows) {
      const unit = unitRef(s, r, 'unitCode', true);
      const type = s.code(r, 'bianzhiType', asBianzhiType, true);
      const approved = s.count(r, 'approved');
      const overflow = s.count(r, 'overflowAllowance', 0);
      const docNo = s.optional(r, 'approvedDocNo');
      if (!unit?.code || !type) continue;
      const key = `${unit.code}|${type}`;
      const first = quotaRows.get(key);
      if (first) {
        s.error('DUPLICATE_KEY', r, 'bianzhiType', `单位 ${unit.code} 的${BIANZHI_NAMES[type]}与第 ${first.row} 行重复`);
        continue;
      }
      quotaRows.set(key, r);
      touched.add(unit.code);
      if (!typeFits(s, r, 'bianzhiType', type, unit) || approved == null || overflow == null) continue;
      mergedQuotas.set(key, { approved, overflowAllowance: overflow, reserved: existing.quotas.get(key)?.reserved ?? 0 });
      plan.quotas.push({ unit_code: unit.code, bianzhi_type: type, approved, overflow_allowance: overflow, approved_doc_no: docNo });
    }
  }

  // ---- 领导职数 ----
  const mergedPosts = new Map(existing.leaderPosts);
  const postRows = new Map<string, ParsedRow>();
  let postReader: SheetReader | undefined;
  if (file.sheets['leader-posts']) {
    const s = (postReader = new SheetReader(file.sheets['leader-posts'], problems));
    for (const r of file.sheets['leader-posts'].rows) {
      const unit = unitRef(s, r, 'unitCode', true);
      const level = s.required(r, 'level', 50);
      const kind = s.code(r, 'kind', asKind, true);
      const approved = s.count(r, 'approved', undefined, 1000);
      if (!unit?.code || !level || !kind) continue;
      const key = `${unit.code}|${level}|${kind}`;
      const first = postRows.get(key);
      if (first) {
        s.error('DUPLICATE_KEY', r, 'kind', `单位 ${unit.code} 的${level}${KIND_NAMES[kind]}与第 ${first.row} 行重复`);
        continue;
      }
      postRows.set(key, r);
      touched.add(unit.code);
      if (approved == null) continue;
      mergedPosts.set(key, { approved });
      plan.leaderPosts.push({ unit_code: unit.code, level, kind, approved });
    }
  }

  // ---- 年度用编计划 ----
  if (file.sheets.plans) {
    const s = new SheetReader(file.sheets.plans, problems);
    const seen = new Map<string, number>();
    for (const r of file.sheets.plans.rows) {
      const unit = unitRef(s, r, 'unitCode', true);
      const type = s.code(r, 'bianzhiType', asBianzhiType, true);
      const year = s.count(r, 'year', undefined, 2100);
      if (year != null && year < 2000) s.error('NUMBER_INVALID', r, 'year', '年度须为 2000–2100 的四位年份');
      const planned = s.count(r, 'planned');
      const used = s.count(r, 'used', null);
      const docNo = s.optional(r, 'docNo');
      if (!unit?.code || !type || year == null || year < 2000) continue;
      const key = `${unit.code}|${type}|${year}`;
      const first = seen.get(key);
      if (first !== undefined) {
        s.error('DUPLICATE_KEY', r, 'year', `单位 ${unit.code} ${year} 年度${BIANZHI_NAMES[type]}计划与第 ${first} 行重复`);
        continue;
      }
      seen.set(key, r.row);
      if (!typeFits(s, r, 'bianzhiType', type, unit) || planned == null || used === undefined) continue;
      plan.plans.push({ unit_code: unit.code, bianzhi_type: type, year, planned, used, doc_no: docNo });
    }
  }

  // ---- 人员 ----
  /** 在编 after the import: the database's, then each file row replaces its ID number's */
  const roster = new Map(existing.activePersons);
  const fileActive: Array<{ row: ParsedRow; quotaKey: string; leaderKey: string | null }> = [];
  let personReader: SheetReader | undefined;
  if (file.sheets.persons) {
    const s = (personReader = new SheetReader(file.sheets.persons, problems));
    const firstRow = new Map<string, number>();
    for (const r of file.sheets.persons.rows) {
      const flagged = new Set<string>();
      const mark = <T>(key: string, v: T | undefined): T | undefined => {
        if (v === undefined) flagged.add(key);
        return v;
      };
      const status = mark('status', s.code(r, 'status', resolvePersonStatus, false)) ?? undefined;
      const active = (status ?? 'active') === 'active';
      // the ID number: as text (a numeric cell has lost its last digits), once in the file
      const rawId = s.raw(r, 'idNumber');
      let idText = s.text(r, 'idNumber').toUpperCase();
      let duplicate = false;
      if (typeof rawId === 'number') {
        s.error('ID_NUMBER_NOT_TEXT', r, 'idNumber', '公民身份号码的单元格须为文本格式（数值格式会丢失末几位）');
        flagged.add('idNumber');
        idText = '';
      } else if (idText !== '') {
        const first = firstRow.get(idText);
        if (first !== undefined) {
          s.error('DUPLICATE_ID_NUMBER', r, 'idNumber', `公民身份号码与第 ${first} 行重复（一人一编：每人只能有一条记录）`);
          duplicate = true;
        } else firstRow.set(idText, r.row);
      }
      const gender = mark('gender', s.code(r, 'gender', (v) => resolveCode('gender', v), true));
      const birthDate = mark('birthDate', s.date(r, 'birthDate', true));
      const ethnicity = mark('ethnicity', s.code(r, 'ethnicity', resolveEthnicity, false));
      const politicalStatus = mark('politicalStatus', s.code(r, 'politicalStatus', (v) => resolveCode('politicalStatus', v), false));
      const education = mark('education', s.code(r, 'education', (v) => resolveCode('education', v), false));
      const degree = mark('degree', s.code(r, 'degree', (v) => resolveCode('degree', v), false));
      const workStartDate = mark('workStartDate', s.date(r, 'workStartDate', false));
      const enteredOn = mark('enteredOn', s.date(r, 'enteredOn', active));
      for (const [key, value] of [['birthDate', birthDate], ['workStartDate', workStartDate], ['enteredOn', enteredOn]] as const) {
        if (value && value > ctx.today) {
          s.error('DATE_INVALID', r, key, `${s.column(key).header} ${value} 晚于今天`);
          flagged.add(key);
        }
      }
      const unit = unitRef(s, r, 'unitCode', active);
      const type = mark('bianzhiType', s.code(r, 'bianzhiType', asBianzhiType, active));
      const post = s.optional(r, 'post', 100);
      const leaderLevel = s.optional(r, 'leaderLevel', 50);
      const leaderKind = s.code(r, 'leaderKind', asKind, leaderLevel !== null);
      if (leaderKind && leaderLevel === null) s.error('REQUIRED', r, 'leaderLevel', '填写领导职务正副职时须填写领导职务层级');
      if (unit === undefined) flagged.add('unitCode');

      const name = s.raw(r, 'name');
      const result = validatePerson({
        person: {
          idNumber: idText === '' ? undefined : idText,
          name: typeof name === 'number' ? String(name) : name instanceof Date ? isoOf(name) : name,
          gender: gender ?? undefined,
          birthDate: birthDate ?? undefined,
          ethnicity: ethnicity ?? undefined,
          politicalStatus: politicalStatus ?? undefined,
          education: education ?? undefined,
          degree: degree ?? undefined,
          workStartDate: workStartDate ?? undefined,
          post: post ?? undefined,
        },
        mode: 'adjust',
        bianzhiType: type ?? undefined,
        unitNature: unit?.nature ?? 'organ',
        today: ctx.today,
        retirementRules: ctx.retirementRules,
        recruitAgeMax: ctx.recruitAgeMax,
        nameLength: ctx.nameLength,
      });
      const unitKnown = unit?.nature !== undefined;
      let rowError = false;
      for (const [level, findings] of [['error', result.errors], ['warning', result.warnings]] as const) {
        for (const f of findings) {
          if (flagged.has(f.field)) continue; // already reported at the cell
          if ((f.rule === 'V8' || f.rule === 'V9') && (!unitKnown || !type)) continue; // no unit or type to check against
          if (f.field === 'idNumber' && idText === '') continue;
          s.report(level, findingCode(f), r, s.has(f.field) ? f.field : null, f.message);
          if (level === 'error') rowError = true;
        }
      }
      if (idText === '' && !flagged.has('idNumber')) s.error('REQUIRED', r, 'idNumber', '公民身份号码不能为空');

      // 一人一编 (V7): 在编 in another unit in the database
      const held = idText ? existing.activePersons.get(idText) : undefined;
      const heldElsewhere = held !== undefined && active && !!unit?.code && held.unitCode !== unit.code;
      if (heldElsewhere) {
        s.error('ACTIVE_ELSEWHERE', r, 'idNumber', `一人一编：该公民身份号码已在单位 ${held.unitCode} 在编，须先办理出编或调动，不能由导入改变`);
        rowError = true;
      } else if (held && !active) {
        s.report('warning', 'STATUS_CHANGED', r, 'status', `该人员在系统中在编（单位 ${held.unitCode}），导入后将不再计入实有人数`);
      }

      // the 在编 roster after the import, for the counts (rows with errors count too: the report is the better for it)
      const leaderKey = active && unit?.code && leaderLevel && leaderKind ? `${unit.code}|${leaderLevel}|${leaderKind}` : null;
      if (idText && !duplicate && !heldElsewhere) {
        roster.delete(idText);
        // a person whose 编制类型 does not fit the unit is reported as such, not once more as over the quota
        if (active && unit?.code && type && (!unit.nature || isBianzhiTypeValidFor(type, unit.nature))) {
          roster.set(idText, { unitCode: unit.code, bianzhiType: type, leaderKey });
          fileActive.push({ row: r, quotaKey: `${unit.code}|${type}`, leaderKey });
        }
      }
      if (held) touched.add(held.unitCode);
      if (unit?.code) touched.add(unit.code);

      if (duplicate || rowError || flagged.size > 0 || !idText || !gender || !birthDate || unit === undefined || (active && (!type || !enteredOn))) continue;
      if (typeof name !== 'string' || (leaderLevel !== null && !leaderKind)) continue;
      const profile: Record<string, unknown> = {};
      if (ethnicity) profile.ethnicity = ethnicity;
      if (politicalStatus) profile.politicalStatus = politicalStatus;
      if (education) profile.education = education;
      if (degree) profile.degree = degree;
      if (workStartDate) profile.workStartDate = workStartDate;
      if (active && leaderLevel && leaderKind) profile.leaderPost = { level: leaderLevel, kind: leaderKind };
      plan.persons.push({
        id_number: idText,
        name: name.trim(),
        gender,
        birth_date: birthDate,
        status: status ?? 'active',
        unit_code: unit.code,
        bianzhi_type: type ?? null,
        post,
        entered_on: enteredOn ?? null,
        profile,
      });
    }
  }

  // ---- 实有 against 核定 (+ 允许溢出), 实配 against 核定职数 ----
  if (file.sheets.persons || file.sheets.quotas || file.sheets['leader-posts']) {
    const actual = new Map<string, number>();
    const posts = new Map<string, number>();
    for (const p of roster.values()) {
      if (!touched.has(p.unitCode)) continue;
      const key = `${p.unitCode}|${p.bianzhiType}`;
      actual.set(key, (actual.get(key) ?? 0) + 1);
      if (p.leaderKey) posts.set(p.leaderKey, (posts.get(p.leaderKey) ?? 0) + 1);
    }
    const fileRowsOf = (pick: (a: (typeof fileActive)[number]) => string | null) => {
      const map = new Map<string, ParsedRow[]>();
      for (const a of fileActive) {
        const k = pick(a);
        if (k) (map.get(k) ?? map.set(k, []).get(k)!).push(a.row);
      }
      return map;
    };
    const quotaPersonRows = fileRowsOf((a) => a.quotaKey);
    for (const [key, r] of actual) {
      const [unitCode, type] = key.split('|') as [string, BianzhiType];
      const q = mergedQuotas.get(key) ?? { approved: 0, overflowAllowance: 0, reserved: 0 };
      const limit = q.approved + q.overflowAllowance;
      const what = `单位 ${unitCode} 的${BIANZHI_NAMES[type]}`;
      const fileRows = quotaPersonRows.get(key) ?? [];
      const located = (over: boolean): [SheetReader, ParsedRow, string] | undefined => {
        const qRow = quotaRows.get(key);
        if (qRow && quotaReader) return [quotaReader, qRow, 'approved'];
        const nth = overRow(fileRows, over ? limit : q.approved, r);
        return nth && personReader ? [personReader, nth, 'bianzhiType'] : undefined;
      };
      if (r > limit) {
        const at = located(true);
        if (at) {
          at[0].error('QUOTA_EXCEEDED', at[1], at[2], `${what}实有 ${r} 人（在编人员），超过核定编制数 ${q.approved}${q.overflowAllowance ? ` 加允许溢出数 ${q.overflowAllowance}` : ''}${mergedQuotas.has(key) ? '' : '（无核定编制）'}`);
        }
      } else if (r > q.approved || r + q.reserved > limit) {
        const at = located(false);
        if (at) {
          const message = r > q.approved ? `${what}实有 ${r} 人，超过核定编制数 ${q.approved}，占用允许溢出数` : `${what}实有 ${r} 人加预占 ${q.reserved} 超过核定编制数与允许溢出数之和 ${limit}，可用编制为负`;
          at[0].report('warning', r > q.approved ? 'QUOTA_OVERFLOW_USED' : 'QUOTA_OVERDRAWN', at[1], at[2], message);
        }
      }
    }
    const postPersonRows = fileRowsOf((a) => a.leaderKey);
    for (const [key, lr] of posts) {
      const [unitCode, level, kind] = key.split('|') as [string, string, 'principal' | 'deputy'];
      const approved = mergedPosts.get(key)?.approved ?? 0;
      if (lr <= approved) continue;
      const pRow = postRows.get(key);
      const fileRows = postPersonRows.get(key) ?? [];
      const at: [SheetReader, ParsedRow, string] | undefined =
        pRow && postReader ? [postReader, pRow, 'approved'] : fileRows.length && personReader ? [personReader, overRow(fileRows, approved, lr)!, 'leaderLevel'] : undefined;
      at?.[0].error('LEADER_POSTS_EXCEEDED', at[1], at[2], `单位 ${unitCode} 的${level}${KIND_NAMES[kind]}实配 ${lr} 人，超过核定职数 ${approved}${mergedPosts.has(key) ? '' : '（无核定职数）'}`);
    }
  }

  // ---- 工资统发 ----
  const payroll = file.sheets.payroll;
  if (payroll) {
    const s = new SheetReader(payroll, problems);
    const seen = new Map<string, number>();
    for (const r of payroll.rows) {
      const raw = s.raw(r, 'month');
      const month = raw instanceof Date ? isoOf(raw).slice(0, 7) : s.text(r, 'month');
      let monthOk = true;
      if (month === '') {
        s.error('REQUIRED', r, 'month', '月份不能为空');
        monthOk = false;
      } else if (!isYearMonth(month) || month < '2000-01' || month > ctx.today.slice(0, 7)) {
        s.error('DATE_INVALID', r, 'month', `月份须为 yyyy-mm 格式且不晚于本月（现为“${month}”）`);
        monthOk = false;
      }
      const rawId = s.raw(r, 'idNumber');
      let idNumber: string | undefined;
      if (typeof rawId === 'number') s.error('ID_NUMBER_NOT_TEXT', r, 'idNumber', '公民身份号码的单元格须为文本格式（数值格式会丢失末几位）');
      else {
        const text = s.required(r, 'idNumber', 18);
        if (text !== undefined) {
          const id = checkIdNumber(text, new Date(`${ctx.today}T12:00:00+08:00`));
          if (id.valid) idNumber = id.idNumber;
          else s.error('ID_NUMBER_INVALID', r, 'idNumber', `公民身份号码无效：${ID_NUMBER_PROBLEM_TEXT[id.problem]}`);
        }
      }
      const unit = unitRef(s, r, 'unitCode', true);
      if (!monthOk || !idNumber || !unit?.code) continue;
      const key = `${month}|${idNumber}`;
      const first = seen.get(key);
      if (first !== undefined) {
        s.error('DUPLICATE_KEY', r, 'idNumber', `同一月份的公民身份号码与第 ${first} 行重复`);
        continue;
      }
      seen.set(key, r.row);
      plan.payroll.push({ month, id_number: idNumber, unit_code: unit.code });
    }
  }

  plan.touchedUnitCodes = [...touched];
  return { problems, plan };
}
