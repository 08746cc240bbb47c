/**
 * Social-insurance base and monthly contributions of 机关事业单位 staff, domain-spec.md §4. Pure functions, no
 * I/O: the caller passes the parameters (domain/parameters/insurance.ts) as versioned data.
 *
 *   W    = Σ eligible items of last year / months paid      (new hire / first year: the 起薪 month's eligible wage)
 *   base = min(max(W, 60 %·C), 300 %·C)
 *   each contribution = round_half_up(base × rate, 0.01); 职业年金 unit part is 记账 (notional) for 全额 units (§4.3)
 */
import { DomainInputError } from './quota';
import { lowestStatusOf, type PayItem, type SalaryResult, type SalarySystem } from './salary';
import type { InsuranceParameters } from './parameters/insurance';
import { WAGE_ITEM_CODES } from './parameters/insurance';
import type { ParameterRef, Versioned } from './parameters/salary';

export { DomainInputError };
export type { InsuranceParameters };

/** 经费形式, the codes of `units.funding_form`: 全额拨款 · 差额拨款 · 自收自支. */
export const FUNDING_FORMS = ['full', 'partial', 'self'] as const;
export type FundingForm = (typeof FUNDING_FORMS)[number];
export const FUNDING_FORM_NAMES: Readonly<Record<FundingForm, string>> = { full: '全额拨款', partial: '差额拨款', self: '自收自支' };

export function checkFundingForm(value: unknown, field = 'fundingForm'): FundingForm {
  if (!(FUNDING_FORMS as readonly string[]).includes(value as string)) throw new DomainInputError(field, `经费形式 "${String(value)}" 无效，应为 full (全额拨款)、partial (差额拨款) 或 self (自收自支)`);
  return value as FundingForm;
}

/** A wage item with an amount (monthly for allowances, annual totals for previous-year wages). */
export interface WageItemInput {
  code: string;
  name?: string;
  amount: number;
}

export interface InsuranceInput {
  system: SalarySystem;
  fundingForm: FundingForm;
  /** the salary result of the 起薪 month (new hire / first year) */
  salary?: Pick<SalaryResult, 'items' | 'effectiveMonth'>;
  /** the 起薪 month's allowances (津贴补贴, 绩效), monthly amounts */
  allowances?: WageItemInput[];
  /** last year's payroll: annual totals per item and the months paid (annual re-determination, §4.4) */
  previousYear?: { items: WageItemInput[]; monthsPaid: number };
}

export interface Contribution {
  code: string;
  name: string;
  base: number;
  unitRate: number;
  unitAmount: number;
  individualRate: number;
  individualAmount: number;
  /** 实账 funded (paid in cash) or 记账 notional (职业年金 unit part of 全额 units, §4.3) */
  unitAccounting: 'funded' | 'notional';
  individualAccounting: 'funded';
}

export interface InsuranceResult {
  /** the salary system and funding form the rates were chosen for */
  system: SalarySystem;
  fundingForm: FundingForm;
  /** the month the base applies from (the 起薪 month for a new hire) */
  effectiveMonth: string | null;
  /** W: 'starting-month' (new hire / first year) or 'previous-year' (last year's monthly average) */
  wageBasis: 'starting-month' | 'previous-year';
  wageItems: Array<PayItem & { counted: boolean }>;
  eligibleWage: number;
  /** C: the 社平 average wage, with the bounds 60 % / 300 % of it */
  averageWage: number;
  lowerBound: number;
  upperBound: number;
  /** the clamped 缴费基数 (also the 职业年金 base) */
  base: number;
  clamped: 'lower' | 'upper' | null;
  contributions: Contribution[];
  totals: {
    /** every unit amount, notional included */
    unit: number;
    /** unit amounts paid in cash (SIu of §6): notional 职业年金 excluded */
    unitCash: number;
    unitNotional: number;
    individual: number;
  };
  annuity: { unitAccounting: '记账' | '实账'; individualAccounting: '实账' };
  parameters: ParameterRef[];
  lowestStatus: 'A' | 'B' | 'C';
  warnings: string[];
}

/** Rounds half up to `decimals` (binary noise removed first: 2.675 → 2.68). */
export function roundHalfUp(amount: number, decimals = 2): number {
  const factor = 10 ** decimals;
  const scaled = Number((Number(amount.toPrecision(12)) * factor).toPrecision(12));
  return (Math.sign(scaled) * Math.round(Math.abs(scaled))) / factor;
}

function amountOf(value: unknown, field: string, label: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new DomainInputError(field, `${label} ${String(value)} 无效，应为非负数`);
  return value;
}

function checkItems(items: unknown, field: string): WageItemInput[] {
  if (!Array.isArray(items)) throw new DomainInputError(field, '工资项目应为列表');
  return items.map((item: WageItemInput, i) => {
    if (item === null || typeof item !== 'object' || typeof item.code !== 'string' || item.code.trim() === '') throw new DomainInputError(`${field}[${i}].code`, '工资项目代码必填');
    return { code: item.code, name: item.name, amount: amountOf(item.amount, `${field}[${i}].amount`, '工资项目金额') };
  });
}

