// Calculators for staff previews: POST /api/calc/retirement and POST /api/calc/pension. The same
// functions as the J1 workers retirement.check and pension.calculate (assessRetirement, calculatePension)
// with the parameters in force, so a preview and a case agree. Invalid input: 400 VALIDATION_FAILED with
// the field at fault (schema first, then the domain's DomainInputError).
import { Router } from 'express';
import { isoDate } from '../../domain/id-number';
import { RETIREMENT_CATEGORIES, type RetirementCategory } from '../../domain/parameters/retirement';
import { BIANZHI_TYPES } from '../../domain/quota';
import type { AgeYm } from '../../domain/retirement';
import { calculatePension, loadPensionParameters, type PensionCalculationInput } from '../../workers/pension.calculate';
import { ageAt, assessRetirement, chooseRetirementCategory, loadRetirementRules, RETIREMENT_TYPES, type RetirementType } from '../../workers/retirement.check';
import type { PensionResult, RetirementResult } from '../../workers/variables';
import { requirePermission } from '../core/auth';
import { systemClock, type Clock } from '../core/clock';
import { validationFailed } from '../core/errors';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { ParameterStore } from '../services/parameters';
import { withDomainErrors } from './calc-errors';

export interface RetirementCalcInput {
  birthDate: string;
  gender: 'male' | 'female';
  category?: RetirementCategory;
  post?: string;
  bianzhiType?: string;
  titleLevel?: string;
  leadershipLevel?: string;
  retirementType?: RetirementType;
  requestedDate?: string;
  contributionMonths?: number;
  /** the day whose rules apply (default today) */
  on?: string;
}

/** pension.calculate's input, with the retirement age given or computed from the birth date. */
export type PensionCalcInput = Omit<PensionCalculationInput, 'retirementAge'> & { retirementAge?: AgeYm; birthDate?: string };

const date = { type: 'string', format: 'date' } as const;
const text = { type: 'string', minLength: 1, maxLength: 100 } as const;

const retirementRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['birthDate', 'gender'],
  properties: {
    birthDate: { ...date, description: '档案认定出生日期' },
    gender: { type: 'string', enum: ['male', 'female'] },
    category: { type: 'string', enum: [...RETIREMENT_CATEGORIES], description: '退休类别；不填则按职务岗位、编制类型、职称选择 (§5.1 [C])' },
    post: { ...text, description: '职务职级或岗位，如 一级主任科员、专业技术八级、工勤技能四级' },
    bianzhiType: { type: 'string', enum: [...BIANZHI_TYPES] },
    titleLevel: { ...text, description: '职称级别：正高、副高 …' },
    leadershipLevel: { ...text, description: '领导职务层次：县处级 …' },
    retirementType: { type: 'string', enum: [...RETIREMENT_TYPES], description: '默认 法定' },
    requestedDate: { ...date, description: '申请退休日期（弹性提前、弹性延迟必填）' },
    contributionMonths: { type: 'integer', minimum: 0, maximum: 720, description: '累计缴费月数（含视同），弹性提前退休核对最低缴费年限' },
    on: { ...date, description: '按哪一天有效的参数计算（默认今天）' },
  },
} as const;

const ageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['years', 'months'],
  properties: { years: { type: 'integer', minimum: 16, maximum: 100 }, months: { type: 'integer', minimum: 0, maximum: 11 } },
} as const;

const pensionRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workStartDate', 'retirementDate', 'contributionMonths', 'personalAccountBalance'],
  properties: {
    workStartDate: { ...date, description: '参加工作时间' },
    retirementDate: { ...date, description: '退休日期；按该日有效的养老金参数计算' },
    retirementAge: { ...ageSchema, description: '退休年龄（周岁及月数）；不填则由 birthDate 计算' },
    birthDate: { ...date, description: '出生日期（未给 retirementAge 时用）' },
    contributionMonths: { type: 'integer', minimum: 0, maximum: 720, description: '累计缴费月数，含视同缴费' },
    personalAccountBalance: { type: 'number', minimum: 0, description: '个人账户储存额（元）' },
    averageContributionIndex: { type: 'number', exclusiveMinimum: 0, maximum: 3, description: '本人平均缴费指数 Ī；不填则由 contributionYears 计算' },
    contributionYears: {
      type: 'array',
      maxItems: 60,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['base', 'previousYearAverageWage', 'months'],
        properties: {
          base: { type: 'number', minimum: 0, description: '该年月缴费基数' },
          previousYearAverageWage: { type: 'number', exclusiveMinimum: 0, description: '上年度在岗职工月平均工资' },
          months: { type: 'integer', minimum: 0, maximum: 12 },
        },
      },
    },
    deemed: {
      type: 'object',
      additionalProperties: false,
      required: ['index', 'months'],
      description: '中人的视同缴费指数与视同缴费月数',
      properties: { index: { type: 'number', exclusiveMinimum: 0, maximum: 3 }, months: { type: 'integer', minimum: 0, maximum: 720 } },
    },
    minimumContributionYears: { type: 'number', minimum: 0, maximum: 40, description: '最低缴费年限（retirement 计算器的结果）；给出时核对是否可按月领取' },
  },
} as const;

