/**
 * Basic salary, domain-spec.md §3: 公务员 (and 参公) 职务职级工资 + 级别工资 (§3.1), 事业 岗位工资 + 薪级工资 (§3.2),
 * promotion and progression (§3.3), new hires and 工资介绍信 continuation (§3.4). Pure functions, no I/O: the
 * caller passes the tables (domain/parameters/salary.ts) as versioned data, and every result names the
 * parameter versions it rests on, with their confidence tags.
 *
 * One function per mode: newHireSalary, continuationSalary, promotionSalary, progressionSalary. Months are
 * yyyy-mm; money is yuan, rounded half up to 2 decimals.
 */
import { roundYuan } from './pension';
import { type BianzhiType, DomainInputError, isBianzhiType, UNIT_NATURES, type UnitNature } from './quota';
import {
  EDUCATION_GROUP_NAMES,
  EDUCATION_GROUPS,
  INSTITUTION_TRACK_NAMES,
  INSTITUTION_TRACKS,
  type EducationGroup,
  type InstitutionTrack,
  type LevelRange,
  type LevelWageRow,
  type ParameterRef,
  type PostLayer,
  type SalaryParameters,
  type Versioned,
} from './parameters/salary';

export { DomainInputError, roundYuan };
export type { EducationGroup, InstitutionTrack, ParameterRef, SalaryParameters };

/** 公务员 (incl. 参公): 职务职级工资 + 级别工资 · 事业 (and 工勤): 岗位工资 + 薪级工资. */
export type SalarySystem = 'civil-servant' | 'institution';
export const SALARY_SYSTEM_NAMES: Readonly<Record<SalarySystem, string>> = { 'civil-servant': '公务员 (含参公)', institution: '事业单位' };

export const SALARY_MODES = ['new-hire', 'continuation', 'promotion', 'progression', 'regrade'] as const;
export type SalaryMode = (typeof SALARY_MODES)[number];

export interface PayItem {
  code: string;
  name: string;
  amount: number;
}

export interface CivilServantPosition {
  system: 'civil-servant';
  /** 职级 (一级科员 …) or leadership post (乡科级正职 …) */
  post: string;
  postLayer: PostLayer;
  leadership: boolean;
  level: number;
  grade: number;
}

export interface InstitutionPosition {
  system: 'institution';
  track: InstitutionTrack;
  /** 岗位等级 '1' … ('ordinary' = 普通工 on the worker track) */
  postLevel: string;
  /** e.g. 专业技术十二级 */
  postName: string;
  scale: number;
}

export type SalaryPosition = CivilServantPosition | InstitutionPosition;

/** What a clerk enters for a position: 职级/职务 + 级别 + 档, or track + 岗位等级 + 薪级. */
export interface PositionInput {
  post?: string;
  level?: number;
  grade?: number;
  track?: InstitutionTrack;
  postLevel?: string | number;
  scale?: number;
}

export interface Pay {
  position: SalaryPosition;
  items: PayItem[];
  monthlyBasic: number;
}

export interface ProbationInfo {
  kind: 'probation' | 'trainee';
  /** 试用期 (公务员) or 见习期 (事业) */
  name: string;
  educationGroup: EducationGroup;
  months: number;
  monthlyPay: number;
  /** first and last month of the period (yyyy-mm) */
  fromMonth: string;
  toMonth: string;
  /** 转正定级: the month the graded salary starts */
  regradingMonth: string;
}

