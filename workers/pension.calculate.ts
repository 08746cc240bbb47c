// J1 step 3 (核算养老金): the monthly basic pension of §5.2–§5.4 with the pension parameters in force on
// the retirement date (domain/pension.ts). The 计发基数 (pension.average-wage) is a placeholder until the
// province's figure is loaded: the result lists every parameter with its status tag and is `provisional`
// while any of them is C, so the 社保 clerk sees it on the 待遇核定表.
//
// In:  personId (uuid; its profile.workStartDate 参加工作时间 is used when the variable workStartDate is absent),
//      retirement (retirement.check's result: retirementDate, retirementAge, minimumContributionYears),
//      contributionMonths (累计缴费月数 incl. 视同缴费, integer),
//      personalAccountBalance (个人账户储存额 at retirement, yuan),
//      averageContributionIndex (Ī) — or contributionYears [{ base, previousYearAverageWage, months }] to compute it
//      (with the deemed period, §5.2 [C]),
//      deemedMonths + deemedIndex (中人: 视同缴费月数 and 视同缴费指数; also accepted as deemed { months, index }),
//      workStartDate (yyyy-mm-dd, optional).
// Out: `pension` (workers/variables.ts PensionResult).
// Errors: none as BPMN errors; missing or invalid data (or a 老人, who keeps the old 退休费) fail with 0
//      retries: an incident whose message names the field.
import { isoDate, isRealDate } from '../domain/id-number';
import { averageContributionIndex, COHORT_NAMES, monthlyBasicPension, type MonthlyPensionInput } from '../domain/pension';
import type { MonthsOfPaymentTable, PensionParameters } from '../domain/parameters/pension';
import { DomainInputError, type AgeYm } from '../domain/retirement';
import { isUuid } from '../server/core/errors';
import type { ParameterStore } from '../server/services/parameters';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import { parameterTag } from './retirement.check';
import type { ParameterTag, PensionResult } from './variables';

export const jobType = 'pension.calculate';

export const PENSION_PARAMETER_KEYS = {
  averageWage: 'pension.average-wage',
  transitionCoefficient: 'pension.transition-coefficient',
  monthsOfPayment: 'pension.months-of-payment',
  monthsInterpolation: 'pension.months-interpolation',
  reformDate: 'pension.reform-date',
} as const;

/** The pension parameters in force on `day`, with their tags. */
export async function loadPensionParameters(store: ParameterStore, day: string): Promise<{ parameters: PensionParameters; tags: ParameterTag[] }> {
  const [wage, coefficient, months, interpolation, reform] = await Promise.all([
    store.get<number>(PENSION_PARAMETER_KEYS.averageWage, day),
    store.get<{ value: number; range: [number, number] }>(PENSION_PARAMETER_KEYS.transitionCoefficient, day),
    store.get<MonthsOfPaymentTable>(PENSION_PARAMETER_KEYS.monthsOfPayment, day),
    store.get<'floor' | 'linear'>(PENSION_PARAMETER_KEYS.monthsInterpolation, day),
    store.get<string>(PENSION_PARAMETER_KEYS.reformDate, day),
  ]);
  return {
    parameters: {
      averageWage: wage.value,
      transitionCoefficient: coefficient.value.value,
      transitionCoefficientRange: coefficient.value.range,
      monthsOfPayment: months.value,
      monthsInterpolation: interpolation.value,
      reformDate: reform.value,
    },
    tags: [wage, coefficient, months, interpolation, reform].map((p) => parameterTag(p, true)),
  };
}

export interface PensionCalculationInput {
  workStartDate: string;
  retirementDate: string;
  retirementAge: AgeYm;
  contributionMonths: number;
  personalAccountBalance: number;
  averageContributionIndex?: number;
  contributionYears?: Array<{ base: number; previousYearAverageWage: number; months: number }>;
  deemed?: { index: number; months: number };
  /** from retirement.check; when given, eligibility is checked against it */
  minimumContributionYears?: number;
}

/**
 * The pension result of §5.2–§5.4 for one person: Ī given or computed from the years, the monthly pension,
 * eligibility, and the parameters used with their tags. Throws DomainInputError naming the field. Used by the
 * worker and by POST /api/calc/pension.
 */
