/**
 * Validation of a person record at 增员 and 调整, domain-spec.md §7.1 (ID number), §7.2 (names and text fields)
 * and §7.4 V1–V12 (cross-field and business rules; E = error, W = warning). Pure functions, no I/O: the caller
 * passes the unit's nature, the parameters in force and today's date. V7 (一人一编) needs the database and is
 * the caller's (workers/person.validate.ts).
 */
import { CODE_TABLES, codeName, isValidCode } from './codes';
import { checkIdNumber, ID_NUMBER_PROBLEM_TEXT, isRealDate } from './id-number';
import type { RecruitAgeMax } from './parameters/person';
import type { StatutoryAgeRules } from './parameters/retirement';
import { type BianzhiType, isBianzhiType, isBianzhiTypeValidFor, type UnitNature } from './quota';
import { retirementDate, type RetirementCategory } from './retirement';

export interface Finding {
  rule: string;
  field: string;
  message: string;
}

export interface PersonValidation {
  errors: Finding[];
  warnings: Finding[];
  unchecked: Array<{ rule: string; message: string }>;
}

/** The person fields this module reads (workers/variables.ts PersonInput; dates yyyy-mm-dd). */
export interface PersonRecord {
  idNumber?: unknown;
  name?: unknown;
  gender?: unknown;
  birthDate?: unknown;
  ethnicity?: unknown;
  politicalStatus?: unknown;
  education?: unknown;
  degree?: unknown;
  graduationDate?: unknown;
  workStartDate?: unknown;
  partyJoinDate?: unknown;
  leagueJoinDate?: unknown;
  unitEntryDate?: unknown;
  currentPostDate?: unknown;
  post?: unknown;
  archiveBirthDate?: unknown;
  previousBianzhiType?: unknown;
  previousCivilServantManaged?: unknown;
  foreignNational?: unknown;
  equivalentDegree?: unknown;
}

/** recruit = Z1 · transfer-in = Z2 · placement = Z3 · adjust = T1–T3 (the person is already 在编). */
export type ValidationMode = 'recruit' | 'transfer-in' | 'placement' | 'adjust';
export const VALIDATION_MODES: readonly ValidationMode[] = ['recruit', 'transfer-in', 'placement', 'adjust'];

export interface PersonValidationInput {
  person: PersonRecord;
  mode: ValidationMode;
  /** the target 编制类型 */
  bianzhiType: unknown;
  /** the target unit's 机构性质 (V8) */
  unitNature: UnitNature;
  entryMode?: unknown;
  /** today, yyyy-mm-dd (V12, §7.1) */
  today: string;
  /** the 增员 date for V5/V6, yyyy-mm-dd; default today */
  onDate?: string;
  retirementRules: StatutoryAgeRules;
  recruitAgeMax: RecruitAgeMax;
  nameLength: { min: number; max: number };
}

/** GB/T 3304 民族 full names, 01 汉族 … 56 基诺族 (§7.2). */
export const ETHNIC_GROUPS: readonly string[] = [
  '汉族', '蒙古族', '回族', '藏族', '维吾尔族', '苗族', '彝族', '壮族', '布依族', '朝鲜族', '满族', '侗族', '瑶族', '白族',
  '土家族', '哈尼族', '哈萨克族', '傣族', '黎族', '傈僳族', '佤族', '畲族', '高山族', '拉祜族', '水族', '东乡族', '纳西族',
  '景颇族', '柯尔克孜族', '土族', '达斡尔族', '仫佬族', '羌族', '布朗族', '撒拉族', '毛南族', '仡佬族', '锡伯族', '阿昌族',
  '普米族', '塔吉克族', '怒族', '乌孜别克族', '俄罗斯族', '鄂温克族', '德昂族', '保安族', '裕固族', '京族', '塔塔尔族',
  '独龙族', '鄂伦春族', '赫哲族', '门巴族', '珞巴族', '基诺族',
];

