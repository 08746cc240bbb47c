// salary.calculate — 核定工资 (Z1 step 6, Z2, Z3, T2): the basic salary of a new hire, a transfer in
// (工资介绍信) or a promotion, domain-spec.md §3. Header `mode`: new-hire | continuation | promotion (| progression)
// | regrade (T1 工资接续 / T3 身份套改: currentSalary on the old track → regradeTarget, or the same position, on the new).
// Reads the salary tables in force on the effective day; the result names the versions and their tags.
// Invalid input is a DomainInputError: a `fail` with no retries (an incident a clerk fixes), never a crash.
import type { Knex } from 'knex';
import { DomainInputError } from '../domain/quota';
import type { BianzhiType, UnitNature } from '../domain/quota';
import {
  SALARY_MODES,
  addMonths,
  continuationSalary,
  firstDayOf,
  monthOf,
  newHireSalary,
  progressionSalary,
  promotionSalary,
  regradeSalary,
  salarySystemOf,
  type EducationGroup,
  type InstitutionTrack,
  type PositionInput,
  type SalaryLetter,
  type SalaryMode,
  type SalaryResult,
} from '../domain/salary';
import { SALARY_PARAMETER_KEYS, type SalaryParameters, type Versioned } from '../domain/parameters/salary';
import { isUuid } from '../server/core/errors';
import { ParameterMissingError, type ParameterStore } from '../server/services/parameters';
import { complete, fail, type JobHandler, type JobOutcome } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { PersonInput } from './variables';

export const jobType = 'salary.calculate';

export interface SalaryCalculationInput {
  mode: SalaryMode;
  bianzhiType: BianzhiType;
  /** 机构性质 (参公 units pay SY staff as 公务员); the worker reads it from the unit */
  unitNature?: UnitNature;
  person?: Partial<PersonInput>;
  /** overrides the group derived from person.education (双学士 has no code) */
  educationGroup?: EducationGroup;
  /** new hire: whether a 试用期/见习期 applies (default true) */
  probation?: boolean;
  /** 报到日期 (yyyy-mm-dd): the 起薪 month of a new hire */
  reportDate?: string;
  /** 起薪 / 执行时间 (yyyy-mm), instead of reportDate */
  effectiveMonth?: string;
  /** continuation (Z2): the 工资介绍信 */
  salaryLetter?: SalaryLetter;
  /** promotion (T2): current position and target post; effectiveMonth defaults to the top-level one */
  promotion?: { current?: PositionInput; target: PositionInput; effectiveMonth?: string };
  /** T2 form names (post-change-application): the new post, a leadership post, the 任职 date */
  newPost?: string;
  isLeaderPost?: boolean;
  leaderPost?: { level?: string; kind?: 'principal' | 'deputy' };
  effectiveDate?: string;
  /** the current position (promotion / progression when not given inside them) */
  currentSalary?: PositionInput;
  /** progression: +1 档 / 级别 / 薪级 */
  progression?: { current?: PositionInput; kind: 'grade' | 'level' | 'scale'; qualifiedYears: number; assessedYear: number };
  /** regrade: the 编制类型 before the change (default bianzhiType) and the old unit's 机构性质 (default unitNature) */
  fromBianzhiType?: BianzhiType;
  fromUnitNature?: UnitNature;
  /** regrade: the position on the new track (套改后); omitted = the current position continues */
  regradeTarget?: PositionInput | null;
}

export interface SalaryJobVariables extends Omit<SalaryCalculationInput, 'mode' | 'unitNature' | 'fromUnitNature'> {
  unitId: string;
  /** regrade (T1): the unit the person leaves; its 机构性质 decides the old salary system */
  fromUnitId?: string;
}

/** Reads `keys` in force on `day` as Versioned values. A key with no version then names the date field. */
export async function loadParameters<K extends string>(
  store: Pick<ParameterStore, 'get'>,
  keys: Readonly<Record<K, string>>,
  day: string,
  dateField: string,
): Promise<Record<K, Versioned<never>>> {
  const entries = await Promise.all(
    (Object.entries(keys) as Array<[K, string]>).map(async ([name, key]) => {
      try {
        const v = await store.get(key, day);
        const ref = { key: v.key, version: v.docNo ?? String(v.version), revision: v.version, validFrom: v.validFrom, status: v.status, ...(v.source ? { source: v.source } : {}) };
        return [name, { value: v.value as never, ref }] as const;
      } catch (error) {
        if (error instanceof ParameterMissingError) throw new DomainInputError(dateField, `${day} 没有有效的参数 ${key}，请核对日期或由管理员补录参数版本`);
        throw error;
      }
    }),
  );
  return Object.fromEntries(entries) as Record<K, Versioned<never>>;
}