const parseRetirement = validator<RetirementCalcInput>(retirementRequestSchema);
const parsePension = validator<PensionCalcInput>(pensionRequestSchema);

/** The two calculators, on the parameters in force. */
export function createRetirementCalculators(deps: { parameters: ParameterStore; clock?: Clock }) {
  const clock = deps.clock ?? systemClock;
  return {
    async retirement(input: RetirementCalcInput): Promise<RetirementResult> {
      const today = input.on ?? isoDate(clock());
      const { rules, tag } = await loadRetirementRules(deps.parameters, today);
      const chosen = input.category
        ? { category: input.category, basis: '请求中指定的退休类别' }
        : chooseRetirementCategory({ gender: input.gender, post: input.post, bianzhiType: input.bianzhiType, titleLevel: input.titleLevel, leadershipLevel: input.leadershipLevel });
      return withDomainErrors(() =>
        assessRetirement(
          {
            birthDate: input.birthDate,
            gender: input.gender,
            category: chosen.category,
            categoryBasis: chosen.basis,
            retirementType: input.retirementType ?? '法定',
            ...(input.requestedDate === undefined ? {} : { requestedDate: input.requestedDate }),
            ...(input.contributionMonths === undefined ? {} : { contributionMonths: input.contributionMonths }),
            today,
          },
          rules,
          tag,
        ),
      );
    },
    async pension(input: PensionCalcInput): Promise<PensionResult> {
      let retirementAge = input.retirementAge;
      if (retirementAge === undefined) {
        if (input.birthDate === undefined) throw validationFailed([{ field: '/retirementAge', message: '须提供退休年龄 retirementAge 或出生日期 birthDate' }]);
        if (input.birthDate > input.retirementDate) throw validationFailed([{ field: '/birthDate', message: '出生日期晚于退休日期' }]);
        retirementAge = ageAt(input.birthDate, input.retirementDate);
      }
      const { parameters, tags } = await loadPensionParameters(deps.parameters, input.retirementDate);
      const calculation: PensionCalculationInput = {
        workStartDate: input.workStartDate,
        retirementDate: input.retirementDate,
        retirementAge,
        contributionMonths: input.contributionMonths,
        personalAccountBalance: input.personalAccountBalance,
        ...(input.averageContributionIndex === undefined ? {} : { averageContributionIndex: input.averageContributionIndex }),
        ...(input.contributionYears === undefined ? {} : { contributionYears: input.contributionYears }),
        ...(input.deemed === undefined ? {} : { deemed: input.deemed }),
        ...(input.minimumContributionYears === undefined ? {} : { minimumContributionYears: input.minimumContributionYears }),
      };
      return withDomainErrors(() => calculatePension(calculation, parameters, tags), { years: 'contributionYears' });
    },
  };
}

/** POST /calc/retirement and /calc/pension (mounted under /api). */
export function calcRetirementRoutes(deps: { parameters: ParameterStore; clock?: Clock }): Router {
  const calculators = createRetirementCalculators(deps);
  const router = Router();
  router.post('/calc/retirement', requirePermission('calc.use'), async (req, res) => {
    res.json({ data: await calculators.retirement(parseRetirement(req.body)) });
  });
  router.post('/calc/pension', requirePermission('calc.use'), async (req, res) => {
    res.json({ data: await calculators.pension(parsePension(req.body)) });
  });
  return router;
}