const DATE_FIELDS = [
  ['birthDate', '出生日期'],
  ['graduationDate', '毕业时间'],
  ['workStartDate', '参加工作时间'],
  ['partyJoinDate', '入党时间'],
  ['leagueJoinDate', '入团时间'],
  ['unitEntryDate', '进入本单位时间'],
  ['currentPostDate', '任现职时间'],
  ['archiveBirthDate', '档案认定出生日期'],
] as const;

type DateField = (typeof DATE_FIELDS)[number][0];

// ---------------------------------------------------------------------------------------------------------------
// 进入形式 matrix (§2.1, from S7)

/** On the 公务员 track: 行政/政法 编制, or 参公. */
function civilServantTrack(type: string | undefined, civilServantManaged: boolean): boolean {
  return type === 'XZ' || type === 'ZF' || civilServantManaged;
}

/**
 * Whether the 进入形式 fits the old and new 编制类型 (§2.1, S7): 转任 = (XZ or 参公) → (XZ or 参公); 调任 =
 * (non-XZ, non-参公) → (XZ or 参公); 调入 = SY → SY, or XZ/参公 → SY (a non-参公 事业 post). Other modes are not
 * constrained. The new side is 参公 when the unit is a 参公事业单位. Returns the problem (zh-CN), or undefined.
 */
