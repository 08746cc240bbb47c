// finance.calculate-subsidy — 财政核定补贴 (Z1 step 8, Z2, Z3) and 财政核减 (J1–J3), domain-spec.md §6.
// Header `mode`: add (default) | reduce. T1 moves the budget line with two tasks: add at unit B and reduce at unit A,
// both from `moveMonth` (the month of the move, the first month A no longer pays). In: `salary`, `insurance` (SIu = insurance.totals.unitCash; computed
// from `salary` when absent), `unitId` (经费形式, 机构性质), reduce: `stopMonth` or `retirement.pensionStartMonth`;
// optional `allowanceMonthly`, `yearEndBonusEligible`. A reduce without `salary` (J flows have no salary step)
// prices `currentSalary` (职级/级别/档次 or 岗位/薪级) with `bianzhiType`. Out: `subsidy` (components, total, 工资统发 flag).
import type { FundingForm, InsuranceResult } from '../domain/insurance';
import { DomainInputError, type BianzhiType, type UnitNature } from '../domain/quota';
import { addMonths, firstDayOf, monthOf, payOf, salarySystemOf, type PositionInput, type SalaryResult } from '../domain/salary';
import { SALARY_PARAMETER_KEYS, type SalaryParameters } from '../domain/parameters/salary';
import { financeSubsidy, type SubsidyMode, type SubsidyResult } from '../domain/subsidy';
import { SUBSIDY_PARAMETER_KEYS, type SubsidyParameters } from '../domain/parameters/subsidy';
import type { ParameterStore } from '../server/services/parameters';
import { calculateInsurance } from './insurance.calculate-base';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import { inputIncident, loadParameters, unitOf } from './salary.calculate';

export const jobType = 'finance.calculate-subsidy';

export interface SubsidyCalculationInput {
  mode?: SubsidyMode;
  salary?: Pick<SalaryResult, 'system' | 'items' | 'monthlyBasic' | 'afterProbation' | 'effectiveMonth'>;
  /** reduce without a `salary` result (J flows): the person's current position, priced at the first month counted */
  currentSalary?: PositionInput;
  bianzhiType?: BianzhiType;
  insurance?: Pick<InsuranceResult, 'totals'>;
  fundingForm: FundingForm;
  unitNature: UnitNature;
  stopMonth?: string;
  retirement?: { pensionStartMonth?: string };
  /** reduce (T1 budget move): the month the person moves away, the first month this unit no longer pays */
  moveMonth?: string;
  allowanceMonthly?: number;
  yearEndBonusEligible?: boolean;
}

export interface SubsidyJobVariables extends Omit<SubsidyCalculationInput, 'mode' | 'fundingForm' | 'unitNature'> {
  unitId: string;
}

/** The calculation behind the worker and POST /api/calc/subsidy. Parameters are those in force on the first month counted. */
export async function calculateSubsidy(store: Pick<ParameterStore, 'get'>, input: SubsidyCalculationInput): Promise<SubsidyResult & { insuranceComputed: boolean }> {
  const mode = input.mode ?? 'add';
  const given = input.salary;
  const fromPosition = mode === 'reduce' && (given === null || given === undefined) && input.currentSalary !== undefined;
  if (!fromPosition && (given === null || typeof given !== 'object')) throw new DomainInputError('salary', '缺少核定工资结果 (salary)；减员可改为提供现工资档次 (currentSalary)');
  const movedIn = input.moveMonth !== undefined && input.moveMonth !== null ? monthOf(input.moveMonth, 'moveMonth', '调动月份') : undefined;
  const pensionStartMonth = movedIn ?? input.retirement?.pensionStartMonth;
  let first: string;
  let dateField: string;
  if (mode === 'reduce') {
    if (input.stopMonth !== undefined) [first, dateField] = [addMonths(monthOf(input.stopMonth, 'stopMonth', '停薪月份'), 1), 'stopMonth'];
    else if (pensionStartMonth !== undefined) [first, dateField] = [monthOf(pensionStartMonth, 'retirement.pensionStartMonth', '养老金起发月份'), movedIn !== undefined ? 'moveMonth' : 'retirement.pensionStartMonth'];
    else throw new DomainInputError('stopMonth', '核减须提供停薪月份 (stopMonth) 或养老金起发月份 (retirement.pensionStartMonth)');
  } else {
    [first, dateField] = [monthOf(given!.effectiveMonth, 'salary.effectiveMonth', '起薪月份'), 'salary.effectiveMonth'];
  }
  let salary = given!;
  if (fromPosition) {
    const system = salarySystemOf(input.bianzhiType as BianzhiType, input.unitNature);
    const params = (await loadParameters(store, SALARY_PARAMETER_KEYS, firstDayOf(first), dateField)) as SalaryParameters;
    const pay = payOf(system, input.currentSalary as PositionInput, params, 'currentSalary');
    salary = { system, items: pay.items, monthlyBasic: pay.monthlyBasic, afterProbation: null, effectiveMonth: first };
  }
  let insurance = input.insurance;
  const insuranceComputed = insurance === undefined || insurance === null;
  if (insuranceComputed) insurance = await calculateInsurance(store, { salary, fundingForm: input.fundingForm, effectiveMonth: first });
  if (typeof insurance !== 'object' || insurance === null || typeof insurance.totals !== 'object' || insurance.totals === null) {
    throw new DomainInputError('insurance.totals', '保险基数结果缺少 totals');
  }
  const params = (await loadParameters(store, SUBSIDY_PARAMETER_KEYS, firstDayOf(first), dateField)) as SubsidyParameters;
  const result = financeSubsidy(
    {
      mode,
      system: salary.system,
      fundingForm: input.fundingForm,
      unitNature: input.unitNature,
      salary,
      unitSocialMonthly: insurance.totals.unitCash,
      stopMonth: mode === 'reduce' ? input.stopMonth : undefined,
      pensionStartMonth: mode === 'reduce' ? pensionStartMonth : undefined,
      allowanceMonthly: input.allowanceMonthly,
      yearEndBonusEligible: input.yearEndBonusEligible,
    },
    params,
  );
  if (insuranceComputed) result.warnings.push('未提供保险基数结果：单位缴费按核定工资另行计算');
  return { ...result, insuranceComputed };
}

export const createHandler = (deps: Pick<WorkerDeps, 'db' | 'parameters'>): JobHandler<SubsidyJobVariables> =>
  async ({ variables, customHeaders, log }) => {
    try {
      const mode = customHeaders.mode ?? 'add';
      if (mode !== 'add' && mode !== 'reduce') return fail({ message: `任务头 mode "${mode}" 无效，应为 add 或 reduce (流程图配置)`, retries: 0 });
      const vars = variables ?? ({} as SubsidyJobVariables);
      const unit = await unitOf(deps.db, vars.unitId);
      const subsidy = await calculateSubsidy(deps.parameters, { ...vars, mode, fundingForm: unit.fundingForm, unitNature: unit.nature });
      log.info({ mode, fundingForm: unit.fundingForm, year: subsidy.year, months: subsidy.months, lowestStatus: subsidy.lowestStatus }, 'finance subsidy calculated');
      return complete({ subsidy });
    } catch (error) {
      return inputIncident(error);
    }
  };

export const worker: WorkerDefinition = { jobType, createHandler };