export function calculatePension(input: PensionCalculationInput, parameters: PensionParameters, tags: ParameterTag[]): PensionResult {
  let index = input.averageContributionIndex;
  if (index === undefined) {
    if (!Array.isArray(input.contributionYears) || input.contributionYears.length === 0) {
      throw new DomainInputError('averageContributionIndex', '须提供本人平均缴费指数，或逐年缴费基数 (contributionYears) 以计算');
    }
    index = averageContributionIndex(input.contributionYears, input.deemed);
  }
  const pension = monthlyBasicPension(
    {
      workStartDate: input.workStartDate,
      retirementDate: input.retirementDate,
      retirementAge: input.retirementAge,
      contributionMonths: input.contributionMonths,
      averageContributionIndex: index,
      personalAccountBalance: input.personalAccountBalance,
      ...(input.deemed ? { deemed: input.deemed } : {}),
    } satisfies MonthlyPensionInput,
    parameters,
  );
  const warnings: string[] = [];
  const wageTag = tags.find((t) => t.key === PENSION_PARAMETER_KEYS.averageWage);
  if (wageTag && wageTag.status === 'C') {
    warnings.push(`计发基数 ${parameters.averageWage} 元为占位值（参数 ${wageTag.key} 第 ${wageTag.version} 版，状态 C），须录入本省公布的上年度在岗职工月平均工资后重新核算`);
  }
  const minimum = input.minimumContributionYears;
  const eligible = minimum === undefined || input.contributionMonths >= minimum * 12;
  if (!eligible) warnings.push(`累计缴费 ${input.contributionMonths} 个月，不足最低缴费年限 ${minimum} 年：不能按月领取基本养老金，须补缴或延长缴费`);
  if (minimum === undefined) warnings.push('未核对最低缴费年限');
  return {
    cohort: pension.cohort as 'middle' | 'new',
    cohortName: COHORT_NAMES[pension.cohort],
    base: pension.base,
    personalAccount: pension.personalAccount,
    transitional: pension.transitional,
    total: pension.total,
    monthsOfPayment: pension.monthsOfPayment,
    averageContributionIndex: Math.round(index * 10_000) / 10_000,
    contributionMonths: input.contributionMonths,
    deemedMonths: input.deemed?.months ?? 0,
    eligible,
    parameters: tags,
    provisional: tags.some((t) => t.status === 'C'),
    warnings,
  };
}

interface In {
  personId?: unknown;
  retirement?: { retirementDate?: unknown; retirementAge?: unknown; minimumContributionYears?: unknown } | null;
  contributionMonths?: unknown;
  personalAccountBalance?: unknown;
  averageContributionIndex?: unknown;
  contributionYears?: unknown;
  deemedMonths?: unknown;
  deemedIndex?: unknown;
  deemed?: { months?: unknown; index?: unknown } | null;
  workStartDate?: unknown;
}

export const createHandler = (deps: WorkerDeps): JobHandler<In> => async ({ variables: v }) => {
  const refuse = (message: string) => fail({ message: `pension.calculate: ${message}`, retries: 0 });
  if (!isUuid(v.personId)) return refuse(`personId "${String(v.personId)}" 不是有效的人员 id`);
  const retirement = v.retirement;
  if (!retirement || typeof retirement !== 'object' || typeof retirement.retirementDate !== 'string' || !isRealDate(retirement.retirementDate)) {
    return refuse('缺少退休核定结果 retirement (retirement.check 的输出)');
  }
  const person = (await deps.db('persons').where({ id: v.personId }).first('id', 'profile')) as { id: string; profile: Record<string, unknown> | null } | undefined;
  if (!person) return refuse(`人员 ${v.personId} 不存在`);
  const workStartDate = typeof v.workStartDate === 'string' && v.workStartDate !== '' ? v.workStartDate : person.profile?.workStartDate;
  if (typeof workStartDate !== 'string') return refuse('workStartDate: 缺少参加工作时间 (变量 workStartDate 或人员信息 profile.workStartDate)');
  const deemedMonths = v.deemed?.months ?? v.deemedMonths;
  const deemedIndex = v.deemed?.index ?? v.deemedIndex;
  const deemed = deemedMonths === undefined || deemedMonths === null ? undefined : { months: deemedMonths as number, index: deemedIndex as number };

  const { parameters, tags } = await loadPensionParameters(deps.parameters, retirement.retirementDate);
  try {
    const pension = calculatePension(
      {
        workStartDate,
        retirementDate: retirement.retirementDate,
        retirementAge: retirement.retirementAge as AgeYm,
        contributionMonths: v.contributionMonths as number,
        personalAccountBalance: v.personalAccountBalance as number,
        ...(v.averageContributionIndex === undefined || v.averageContributionIndex === null ? {} : { averageContributionIndex: v.averageContributionIndex as number }),
        ...(Array.isArray(v.contributionYears) ? { contributionYears: v.contributionYears as PensionCalculationInput['contributionYears'] } : {}),
        ...(deemed ? { deemed } : {}),
        ...(typeof retirement.minimumContributionYears === 'number' ? { minimumContributionYears: retirement.minimumContributionYears } : {}),
      },
      parameters,
      tags,
    );
    return complete({ pension: { ...pension, calculatedOn: isoDate(deps.clock()) } });
  } catch (error) {
    if (error instanceof DomainInputError) return refuse(`${error.field}: ${error.message}`);
    throw error;
  }
};

export const worker: WorkerDefinition = { jobType, createHandler };
