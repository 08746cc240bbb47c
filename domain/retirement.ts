/**
 * Statutory retirement age and date, domain-spec.md §5.1 (law of 2024-09-13, effective 2025-01-01). Pure
 * functions, no I/O: the caller passes the rules (domain/parameters/retirement.ts) as data.
 */
import { isRealDate } from './id-number';
import { DomainInputError } from './quota';
import { RETIREMENT_CATEGORIES, type RetirementCategory, type StatutoryAgeRules } from './parameters/retirement';

export { DomainInputError };
export type { RetirementCategory };

export interface AgeYm {
  years: number;
  months: number;
}

export interface RetirementInput {
  /** 档案认定出生日期 (§5.1), yyyy-mm-dd */
  birthDate: string;
  gender: 'male' | 'female';
  category: RetirementCategory;
}

export interface RetirementPoint {
  age: AgeYm;
  /** yyyy-mm */
  month: string;
  /** yyyy-mm-dd: the day the age is reached (birth day in that month, the month's last day if it has none) */
  date: string;
}

export interface RetirementResult {
  statutoryAge: AgeYm;
  /** months added by the 2025 law (0 for pre-2025) */
  delayMonths: number;
  /** yyyy-mm: retire_month of §5.1 */
  retirementMonth: string;
  /** yyyy-mm-dd: the day the statutory age is reached */
  retirementDate: string;
  /** yyyy-mm: the pension starts and the active salary stops (retirement month + offset, [C]) */
  pensionStartMonth: string;
  /** 'pre-2025': reached the original age before 2025 (batch index ≤ 0), no delay; '2025-law': otherwise */
  rule: 'pre-2025' | '2025-law';
  source: string;
  /** flexible bounds under the 2025 law (null for pre-2025: the law's choice did not exist for them) */
  flexible: { earliest: RetirementPoint; latest: RetirementPoint } | null;
}

const GENDER_OF: Readonly<Record<RetirementCategory, 'male' | 'female'>> = {
  man: 'male',
  woman55: 'female',
  woman50: 'female',
  woman60: 'female',
};

/**
 * The statutory retirement age and date of §5.1: batch index n = (birth_year + orig_age − firstYear)·12 +
 * birth_month; delay = 0 if n ≤ 0, else min(ceil(n / monthsPerStep), cap); the retirement month is the birth
 * month plus the statutory age. Flexible bounds: earliest = max(statutory − 36, original age) (woman60: 55 on
 * application), latest = statutory + 36. Throws DomainInputError naming the field for invalid input.
 */
export function retirementDate(input: RetirementInput, rules: StatutoryAgeRules): RetirementResult {
  const { year, month, day } = parseBirthDate(input?.birthDate);
  if (input.gender !== 'male' && input.gender !== 'female') throw new DomainInputError('gender', `性别 "${String(input.gender)}" 无效，应为 male 或 female`);
  if (!(RETIREMENT_CATEGORIES as readonly string[]).includes(input.category)) {
    throw new DomainInputError('category', `退休类别 "${String(input.category)}" 无效，应为 ${RETIREMENT_CATEGORIES.join('、')} 之一`);
  }
  if (GENDER_OF[input.category] !== input.gender) throw new DomainInputError('category', `退休类别 ${input.category} 与性别 ${input.gender} 不符`);

  const schedule = rules.categories[input.category];
  const originalMonths = schedule.originalAgeYears * 12;
  const batch = (year + schedule.originalAgeYears - rules.firstYear) * 12 + month;
  const delayMonths = batch <= 0 ? 0 : Math.min(Math.ceil(batch / schedule.monthsPerStep), schedule.capMonths);
  const statutoryMonths = originalMonths + delayMonths;
  const rule = batch <= 0 ? 'pre-2025' : '2025-law';
  const at = (ageMonths: number): RetirementPoint => ({
    age: { years: Math.floor(ageMonths / 12), months: ageMonths % 12 },
    month: yearMonth(year, month, ageMonths),
    date: dateIn(year, month, ageMonths, day),
  });
  const statutory = at(statutoryMonths);

  let flexible: RetirementResult['flexible'] = null;
  if (rule === '2025-law') {
    let earliest = Math.max(statutoryMonths - rules.flexibleEarlyMaxMonths, originalMonths);
    if (schedule.earliestOnApplicationYears !== undefined) earliest = Math.min(earliest, schedule.earliestOnApplicationYears * 12);
    flexible = { earliest: at(earliest), latest: at(statutoryMonths + rules.flexibleLateMaxMonths) };
  }

  return {
    statutoryAge: statutory.age,
    delayMonths,
    retirementMonth: statutory.month,
    retirementDate: statutory.date,
    pensionStartMonth: yearMonth(year, month, statutoryMonths + rules.pensionStartOffsetMonths),
    rule,
    source:
      rule === '2025-law'
        ? '渐进式延迟法定退休年龄的决定 (2024-09-13, 自 2025-01-01 施行) [S16]' + (input.category === 'woman60' ? '; 组通字〔2015〕14号 [S21]' : '')
        : '2025-01-01 前已达原法定退休年龄，按原规定' + (input.category === 'woman60' ? ' (组通字〔2015〕14号 [S21])' : ''),
    flexible,
  };
}

/**
 * Minimum contribution years for a pension by the year of retirement (§5.1): 15 up to 2029, then +0.5 a year,
 * 20 from 2039.
 */
export function minimumContributionYears(retirementYear: number, rules: StatutoryAgeRules): number {
  if (!Number.isInteger(retirementYear) || retirementYear < 1900 || retirementYear > 2200) {
    throw new DomainInputError('retirementYear', `退休年份 "${String(retirementYear)}" 无效`);
  }
  const { baseYears, baseUntilYear, stepYears, finalYears } = rules.minimumContribution;
  if (retirementYear <= baseUntilYear) return baseYears;
  return Math.min(baseYears + stepYears * (retirementYear - baseUntilYear), finalYears);
}

function parseBirthDate(value: unknown): { year: number; month: number; day: number } {
  if (typeof value !== 'string' || !isRealDate(value) || value < '1900-01-01') {
    throw new DomainInputError('birthDate', `出生日期 "${String(value)}" 无效，应为 1900-01-01 以后的 YYYY-MM-DD 日期`);
  }
  return { year: Number(value.slice(0, 4)), month: Number(value.slice(5, 7)), day: Number(value.slice(8, 10)) };
}

function monthIndex(year: number, month: number, plusMonths: number): { y: number; m: number } {
  const index = year * 12 + (month - 1) + plusMonths;
  return { y: Math.floor(index / 12), m: (index % 12) + 1 };
}

function yearMonth(year: number, month: number, plusMonths: number): string {
  const { y, m } = monthIndex(year, month, plusMonths);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

function dateIn(year: number, month: number, plusMonths: number, day: number): string {
  const { y, m } = monthIndex(year, month, plusMonths);
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${yearMonth(year, month, plusMonths)}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
}
