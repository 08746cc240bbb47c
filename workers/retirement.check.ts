// J1 step 1 (退休申请/审批): the statutory retirement date of the person, the flexible window, and whether
// the requested kind of retirement is allowed (domain-spec.md §5.1). The rules are the version of
// `retirement.statutory-age` in force today; the arithmetic is domain/retirement.ts.
//
// In:  personId (uuid of persons), retirementType (法定 | 弹性提前 | 弹性延迟 | 病退 | 特殊工种; default 法定),
//      requestedDate (yyyy-mm-dd; required for 弹性提前/弹性延迟, default today for 病退/特殊工种),
//      contributionMonths (optional: 累计缴费月数, checked against the minimum years for early retirement).
// Reads persons: birth_date, gender, post, bianzhi_type, status, profile.archiveBirthDate (档案认定出生日期,
//      wins with a warning when it differs), profile.retirementCategory (an explicit category), profile
//      .titleLevel (正高 | 副高 …), profile.leadershipLevel (县处级 …).
// Out: `retirement` (workers/variables.ts RetirementResult).
// Errors: bpmnError RETIREMENT_NOT_ALLOWED (the request lies outside the window; message = the reason, the
//      variable `retirement` carries the window). Bad input or an unknown/inactive person: fail with 0
//      retries (an incident a clerk resolves after fixing the data).
import { isoDate, isRealDate } from '../domain/id-number';
import { RETIREMENT_CATEGORIES, type RetirementCategory, type StatutoryAgeRules } from '../domain/parameters/retirement';
import { DomainInputError, minimumContributionYears, retirementDate, type AgeYm } from '../domain/retirement';
import { addMonths } from '../domain/salary';
import { isUuid } from '../server/core/errors';
import type { ParameterStore, ParameterValue } from '../server/services/parameters';
import { bpmnError, complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { ParameterTag, RetirementResult, RetirementWindowPoint } from './variables';

export const jobType = 'retirement.check';
export const RETIREMENT_PARAMETER = 'retirement.statutory-age';
export const RETIREMENT_TYPES = ['法定', '弹性提前', '弹性延迟', '病退', '特殊工种'] as const;
export type RetirementType = (typeof RETIREMENT_TYPES)[number];

/** What the category choice of §5.1 looks at. */
export interface CategorySubject {
  gender: 'male' | 'female';
  /** 职务职级 / 岗位 (persons.post), e.g. 一级主任科员, 专业技术八级, 工勤技能四级 */
  post?: string | null;
  /** 编制类型 (GQ = 工勤编制) */
  bianzhiType?: string | null;
  /** 职称级别: 正高 | 副高 | 中级 … */
  titleLevel?: string | null;
  /** 领导职务层次: 县处级, 乡科级 … */
  leadershipLevel?: string | null;
  /** an explicit category set by the personnel office; wins when valid for the gender */
  category?: string | null;
}

// [C] the spec's choice (§5.1): 女 正/副县处级 and 高级职称 → woman60 (组通字〔2015〕14号); 工勤 → woman50;
// 公务员/参公/管理/专技 → woman55. 职级 调研员/巡视员 and 管理五级/六级 and above are 县处级 or higher; 专业技术
// 一至七级 are 正高/副高 posts.
const WOMAN60_POST = /县处级|处级|正处|副处|调研员|巡视员|厅局级|厅级|局级|管理[一二三四五六]级|专业技术[一二三四五六七]级|正高|副高|高级职称/;
const WOMAN50_POST = /工勤|技术工|普通工|技师|高级工|中级工|初级工/;

/** The §5.1 category of a person and why ([C] rule; an explicit category on the person wins). */
export function chooseRetirementCategory(subject: CategorySubject): { category: RetirementCategory; basis: string } {
  const explicit = subject.category;
  if (explicit && (RETIREMENT_CATEGORIES as readonly string[]).includes(explicit) && (explicit === 'man') === (subject.gender === 'male')) {
    return { category: explicit as RetirementCategory, basis: '人员信息中指定的退休类别' };
  }
  if (subject.gender === 'male') return { category: 'man', basis: '男职工' };
  const post = subject.post ?? '';
  if (subject.titleLevel && /正高|副高/.test(subject.titleLevel)) return { category: 'woman60', basis: `女性高级职称 (${subject.titleLevel})，组通字〔2015〕14号 [C]` };
  if (subject.leadershipLevel && WOMAN60_POST.test(subject.leadershipLevel)) return { category: 'woman60', basis: `女性县处级干部 (${subject.leadershipLevel})，组通字〔2015〕14号 [C]` };
  if (WOMAN60_POST.test(post)) return { category: 'woman60', basis: `女性县处级干部或高级职称 (${post})，组通字〔2015〕14号 [C]` };
  if (subject.bianzhiType === 'GQ' || WOMAN50_POST.test(post)) return { category: 'woman50', basis: `女工人/工勤技能岗位 (${post || '工勤编制'}) [C]` };
  return { category: 'woman55', basis: `女干部/管理或专业技术岗位${post ? ` (${post})` : ''} [C]` };
}

export interface RetirementAssessmentInput {
  /** the birth date used (档案认定出生日期 when there is one) */
  birthDate: string;
  gender: 'male' | 'female';
  category: RetirementCategory;
  categoryBasis: string;
  retirementType: RetirementType;
  requestedDate?: string;
  contributionMonths?: number;
  /** yyyy-mm-dd: the default requested date of 病退/特殊工种 */
  today: string;
  /** warnings found before (e.g. a birth-date mismatch) */
  warnings?: string[];
}

/**
 * The retirement of §5.1 for one person and request: the statutory date, the flexible window, the chosen
 * date and whether the request is allowed (allowed: false with the reason). Throws DomainInputError naming
 * the field for invalid input. Used by the worker and by POST /api/calc/retirement.
 */
export function assessRetirement(input: RetirementAssessmentInput, rules: StatutoryAgeRules, parameter: ParameterTag): RetirementResult {
  if (!(RETIREMENT_TYPES as readonly string[]).includes(input.retirementType)) {
    throw new DomainInputError('retirementType', `退休类型 "${String(input.retirementType)}" 无效，应为 ${RETIREMENT_TYPES.join('、')} 之一`);
  }
  if (input.requestedDate !== undefined && (typeof input.requestedDate !== 'string' || !isRealDate(input.requestedDate))) {
    throw new DomainInputError('requestedDate', `申请退休日期 "${String(input.requestedDate)}" 无效，应为 YYYY-MM-DD 日期`);
  }
  if (input.contributionMonths !== undefined && (!Number.isInteger(input.contributionMonths) || input.contributionMonths < 0 || input.contributionMonths > 720)) {
    throw new DomainInputError('contributionMonths', `累计缴费月数 ${String(input.contributionMonths)} 无效，应为 0–720 的整数`);
  }
  const statutory = retirementDate({ birthDate: input.birthDate, gender: input.gender, category: input.category }, rules);
  const warnings = [...(input.warnings ?? [])];
  const point = (p: { date: string; month: string; age: AgeYm }): RetirementWindowPoint => ({ date: p.date, month: p.month, age: p.age });
  const earliest = statutory.flexible ? point(statutory.flexible.earliest) : null;
  const latest = statutory.flexible ? point(statutory.flexible.latest) : null;
  const type = input.retirementType;
  let chosen = statutory.retirementDate;
  let reason: string | undefined;

  const minimumFor = (date: string) => minimumContributionYears(Number(date.slice(0, 4)), rules);
  if (type === '法定') {
    if (input.requestedDate !== undefined && input.requestedDate.slice(0, 7) !== statutory.retirementMonth) {
      warnings.push(`法定退休按法定退休日期 ${statutory.retirementDate} 办理，申请日期 ${input.requestedDate} 未采用`);
    }
  } else if (type === '弹性提前' || type === '弹性延迟') {
    if (input.requestedDate === undefined) throw new DomainInputError('requestedDate', `${type}退休须填写申请退休日期`);
    chosen = input.requestedDate;
    if (!earliest || !latest) {
      reason = '2025-01-01 前已达到原法定退休年龄，不适用弹性退休';
    } else if (type === '弹性提前') {
      if (chosen >= statutory.retirementDate) reason = `申请日期 ${chosen} 不早于法定退休日期 ${statutory.retirementDate}，不属于弹性提前退休`;
      else if (chosen < earliest.date) reason = `申请日期 ${chosen} 早于最早可退休日期 ${earliest.date}（${ageText(earliest.age)}）`;
      else if (input.contributionMonths !== undefined && input.contributionMonths < minimumFor(chosen) * 12) {
        reason = `弹性提前退休须累计缴费满 ${minimumFor(chosen)} 年，现为 ${formatYears(input.contributionMonths)}`;
      } else if (input.contributionMonths === undefined) warnings.push(`弹性提前退休须核实累计缴费年限已满 ${minimumFor(chosen)} 年`);
      if (!reason) warnings.push('弹性提前退休须本人自愿申请，不得强制');
    } else {
      if (chosen <= statutory.retirementDate) reason = `申请日期 ${chosen} 不晚于法定退休日期 ${statutory.retirementDate}，不属于弹性延迟退休`;
      else if (chosen > latest.date) reason = `申请日期 ${chosen} 晚于最晚可退休日期 ${latest.date}（${ageText(latest.age)}）`;
      if (!reason) warnings.push('弹性延迟退休须单位与本人协商一致并书面确认');
    }
  } else {
    // 病退 / 特殊工种: conditions set by national and provincial rules the spec does not give [C]
    chosen = input.requestedDate ?? input.today;
    if (chosen < input.birthDate) throw new DomainInputError('requestedDate', '申请退休日期早于出生日期');
    if (chosen >= statutory.retirementDate) reason = `申请日期 ${chosen} 不早于法定退休日期 ${statutory.retirementDate}，应按法定退休办理`;
    warnings.push(
      type === '病退'
        ? '病退须经劳动能力鉴定委员会鉴定为完全丧失劳动能力；年龄与缴费年限条件按国家和省规定核实 [C]'
        : '特殊工种提前退休须核实从事特殊工种的累计年限与岗位名录；条件按国家和省规定核实 [C]',
    );
  }

  const retireMonth = chosen.slice(0, 7);
  return {
    retirementType: type,
    category: input.category,
    categoryBasis: input.categoryBasis,
    birthDate: input.birthDate,
    statutoryAge: statutory.statutoryAge,
    statutoryDate: statutory.retirementDate,
    statutoryMonth: statutory.retirementMonth,
    retirementDate: chosen,
    retireMonth,
    retirementAge: chosen === statutory.retirementDate ? statutory.statutoryAge : ageAt(input.birthDate, chosen),
    earliest,
    latest,
    pensionStartMonth: addMonths(retireMonth, rules.pensionStartOffsetMonths),
    minimumContributionYears: minimumFor(chosen),
    rule: statutory.rule,
    source: statutory.source,
    warnings,
    parameterVersion: parameter,
    allowed: reason === undefined,
    ...(reason === undefined ? {} : { reason }),
  };
}

/** A parameter version as results cite it. */
export function parameterTag(p: ParameterValue, withSource = false): ParameterTag {
  return { key: p.key, version: p.version, docNo: p.docNo, status: p.status, validFrom: p.validFrom, ...(withSource ? { source: p.source } : {}) };
}

export async function loadRetirementRules(parameters: ParameterStore, day: string): Promise<{ rules: StatutoryAgeRules; tag: ParameterTag }> {
  const p = await parameters.get<StatutoryAgeRules>(RETIREMENT_PARAMETER, day);
  return { rules: p.value, tag: parameterTag(p) };
}

interface PersonRow {
  id: string;
  birth_date: string;
  gender: string;
  post: string | null;
  bianzhi_type: string | null;
  status: string;
  profile: Record<string, unknown> | null;
}

interface In {
  personId?: unknown;
  retirementType?: unknown;
  requestedDate?: unknown;
  contributionMonths?: unknown;
}

export const createHandler = (deps: WorkerDeps): JobHandler<In> => async ({ variables }) => {
  const { personId } = variables;
  if (!isUuid(personId)) return fail({ message: `retirement.check: personId "${String(personId)}" 不是有效的人员 id`, retries: 0 });
  const retirementType = (variables.retirementType ?? '法定') as RetirementType;
  if (!(RETIREMENT_TYPES as readonly string[]).includes(retirementType)) {
    return fail({ message: `retirement.check: 退休类型 "${String(variables.retirementType)}" 无效，应为 ${RETIREMENT_TYPES.join('、')} 之一`, retries: 0 });
  }
  const person = (await deps.db('persons').where({ id: personId }).first('id', 'birth_date', 'gender', 'post', 'bianzhi_type', 'status', 'profile')) as PersonRow | undefined;
  if (!person) return fail({ message: `retirement.check: 人员 ${personId} 不存在`, retries: 0 });
  if (person.status !== 'active') return fail({ message: `retirement.check: 人员 ${personId} 不在编 (status ${person.status})`, retries: 0 });
  const subject = retirementSubjectOf(person);
  if (!subject) return fail({ message: `retirement.check: 人员 ${personId} 性别代码 ${person.gender} 无法确定退休类别`, retries: 0 });

  const today = isoDate(deps.clock());
  const { birthDate, gender, category, basis, warnings } = subject;
  const { rules, tag } = await loadRetirementRules(deps.parameters, today);
  let result: RetirementResult;
  try {
    result = assessRetirement(
      {
        birthDate,
        gender,
        category,
        categoryBasis: basis,
        retirementType,
        requestedDate: variables.requestedDate === undefined || variables.requestedDate === null || variables.requestedDate === '' ? undefined : (variables.requestedDate as string),
        contributionMonths: variables.contributionMonths === undefined || variables.contributionMonths === null ? undefined : (variables.contributionMonths as number),
        today,
        warnings,
      },
      rules,
      tag,
    );
  } catch (error) {
    if (error instanceof DomainInputError) return fail({ message: `retirement.check: ${error.field}: ${error.message}`, retries: 0 });
    throw error;
  }
  if (!result.allowed) return bpmnError('RETIREMENT_NOT_ALLOWED', result.reason ?? '不符合退休条件', { retirement: result });
  return complete({ retirement: result });
};

/** The 档案认定出生日期 wins over the recorded birth date, with a warning when they differ (§5.1, [B, S22]). */
export function birthDateOf(person: { birth_date: string; profile: Record<string, unknown> | null }): { birthDate: string; warnings: string[] } {
  const archive = person.profile?.archiveBirthDate;
  if (typeof archive === 'string' && isRealDate(archive)) {
    if (archive !== person.birth_date) {
      return { birthDate: archive, warnings: [`按档案认定出生日期 ${archive} 计算，与登记的出生日期 ${person.birth_date}（身份证号码）不一致，请核实`] };
    }
    return { birthDate: archive, warnings: [] };
  }
  return { birthDate: person.birth_date, warnings: archive === undefined || archive === null || archive === '' ? [] : ['档案认定出生日期格式无效，按登记的出生日期计算'] };
}

const textOf = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** What §5.1 reads of a person row (GB/T 2261.1 gender, the birth date used, the category and why); undefined for a gender code other than '1' or '2'. */
export interface RetirementSubject {
  gender: 'male' | 'female';
  birthDate: string;
  /** from birthDateOf (a birth-date mismatch) */
  warnings: string[];
  category: RetirementCategory;
  basis: string;
}

/** The person's §5.1 facts as retirement.check reads them; the retirement alerts read them the same way, so an alert and a case agree. */
export function retirementSubjectOf(person: {
  gender: string;
  birth_date: string;
  post: string | null;
  bianzhi_type: string | null;
  profile: Record<string, unknown> | null;
}): RetirementSubject | undefined {
  const gender = person.gender === '1' ? 'male' : person.gender === '2' ? 'female' : undefined;
  if (!gender) return undefined;
  const { birthDate, warnings } = birthDateOf(person);
  const profile = person.profile ?? {};
  const { category, basis } = chooseRetirementCategory({
    gender,
    post: person.post,
    bianzhiType: person.bianzhi_type,
    titleLevel: textOf(profile.titleLevel),
    leadershipLevel: textOf(profile.leadershipLevel),
    category: textOf(profile.retirementCategory),
  });
  return { gender, birthDate, warnings, category, basis };
}

/** Completed years and months from birth to `date` (a birthday on the 31st is reached on a shorter month's last day). */
export function ageAt(birthDate: string, date: string): AgeYm {
  const [by, bm, bd] = [Number(birthDate.slice(0, 4)), Number(birthDate.slice(5, 7)), Number(birthDate.slice(8, 10))];
  const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  let months = (y - by) * 12 + (m - bm);
  if (d < bd && d < lastDay) months -= 1;
  return { years: Math.floor(months / 12), months: months % 12 };
}

const ageText = (age: AgeYm) => `${age.years} 岁${age.months ? ` ${age.months} 个月` : ''}`;
const formatYears = (months: number) => `${Math.floor(months / 12)} 年${months % 12 ? ` ${months % 12} 个月` : ''}`;

export const worker: WorkerDefinition = { jobType, createHandler };
