// insurance.calculate-base — 核定保险基数 (Z1 step 7, Z2, Z3): the contribution base and the monthly
// contributions, domain-spec.md §4. In: `salary` (salary.calculate), `unitId` (经费形式 from the unit: 职业年金
// 记账 for 全额 units, §4.3), optional `allowances` (the 起薪 month's) and `previousYearWages`. Out: `insurance`.
import { checkFundingForm, insuranceBase, type FundingForm, type InsuranceResult, type WageItemInput } from '../domain/insurance';
import { DomainInputError } from '../domain/quota';
import { firstDayOf, monthOf, type SalaryResult, type SalarySystem } from '../domain/salary';
import { INSURANCE_PARAMETER_KEYS, type InsuranceParameters } from '../domain/parameters/insurance';
import type { ParameterStore } from '../server/services/parameters';
import { complete, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import { inputIncident, loadParameters, unitOf } from './salary.calculate';

export const jobType = 'insurance.calculate-base';

export interface InsuranceCalculationInput {
  salary: Pick<SalaryResult, 'system' | 'items' | 'effectiveMonth'>;
  fundingForm: FundingForm;
  allowances?: WageItemInput[];
  previousYearWages?: { items: WageItemInput[]; monthsPaid: number };
  /** the month the base applies from (default: salary.effectiveMonth) */
  effectiveMonth?: string;
}

export interface InsuranceJobVariables extends Omit<InsuranceCalculationInput, 'fundingForm'> {
  unitId: string;
}

/** The calculation behind the worker and POST /api/calc/insurance-base. */
export async function calculateInsurance(store: Pick<ParameterStore, 'get'>, input: InsuranceCalculationInput): Promise<InsuranceResult> {
  const salary = input.salary;
  if (salary === null || typeof salary !== 'object') throw new DomainInputError('salary', '缺少核定工资结果 (salary)');
  const system: SalarySystem = salary.system;
  if (system !== 'civil-servant' && system !== 'institution') throw new DomainInputError('salary.system', `工资制度 "${String(system)}" 无效`);
  const fundingForm = checkFundingForm(input.fundingForm);
  const month = input.effectiveMonth !== undefined ? monthOf(input.effectiveMonth, 'effectiveMonth', '执行月份') : monthOf(salary.effectiveMonth, 'salary.effectiveMonth', '起薪月份');
  const params = (await loadParameters(store, INSURANCE_PARAMETER_KEYS, firstDayOf(month), input.effectiveMonth !== undefined ? 'effectiveMonth' : 'salary.effectiveMonth')) as InsuranceParameters;
  const result = insuranceBase({ system, fundingForm, salary, allowances: input.allowances, previousYear: input.previousYearWages }, params);
  return { ...result, effectiveMonth: month };
}

export const createHandler = (deps: Pick<WorkerDeps, 'db' | 'parameters'>): JobHandler<InsuranceJobVariables> =>
  async ({ variables, log }) => {
    try {
      const vars = variables ?? ({} as InsuranceJobVariables);
      const unit = await unitOf(deps.db, vars.unitId);
      const insurance = await calculateInsurance(deps.parameters, { ...vars, fundingForm: unit.fundingForm });
      log.info({ fundingForm: unit.fundingForm, clamped: insurance.clamped, lowestStatus: insurance.lowestStatus }, 'insurance base calculated');
      return complete({ insurance });
    } catch (error) {
      return inputIncident(error);
    }
  };

export const worker: WorkerDefinition = { jobType, createHandler };