const ageYm = { type: 'object', required: ['years', 'months'], properties: { years: { type: 'integer' }, months: { type: 'integer' } } };
const windowPoint = { type: ['object', 'null'], required: ['date', 'month', 'age'], properties: { date: date, month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' }, age: ageYm } };
const parameterTagSchema = {
  type: 'object',
  required: ['key', 'version', 'status', 'validFrom'],
  properties: {
    key: { type: 'string' },
    version: { type: 'integer' },
    docNo: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['A', 'B', 'C'], description: '置信度：A 官方来源，B 第三方转录，C 建议默认值或占位值' },
    validFrom: date,
    source: { type: ['string', 'null'] },
  },
};

registerSchemas({
  RetirementCalcRequest: retirementRequestSchema as unknown as Record<string, unknown>,
  PensionCalcRequest: pensionRequestSchema as unknown as Record<string, unknown>,
  ParameterTag: parameterTagSchema,
  RetirementResult: {
    type: 'object',
    description: '退休核定（与 J1 retirement.check 的输出 retirement 相同）',
    required: ['retirementType', 'category', 'birthDate', 'statutoryDate', 'retireMonth', 'retirementDate', 'pensionStartMonth', 'minimumContributionYears', 'warnings', 'parameterVersion', 'allowed'],
    properties: {
      retirementType: { type: 'string', enum: [...RETIREMENT_TYPES] },
      category: { type: 'string', enum: [...RETIREMENT_CATEGORIES] },
      categoryBasis: { type: 'string' },
      birthDate: date,
      statutoryAge: ageYm,
      statutoryDate: { ...date, description: '达到法定退休年龄之日' },
      statutoryMonth: { type: 'string' },
      retirementDate: { ...date, description: '退休日期（申请日期或法定日期）' },
      retireMonth: { type: 'string', description: 'yyyy-mm' },
      retirementAge: ageYm,
      earliest: { ...windowPoint, description: '弹性提前的最早日期（2025 年前已达原退休年龄者为 null）' },
      latest: { ...windowPoint, description: '弹性延迟的最晚日期' },
      pensionStartMonth: { type: 'string', description: '养老金起发（在职工资停发）月份' },
      minimumContributionYears: { type: 'number' },
      rule: { type: 'string', enum: ['pre-2025', '2025-law'] },
      source: { type: 'string' },
      warnings: { type: 'array', items: { type: 'string' } },
      parameterVersion: { $ref: '#/components/schemas/ParameterTag' },
      allowed: { type: 'boolean', description: 'false：申请不在允许范围内（见 reason）；流程中 retirement.check 抛出 RETIREMENT_NOT_ALLOWED' },
      reason: { type: 'string' },
    },
  },
  PensionResult: {
    type: 'object',
    description: '月基本养老金（与 J1 pension.calculate 的输出 pension 相同）；provisional 为 true 时含状态 C 的参数（如计发基数占位值），仅供预览',
    required: ['cohort', 'base', 'personalAccount', 'transitional', 'total', 'monthsOfPayment', 'averageContributionIndex', 'eligible', 'parameters', 'provisional', 'warnings'],
    properties: {
      cohort: { type: 'string', enum: ['middle', 'new'] },
      cohortName: { type: 'string' },
      base: { type: 'number', description: '基础养老金（元/月）' },
      personalAccount: { type: 'number', description: '个人账户养老金' },
      transitional: { type: 'number', description: '过渡性养老金（中人）' },
      total: { type: 'number' },
      monthsOfPayment: { type: 'number', description: '计发月数' },
      averageContributionIndex: { type: 'number' },
      contributionMonths: { type: 'integer' },
      deemedMonths: { type: 'integer' },
      eligible: { type: 'boolean' },
      parameters: { type: 'array', items: { $ref: '#/components/schemas/ParameterTag' } },
      provisional: { type: 'boolean' },
      warnings: { type: 'array', items: { type: 'string' } },
    },
  },
});

registerTag('calc', '计算器：退休、工资、保险基数、补贴、养老金（预览，与流程中的计算相同）');
registerPaths({
  '/api/calc/retirement': {
    post: {
      tags: ['calc'],
      summary: '法定退休年龄与日期、弹性退休区间、申请是否允许 (domain-spec §5.1)',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RetirementCalcRequest' } } } },
      responses: {
        200: dataResponse('退休核定', { $ref: '#/components/schemas/RetirementResult' }),
        400: { $ref: '#/components/responses/ValidationFailed' },
      },
    },
  },
  '/api/calc/pension': {
    post: {
      tags: ['calc'],
      summary: '月基本养老金：基础 + 个人账户 + 过渡性 (domain-spec §5.2–5.4)，按退休日有效的参数计算',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PensionCalcRequest' } } } },
      responses: {
        200: dataResponse('养老金核算', { $ref: '#/components/schemas/PensionResult' }),
        400: { $ref: '#/components/responses/ValidationFailed' },
      },
    },
  },
});