/** The 起薪 month of a new hire: effectiveMonth, else the month of reportDate. */
function startMonthOf(input: SalaryCalculationInput): string {
  if (input.effectiveMonth !== undefined) return monthOf(input.effectiveMonth, 'effectiveMonth', '起薪月份');
  if (input.reportDate === undefined) throw new DomainInputError('reportDate', '报到日期 (reportDate) 或起薪月份 (effectiveMonth) 必填');
  return monthOf(input.reportDate, 'reportDate', '报到日期');
}

function object<T>(value: T | undefined | null, field: string, label: string): T {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) throw new DomainInputError(field, `${label}必填`);
  return value;
}

/** The 工资介绍信 as the Z2/Z3 forms enter it: paidUntil / salaryScale accepted; a 事业 track read from the post name. */
function letterOf(letter: SalaryLetter & { paidUntil?: string; salaryScale?: number }, system: string, personPost: string | undefined): SalaryLetter {
  const out: SalaryLetter = { ...letter, paidThrough: letter.paidThrough ?? (letter.paidUntil as string) };
  if (out.scale === undefined && letter.salaryScale !== undefined) out.scale = letter.salaryScale;
  if (system === 'institution' && out.track === undefined) {
    const track = trackOfPost(letter.post ?? personPost);
    if (track === undefined) throw new DomainInputError('salaryLetter.track', '事业单位工资介绍信须注明岗位类别 (专业技术/管理/工勤技能)，或在岗位名称中写明');
    out.track = track;
  }
  return out;
}

/** 专业技术十二级 → professional, 管理八级 → management, 工勤技能四级 / 技术工 / 普通工 → worker. */
export function trackOfPost(post: string | undefined): InstitutionTrack | undefined {
  if (typeof post !== 'string') return undefined;
  if (/专业技术|专技/.test(post)) return 'professional';
  if (/管理/.test(post)) return 'management';
  if (/工勤|技术工|普通工/.test(post)) return 'worker';
  return undefined;
}

/** The promotion as the T2 form enters it: newPost, or a leadership post (乡科级 + principal → 乡科级正职). */
function promotionFromForm(input: SalaryCalculationInput): NonNullable<SalaryCalculationInput['promotion']> {
  let post = input.newPost;
  if (input.isLeaderPost === true && input.leaderPost?.level !== undefined) post = `${input.leaderPost.level}${input.leaderPost.kind === 'principal' ? '正职' : '副职'}`;
  if (post === undefined) throw new DomainInputError('promotion', '晋升信息必填 (promotion，或表单字段 newPost)');
  return { target: { post } };
}

