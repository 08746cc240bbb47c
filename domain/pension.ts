/**
 * Basic pension of 机关事业单位 staff after the 2014 reform, domain-spec.md §5.2–§5.4. Pure functions, no I/O:
 * the caller passes the parameters (domain/parameters/pension.ts) as data.
 *
 * Money is in yuan, rounded half up to 2 decimals per component (基础 · 个人账户 · 过渡性); the total is the sum
 * of the rounded components, so the parts add up to the total.
 */
import { isRealDate } from './id-number';
import { DomainInputError } from './quota';
import type { AgeYm } from './retirement';
import type { MonthsOfPaymentTable, PensionParameters } from './parameters/pension';

export type PensionCohort = 'old' | 'middle' | 'new';
/** 老人 · 中人 · 新人 (§5.4) */
export const COHORT_NAMES: Readonly<Record<PensionCohort, string>> = { old: '老人', middle: '中人', new: '新人' };

/** Yuan rounded half up to 2 decimals (non-negative amounts; binary noise removed first: 2.675 → 2.68). */
export function roundYuan(amount: number): number {
  return Math.round(Number((Number(amount.toPrecision(12)) * 100).toPrecision(12))) / 100;
}

/**
 * 计发月数 M(age) of §5.3. An age is completed years or {years, months}. 'floor' uses the row for completed years
 * (the spec's default); 'linear' interpolates by the extra months towards the next row (the last row, 70, has none).
 */
export function monthsOfPayment(
  age: number | AgeYm,
  table: MonthsOfPaymentTable,
  interpolation: 'floor' | 'linear' = 'floor',
  field = 'age',
): number {
  const { years, months } = typeof age === 'number' ? { years: age, months: 0 } : (age ?? { years: NaN, months: NaN });
  if (!Number.isInteger(years) || !Number.isInteger(months) || months < 0 || months > 11) {
    throw new DomainInputError(field, `年龄 ${JSON.stringify(age)} 无效，应为整数周岁及 0–11 个月`);
  }
  const row = table[years];
  if (row === undefined) {
    const ages = Object.keys(table).map(Number);
    throw new DomainInputError(field, `年龄 ${years} 岁不在计发月数表内 (${Math.min(...ages)}–${Math.max(...ages)} 岁)`);
  }
  const next = table[years + 1];
  if (interpolation === 'floor' || months === 0 || next === undefined) return row;
  return row + ((next - row) * months) / 12;
}

/** 基础养老金 = C_r × (1 + Ī) / 2 × N × 1%, N = contributionMonths / 12 (incl. 视同缴费年限). */
export function basePension(input: { averageWage: number; averageContributionIndex: number; contributionMonths: number }): number {
  checkAverageWage(input.averageWage);
  checkIndex(input.averageContributionIndex, 'averageContributionIndex', '本人平均缴费指数');
  checkMonths(input.contributionMonths, 'contributionMonths', '累计缴费月数');
  const { averageWage: wage, averageContributionIndex: index, contributionMonths: months } = input;
  return roundYuan(((wage + wage * index) / 2) * (months / 12) * 0.01);
}

/** 个人账户养老金 = 个人账户储存额 / M(退休年龄). */
export function personalAccountPension(
  input: { personalAccountBalance: number; retirementAge: AgeYm },
  parameters: Pick<PensionParameters, 'monthsOfPayment' | 'monthsInterpolation'>,
): number {
  checkAmount(input.personalAccountBalance, 'personalAccountBalance', '个人账户储存额');
  const months = monthsOfPayment(input.retirementAge, parameters.monthsOfPayment, parameters.monthsInterpolation, 'retirementAge');
  return roundYuan(input.personalAccountBalance / months);
}

/** 过渡性养老金 (中人) = C_r × I_视同 × N_视同 × δ, N_视同 = deemedMonths / 12. */
export function transitionalPension(
  input: { averageWage: number; deemedContributionIndex: number; deemedContributionMonths: number },
  parameters: Pick<PensionParameters, 'transitionCoefficient' | 'transitionCoefficientRange'>,
): number {
  checkAverageWage(input.averageWage);
  checkIndex(input.deemedContributionIndex, 'deemedContributionIndex', '视同缴费指数');
  checkMonths(input.deemedContributionMonths, 'deemedContributionMonths', '视同缴费月数');
  const delta = parameters.transitionCoefficient;
  const [low, high] = parameters.transitionCoefficientRange;
  if (!Number.isFinite(delta) || delta < low || delta > high) {
    throw new DomainInputError('transitionCoefficient', `过渡系数 ${String(delta)} 超出范围 ${low}–${high}`);
  }
  return roundYuan(input.averageWage * input.deemedContributionIndex * (input.deemedContributionMonths / 12) * delta);
}

/** 老人 retired before the reform date, 新人 started work on or after it, 中人 otherwise (§5.4). */
export function pensionCohort(input: { workStartDate: string; retirementDate: string }, reformDate: string): PensionCohort {
  checkDate(input.workStartDate, 'workStartDate', '参加工作日期');
  checkDate(input.retirementDate, 'retirementDate', '退休日期');
  if (input.retirementDate < input.workStartDate) throw new DomainInputError('retirementDate', '退休日期早于参加工作日期');
  if (input.retirementDate < reformDate) return 'old';
  return input.workStartDate >= reformDate ? 'new' : 'middle';
}