/** §4.2 base and contributions, §4.3 职业年金 accounting. Throws DomainInputError naming the field. */
export function insuranceBase(input: InsuranceInput, params: InsuranceParameters): InsuranceResult {
  if (input?.system !== 'civil-servant' && input?.system !== 'institution') throw new DomainInputError('system', `工资制度 "${String(input?.system)}" 无效，应为 civil-servant 或 institution`);
  const system = input.system;
  const fundingForm = checkFundingForm(input.fundingForm);
  const refs = new Map<string, ParameterRef>();
  const use = <T>(p: Versioned<T>): T => {
    refs.set(p.ref.key, p.ref);
    return p.value;
  };
  const warnings: string[] = [];
  const decimals = use(params.rounding).decimals;
  const round = (x: number) => roundHalfUp(x, decimals);
  const eligible = new Set(use(params.baseItems)[system]);
  const label = (item: { code: string; name?: string }) => item.name ?? WAGE_ITEM_CODES[item.code] ?? item.code;

  let wageBasis: InsuranceResult['wageBasis'];
  let wageItems: InsuranceResult['wageItems'];
  let eligibleWage: number;
  if (input.previousYear !== undefined && input.previousYear !== null) {
    const months = input.previousYear.monthsPaid;
    if (typeof months !== 'number' || !Number.isSafeInteger(months) || months < 1 || months > 12) throw new DomainInputError('previousYearWages.monthsPaid', `上年发薪月数 ${String(months)} 无效，应为 1–12`);
    const items = checkItems(input.previousYear.items, 'previousYearWages.items');
    wageBasis = 'previous-year';
    wageItems = items.map((i) => ({ code: i.code, name: label(i), amount: round(i.amount), counted: eligible.has(i.code) }));
    eligibleWage = round(wageItems.filter((i) => i.counted).reduce((t, i) => t + i.amount, 0) / months);
  } else {
    if (input.salary === undefined || input.salary === null || !Array.isArray(input.salary.items)) {
      throw new DomainInputError('salary', '缺少核定工资结果 (新录用人员按起薪当月工资确定缴费基数) 或上年工资数据');
    }
    const salaryItems = checkItems(input.salary.items, 'salary.items');
    const allowances = input.allowances === undefined ? [] : checkItems(input.allowances, 'allowances');
    wageBasis = 'starting-month';
    wageItems = [...salaryItems, ...allowances].map((i) => ({ code: i.code, name: label(i), amount: round(i.amount), counted: eligible.has(i.code) }));
    eligibleWage = round(wageItems.filter((i) => i.counted).reduce((t, i) => t + i.amount, 0));
  }
  const ignored = wageItems.filter((i) => !i.counted).map((i) => i.name);
  if (ignored.length > 0) warnings.push(`以下项目不计入缴费基数：${ignored.join('、')}`);

  const average = use(params.averageWage);
  if (!(average.amount > 0)) throw new DomainInputError('averageWage', '社平工资参数无效');
  const bounds = use(params.bounds);
  const lowerBound = round(average.amount * bounds.lower);
  const upperBound = round(average.amount * bounds.upper);
  const base = Math.min(Math.max(eligibleWage, lowerBound), upperBound);
  const clamped = eligibleWage < lowerBound ? 'lower' : eligibleWage > upperBound ? 'upper' : null;

  const contributions: Contribution[] = [];
  const add = (code: string, name: string, unitRate: number, individualRate: number, options: { notional?: boolean; individualFixed?: number } = {}) => {
    contributions.push({
      code,
      name,
      base,
      unitRate,
      unitAmount: round(base * unitRate),
      individualRate,
      individualAmount: round(base * individualRate + (options.individualFixed ?? 0)),
      unitAccounting: options.notional ? 'notional' : 'funded',
      individualAccounting: 'funded',
    });
  };
  const pension = use(params.pension);
  add('pension', '基本养老保险', pension.unit, pension.individual);
  const annuity = use(params.annuity);
  add('annuity', '职业年金', annuity.unit, annuity.individual, { notional: fundingForm === 'full' });
  const medical = use(params.medical);
  add('medical', '职工基本医疗保险 (含生育)', medical.unit, medical.individual, { individualFixed: medical.individualFixed });
  if (system === 'civil-servant') add('civil-servant-medical', '公务员医疗补助', use(params.civilServantMedical).unit, 0);
  const unemployment = use(params.unemployment);
  if (system === 'institution' || !unemployment.civilServantsExcluded) add('unemployment', '失业保险', unemployment.unit, unemployment.individual);
  add('injury', '工伤保险', use(params.injury).unit, 0);
  const housing = use(params.housingFund);
  add('housing-fund', '住房公积金', housing.unit, housing.individual);

  const total = (pick: (c: Contribution) => number) => round(contributions.reduce((t, c) => t + pick(c), 0));
  const parameters = [...refs.values()];
  return {
    system,
    fundingForm,
    effectiveMonth: input.salary?.effectiveMonth ?? null,
    wageBasis,
    wageItems,
    eligibleWage,
    averageWage: average.amount,
    lowerBound,
    upperBound,
    base,
    clamped,
    contributions,
    totals: {
      unit: total((c) => c.unitAmount),
      unitCash: total((c) => (c.unitAccounting === 'funded' ? c.unitAmount : 0)),
      unitNotional: total((c) => (c.unitAccounting === 'notional' ? c.unitAmount : 0)),
      individual: total((c) => c.individualAmount),
    },
    annuity: { unitAccounting: fundingForm === 'full' ? '记账' : '实账', individualAccounting: '实账' },
    parameters,
    lowestStatus: lowestStatusOf(parameters),
    warnings,
  };
}
