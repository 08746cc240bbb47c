/**
 * Finance subsidy (财政核定补贴) of a new hire and its reverse (财政核减) for a leaver, domain-spec.md §6 — a
 * proposed formula [C]. Pure functions, no I/O: the caller passes the parameters (domain/parameters/subsidy.ts).
 *
 *   n          = 13 − s  (s = month of the first month counted: the 起薪 month; for 核减 the month after the stop month)
 *   basic      = Σ_{months m ≥ s of the year} B(m)      (B(m): probation pay, then the 转正定级 salary — n·B when constant)
 *   allowance  = n·T                                     bonus = YB (December basic salary, if eligible)
 *   social     = n·SIu                                   public = n/12 · 公用经费定额(unit class)
 *   subsidy    = Σ_components coverage(funding form, c) × cost(c)
 */
import { checkFundingForm, roundHalfUp, type FundingForm } from './insurance';
import { DomainInputError, UNIT_NATURES, type UnitNature } from './quota';
import { addMonths, lowestStatusOf, monthlyBasicIn, monthOf, type SalaryResult, type SalarySystem } from './salary';
import type { ParameterRef, Versioned } from './parameters/salary';
import { SUBSIDY_COMPONENTS, type SubsidyComponent, type SubsidyParameters } from './parameters/subsidy';

export { DomainInputError };
export type { SubsidyParameters };

export type SubsidyMode = 'add' | 'reduce';

export const SUBSIDY_COMPONENT_NAMES: Readonly<Record<SubsidyComponent, string>> = {
  basic: '基本工资',
  allowance: '津贴补贴/绩效',
  bonus: '年终一次性奖金',
  social: '单位社会保险及公积金缴费',
  public: '公用经费',
};

export interface SubsidyInput {
  /** add (default): 财政核定补贴 from the 起薪 month · reduce: 财政核减 over the months after the stop month */
  mode?: SubsidyMode;
  system: SalarySystem;
  fundingForm: FundingForm;
  /** 机构性质 (the unit class of the 公用经费定额) */
  unitNature: UnitNature;
  salary: Pick<SalaryResult, 'monthlyBasic' | 'afterProbation' | 'effectiveMonth'>;
  /** SIu: unit social contributions paid in cash per month (insurance `totals.unitCash`) */
  unitSocialMonthly: number;
  /** add: the 起薪 month (default: salary.effectiveMonth) */
  startMonth?: string;
  /** reduce: the last month paid (停薪月份) … */
  stopMonth?: string;
  /** … or the first month of the pension (J1: retirement.pensionStartMonth): the first month no longer paid */
  pensionStartMonth?: string;
  /** overrides the allowance standard T (monthly) */
  allowanceMonthly?: number;
  /** overrides whether YB applies (default: by salary system, parameter) */
  yearEndBonusEligible?: boolean;
}

export interface SubsidyLine {
  code: SubsidyComponent;
  name: string;
  /** the cost to the budget over the months counted */
  cost: number;
  /** the share finance covers (1 = 100 %) */
  coverage: number;
  /** coverage × cost */
  amount: number;
  /** how the cost was computed, for the finance officer */
  basis: string;
}

export interface SubsidyResult {
  mode: SubsidyMode;
  fundingForm: FundingForm;
  year: number;
  /** the first month counted (yyyy-mm) and the number of months n = 13 − s */
  fromMonth: string;
  months: number;
  components: SubsidyLine[];
  totalCost: number;
  /** 财政核定补贴 (add) or 财政核减 (reduce) for the year, yuan */
  total: number;
  /** 工资统发: 全额 and 差额 units' staff join (add) or leave (reduce) the list from `month` */
  payrollList: { listed: boolean; action: 'add' | 'remove' | null; month: string | null };
  parameters: ParameterRef[];
  lowestStatus: 'A' | 'B' | 'C';
  warnings: string[];
}

function amountOf(value: unknown, field: string, label: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new DomainInputError(field, `${label} ${String(value)} 无效，应为非负数`);
  return value;
}