export interface MonthlyPensionInput {
  workStartDate: string;
  retirementDate: string;
  retirementAge: AgeYm;
  /** 累计缴费月数 incl. 视同缴费 (N·12) */
  contributionMonths: number;
  /** Ī 本人平均缴费指数 */
  averageContributionIndex: number;
  /** 个人账户储存额 at retirement, yuan */
  personalAccountBalance: number;
  /** 中人 only: 视同缴费指数 and 视同缴费月数 (service before the reform date) */
  deemed?: { index: number; months: number };
}

export interface MonthlyPension {
  cohort: PensionCohort;
  base: number;
  personalAccount: number;
  transitional: number;
  total: number;
  monthsOfPayment: number;
}

/**
 * 月基本养老金 = 基础 + 个人账户 + 过渡性 (中人 only) of §5.2 (职业年金 is paid separately). 老人 are refused:
 * they keep the old 退休费 (§5.4). A 中人 needs `deemed`; a 新人 may not have it.
 */
export function monthlyBasicPension(input: MonthlyPensionInput, parameters: PensionParameters): MonthlyPension {
  const cohort = pensionCohort(input, parameters.reformDate);
  if (cohort === 'old') throw new DomainInputError('retirementDate', `${parameters.reformDate} 前退休的老人按原办法发放退休费，不适用本公式`);
  if (cohort === 'new' && input.deemed !== undefined) throw new DomainInputError('deemed', `${parameters.reformDate} 以后参加工作的新人没有视同缴费年限`);
  if (cohort === 'middle' && input.deemed === undefined) throw new DomainInputError('deemed', '中人须提供视同缴费指数和视同缴费年限');
  checkMonths(input.contributionMonths, 'contributionMonths', '累计缴费月数');
  if (input.deemed !== undefined && input.deemed.months > input.contributionMonths) {
    throw new DomainInputError('deemed.months', '视同缴费月数不能多于累计缴费月数 (累计缴费年限含视同缴费年限)');
  }
  const base = basePension({ ...input, averageWage: parameters.averageWage });
  const personalAccount = personalAccountPension(input, parameters);
  const transitional =
    input.deemed === undefined
      ? 0
      : transitionalPension({ averageWage: parameters.averageWage, deemedContributionIndex: input.deemed.index, deemedContributionMonths: input.deemed.months }, parameters);
  return {
    cohort,
    base,
    personalAccount,
    transitional,
    total: roundYuan(base + personalAccount + transitional),
    monthsOfPayment: monthsOfPayment(input.retirementAge, parameters.monthsOfPayment, parameters.monthsInterpolation, 'retirementAge'),
  };
}

/**
 * Ī of §5.2 [C]: (Σ (base_y / C_{y−1}) · months_y + I_视同 · months_视同) / (Σ months_y + months_视同), where each
 * actual year gives its monthly contribution base, the previous year's average wage and the months paid.
 * Not rounded: the caller rounds if the province publishes the index to fixed decimals.
 */
export function averageContributionIndex(
  years: readonly { base: number; previousYearAverageWage: number; months: number }[],
  deemed?: { index: number; months: number },
): number {
  let weighted = 0;
  let months = 0;
  years.forEach((year, i) => {
    checkAmount(year.base, `years[${i}].base`, '缴费基数');
    checkAverageWage(year.previousYearAverageWage, `years[${i}].previousYearAverageWage`);
    checkMonths(year.months, `years[${i}].months`, '缴费月数');
    if (year.months > 12) throw new DomainInputError(`years[${i}].months`, '一个年度的缴费月数不能超过 12');
    weighted += (year.base / year.previousYearAverageWage) * year.months;
    months += year.months;
  });
  if (deemed !== undefined) {
    checkIndex(deemed.index, 'deemed.index', '视同缴费指数');
    checkMonths(deemed.months, 'deemed.months', '视同缴费月数');
    weighted += deemed.index * deemed.months;
    months += deemed.months;
  }
  if (months === 0) throw new DomainInputError('years', '没有缴费月数，无法计算平均缴费指数');
  return weighted / months;
}

function checkAverageWage(value: number, field = 'averageWage'): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new DomainInputError(field, `月平均工资 ${String(value)} 无效，应为正数`);
}

function checkAmount(value: number, field: string, label: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new DomainInputError(field, `${label} ${String(value)} 无效，应为非负数`);
}

/** An index is positive and at most 3 (the 300 % cap of the contribution base). */
function checkIndex(value: number, field: string, label: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 3) throw new DomainInputError(field, `${label} ${String(value)} 无效，应大于 0 且不超过 3`);
}

function checkMonths(value: number, field: string, label: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 720) throw new DomainInputError(field, `${label} ${String(value)} 无效，应为 0–720 的整数`);
}

function checkDate(value: string, field: string, label: string): void {
  if (typeof value !== 'string' || !isRealDate(value)) throw new DomainInputError(field, `${label} "${String(value)}" 无效，应为 YYYY-MM-DD 日期`);
}
