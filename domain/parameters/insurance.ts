/**
 * Social-insurance parameters, domain-spec.md §4. Data, not code: versioned records (see Parameter in
 * ./retirement). Local rates the spec only gives as examples are labelled `placeholder` (status C).
 */
import type { Parameter } from './retirement';
import { defaultInForce, type Versioned } from './salary';

/** C: 上年度 provincial monthly average wage (社平); `basis` names which statistic (avg_wage_basis, §4.2). */
export interface AverageWage {
  amount: number;
  basis: '全口径城镇单位就业人员' | '在岗职工';
  /** the statistical year the amount is for */
  year: number | null;
}

export const insuranceAverageWages: Parameter<AverageWage>[] = [
  {
    key: 'insurance.average-wage',
    version: 'placeholder',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'placeholder, not a published figure: load the province\'s 上年度全口径城镇单位就业人员月平均工资 every year (domain-spec §4.2, §4.4)',
    value: { amount: 7000, basis: '全口径城镇单位就业人员', year: null },
  },
];

/** base = min(max(W, lower·C), upper·C). */
export interface BaseBounds {
  lower: number;
  upper: number;
}

export const insuranceBaseBounds: Parameter<BaseBounds>[] = [
  { key: 'insurance.base-bounds', version: '60%–300%', validFrom: '2014-10-01', status: 'A', source: 'S19 (domain-spec §4.2): 缴费基数 60 %–300 % of C', value: { lower: 0.6, upper: 3 } },
];

/** Which wage item codes form W, by salary system (§4.1 base_items[unit_class]). */
export type BaseItems = Readonly<Record<'civil-servant' | 'institution', readonly string[]>>;

/** Wage item codes: salary items (post-wage, level-wage, scale-wage, probation-pay, trainee-pay) and allowances. */
export const WAGE_ITEM_CODES: Readonly<Record<string, string>> = {
  'post-wage': '职务职级工资/岗位工资',
  'level-wage': '级别工资',
  'scale-wage': '薪级工资',
  'probation-pay': '试用期工资',
  'trainee-pay': '见习期工资',
  'allowance.national': '国家统一的津贴补贴 (艰苦边远地区津贴、乡镇工作补贴等)',
  'allowance.regulated': '规范后的津贴补贴 (地区附加津贴)',
  'bonus.year-end': '年终一次性奖金',
  performance: '绩效工资',
  'allowance.other': '其他津贴补贴 (不计入缴费基数)',
};

export const insuranceBaseItems: Parameter<BaseItems>[] = [
  {
    key: 'insurance.base-items',
    version: '人社部发〔2015〕28号 (not retrieved)',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'domain-spec §4.1 [C]: 机关 基本工资 + 国家统一津贴补贴 + 规范后津贴补贴 + 年终一次性奖金; 事业 基本工资 + 国家统一津贴补贴 + 绩效工资; add the provincial rule',
    value: {
      'civil-servant': ['post-wage', 'level-wage', 'probation-pay', 'allowance.national', 'allowance.regulated', 'bonus.year-end'],
      institution: ['post-wage', 'scale-wage', 'trainee-pay', 'allowance.national', 'performance'],
    },
  },
];

/** A unit and an individual rate (fractions: 0.08 = 8 %). */
export interface RatePair {
  unit: number;
  individual: number;
}

export const pensionRates: Parameter<RatePair>[] = [
  { key: 'insurance.rate.pension', version: '2014-10 (20 %/8 %)', validFrom: '2014-10-01', status: 'B', source: 'S30: 单位 20 %, 个人 8 % originally (domain-spec §4.2)', value: { unit: 0.2, individual: 0.08 } },
  { key: 'insurance.rate.pension', version: '国办发〔2019〕13号', validFrom: '2019-05-01', status: 'C', source: 'domain-spec §4.2: 单位 cut to 16 % from 2019-05 under 国办发〔2019〕13号 [C]; 个人 8 % [B, S30]', value: { unit: 0.16, individual: 0.08 } },
];

export const annuityRates: Parameter<RatePair>[] = [
  { key: 'insurance.rate.annuity', version: '国办发〔2015〕18号', validFrom: '2014-10-01', status: 'B', source: 'S20, S30 (domain-spec §4.2 [A/B]): 职业年金 单位 8 %, 个人 4 %, base = the 养老 base', value: { unit: 0.08, individual: 0.04 } },
];

/** 职工基本医疗保险 (incl. 生育): rates and the individual's local fixed amount (大额/救助), yuan a month. */
export interface MedicalRates extends RatePair {
  individualFixed: number;
}

export const medicalRates: Parameter<MedicalRates>[] = [
  {
    key: 'insurance.rate.medical',
    version: 'placeholder',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'placeholder: r_med_unit is local (typical 6–10 %, 8 % in Fujian [B, S33]); 个人 2 % [B, S33]; local fixed amount (3–5 元) not set',
    value: { unit: 0.08, individual: 0.02, individualFixed: 0 },
  },
];