/** §6 for one person and the year of the first month counted. Throws DomainInputError naming the field. */
export function financeSubsidy(input: SubsidyInput, params: SubsidyParameters): SubsidyResult {
  const mode = input?.mode ?? 'add';
  if (mode !== 'add' && mode !== 'reduce') throw new DomainInputError('mode', `模式 "${String(mode)}" 无效，应为 add (核定补贴) 或 reduce (核减)`);
  if (input.system !== 'civil-servant' && input.system !== 'institution') throw new DomainInputError('system', `工资制度 "${String(input.system)}" 无效，应为 civil-servant 或 institution`);
  const fundingForm = checkFundingForm(input.fundingForm);
  if (!(UNIT_NATURES as readonly string[]).includes(input.unitNature)) throw new DomainInputError('unitNature', `机构性质无效：${String(input.unitNature)}`);
  const salary = input.salary;
  if (salary === null || typeof salary !== 'object') throw new DomainInputError('salary', '缺少核定工资结果');
  amountOf(salary.monthlyBasic, 'salary.monthlyBasic', '月基本工资');
  const social = amountOf(input.unitSocialMonthly, 'insurance.totals.unitCash', '单位月缴费');

  let fromMonth: string;
  if (mode === 'add') {
    fromMonth = monthOf(input.startMonth ?? salary.effectiveMonth, input.startMonth === undefined ? 'salary.effectiveMonth' : 'startMonth', '起薪月份');
  } else if (input.stopMonth !== undefined) {
    fromMonth = addMonths(monthOf(input.stopMonth, 'stopMonth', '停薪月份'), 1);
  } else if (input.pensionStartMonth !== undefined) {
    fromMonth = monthOf(input.pensionStartMonth, 'retirement.pensionStartMonth', '养老金起发月份');
  } else {
    throw new DomainInputError('stopMonth', '核减须提供停薪月份 (stopMonth) 或养老金起发月份 (retirement.pensionStartMonth)');
  }
  const year = Number(fromMonth.slice(0, 4));
  const s = Number(fromMonth.slice(5, 7));
  const n = 13 - s;

  const refs = new Map<string, ParameterRef>();
  const use = <T>(p: Versioned<T>): T => {
    refs.set(p.ref.key, p.ref);
    return p.value;
  };
  const warnings: string[] = [];
  const round = (x: number) => roundHalfUp(x, 2);

  let basic = 0;
  for (let m = 0; m < n; m++) basic += monthlyBasicIn(salary, addMonths(fromMonth, m));
  const change = salary.afterProbation;
  const basicBasis =
    change && change.effectiveMonth > fromMonth && change.effectiveMonth <= `${year}-12`
      ? `${fromMonth}–${addMonths(change.effectiveMonth, -1)} 每月 ${salary.monthlyBasic} 元，${change.effectiveMonth}–${year}-12 每月 ${change.monthlyBasic} 元`
      : `${n} 个月 × ${monthlyBasicIn(salary, fromMonth)} 元`;

  let allowanceMonthly: number;
  let allowanceBasis: string;
  if (input.allowanceMonthly !== undefined) {
    allowanceMonthly = amountOf(input.allowanceMonthly, 'allowanceMonthly', '月津贴补贴');
    allowanceBasis = `${n} 个月 × ${allowanceMonthly} 元 (录入)`;
  } else {
    allowanceMonthly = use(params.allowance)[input.system];
    allowanceBasis = `${n} 个月 × ${allowanceMonthly} 元 (标准 ${params.allowance.ref.version})`;
  }

  const bonusRule = use(params.yearEndBonus);
  if (input.yearEndBonusEligible !== undefined && typeof input.yearEndBonusEligible !== 'boolean') throw new DomainInputError('yearEndBonusEligible', '是否发放年终一次性奖金应为 true 或 false');
  const bonusEligible = input.yearEndBonusEligible ?? bonusRule.systems.includes(input.system);
  const december = monthlyBasicIn(salary, `${year}-12`);
  const bonus = n > 0 && bonusEligible ? december * bonusRule.months : 0;

  const quota = use(params.publicFunds)[input.unitNature];
  const costs: Record<SubsidyComponent, { cost: number; basis: string }> = {
    basic: { cost: round(basic), basis: basicBasis },
    allowance: { cost: round(n * allowanceMonthly), basis: allowanceBasis },
    bonus: { cost: round(bonus), basis: bonusEligible ? `12 月基本工资 ${december} 元 × ${bonusRule.months}` : '不发放' },
    social: { cost: round(n * social), basis: `${n} 个月 × ${social} 元` },
    public: { cost: round((n / 12) * quota), basis: `${n}/12 × 定额 ${quota} 元/年` },
  };
  const coverage = use(params.coverage)[fundingForm];
  const components: SubsidyLine[] = SUBSIDY_COMPONENTS.map((code) => ({
    code,
    name: SUBSIDY_COMPONENT_NAMES[code],
    cost: costs[code].cost,
    coverage: coverage[code],
    amount: round(coverage[code] * costs[code].cost),
    basis: costs[code].basis,
  }));
  if (fundingForm === 'self') warnings.push('自收自支单位：财政不安排补贴');
  const listed = use(params.payrollList).fundingForms.includes(fundingForm);
  const parameters = [...refs.values()];
  return {
    mode,
    fundingForm,
    year,
    fromMonth,
    months: n,
    components,
    totalCost: round(components.reduce((t, c) => t + c.cost, 0)),
    total: round(components.reduce((t, c) => t + c.amount, 0)),
    payrollList: { listed, action: listed ? (mode === 'add' ? 'add' : 'remove') : null, month: listed ? fromMonth : null },
    parameters,
    lowestStatus: lowestStatusOf(parameters),
    warnings,
  };
}
