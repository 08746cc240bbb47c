// Pay calculators for staff previews: POST /api/calc/salary, /api/calc/insurance-base, /api/calc/subsidy.
// The same functions as the workers salary.calculate, insurance.calculate-base and finance.calculate-subsidy
// (calculateSalary, calculateInsurance, calculateSubsidy) with the parameters in force on the effective day, so
// a preview and a case agree. The unit's 机构性质 / 经费形式 are given in the body (the workers read them from
// the unit). Invalid input: 400 VALIDATION_FAILED naming the field (schema first, then DomainInputError).
import { Router } from 'express';
import { FUNDING_FORMS } from '../../domain/insurance';
import { EDUCATION_GROUPS, INSTITUTION_TRACKS } from '../../domain/parameters/salary';
import { BIANZHI_TYPES, UNIT_NATURES } from '../../domain/quota';
import { SALARY_MODES } from '../../domain/salary';
import { calculateSubsidy, type SubsidyCalculationInput } from '../../workers/finance.calculate-subsidy';
import { calculateInsurance, type InsuranceCalculationInput } from '../../workers/insurance.calculate-base';
import { calculateSalary, type SalaryCalculationInput } from '../../workers/salary.calculate';
import { requirePermission } from '../core/auth';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { ParameterStore } from '../services/parameters';
import { withDomainErrors } from './calc-errors';

const month = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' } as const;
const date = { type: 'string', format: 'date' } as const;
const text = { type: 'string', minLength: 1, maxLength: 100 } as const;
const money = { type: 'number', minimum: 0, maximum: 10_000_000 } as const;

const positionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    post: { ...text, description: '公务员：职级 (一级科员 …) 或领导职务 (乡科级正职 …)' },
    level: { type: 'integer', minimum: 1, maximum: 27, description: '级别' },
    grade: { type: 'integer', minimum: 1, maximum: 14, description: '档次' },
    track: { type: 'string', enum: [...INSTITUTION_TRACKS], description: '事业：岗位类别 professional 专技 · management 管理 · worker 工勤' },
    postLevel: { type: 'string', pattern: '^([1-9]|1[0-3]|ordinary)$', description: '事业：岗位等级 "1"…"13"，工勤普通工 "ordinary"' },
    scale: { type: 'integer', minimum: 1, maximum: 65, description: '事业：薪级' },
  },
} as const;

const wageItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'amount'],
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 40, description: '工资项目代码，如 performance、allowance.national、bonus.year-end' },
    name: text,
    amount: money,
  },
} as const;

const salaryRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'bianzhiType'],
  properties: {
    mode: { type: 'string', enum: [...SALARY_MODES], description: 'new-hire 新录用 · continuation 调入(工资介绍信) · promotion 晋升 · progression 正常晋档/晋级/晋薪级 · regrade 工资接续或身份套改（T1/T3：currentSalary 按原轨道，regradeTarget 为新岗位）' },
    bianzhiType: { type: 'string', enum: [...BIANZHI_TYPES] },
    unitNature: { type: 'string', enum: [...UNIT_NATURES], description: '机构性质；参公单位 (institution_cs) 的事业编制按公务员工资制度' },
    person: {
      type: 'object',
      additionalProperties: false,
      properties: {
        education: { type: 'string', pattern: '^\\d{2}$', description: 'GB/T 4658 学历代码，如 21 大学本科毕业' },
        degree: { type: 'string', maxLength: 20, description: '学位：博士 | 硕士 | 学士 | 无' },
        post: { ...text, description: '现职务职级 (promotion/progression 缺省的 current.post)' },
      },
    },
    educationGroup: { type: 'string', enum: [...EDUCATION_GROUPS], description: '覆盖由学历代码推出的类别 (双学士没有代码)' },
    probation: { type: 'boolean', description: '新录用：是否有试用期/见习期 (默认 是)' },
    reportDate: { ...date, description: '报到日期：新录用的起薪月份' },
    effectiveMonth: { ...month, description: '起薪/执行月份 (代替 reportDate)' },
    salaryLetter: {
      type: 'object',
      additionalProperties: false,
      required: ['paidThrough'],
      properties: {
        ...positionSchema.properties,
        paidThrough: { ...month, description: '工资已发至 YYYY-MM；起薪为次月' },
        insurancePaidThrough: month,
        items: { type: 'array', maxItems: 30, items: { type: 'object', additionalProperties: false, required: ['name', 'amount'], properties: { name: text, amount: money } } },
      },
    },
    promotion: {
      type: 'object',
      additionalProperties: false,
      required: ['current', 'target'],
      properties: { current: positionSchema, target: positionSchema, effectiveMonth: { ...month, description: '任职文件月份 (执行时间)' } },
    },
    progression: {
      type: 'object',
      additionalProperties: false,
      required: ['current', 'kind', 'qualifiedYears', 'assessedYear'],
      properties: {
        current: positionSchema,
        kind: { type: 'string', enum: ['grade', 'level', 'scale'] },
        qualifiedYears: { type: 'integer', minimum: 0, maximum: 50 },
        assessedYear: { type: 'integer', minimum: 1990, maximum: 2200 },
      },
    },
  },
} as const;