/** The calculation behind the worker and POST /api/calc/salary: one function for both. */
export async function calculateSalary(store: Pick<ParameterStore, 'get'>, input: SalaryCalculationInput): Promise<SalaryResult> {
  if (!(SALARY_MODES as readonly string[]).includes(input.mode)) throw new DomainInputError('mode', `计算模式 "${String(input.mode)}" 无效，应为 ${SALARY_MODES.join('、')} 之一`);
  const system = salarySystemOf(input.bianzhiType, input.unitNature);
  const load = (day: string, field: string) => loadParameters(store, SALARY_PARAMETER_KEYS, day, field) as Promise<SalaryParameters>;
  switch (input.mode) {
    case 'new-hire': {
      const startMonth = startMonthOf(input);
      const person = input.person ?? {};
      const params = await load(firstDayOf(startMonth), input.effectiveMonth !== undefined ? 'effectiveMonth' : 'reportDate');
      return newHireSalary({ system, startMonth, education: person.education, degree: person.degree, educationGroup: input.educationGroup, probation: input.probation }, params);
    }
    case 'continuation': {
      const letter = letterOf(object(input.salaryLetter, 'salaryLetter', '工资介绍信'), system, input.person?.post);
      const paidThrough = monthOf(letter.paidThrough, 'salaryLetter.paidThrough', '工资已发至');
      const params = await load(firstDayOf(addMonths(paidThrough, 1)), 'salaryLetter.paidThrough');
      return continuationSalary({ system, letter }, params);
    }
    case 'promotion': {
      const promotion = input.promotion ?? promotionFromForm(input);
      const month =
        promotion.effectiveMonth !== undefined ? monthOf(promotion.effectiveMonth, 'promotion.effectiveMonth', '执行时间')
        : input.effectiveDate !== undefined ? monthOf(input.effectiveDate, 'effectiveDate', '任职日期')
        : startMonthOf(input);
      // the current position is given, never taken from person.post (person.change-post may already hold the new post)
      const current = object(promotion.current ?? input.currentSalary, 'promotion.current', '现职务职级与工资档次');
      const params = await load(firstDayOf(month), promotion.effectiveMonth !== undefined ? 'promotion.effectiveMonth' : input.effectiveDate !== undefined ? 'effectiveDate' : 'effectiveMonth');
      return promotionSalary({ system, current, target: object(promotion.target, 'promotion.target', '晋升后的职务职级/岗位'), effectiveMonth: month }, params);
    }
    case 'progression': {
      const progression = object(input.progression, 'progression', '正常晋升信息');
      const year = progression.assessedYear;
      if (typeof year !== 'number' || !Number.isSafeInteger(year) || year < 1990 || year > 2200) throw new DomainInputError('progression.assessedYear', `考核年度 ${String(year)} 无效`);
      const current = { post: input.person?.post, ...object(progression.current ?? input.currentSalary, 'progression.current', '现职务职级与工资档次') };
      const params = await load(`${year + 1}-01-01`, 'progression.assessedYear');
      return progressionSalary({ system, current, kind: progression.kind, qualifiedYears: progression.qualifiedYears, assessedYear: year }, params);
    }
    case 'regrade': {
      const month = input.effectiveMonth !== undefined ? monthOf(input.effectiveMonth, 'effectiveMonth', '执行时间')
        : input.effectiveDate !== undefined ? monthOf(input.effectiveDate, 'effectiveDate', '生效日期')
        : (() => { throw new DomainInputError('effectiveDate', '生效日期 (effectiveDate) 或执行月份 (effectiveMonth) 必填'); })();
      const fromSystem = salarySystemOf(input.fromBianzhiType ?? input.bianzhiType, input.fromUnitNature ?? input.unitNature, 'fromBianzhiType');
      const params = await load(firstDayOf(month), input.effectiveMonth !== undefined ? 'effectiveMonth' : 'effectiveDate');
      return regradeSalary({ fromSystem, system, current: object(input.currentSalary, 'currentSalary', '现职务职级与工资档次'), target: input.regradeTarget, effectiveMonth: month }, params);
    }
  }
}

/** The unit's 机构性质 and 经费形式 (units.nature, units.funding_form). */
export async function unitOf(db: Knex, unitId: unknown): Promise<{ nature: UnitNature; fundingForm: 'full' | 'partial' | 'self' }> {
  if (!isUuid(unitId)) throw new DomainInputError('unitId', `单位标识 "${String(unitId)}" 无效`);
  const row = (await db('units').where({ id: unitId }).first('nature', 'funding_form')) as { nature: UnitNature; funding_form: 'full' | 'partial' | 'self' } | undefined;
  if (!row) throw new DomainInputError('unitId', `单位 ${unitId} 不存在`);
  return { nature: row.nature, fundingForm: row.funding_form };
}

/** A DomainInputError as a fail without retries: an incident that names the field, for a clerk to fix. */
export function inputIncident(error: unknown): JobOutcome {
  if (error instanceof DomainInputError) return fail({ message: `输入有误 (${error.field})：${error.message}`, retries: 0 });
  throw error;
}

export const createHandler = (deps: Pick<WorkerDeps, 'db' | 'parameters'>): JobHandler<SalaryJobVariables> =>
  async ({ variables, customHeaders, log }) => {
    try {
      const mode = customHeaders.mode;
      if (!(SALARY_MODES as readonly string[]).includes(mode as string)) {
        return fail({ message: `任务头 mode "${String(mode)}" 无效，应为 ${SALARY_MODES.join('、')} 之一 (流程图配置)`, retries: 0 });
      }
      const vars = variables ?? ({} as SalaryJobVariables);
      const unit = await unitOf(deps.db, vars.unitId);
      const fromUnitNature = vars.fromUnitId !== undefined && vars.fromUnitId !== null ? (await unitOf(deps.db, vars.fromUnitId)).nature : undefined;
      const salary = await calculateSalary(deps.parameters, { ...vars, mode: mode as SalaryMode, unitNature: unit.nature, ...(fromUnitNature ? { fromUnitNature } : {}) });
      log.info({ mode, system: salary.system, effectiveMonth: salary.effectiveMonth, lowestStatus: salary.lowestStatus }, 'salary calculated');
      return complete({ salary });
    } catch (error) {
      return inputIncident(error);
    }
  };

export const worker: WorkerDefinition = { jobType, createHandler };