export const civilServantMedicalRates: Parameter<{ unit: number }>[] = [
  { key: 'insurance.rate.civil-servant-medical', version: 'placeholder', validFrom: '2014-10-01', status: 'C', source: 'placeholder: 公务员医疗补助 r_civil_med is local (domain-spec §4.2 [C]); 0 until the district sets it', value: { unit: 0 } },
];

/** 失业保险: `civilServantsExcluded` — 公务员/参公 do not pay it in most places. */
export interface UnemploymentRates extends RatePair {
  civilServantsExcluded: boolean;
}

export const unemploymentRates: Parameter<UnemploymentRates>[] = [
  { key: 'insurance.rate.unemployment', version: 'placeholder', validFrom: '2014-10-01', status: 'C', source: 'placeholder: domain-spec §4.2 [C] e.g. 0.5 % / 0.5 %, 事业 staff only', value: { unit: 0.005, individual: 0.005, civilServantsExcluded: true } },
];

export const injuryRates: Parameter<{ unit: number }>[] = [
  { key: 'insurance.rate.injury', version: '机关 0.2 %', validFrom: '2014-10-01', status: 'B', source: 'domain-spec §4.2 [B]: industry class; 机关 commonly 0.2 %', value: { unit: 0.002 } },
];

export const housingFundRates: Parameter<RatePair>[] = [
  { key: 'insurance.rate.housing-fund', version: 'placeholder', validFrom: '2014-10-01', status: 'C', source: 'placeholder: 住房公积金 5–12 %, same rate both sides [B]; the district\'s rate not set; base = the contribution base [C]', value: { unit: 0.12, individual: 0.12 } },
];

export interface Rounding {
  mode: 'half-up';
  decimals: number;
}

export const insuranceRoundings: Parameter<Rounding>[] = [
  { key: 'insurance.rounding', version: 'round_half_up 0.01', validFrom: '2014-10-01', status: 'C', source: 'domain-spec §4.2: contributions rounded half up to 0.01 元 (parameter)', value: { mode: 'half-up', decimals: 2 } },
];

export interface InsuranceParameters {
  averageWage: Versioned<AverageWage>;
  bounds: Versioned<BaseBounds>;
  baseItems: Versioned<BaseItems>;
  pension: Versioned<RatePair>;
  annuity: Versioned<RatePair>;
  medical: Versioned<MedicalRates>;
  civilServantMedical: Versioned<{ unit: number }>;
  unemployment: Versioned<UnemploymentRates>;
  injury: Versioned<{ unit: number }>;
  housingFund: Versioned<RatePair>;
  rounding: Versioned<Rounding>;
}

export const INSURANCE_PARAMETER_KEYS: Readonly<Record<keyof InsuranceParameters, string>> = {
  averageWage: 'insurance.average-wage',
  bounds: 'insurance.base-bounds',
  baseItems: 'insurance.base-items',
  pension: 'insurance.rate.pension',
  annuity: 'insurance.rate.annuity',
  medical: 'insurance.rate.medical',
  civilServantMedical: 'insurance.rate.civil-servant-medical',
  unemployment: 'insurance.rate.unemployment',
  injury: 'insurance.rate.injury',
  housingFund: 'insurance.rate.housing-fund',
  rounding: 'insurance.rounding',
};

/** The built-in defaults in force on `day` (yyyy-mm-dd), for tests and previews. */
export function defaultInsuranceParameters(day?: string): InsuranceParameters {
  return {
    averageWage: defaultInForce(insuranceAverageWages, day),
    bounds: defaultInForce(insuranceBaseBounds, day),
    baseItems: defaultInForce(insuranceBaseItems, day),
    pension: defaultInForce(pensionRates, day),
    annuity: defaultInForce(annuityRates, day),
    medical: defaultInForce(medicalRates, day),
    civilServantMedical: defaultInForce(civilServantMedicalRates, day),
    unemployment: defaultInForce(unemploymentRates, day),
    injury: defaultInForce(injuryRates, day),
    housingFund: defaultInForce(housingFundRates, day),
    rounding: defaultInForce(insuranceRoundings, day),
  };
}

/** Every insurance parameter array, for domain/parameters/index.ts. */
export const INSURANCE_PARAMETER_DEFAULTS: readonly Parameter<unknown>[] = [
  ...insuranceAverageWages,
  ...insuranceBaseBounds,
  ...insuranceBaseItems,
  ...pensionRates,
  ...annuityRates,
  ...medicalRates,
  ...civilServantMedicalRates,
  ...unemploymentRates,
  ...injuryRates,
  ...housingFundRates,
  ...insuranceRoundings,
];