/** A salary result as /calc/salary returns it (the fields the other calculators read). */
const salaryInputSchema = {
  type: 'object',
  required: ['system', 'items', 'monthlyBasic', 'effectiveMonth'],
  properties: {
    system: { type: 'string', enum: ['civil-servant', 'institution'] },
    items: { type: 'array', maxItems: 30, items: { type: 'object', required: ['code', 'amount'], properties: { code: { type: 'string' }, name: { type: 'string' }, amount: money } } },
    monthlyBasic: money,
    effectiveMonth: month,
    afterProbation: { description: '新录用：转正定级后的工资 (null 或 { effectiveMonth, monthlyBasic, … })' },
  },
} as const;

const insuranceRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['salary', 'fundingForm'],
  properties: {
    salary: { ...salaryInputSchema, description: 'POST /api/calc/salary 的结果 (data)' },
    fundingForm: { type: 'string', enum: [...FUNDING_FORMS], description: '经费形式：full 全额拨款 · partial 差额拨款 · self 自收自支' },
    allowances: { type: 'array', maxItems: 30, items: wageItemSchema, description: '起薪当月的津贴补贴/绩效 (月额)' },
    previousYearWages: {
      type: 'object',
      additionalProperties: false,
      required: ['items', 'monthsPaid'],
      properties: { items: { type: 'array', maxItems: 50, items: wageItemSchema }, monthsPaid: { type: 'integer', minimum: 1, maximum: 12 } },
      description: '上年工资 (各项目全年合计) 与发薪月数：年度重新核定',
    },
    effectiveMonth: { ...month, description: '基数执行月份 (默认 salary.effectiveMonth)' },
  },
} as const;

const subsidyRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['salary', 'fundingForm', 'unitNature'],
  properties: {
    mode: { type: 'string', enum: ['add', 'reduce'], description: 'add 财政核定补贴 (默认) · reduce 财政核减' },
    salary: { ...salaryInputSchema, description: 'POST /api/calc/salary 的结果 (data)' },
    insurance: {
      type: 'object',
      required: ['totals'],
      properties: { totals: { type: 'object', required: ['unitCash'], properties: { unitCash: money } } },
      description: 'POST /api/calc/insurance-base 的结果；不提供则按 salary 计算',
    },
    fundingForm: { type: 'string', enum: [...FUNDING_FORMS] },
    unitNature: { type: 'string', enum: [...UNIT_NATURES], description: '机构性质 (公用经费定额的单位类别)' },
    stopMonth: { ...month, description: 'reduce：停薪月份 (最后发薪月)' },
    retirement: { type: 'object', additionalProperties: false, properties: { pensionStartMonth: month }, description: 'reduce：退休的养老金起发月份' },
    allowanceMonthly: { ...money, description: '月津贴补贴/绩效 (覆盖标准 T)' },
    yearEndBonusEligible: { type: 'boolean', description: '是否发放年终一次性奖金 (覆盖缺省)' },
  },
} as const;

const parseSalary = validator<SalaryCalculationInput>(salaryRequestSchema);
const parseInsurance = validator<InsuranceCalculationInput>(insuranceRequestSchema);
const parseSubsidy = validator<SubsidyCalculationInput>(subsidyRequestSchema);