export function entryModeProblem(args: {
  entryMode: unknown;
  previousBianzhiType: unknown;
  previousCivilServantManaged?: unknown;
  bianzhiType: BianzhiType;
  unitNature: UnitNature;
}): string | undefined {
  const mode = args.entryMode;
  if (mode !== '转任' && mode !== '调任' && mode !== '调入') return undefined;
  const previous = typeof args.previousBianzhiType === 'string' && args.previousBianzhiType !== '' ? args.previousBianzhiType : undefined;
  if (previous === undefined) return `进入形式为${mode}时须填写原编制类型`;
  if (previous !== 'none' && !isBianzhiType(previous)) return `原编制类型无效：${previous}`;
  const oldCs = civilServantTrack(previous, args.previousCivilServantManaged === true);
  const newCs = civilServantTrack(args.bianzhiType, args.unitNature === 'institution_cs');
  const from = previous === 'none' ? '无编制' : oldCs && previous === 'SY' ? '参公事业编制' : previous;
  const to = newCs && args.bianzhiType === 'SY' ? '参公事业编制' : args.bianzhiType;
  switch (mode) {
    case '转任':
      return oldCs && newCs ? undefined : `转任仅适用于行政或参公人员转入行政或参公岗位（原 ${from} → 现 ${to}）`;
    case '调任':
      return !oldCs && newCs ? undefined : `调任仅适用于非行政、非参公人员进入行政或参公岗位（原 ${from} → 现 ${to}）`;
    case '调入':
      return args.bianzhiType === 'SY' && !newCs && (previous === 'SY' || oldCs)
        ? undefined
        : `调入仅适用于事业编制或行政/参公人员调入事业编制（原 ${from} → 现 ${to}）`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ages and retirement category

/** Completed years between `birth` and `on` (both yyyy-mm-dd). */
export function completedYears(birth: string, on: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [oy, om, od] = on.split('-').map(Number) as [number, number, number];
  return oy - by - (om < bm || (om === bm && od < bd) ? 1 : 0);
}

/** yyyy-mm-dd plus whole years (29 Feb → 28 Feb in a common year). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isRealDate(target) ? target : `${String(y + years).padStart(4, '0')}-02-28`;
}

/** What a post text is: a 公务员 职务职级, an 事业/工勤 岗位等级, or unknown (free text we cannot classify). */
export function postKind(post: string): 'civil-servant' | 'institution' | 'unknown' {
  if (/专业技术|管理[一二三四五六七八九十]+级|工勤技能|技术工|普通工|技师/.test(post)) return 'institution';
  if (/科员|办事员|主任科员|调研员|巡视员|(乡科|县处|厅局|省部)级/.test(post)) return 'civil-servant';
  return 'unknown';
}

/**
 * The §5.1 retirement category [C]: man for men; for women woman50 when the post is 工勤技能 (or the 编制 is 工勤),
 * woman55 otherwise (公务员/参公, 管理/专技). woman60 (female 处级 cadres, 高级职称) is a choice on application and
 * is not inferred here.
 */
export function retirementCategoryFor(gender: '1' | '2', bianzhiType: string, post: string | undefined): RetirementCategory {
  if (gender === '1') return 'man';
  if (bianzhiType === 'GQ' || (post !== undefined && /工勤|技术工|普通工/.test(post))) return 'woman50';
  return 'woman55';
}

// ---------------------------------------------------------------------------------------------------------------
// The check

const isString = (v: unknown): v is string => typeof v === 'string';
const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/**
 * §7.1, §7.2 and §7.4 V1–V6, V8, V9, V11, V12 for one person (V7 is the caller's; V10 needs 级别/档次, which the
 * person record does not carry: listed under `unchecked`). Cross-field rules run only on dates that passed V12.
 */
export function validatePerson(input: PersonValidationInput): PersonValidation {
  const { person, today } = input;
  const onDate = input.onDate ?? today;
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const unchecked: PersonValidation['unchecked'] = [];
  const E = (rule: string, field: string, message: string) => errors.push({ rule, field, message });
  const W = (rule: string, field: string, message: string) => warnings.push({ rule, field, message });

  // V12: dates yyyy-mm-dd, real, not after today. Only good dates take part in the cross-field rules.
  const dates: Partial<Record<DateField, string>> = {};
  for (const [field, label] of DATE_FIELDS) {
    const value = person[field];
    if (!present(value)) continue;
    if (!isString(value) || !isRealDate(value)) E('V12', field, `${label}须为 yyyy-mm-dd 格式的有效日期`);
    else if (value > today) E('V12', field, `${label} ${value} 晚于今天`);
    else dates[field] = value;
  }

  // §7.1 ID number and the derived birth date and gender
  let birth: string | undefined;
  let gender: '1' | '2' | undefined;
  if (!present(person.idNumber)) E('7.1', 'idNumber', '公民身份号码不能为空');
  else if (!isString(person.idNumber)) E('7.1', 'idNumber', '公民身份号码须为文本');
  else {
    const id = checkIdNumber(person.idNumber.trim(), new Date(`${today}T12:00:00+08:00`));
    if (!id.valid) {
      E('7.1', 'idNumber', `公民身份号码无效：${ID_NUMBER_PROBLEM_TEXT[id.problem]}`);
    } else {
      birth = id.birthDate;
      gender = id.gender;
      if (!present(person.birthDate)) E('7.1', 'birthDate', '出生日期不能为空');
      else if (dates.birthDate !== undefined && dates.birthDate !== id.birthDate) {
        E('7.1', 'birthDate', `出生日期 ${dates.birthDate} 与公民身份号码中的出生日期 ${id.birthDate} 不一致`);
      }
      if (!present(person.gender)) E('7.1', 'gender', '性别不能为空');
      else if (person.gender !== id.gender) {
        E('7.1', 'gender', `性别与公民身份号码不一致（号码第 17 位为${id.gender === '1' ? '奇数，应为男' : '偶数，应为女'}）`);
      }
      if (dates.archiveBirthDate !== undefined && dates.archiveBirthDate !== id.birthDate) {
        W('7.1', 'archiveBirthDate', `档案认定出生日期 ${dates.archiveBirthDate} 与身份证出生日期 ${id.birthDate} 不一致，须附认定依据`);
      }
    }
  }
  if (present(person.gender) && !isValidCode('gender', person.gender)) E('7.3', 'gender', `性别代码无效：${String(person.gender)}`);

  // §7.2 name and text fields
  checkName(person, input.nameLength, E);
  if (present(person.ethnicity)) {
    if (!isString(person.ethnicity) || !ETHNIC_GROUPS.includes(person.ethnicity)) {
      const hint = isString(person.ethnicity) && ETHNIC_GROUPS.includes(`${person.ethnicity}族`) ? `，应填写全称“${person.ethnicity}族”` : '';
      E('7.2', 'ethnicity', `民族须填写 GB/T 3304 全称${hint}：${String(person.ethnicity)}`);
    }
  }
  if (present(person.politicalStatus) && !isValidCode('politicalStatus', person.politicalStatus)) {
    E('7.2', 'politicalStatus', `政治面貌代码无效（GB/T 4762）：${String(person.politicalStatus)}`);
  }
  if (present(person.education) && !isValidCode('education', person.education)) E('7.3', 'education', `学历代码无效（GB/T 4658）：${String(person.education)}`);
  const degree = degreeCode(person.degree);
  if (present(person.degree) && degree === undefined) E('7.3', 'degree', `学位无效：${String(person.degree)}`);

  // V1–V4 against the birth date of the ID number (or the stated one when the ID number failed)
  const born = birth ?? dates.birthDate;
  if (born !== undefined) {
    const notBefore = (rule: string, field: DateField, label: string, years: number, level: typeof E) => {
      const value = dates[field];
      if (value !== undefined && value < addYears(born, years)) level(rule, field, `${label} ${value} 早于出生后 ${years} 周岁`);
    };
    notBefore('V1', 'workStartDate', '参加工作时间', 16, E);
    notBefore('V2', 'partyJoinDate', '入党时间', 18, E);
    notBefore('V2', 'leagueJoinDate', '入团时间', 14, E);
    notBefore('V3', 'graduationDate', '毕业时间', 15, W);
  }
  if (dates.workStartDate !== undefined && dates.graduationDate !== undefined && dates.workStartDate < dates.graduationDate) {
    W('V3', 'workStartDate', `参加工作时间 ${dates.workStartDate} 早于最高学历毕业时间 ${dates.graduationDate}（在职教育请核实）`);
  }
  if (dates.workStartDate !== undefined) {
    if (dates.unitEntryDate !== undefined && dates.unitEntryDate < dates.workStartDate) {
      E('V4', 'unitEntryDate', `进入本单位时间 ${dates.unitEntryDate} 早于参加工作时间 ${dates.workStartDate}`);
    }
    if (dates.currentPostDate !== undefined && dates.currentPostDate < dates.workStartDate) {
      E('V4', 'currentPostDate', `任现职时间 ${dates.currentPostDate} 早于参加工作时间 ${dates.workStartDate}`);
    }
  }

  // V8 编制类型 for the unit; 进入形式 against the old and new type
  const type = isBianzhiType(input.bianzhiType) ? input.bianzhiType : undefined;
  if (type === undefined) E('V8', 'bianzhiType', `编制类型无效：${String(input.bianzhiType)}`);
  else {
    if (!isBianzhiTypeValidFor(type, input.unitNature)) E('V8', 'bianzhiType', `编制类型 ${type} 不能用于${NATURE_NAMES[input.unitNature]}`);
    const problem = entryModeProblem({
      entryMode: input.entryMode,
      previousBianzhiType: person.previousBianzhiType,
      previousCivilServantManaged: person.previousCivilServantManaged,
      bianzhiType: type,
      unitNature: input.unitNature,
    });
    if (problem) E('V8', 'entryMode', problem);
  }

  // V5 age at the 增员 date below the statutory retirement age; V6 the Z1 age ceiling
  const postText = isString(person.post) && person.post.trim() !== '' ? person.post.trim() : undefined;
  if (born !== undefined && gender !== undefined && input.mode !== 'adjust') {
    const category = retirementCategoryFor(gender, type ?? '', postText);
    const retirement = retirementDate({ birthDate: born, gender: gender === '1' ? 'male' : 'female', category }, input.retirementRules);
    if (onDate >= retirement.retirementDate) {
      E('V5', 'birthDate', `增员日期 ${onDate} 已达到法定退休年龄（${retirement.statutoryAge.years} 岁${retirement.statutoryAge.months ? ` ${retirement.statutoryAge.months} 个月` : ''}，${retirement.retirementDate}）`);
    }
  }
  if (born !== undefined && input.mode === 'recruit') {
    const ceiling = (type && input.recruitAgeMax.byBianzhiType[type]) || input.recruitAgeMax.default;
    const postgraduate = isString(person.education) && /^1[1-9]$/.test(person.education);
    const max = postgraduate ? ceiling.postgraduateMaxAge : ceiling.maxAge;
    const age = completedYears(born, onDate);
    if (age > max) W('V6', 'birthDate', `年龄 ${age} 周岁，超过招录年龄上限 ${max} 周岁${postgraduate ? '（研究生）' : ''}`);
  }

  // V9 职务职级 for the 编制类型 (only for post texts we can classify)
  if (postText !== undefined && type !== undefined) {
    const kind = postKind(postText);
    const cs = type === 'XZ' || type === 'ZF' || input.unitNature === 'institution_cs';
    if (kind === 'civil-servant' && !cs) E('V9', 'post', `公务员职务职级“${postText}”只能用于行政、政法专项编制或参公单位`);
    else if (kind === 'institution' && (type === 'XZ' || type === 'ZF')) E('V9', 'post', `岗位等级“${postText}”只能用于事业或工勤编制`);
    else if (kind === 'unknown') unchecked.push({ rule: 'V9', message: `职务职级“${postText}”无法识别，未校验与编制类型是否相符` });
  }
  unchecked.push({ rule: 'V10', message: '人员信息不含级别、档次，级别与职务职级的对应及档次上限在核定工资时校验' });

  // V11 学历 and 学位
  if (degree !== undefined && isString(person.education) && isValidCode('education', person.education) && person.equivalentDegree !== true) {
    const n = Number(person.education);
    const needs: Record<string, [number, number, string]> = { doctor: [11, 13, '博士研究生'], master: [11, 19, '研究生'], bachelor: [11, 28, '大学本科及以上'] };
    const need = needs[degree];
    if (need && (n < need[0] || n > need[1])) W('V11', 'degree', `学位“${codeName('degree', degree)}”须有${need[2]}学历（或注明同等学力），现学历代码 ${person.education}`);
  }

  return { errors, warnings, unchecked };
}

/** 学位 as its code (doctor, master, bachelor, none), given the code or the name (博士 …). */
export function degreeCode(value: unknown): string | undefined {
  if (!isString(value)) return undefined;
  if (isValidCode('degree', value)) return value;
  return CODE_TABLES.degree.entries.find((e) => e.name === value)?.code;
}

const NATURE_NAMES: Record<UnitNature, string> = { organ: '机关', institution: '事业单位', institution_cs: '参公事业单位' };

/** §7.2: no spaces, CJK ideographs and · (Latin letters for foreign nationals), length within the parameter. */
function checkName(person: PersonRecord, length: { min: number; max: number }, E: (rule: string, field: string, message: string) => void): void {
  const name = person.name;
  if (!present(name)) return E('7.2', 'name', '姓名不能为空');
  if (!isString(name)) return E('7.2', 'name', '姓名须为文本');
  if (name !== name.trim()) E('7.2', 'name', '姓名前后不能有空格');
  const core = name.trim();
  if (/\s/u.test(core)) E('7.2', 'name', '姓名中间不能有空格');
  const foreign = person.foreignNational === true;
  const allowed = foreign ? /^[\p{Script=Han}·A-Za-z\s]+$/u : /^[\p{Script=Han}·\s]+$/u;
  if (!allowed.test(core)) E('7.2', 'name', foreign ? '姓名只能包含汉字、拉丁字母和间隔号“·”' : '姓名只能包含汉字和间隔号“·”（外国籍人员可用拉丁字母）');
  if (/^·|·$|··/u.test(core)) E('7.2', 'name', '间隔号“·”不能在姓名首尾或连续出现');
  const chars = [...core.replace(/\s/gu, '')].length;
  if (chars < length.min || chars > length.max) E('7.2', 'name', `姓名长度须为 ${length.min}–${length.max} 个字符`);
}
