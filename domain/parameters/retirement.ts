/**
 * Retirement parameters, domain-spec.md §5.1. Data, not code: each value carries its key, version, the date
 * it applies from, its confidence tag (§0) and its source. Callers pick a version and pass `value` to the
 * rules in domain/retirement.ts.
 */

/** A versioned parameter: `status` is the spec's confidence tag (§0: A official, B third-party, C proposed). */
export interface Parameter<T> {
  key: string;
  version: string;
  /** yyyy-mm-dd */
  validFrom: string;
  status: 'A' | 'B' | 'C';
  source: string;
  value: T;
}

/** The spec's category names (§5.1): man, woman55 (女干部/管理/专技), woman50 (女工人/工勤), woman60 (处级/高级职称). */
export const RETIREMENT_CATEGORIES = ['man', 'woman55', 'woman50', 'woman60'] as const;
export type RetirementCategory = (typeof RETIREMENT_CATEGORIES)[number];

/** One category's schedule: original age, +1 month per `monthsPerStep` birth months, at most `capMonths`. */
export interface CategorySchedule {
  originalAgeYears: number;
  monthsPerStep: number;
  capMonths: number;
  /** an earliest age on application that overrides the flexible-early floor (woman60: 55) */
  earliestOnApplicationYears?: number;
}

export interface StatutoryAgeRules {
  /** the first year of the gradual increase: batch index n = (orig_year − this)·12 + birth_month */
  firstYear: number;
  categories: Readonly<Record<RetirementCategory, CategorySchedule>>;
  /** flexible early retirement: at most this many months before the statutory age, never below the original age */
  flexibleEarlyMaxMonths: number;
  /** flexible late retirement (with unit agreement): at most this many months after the statutory age */
  flexibleLateMaxMonths: number;
  /** the pension starts (and the active salary stops) this many months after the retirement month */
  pensionStartOffsetMonths: number;
  /** minimum contribution years: `baseYears` up to `baseUntilYear`, then + `stepYears` a year, at most `finalYears` */
  minimumContribution: { baseYears: number; baseUntilYear: number; stepYears: number; finalYears: number };
}

const S16 = 'S16 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13, 自 2025-01-01 施行) 及所附对照表';

export const statutoryAgeRules: Parameter<StatutoryAgeRules>[] = [
  {
    key: 'retirement.statutory-age',
    version: '2025-law',
    validFrom: '2025-01-01',
    status: 'A',
    source: `${S16}; woman60 per S21 组通字〔2015〕14号 — whether the delay applies to woman60 is unresolved [C], capMonths 0 = no delay; pension start offset [C]`,
    value: {
      firstYear: 2025,
      categories: {
        man: { originalAgeYears: 60, monthsPerStep: 4, capMonths: 36 },
        woman55: { originalAgeYears: 55, monthsPerStep: 4, capMonths: 36 },
        woman50: { originalAgeYears: 50, monthsPerStep: 2, capMonths: 60 },
        // [C] default: the 60 of 组通字〔2015〕14号 stands without the 2025 delay ("国家另有规定的，从其规定");
        // set capMonths 36 (monthsPerStep 4) if provincial guidance applies the delay on top.
        woman60: { originalAgeYears: 60, monthsPerStep: 4, capMonths: 0, earliestOnApplicationYears: 55 },
      },
      flexibleEarlyMaxMonths: 36,
      flexibleLateMaxMonths: 36,
      pensionStartOffsetMonths: 1,
      minimumContribution: { baseYears: 15, baseUntilYear: 2029, stepYears: 0.5, finalYears: 20 },
    },
  },
];

/** The rules for tests and previews: the 2025 law with the spec's [C] defaults. */
export const defaultRetirementParameters: StatutoryAgeRules = statutoryAgeRules[0]!.value;