/** The three pay calculators (guarded by calc.use). */
export function calcRoutes(deps: { parameters: ParameterStore }): Router {
  const router = Router();
  router.post('/calc/salary', requirePermission('calc.use'), async (req, res) => {
    const body = parseSalary(req.body);
    res.json({ data: await withDomainErrors(() => calculateSalary(deps.parameters, body)) });
  });
  router.post('/calc/insurance-base', requirePermission('calc.use'), async (req, res) => {
    const body = parseInsurance(req.body);
    res.json({ data: await withDomainErrors(() => calculateInsurance(deps.parameters, body)) });
  });
  router.post('/calc/subsidy', requirePermission('calc.use'), async (req, res) => {
    const body = parseSubsidy(req.body);
    res.json({ data: await withDomainErrors(() => calculateSubsidy(deps.parameters, body)) });
  });
  return router;
}

// ---------------------------------------------------------------------------------------------------
// OpenAPI

const parameterRef = {
  type: 'object',
  required: ['key', 'version', 'validFrom', 'status'],
  properties: {
    key: { type: 'string' },
    version: { type: 'string', description: '版本标签：文号，或 placeholder (占位数值)' },
    revision: { type: 'integer', description: '参数表中的版本号' },
    validFrom: { type: 'string', format: 'date' },
    status: { type: 'string', enum: ['A', 'B', 'C'], description: '可信度：A 官方来源 · B 第三方转录 · C 未核实或占位' },
    source: { type: 'string' },
    note: { type: 'string', description: '如：所用级别行为插值 (C)' },
  },
};
const payItem = { type: 'object', required: ['code', 'name', 'amount'], properties: { code: { type: 'string' }, name: { type: 'string' }, amount: { type: 'number' } } };
const pay = {
  type: 'object',
  required: ['position', 'items', 'monthlyBasic'],
  properties: { position: { type: 'object' }, items: { type: 'array', items: payItem }, monthlyBasic: { type: 'number' } },
};
const provenance = {
  parameters: { type: 'array', items: { $ref: '#/components/schemas/CalcParameterRef' }, description: '所用参数版本及可信度' },
  lowestStatus: { type: 'string', enum: ['A', 'B', 'C'], description: '所用参数中最弱的可信度 (C：结果依赖占位或未核实数值)' },
  warnings: { type: 'array', items: { type: 'string' } },
};