export interface SalaryResult {
  mode: SalaryMode;
  system: SalarySystem;
  /** 起薪 / 执行时间 (yyyy-mm): the month the `items` apply from */
  effectiveMonth: string;
  /** the graded position from effectiveMonth; null while on a flat probation / 见习 pay */
  position: SalaryPosition | null;
  items: PayItem[];
  /** Σ items: the monthly basic salary of effectiveMonth */
  monthlyBasic: number;
  probation: ProbationInfo | null;
  /** new hires: the 转正定级 salary from probation.regradingMonth */
  afterProbation: (Pay & { effectiveMonth: string }) | null;
  /** promotion / progression: the salary before the change */
  before: Pay | null;
  /** promotion / progression: monthlyBasic − before.monthlyBasic (增资额) */
  increase: number | null;
  /** the parameter versions used, each with its tag */
  parameters: ParameterRef[];
  /** the weakest tag among `parameters` (C = rests on an unverified or placeholder figure) */
  lowestStatus: 'A' | 'B' | 'C';
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------
// Months

const YEAR_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isYearMonth(value: unknown): value is string {
  return typeof value === 'string' && YEAR_MONTH.test(value);
}

/** yyyy-mm plus n months (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The yyyy-mm of a yyyy-mm-dd or yyyy-mm value; DomainInputError(field) otherwise. */
export function monthOf(value: unknown, field: string, label: string): string {
  const month = typeof value === 'string' ? value.slice(0, 7) : undefined;
  const ok = typeof value === 'string' && (value.length === 7 || /^\d{4}-\d{2}-\d{2}$/.test(value));
  if (!ok || !isYearMonth(month)) throw new DomainInputError(field, `${label} "${String(value)}" 无效，应为 YYYY-MM 或 YYYY-MM-DD`);
  return month;
}

/** The first day of a month, for reading parameters in force. */
export const firstDayOf = (month: string): string => `${month}-01`;

// ---------------------------------------------------------------------------------------------------
// Classification

/**
 * Which salary system a 编制类型 is paid under: XZ, ZF (and LG, 机关 only) → 公务员; SY → 事业, or 公务员 in a
 * 参公 unit (institution_cs); GQ → 事业 structure, 工勤技能 track [C].
 */
export function salarySystemOf(bianzhiType: BianzhiType, unitNature?: UnitNature, field = 'bianzhiType'): SalarySystem {
  if (!isBianzhiType(bianzhiType)) throw new DomainInputError(field, `编制类型无效：${String(bianzhiType)}`);
  if (unitNature !== undefined && !(UNIT_NATURES as readonly string[]).includes(unitNature)) throw new DomainInputError('unitNature', `机构性质无效：${String(unitNature)}`);
  if (bianzhiType === 'SY') return unitNature === 'institution_cs' ? 'civil-servant' : 'institution';
  if (bianzhiType === 'GQ') return 'institution';
  return 'civil-servant';
}

/**
 * The education group of a GB/T 4658 学历 code (§7.3 reporting groups, §3.4 rows): 11–13 博士, 14–16 硕士 (未获硕士
 * 学位 when a degree other than 硕士/博士 is given), 17–19 研究生班, 21–28 本科, 31–33 专科, 41–49 and 61–63 中专/高中.
 * 双学士 has no code: pass the group explicitly. Other codes have no 转正定级 row.
 */
export function educationGroupOf(education: unknown, degree?: unknown, field = 'person.education'): EducationGroup {
  const code = typeof education === 'string' && /^\d{2}$/.test(education) ? Number(education) : NaN;
  const degreeName = typeof degree === 'string' ? degree.trim() : '';
  const hasMasterDegree = ['硕士', 'master', '博士', 'doctor'].includes(degreeName);
  if (code >= 11 && code <= 13) return 'doctor';
  if (code >= 14 && code <= 16) return degreeName === '' || hasMasterDegree ? 'master' : 'postgraduate-class';
  if (code >= 17 && code <= 19) return 'postgraduate-class';
  if (code >= 21 && code <= 28) return 'bachelor';
  if (code >= 31 && code <= 33) return 'college';
  if ((code >= 41 && code <= 49) || (code >= 61 && code <= 63)) return 'secondary';
  if (Number.isNaN(code)) throw new DomainInputError(field, `学历代码 "${String(education)}" 无效，应为 GB/T 4658 两位代码 (如 21 大学本科毕业)`);
  throw new DomainInputError(field, `学历代码 ${String(education)} 没有转正定级标准 (应为高中/中专及以上)`);
}

function checkEducationGroup(value: unknown, field: string): EducationGroup {
  if (!(EDUCATION_GROUPS as readonly string[]).includes(value as string)) throw new DomainInputError(field, `学历类别 "${String(value)}" 无效，应为 ${EDUCATION_GROUPS.join('、')} 之一`);
  return value as EducationGroup;
}

// ---------------------------------------------------------------------------------------------------
// Table look-ups (each records the parameter it used)

class Uses {
  private readonly refs = new Map<string, ParameterRef>();
  use<T>(parameter: Versioned<T>): T {
    if (!this.refs.has(parameter.ref.key)) this.refs.set(parameter.ref.key, parameter.ref);
    return parameter.value;
  }
  /** A table row with a weaker tag than its table (an interpolated 级别 row). */
  weaken(key: string, status: 'C', note: string): void {
    const ref = this.refs.get(key);
    if (ref && ref.status !== status) this.refs.set(key, { ...ref, status, note });
  }
  list(): ParameterRef[] {
    return [...this.refs.values()];
  }
}

export function lowestStatusOf(refs: readonly ParameterRef[]): 'A' | 'B' | 'C' {
  return refs.reduce<'A' | 'B' | 'C'>((worst, r) => (r.status > worst ? r.status : worst), 'A');
}

function positiveInteger(value: unknown, field: string, label: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new DomainInputError(field, `${label} ${String(value)} 无效，应为正整数`);
  return value;
}

/** The 职务层次 of a post and whether it is a leadership post: a leadership post name, else a 职级 (or old name). */
function postLayerOf(post: unknown, params: SalaryParameters, uses: Uses, field: string): { layer: PostLayer; leadership: boolean } {
  if (typeof post !== 'string' || post.trim() === '') throw new DomainInputError(field, '职务职级必填');
  const name = post.trim();
  const wages = uses.use(params.postWage);
  if (name in wages.leadership) return { layer: name as PostLayer, leadership: true };
  const layer = uses.use(params.rankLayer)[name];
  if (layer !== undefined && wages.nonLeadership[layer] !== undefined) return { layer, leadership: false };
  throw new DomainInputError(field, `职务职级 "${name}" 不在职务职级工资标准内 (应为职级如 一级科员，或领导职务如 乡科级正职)`);
}

function levelRow(level: number, params: SalaryParameters, uses: Uses, field: string): LevelWageRow {
  const row = uses.use(params.levelWage).rows.find((r) => r.level === level);
  if (!row) throw new DomainInputError(field, `级别 ${level} 的级别工资标准未录入 (参数 ${params.levelWage.ref.key})`);
  if (row.status === 'C') uses.weaken(params.levelWage.ref.key, 'C', row.note ?? `级别 ${level} interpolated`);
  return row;
}

function levelWage(level: number, grade: number, params: SalaryParameters, uses: Uses, fields: { level: string; grade: string }): number {
  const row = levelRow(level, params, uses, fields.level);
  if (grade > row.amounts.length) throw new DomainInputError(fields.grade, `级别 ${level} 最高为 ${row.amounts.length} 档，不能为 ${grade} 档`);
  return row.amounts[grade - 1]!;
}

function levelRangeOf(post: string, params: SalaryParameters, uses: Uses): LevelRange | undefined {
  return uses.use(params.levelRange)[post.trim()];
}

/** 就近就高 (§3.3): the smallest 档 of `level` whose amount is ≥ `amount`; the top 档 if none is. */
function reslot(amount: number, level: number, params: SalaryParameters, uses: Uses, field: string, warnings: string[]): number {
  const row = levelRow(level, params, uses, field);
  const index = row.amounts.findIndex((a) => a >= amount);
  if (index >= 0) return index + 1;
  warnings.push(`级别 ${level} 各档均低于原级别工资 ${amount} 元，套入最高档 ${row.amounts.length} 档`);
  return row.amounts.length;
}

function civilServantPay(input: PositionInput, params: SalaryParameters, uses: Uses, prefix: string, warnings: string[]): Pay {
  const fields = { post: `${prefix}.post`, level: `${prefix}.level`, grade: `${prefix}.grade` };
  const { layer, leadership } = postLayerOf(input.post, params, uses, fields.post);
  const level = positiveInteger(input.level, fields.level, '级别');
  if (level > 27) throw new DomainInputError(fields.level, `级别 ${level} 无效，应为 1–27`);
  const grade = positiveInteger(input.grade, fields.grade, '档次');
  const post = input.post!.trim();
  const range = levelRangeOf(post, params, uses);
  if (range === undefined) warnings.push(`职务职级 ${post} 没有级别范围参数，未核对级别 ${level}`);
  else if (level > range.lowest || level < range.highest) {
    throw new DomainInputError(fields.level, `级别 ${level} 不在 ${post} 的级别范围 ${range.lowest}–${range.highest} 内 (§7.4 V10)`);
  }
  const postAmount = uses.use(params.postWage)[leadership ? 'leadership' : 'nonLeadership'][layer]!;
  const levelAmount = levelWage(level, grade, params, uses, fields);
  const items: PayItem[] = [
    { code: 'post-wage', name: '职务职级工资', amount: roundYuan(postAmount) },
    { code: 'level-wage', name: '级别工资', amount: roundYuan(levelAmount) },
  ];
  return { position: { system: 'civil-servant', post, postLayer: layer, leadership, level, grade }, items, monthlyBasic: sum(items) };
}

const CHINESE_NUMBERS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三'];

function institutionPostName(track: InstitutionTrack, postLevel: string): string {
  if (postLevel === 'ordinary') return '普通工';
  const n = CHINESE_NUMBERS[Number(postLevel)] ?? postLevel;
  return track === 'worker' ? `技术工${n}级` : `${INSTITUTION_TRACK_NAMES[track]}${n}级`;
}

function institutionPay(input: PositionInput, params: SalaryParameters, uses: Uses, prefix: string): Pay {
  const track = input.track;
  if (!(INSTITUTION_TRACKS as readonly string[]).includes(track as string)) {
    throw new DomainInputError(`${prefix}.track`, `岗位类别 "${String(track)}" 无效，应为 professional (专业技术)、management (管理) 或 worker (工勤技能)`);
  }
  const t = track as InstitutionTrack;
  const postLevel = input.postLevel === undefined ? '' : String(input.postLevel);
  const postAmount = uses.use(params.institutionPostWage)[t][postLevel];
  if (postAmount === undefined) {
    const levels = Object.keys(params.institutionPostWage.value[t]).join('、');
    throw new DomainInputError(`${prefix}.postLevel`, `${INSTITUTION_TRACK_NAMES[t]}岗位等级 "${postLevel}" 无效，应为 ${levels} 之一`);
  }
  const scale = positiveInteger(input.scale, `${prefix}.scale`, '薪级');
  const table = uses.use(params.scaleWage);
  if (scale > table.scales) throw new DomainInputError(`${prefix}.scale`, `薪级 ${scale} 无效，应为 1–${table.scales}`);
  const scaleAmount = table.amounts[scale - 1];
  if (scaleAmount === undefined) throw new DomainInputError(`${prefix}.scale`, `薪级 ${scale} 的薪级工资标准未录入 (参数 ${params.scaleWage.ref.key} 只有 1–${table.amounts.length})`);
  const items: PayItem[] = [
    { code: 'post-wage', name: '岗位工资', amount: roundYuan(postAmount) },
    { code: 'scale-wage', name: '薪级工资', amount: roundYuan(scaleAmount) },
  ];
  return { position: { system: 'institution', track: t, postLevel, postName: institutionPostName(t, postLevel), scale }, items, monthlyBasic: sum(items) };
}

/** The basic pay of a position (validated: V10 level within range, 档 ≤ max 档, known 岗位/薪级). */
export function payOf(system: SalarySystem, input: PositionInput, params: SalaryParameters, field = 'position'): Pay & { parameters: ParameterRef[]; warnings: string[] } {
  const uses = new Uses();
  const warnings: string[] = [];
  const pay = system === 'civil-servant' ? civilServantPay(input ?? {}, params, uses, field, warnings) : institutionPay(input ?? {}, params, uses, field);
  return { ...pay, parameters: uses.list(), warnings };
}

function sum(items: readonly PayItem[]): number {
  return roundYuan(items.reduce((total, item) => total + item.amount, 0));
}

function checkSystem(system: unknown): SalarySystem {
  if (system !== 'civil-servant' && system !== 'institution') throw new DomainInputError('system', `工资制度 "${String(system)}" 无效，应为 civil-servant 或 institution`);
  return system;
}

function result(base: Omit<SalaryResult, 'parameters' | 'lowestStatus'>, uses: Uses): SalaryResult {
  const parameters = uses.list();
  return { ...base, parameters, lowestStatus: lowestStatusOf(parameters) };
}

// ---------------------------------------------------------------------------------------------------
// §3.4 new hires

export interface NewHireInput {
  system: SalarySystem;
  /** 起薪 month (yyyy-mm): the month of 报到 */
  startMonth: string;
  /** GB/T 4658 学历 code */
  education?: string;
  degree?: string;
  /** overrides the group derived from `education` (双学士 has no code) */
  educationGroup?: EducationGroup;
  /** 试用期 (公务员) / 见习期 (事业) applies; default true. false grades at once (e.g. not a new graduate, 事业) */
  probation?: boolean;
}

/**
 * A new hire (Z1, §3.4): a flat 试用期工资 P_probation[学历] (公务员) or 见习期工资 (事业) from the 起薪 month for the
 * period's months, then 转正定级 by 学历: 公务员 职级 + (级别, 档); 事业 专技 岗位 + 薪级. The tables are those in force
 * on the 起薪 day (a later standard change is a 调资 of its own).
 */
export function newHireSalary(input: NewHireInput, params: SalaryParameters): SalaryResult {
  const system = checkSystem(input?.system);
  const startMonth = monthOf(input.startMonth, 'startMonth', '起薪月份');
  const group = input.educationGroup !== undefined ? checkEducationGroup(input.educationGroup, 'educationGroup') : educationGroupOf(input.education, input.degree);
  if (input.probation !== undefined && typeof input.probation !== 'boolean') throw new DomainInputError('probation', '是否试用/见习应为 true 或 false');
  const uses = new Uses();
  const warnings: string[] = [];

  let graded: Pay;
  if (system === 'civil-servant') {
    const row = uses.use(params.civilServantGrading)[group];
    graded = civilServantPay({ post: row.rank, level: row.level, grade: row.grade }, params, uses, 'grading', warnings);
  } else {
    const row = uses.use(params.institutionGrading)[group];
    graded = institutionPay({ track: row.track, postLevel: row.postLevel, scale: row.scale }, params, uses, 'grading');
  }

  if (input.probation === false) {
    warnings.push(system === 'civil-servant' ? '未设试用期：公务员新录用人员一般有 1 年试用期，请核对' : '未设见习期：直接转正定级');
    return result({ mode: 'new-hire', system, effectiveMonth: startMonth, ...graded, probation: null, afterProbation: null, before: null, increase: null, warnings }, uses);
  }

  const table = uses.use(system === 'civil-servant' ? params.probationPay : params.traineePay);
  const months = positiveInteger(table.months, 'probationMonths', '试用/见习月数');
  const pay = table.amounts[group];
  if (typeof pay !== 'number' || !(pay > 0)) throw new DomainInputError('educationGroup', `${EDUCATION_GROUP_NAMES[group]} 没有试用/见习期工资标准`);
  const kind = system === 'civil-servant' ? 'probation' : 'trainee';
  const name = kind === 'probation' ? '试用期' : '见习期';
  const regradingMonth = addMonths(startMonth, months);
  const probation: ProbationInfo = {
    kind,
    name,
    educationGroup: group,
    months,
    monthlyPay: roundYuan(pay),
    fromMonth: startMonth,
    toMonth: addMonths(regradingMonth, -1),
    regradingMonth,
  };
  const items: PayItem[] = [{ code: kind === 'probation' ? 'probation-pay' : 'trainee-pay', name: `${name}工资`, amount: roundYuan(pay) }];
  return result(
    {
      mode: 'new-hire',
      system,
      effectiveMonth: startMonth,
      position: null,
      items,
      monthlyBasic: sum(items),
      probation,
      afterProbation: { ...graded, effectiveMonth: regradingMonth },
      before: null,
      increase: null,
      warnings,
    },
    uses,
  );
}

// ---------------------------------------------------------------------------------------------------
// §3.4 continuation from a 工资介绍信 (Z2)

/** The pay fields of a 工资关系介绍信 (§2.5). */
export interface SalaryLetter extends PositionInput {
  /** 工资已发至 yyyy-mm */
  paidThrough: string;
  /** the letter's own items (to compare with the current standard) */
  items?: Array<{ name: string; amount: number }>;
  /** 社保/职业年金/公积金 已缴至 yyyy-mm (carried through) */
  insurancePaidThrough?: string;
}

/**
 * A transfer in (Z2, §3.4): the position of the 工资介绍信 at today's standard; 起薪 = the month after
 * "工资已发至". A letter total that differs from the standard's is a warning (the letter may be stale).
 */
export function continuationSalary(input: { system: SalarySystem; letter: SalaryLetter }, params: SalaryParameters): SalaryResult {
  const system = checkSystem(input?.system);
  const letter = input.letter;
  if (letter === null || typeof letter !== 'object') throw new DomainInputError('salaryLetter', '工资介绍信必填');
  const paidThrough = monthOf(letter.paidThrough, 'salaryLetter.paidThrough', '工资已发至');
  if (letter.paidThrough.length !== 7) throw new DomainInputError('salaryLetter.paidThrough', `工资已发至 "${letter.paidThrough}" 应为 YYYY-MM`);
  const uses = new Uses();
  const warnings: string[] = [];
  const pay = system === 'civil-servant' ? civilServantPay(letter, params, uses, 'salaryLetter', warnings) : institutionPay(letter, params, uses, 'salaryLetter');
  if (Array.isArray(letter.items) && letter.items.length > 0) {
    const letterTotal = roundYuan(letter.items.reduce((t, i, index) => {
      if (typeof i?.amount !== 'number' || !Number.isFinite(i.amount) || i.amount < 0) throw new DomainInputError(`salaryLetter.items[${index}].amount`, '介绍信工资项目金额应为非负数');
      return t + i.amount;
    }, 0));
    if (letterTotal !== pay.monthlyBasic) warnings.push(`介绍信所列工资合计 ${letterTotal} 元与现行标准 ${pay.monthlyBasic} 元不符，请核对 (介绍信可能按旧标准填写)`);
  }
  return result(
    { mode: 'continuation', system, effectiveMonth: addMonths(paidThrough, 1), ...pay, probation: null, afterProbation: null, before: null, increase: null, warnings },
    uses,
  );
}

// ---------------------------------------------------------------------------------------------------
// §3.3 promotion (T2) and progression

export interface PromotionInput {
  system: SalarySystem;
  current: PositionInput;
  /** 公务员: { post } (新职级 or leadership post); 事业: { track?, postLevel } (薪级 kept) */
  target: PositionInput;
  /** month of the 任职 document (执行时间), yyyy-mm */
  effectiveMonth: string;
}

/**
 * 晋升职务/职级 (§3.3): the new 职务职级工资 from the month of appointment; a 级别 below the new post's minimum is
 * raised to it and the 档 re-slotted 就近就高; a 级别 inside the range is kept (+ `extraGradeOnPromotionInRange`
 * 档, local, default 0). 事业: the new 岗位 with the 薪级 kept.
 */
export function promotionSalary(input: PromotionInput, params: SalaryParameters): SalaryResult {
  const system = checkSystem(input?.system);
  const effectiveMonth = monthOf(input.effectiveMonth, 'effectiveMonth', '执行时间');
  if (input.current === null || typeof input.current !== 'object') throw new DomainInputError('promotion.current', '现职务职级与工资档次必填');
  if (input.target === null || typeof input.target !== 'object') throw new DomainInputError('promotion.target', '晋升后的职务职级/岗位必填');
  const uses = new Uses();
  const warnings: string[] = [];

  if (system === 'institution') {
    const before = institutionPay(input.current, params, uses, 'promotion.current');
    const current = before.position as InstitutionPosition;
    const after = institutionPay({ track: input.target.track ?? current.track, postLevel: input.target.postLevel, scale: current.scale }, params, uses, 'promotion.target');
    return result({ mode: 'promotion', system, effectiveMonth, ...after, probation: null, afterProbation: null, before, increase: roundYuan(after.monthlyBasic - before.monthlyBasic), warnings }, uses);
  }

  const before = civilServantPay(input.current, params, uses, 'promotion.current', warnings);
  const current = before.position as CivilServantPosition;
  const targetPost = input.target.post;
  postLayerOf(targetPost, params, uses, 'promotion.target.post');
  const post = targetPost!.trim();
  const range = levelRangeOf(post, params, uses);
  if (range === undefined) throw new DomainInputError('promotion.target.post', `职务职级 ${post} 没有级别范围参数，无法确定晋升后的级别`);
  let level = current.level;
  let grade = current.grade;
  if (current.level > range.lowest) {
    level = range.lowest;
    grade = reslot(before.items.find((i) => i.code === 'level-wage')!.amount, level, params, uses, 'promotion.target.post', warnings);
  } else {
    const extra = uses.use(params.progression).extraGradeOnPromotionInRange;
    if (extra > 0) grade = Math.min(grade + extra, levelRow(level, params, uses, 'promotion.current.level').amounts.length);
    if (current.level < range.highest) warnings.push(`现级别 ${current.level} 已高于 ${post} 的级别范围 ${range.lowest}–${range.highest}，保留现级别`);
  }
  const after = current.level < range.highest
    ? civilServantPayUnchecked(post, level, grade, params, uses)
    : civilServantPay({ post, level, grade }, params, uses, 'promotion.target', warnings);
  return result({ mode: 'promotion', system, effectiveMonth, ...after, probation: null, afterProbation: null, before, increase: roundYuan(after.monthlyBasic - before.monthlyBasic), warnings }, uses);
}

/** A position kept above its post's range (no range check). */
function civilServantPayUnchecked(post: string, level: number, grade: number, params: SalaryParameters, uses: Uses): Pay {
  const { layer, leadership } = postLayerOf(post, params, uses, 'promotion.target.post');
  const items: PayItem[] = [
    { code: 'post-wage', name: '职务职级工资', amount: roundYuan(uses.use(params.postWage)[leadership ? 'leadership' : 'nonLeadership'][layer]!) },
    { code: 'level-wage', name: '级别工资', amount: roundYuan(levelWage(level, grade, params, uses, { level: 'promotion.current.level', grade: 'promotion.current.grade' })) },
  ];
  return { position: { system: 'civil-servant', post, postLayer: layer, leadership, level, grade }, items, monthlyBasic: sum(items) };
}

export interface RegradeInput {
  /** the salary system before the change (old 编制类型 / old unit) and after it */
  fromSystem: SalarySystem;
  system: SalarySystem;
  /** the current position, priced on the old track */
  current: PositionInput;
  /** the position on the new track (套改后); omitted: the current position continues (same system only) */
  target?: PositionInput | null;
  /** the month of the change (调动当月 / 变更生效月), yyyy-mm */
  effectiveMonth: string;
}

/**
 * 工资接续 / 身份套改 (T1 step 4, T3 step 3): the current position priced on the old track (`before`), the new
 * one on the new track from the month of the change; `increase` = the difference. Without a `target` the
 * position continues unchanged (T1 within one salary system); a change of system needs the 套改 target.
 */
export function regradeSalary(input: RegradeInput, params: SalaryParameters): SalaryResult {
  const system = checkSystem(input?.system);
  const fromSystem = checkSystem(input.fromSystem);
  const effectiveMonth = monthOf(input.effectiveMonth, 'effectiveMonth', '执行时间');
  if (input.current === null || typeof input.current !== 'object') throw new DomainInputError('currentSalary', '现职务职级与工资档次必填');
  const uses = new Uses();
  const warnings: string[] = [];
  const before = fromSystem === 'civil-servant' ? civilServantPay(input.current, params, uses, 'currentSalary', warnings) : institutionPay(input.current, params, uses, 'currentSalary');
  let target = input.target;
  if (target === null || target === undefined) {
    if (fromSystem !== system) throw new DomainInputError('regradeTarget', `身份变化（${SALARY_SYSTEM_NAMES[fromSystem]} → ${SALARY_SYSTEM_NAMES[system]}），须填写套改后的职务职级/岗位与档次`);
    target = input.current;
  } else if (typeof target !== 'object') {
    throw new DomainInputError('regradeTarget', '套改后的职务职级/岗位无效');
  }
  const after = system === 'civil-servant' ? civilServantPay(target, params, uses, 'regradeTarget', warnings) : institutionPay(target, params, uses, 'regradeTarget');
  return result({ mode: 'regrade', system, effectiveMonth, ...after, probation: null, afterProbation: null, before, increase: roundYuan(after.monthlyBasic - before.monthlyBasic), warnings }, uses);
}

export interface ProgressionInput {
  system: SalarySystem;
  current: PositionInput;
  /** 公务员: 'grade' (+1 档) or 'level' (+1 级别, 就近就高); 事业: 'scale' (+1 薪级) */
  kind: 'grade' | 'level' | 'scale';
  /** consecutive years assessed 称职 (公务员) / 合格 (事业) or better since the last step */
  qualifiedYears: number;
  /** the last assessed year: the step takes effect in the following year (1 January by default) */
  assessedYear: number;
}

/** 正常晋升 (§3.3, §3.2): +1 档 after `gradeYears`, +1 级别 after `levelYears` within the post's range, +1 薪级 after `scaleYears`. */
export function progressionSalary(input: ProgressionInput, params: SalaryParameters): SalaryResult {
  const system = checkSystem(input?.system);
  if (input.current === null || typeof input.current !== 'object') throw new DomainInputError('progression.current', '现职务职级与工资档次必填');
  const year = positiveInteger(input.assessedYear, 'progression.assessedYear', '考核年度');
  const qualified = typeof input.qualifiedYears === 'number' && Number.isSafeInteger(input.qualifiedYears) && input.qualifiedYears >= 0 ? input.qualifiedYears : NaN;
  if (Number.isNaN(qualified)) throw new DomainInputError('progression.qualifiedYears', `考核合格年数 ${String(input.qualifiedYears)} 无效，应为非负整数`);
  const uses = new Uses();
  const warnings: string[] = [];
  const rules = uses.use(params.progression);
  const effectiveMonth = `${String(year + 1).padStart(4, '0')}-${String(rules.effectiveMonth).padStart(2, '0')}`;
  const allowed: Record<SalarySystem, readonly string[]> = { 'civil-servant': ['grade', 'level'], institution: ['scale'] };
  if (!allowed[system].includes(input.kind)) throw new DomainInputError('progression.kind', `晋升类型 "${String(input.kind)}" 不适用于${SALARY_SYSTEM_NAMES[system]}，应为 ${allowed[system].join('、')} 之一`);
  const needed = input.kind === 'grade' ? rules.gradeYears : input.kind === 'level' ? rules.levelYears : rules.scaleYears;
  if (qualified < needed) throw new DomainInputError('progression.qualifiedYears', `考核称职(合格)以上满 ${needed} 年方可晋升，现为 ${qualified} 年`);

  if (system === 'institution') {
    const before = institutionPay(input.current, params, uses, 'progression.current');
    const p = before.position as InstitutionPosition;
    const after = institutionPay({ track: p.track, postLevel: p.postLevel, scale: p.scale + 1 }, params, uses, 'progression.current');
    return result({ mode: 'progression', system, effectiveMonth, ...after, probation: null, afterProbation: null, before, increase: roundYuan(after.monthlyBasic - before.monthlyBasic), warnings }, uses);
  }

  const before = civilServantPay(input.current, params, uses, 'progression.current', warnings);
  const p = before.position as CivilServantPosition;
  let level = p.level;
  let grade = p.grade;
  if (input.kind === 'grade') {
    const max = levelRow(level, params, uses, 'progression.current.level').amounts.length;
    if (grade + 1 > max) throw new DomainInputError('progression.current.grade', `已是级别 ${level} 的最高档 (${max} 档)，不能再晋档`);
    grade += 1;
  } else {
    const range = levelRangeOf(p.post, params, uses);
    if (range === undefined) throw new DomainInputError('progression.current.post', `职务职级 ${p.post} 没有级别范围参数，无法晋级`);
    if (level - 1 < range.highest) throw new DomainInputError('progression.current.level', `级别 ${level} 已是 ${p.post} 的最高级别 (${range.highest})，不能再晋级`);
    level -= 1;
    grade = reslot(before.items.find((i) => i.code === 'level-wage')!.amount, level, params, uses, 'progression.current.level', warnings);
  }
  const after = civilServantPay({ post: p.post, level, grade }, params, uses, 'progression.current', warnings);
  return result({ mode: 'progression', system, effectiveMonth, ...after, probation: null, afterProbation: null, before, increase: roundYuan(after.monthlyBasic - before.monthlyBasic), warnings }, uses);
}

/** The monthly basic salary paid in `month` by a result (the probation pay, then the 转正定级 salary). */
export function monthlyBasicIn(salary: Pick<SalaryResult, 'monthlyBasic' | 'afterProbation'>, month: string): number {
  const after = salary.afterProbation;
  return after !== null && after !== undefined && month >= after.effectiveMonth ? after.monthlyBasic : salary.monthlyBasic;
}
