/**
 * Finance-subsidy parameters, domain-spec.md §6 (a proposed formula [C]; funding-form semantics [A/B]). Data,
 * not code: versioned records (see Parameter in ./retirement). Local standards are labelled `placeholder`.
 */
import type { Parameter } from './retirement';
import { defaultInForce, type Versioned } from './salary';

/** The cost components of §6: basic salary B, allowances T, year-end bonus YB, unit social contributions SIu, 公用经费. */
export const SUBSIDY_COMPONENTS = ['basic', 'allowance', 'bonus', 'social', 'public'] as const;
export type SubsidyComponent = (typeof SUBSIDY_COMPONENTS)[number];

/** The share finance covers, per funding form and component (1 = 100 %). */
export type CoverageTable = Readonly<Record<'full' | 'partial' | 'self', Readonly<Record<SubsidyComponent, number>>>>;

export const subsidyCoverages: Parameter<CoverageTable>[] = [
  {
    key: 'subsidy.coverage',
    version: 'default (k_diff 100 %)',
    validFrom: '2014-10-01',
    status: 'C',
    source:
      'domain-spec §6 [C]: defaults proposed — 差额 basic k_diff 100 %, SIu k_diff_si 100 %, T/YB/公用经费 0; a "fixed share" district sets every 差额 coverage to k_diff_share (e.g. 60 %) [B, S23]',
    value: {
      full: { basic: 1, allowance: 1, bonus: 1, social: 1, public: 1 },
      partial: { basic: 1, allowance: 0, bonus: 0, social: 1, public: 0 },
      self: { basic: 0, allowance: 0, bonus: 0, social: 0, public: 0 },
    },
  },
];

/** T: the monthly allowance / 绩效 standard per person, by salary system (local table). */
export const allowanceStandards: Parameter<Readonly<Record<'civil-servant' | 'institution', number>>>[] = [
  {
    key: 'subsidy.allowance-standard',
    version: 'placeholder',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'placeholder amounts, not a local standard: T = 津贴补贴/绩效 monthly standard (domain-spec §6, local table)',
    value: { 'civil-servant': 3000, institution: 2500 },
  },
];

/** 公用经费定额: yuan per person per year, by unit class (units.nature). */
export const publicFundsQuotas: Parameter<Readonly<Record<'organ' | 'institution' | 'institution_cs', number>>>[] = [
  {
    key: 'subsidy.public-funds-quota',
    version: 'placeholder',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'placeholder amounts, not a local standard: 公用经费定额 per capita per year by unit class (domain-spec §6, local param)',
    value: { organ: 12000, institution_cs: 10000, institution: 8000 },
  },
];

/** YB: the year-end one-off bonus = December basic salary, for the salary systems that have it. */
export interface YearEndBonusRule {
  /** systems whose staff get YB by default (公务员/参公) */
  systems: readonly ('civil-servant' | 'institution')[];
  /** months of the December basic salary */
  months: number;
}

export const yearEndBonusRules: Parameter<YearEndBonusRule>[] = [
  {
    key: 'subsidy.year-end-bonus',
    version: 'default',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'domain-spec §6: YB = December basic salary for 公务员/参公, if eligible (param) [C]',
    value: { systems: ['civil-servant'], months: 1 },
  },
];

/** The funding forms whose staff join the 工资统发 (centralised payroll) list. */
export const payrollListRules: Parameter<{ fundingForms: readonly ('full' | 'partial' | 'self')[] }>[] = [
  {
    key: 'subsidy.payroll-list',
    version: 'default',
    validFrom: '2014-10-01',
    status: 'B',
    source: 'domain-spec §6: 全额 and 差额 units join 工资统发 with a start month; finance refuses anyone without an 入编通知单 [A, S1, S6]',
    value: { fundingForms: ['full', 'partial'] },
  },
];

export interface SubsidyParameters {
  coverage: Versioned<CoverageTable>;
  allowance: Versioned<Readonly<Record<'civil-servant' | 'institution', number>>>;
  publicFunds: Versioned<Readonly<Record<'organ' | 'institution' | 'institution_cs', number>>>;
  yearEndBonus: Versioned<YearEndBonusRule>;
  payrollList: Versioned<{ fundingForms: readonly ('full' | 'partial' | 'self')[] }>;
}

export const SUBSIDY_PARAMETER_KEYS: Readonly<Record<keyof SubsidyParameters, string>> = {
  coverage: 'subsidy.coverage',
  allowance: 'subsidy.allowance-standard',
  publicFunds: 'subsidy.public-funds-quota',
  yearEndBonus: 'subsidy.year-end-bonus',
  payrollList: 'subsidy.payroll-list',
};

/** The built-in defaults in force on `day` (yyyy-mm-dd), for tests and previews. */
export function defaultSubsidyParameters(day?: string): SubsidyParameters {
  return {
    coverage: defaultInForce(subsidyCoverages, day),
    allowance: defaultInForce(allowanceStandards, day),
    publicFunds: defaultInForce(publicFundsQuotas, day),
    yearEndBonus: defaultInForce(yearEndBonusRules, day),
    payrollList: defaultInForce(payrollListRules, day),
  };
}

/** Every subsidy parameter array, for domain/parameters/index.ts. */
export const SUBSIDY_PARAMETER_DEFAULTS: readonly Parameter<unknown>[] = [
  ...subsidyCoverages,
  ...allowanceStandards,
  ...publicFundsQuotas,
  ...yearEndBonusRules,
  ...payrollListRules,
];