registerTag('calc', '计算器：退休、工资、保险基数、补贴、养老金（预览，与流程中的计算相同）');
registerSchemas({
  CalcParameterRef: parameterRef,
  CalcSalaryRequest: salaryRequestSchema as unknown as Record<string, unknown>,
  CalcInsuranceRequest: insuranceRequestSchema as unknown as Record<string, unknown>,
  CalcSubsidyRequest: subsidyRequestSchema as unknown as Record<string, unknown>,
  SalaryResult: {
    type: 'object',
    required: ['mode', 'system', 'effectiveMonth', 'items', 'monthlyBasic', 'parameters', 'lowestStatus'],
    properties: {
      mode: { type: 'string', enum: [...SALARY_MODES] },
      system: { type: 'string', enum: ['civil-servant', 'institution'] },
      effectiveMonth: { type: 'string', description: '起薪/执行月份 YYYY-MM' },
      position: { type: ['object', 'null'], description: '职级+级别+档次 或 岗位+薪级；试用/见习期间为 null' },
      items: { type: 'array', items: payItem },
      monthlyBasic: { type: 'number', description: '起薪月的月基本工资' },
      probation: {
        type: ['object', 'null'],
        properties: { kind: { type: 'string', enum: ['probation', 'trainee'] }, name: { type: 'string' }, educationGroup: { type: 'string' }, months: { type: 'integer' }, monthlyPay: { type: 'number' }, fromMonth: { type: 'string' }, toMonth: { type: 'string' }, regradingMonth: { type: 'string' } },
      },
      afterProbation: { anyOf: [{ type: 'null' }, { ...pay, properties: { ...pay.properties, effectiveMonth: { type: 'string' } } }], description: '转正定级后的工资' },
      before: { anyOf: [{ type: 'null' }, pay], description: '晋升/晋档前的工资' },
      increase: { type: ['number', 'null'], description: '增资额' },
      ...provenance,
    },
  },
  InsuranceResult: {
    type: 'object',
    required: ['base', 'contributions', 'totals', 'parameters', 'lowestStatus'],
    properties: {
      system: { type: 'string' },
      fundingForm: { type: 'string', enum: [...FUNDING_FORMS] },
      effectiveMonth: { type: ['string', 'null'] },
      wageBasis: { type: 'string', enum: ['starting-month', 'previous-year'] },
      wageItems: { type: 'array', items: { ...payItem, properties: { ...payItem.properties, counted: { type: 'boolean' } } } },
      eligibleWage: { type: 'number', description: 'W' },
      averageWage: { type: 'number', description: 'C 社平工资' },
      lowerBound: { type: 'number' },
      upperBound: { type: 'number' },
      base: { type: 'number', description: '缴费基数 = min(max(W, 60%·C), 300%·C)' },
      clamped: { type: ['string', 'null'], enum: ['lower', 'upper', null] },
      contributions: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            code: { type: 'string' }, name: { type: 'string' }, base: { type: 'number' },
            unitRate: { type: 'number' }, unitAmount: { type: 'number' }, individualRate: { type: 'number' }, individualAmount: { type: 'number' },
            unitAccounting: { type: 'string', enum: ['funded', 'notional'], description: 'notional：记账 (全额单位的职业年金单位部分)' },
          },
        },
      },
      totals: { type: 'object', properties: { unit: { type: 'number' }, unitCash: { type: 'number', description: 'SIu：单位实缴 (不含记账)' }, unitNotional: { type: 'number' }, individual: { type: 'number' } } },
      annuity: { type: 'object', properties: { unitAccounting: { type: 'string' }, individualAccounting: { type: 'string' } } },
      ...provenance,
    },
  },
  SubsidyResult: {
    type: 'object',
    required: ['mode', 'year', 'fromMonth', 'months', 'components', 'total', 'payrollList', 'parameters', 'lowestStatus'],
    properties: {
      mode: { type: 'string', enum: ['add', 'reduce'] },
      fundingForm: { type: 'string', enum: [...FUNDING_FORMS] },
      year: { type: 'integer' },
      fromMonth: { type: 'string' },
      months: { type: 'integer', description: 'n = 13 − s' },
      components: {
        type: 'array',
        items: { type: 'object', properties: { code: { type: 'string', enum: ['basic', 'allowance', 'bonus', 'social', 'public'] }, name: { type: 'string' }, cost: { type: 'number' }, coverage: { type: 'number' }, amount: { type: 'number' }, basis: { type: 'string' } } },
      },
      totalCost: { type: 'number' },
      total: { type: 'number', description: '财政核定补贴 (add) 或 财政核减 (reduce)，元' },
      payrollList: { type: 'object', properties: { listed: { type: 'boolean' }, action: { type: ['string', 'null'] }, month: { type: ['string', 'null'] } }, description: '工资统发：全额、差额单位' },
      insuranceComputed: { type: 'boolean' },
      ...provenance,
    },
  },
});

const calcOperation = (summary: string, request: string, result: string) => ({
  post: {
    tags: ['calc'],
    summary,
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${request}` } } } },
    responses: {
      200: dataResponse('计算结果 (含所用参数版本与可信度)', { $ref: `#/components/schemas/${result}` }),
      400: { $ref: '#/components/responses/ValidationFailed' },
      401: { $ref: '#/components/responses/Unauthenticated' },
      403: { $ref: '#/components/responses/Forbidden' },
    },
  },
});

registerPaths({
  '/api/calc/salary': calcOperation('核定工资：新录用 (试用/见习 + 转正定级)、调入 (工资介绍信)、晋升、正常晋升 (domain-spec §3)', 'CalcSalaryRequest', 'SalaryResult'),
  '/api/calc/insurance-base': calcOperation('核定保险基数与月缴费 (§4)：基数 = min(max(W, 60%·C), 300%·C)；全额单位职业年金单位部分记账', 'CalcInsuranceRequest', 'InsuranceResult'),
  '/api/calc/subsidy': calcOperation('财政核定补贴 / 核减 (§6)：自起薪月 n = 13 − s 个月，按经费形式分项覆盖；工资统发标记', 'CalcSubsidyRequest', 'SubsidyResult'),
});
