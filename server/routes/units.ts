import { Router } from 'express';
import { BIANZHI_TYPES, type BianzhiType, isBianzhiType, UNIT_NATURES } from '../../domain/quota';
import { currentUser, requirePermission } from '../core/auth';
import { requireUuid, validationFailed } from '../core/errors';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import { type LeaderPostInput, type NewUnitInput, type PlanInput, type QuotaInput, type UnitChanges, type UnitService } from '../services/units';
import { pathParam, queryInt } from './query';

const DAY = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const CODE = '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$';
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' });
const nullableText = (max: number) => ({ ...text(max), nullable: true });

const unitFieldProperties = {
  name: text(200),
  level: nullableText(40),
  fundingForm: { type: 'string', enum: ['full', 'partial', 'self'], description: '经费形式：full 全额拨款 · partial 差额拨款 · self 自收自支' },
  parentUnitId: { type: 'string', format: 'uuid', nullable: true, description: '主管部门（上级单位）' },
  keyManaged: { type: 'boolean', description: '重点管理单位（用编许可一律报编办领导审批）' },
  keyManagedReason: nullableText(500),
  frozen: { type: 'boolean', description: '编制冻结（不得提交用编申请）' },
  frozenReason: nullableText(500),
  frozenDocNo: { ...nullableText(200), description: '冻结文号' },
  frozenUntil: { type: 'string', pattern: DAY, nullable: true, description: '冻结期限（含）' },
} as const;

const newUnitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'nature', 'fundingForm'],
  properties: {
    code: { type: 'string', pattern: CODE, description: '单位代码（唯一，用于候选组 unit:<code>）' },
    nature: { type: 'string', enum: [...UNIT_NATURES], description: '机构性质：organ 机关 · institution 事业单位 · institution_cs 参公事业单位（创建后不可改）' },
    ...unitFieldProperties,
  },
} as const;

const unitChangesSchema = { type: 'object', additionalProperties: false, properties: unitFieldProperties } as const;

const count = (max = 100_000) => ({ type: 'integer', minimum: 0, maximum: max });
const overstaffProperties = {
  allowOverstaff: { type: 'boolean', description: '确认核减到已占用数以下（须同时填写 reason）' },
  reason: text(500),
} as const;

const quotaSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['approved'],
  properties: {
    approved: { ...count(), description: '核定编制数 A' },
    overflowAllowance: { ...count(), description: '允许溢出数 F（省略则不变；新建为 0）' },
    approvedDocNo: { ...nullableText(200), description: '核定文号（三定 / 编委）；省略则不变' },
    ...overstaffProperties,
  },
} as const;

const leaderPostSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['level', 'kind', 'approved'],
  properties: {
    level: { ...text(40), description: '职级层次，如 乡科级' },
    kind: { type: 'string', enum: ['principal', 'deputy'], description: 'principal 正职 · deputy 副职' },
    approved: { ...count(1000), description: '核定职数' },
    ...overstaffProperties,
  },
} as const;

const planSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['planned'],
  properties: {
    planned: { ...count(), description: '年度用编计划数' },
    docNo: { ...nullableText(200), description: '计划文号；省略则不变' },
    reason: text(500),
  },
} as const;

const parseNewUnit = validator<NewUnitInput>(newUnitSchema);
const parseUnitChanges = validator<UnitChanges>(unitChangesSchema);
const parseQuota = validator<QuotaInput>(quotaSchema);
const parseLeaderPost = validator<LeaderPostInput>(leaderPostSchema);
const parsePlan = validator<PlanInput>(planSchema);

/** The counts the workflows maintain: named in a 400 of their own, so that nobody takes them for a typo. */
const WORKFLOW_COUNTS = {
  actual: '实有人数只随落编、出编、调动等流程变动，不能在此修改',
  reserved: '预占编制数只随用编许可、落编与预占到期变动，不能在此修改',
  used: '年度计划已使用数只随用编流程变动，不能在此修改',
} as const;

function refuseWorkflowCounts(body: unknown, fields: Partial<Record<keyof typeof WORKFLOW_COUNTS, string>>): void {
  if (body === null || typeof body !== 'object') return;
  const sent = Object.entries(fields).filter(([field]) => field in body);
  if (sent.length) {
    throw validationFailed(
      sent.map(([field, message]) => ({ field: `/${field}`, message: message! })),
      '实有、预占、计划已使用、领导职数实配由流程维护，管理员不能直接修改',
    );
  }
}

function bianzhiTypeParam(value: string): BianzhiType {
  if (!isBianzhiType(value)) throw validationFailed([{ field: '/bianzhiType', message: `编制类型应为以下值之一：${BIANZHI_TYPES.join('、')}` }]);
  return value;
}

function yearParam(value: string): number {
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 2000 || year > 2100) throw validationFailed([{ field: '/year', message: '年度应为 2000 到 2100 之间的整数' }]);
  return year;
}

const unitId = (value: string) => requireUuid(value, '单位');

/** Units and their establishment: read within the caller's scope; changed by administrators (audited). */
export function unitRoutes(units: UnitService): Router {
  const router = Router();
  router.get('/units', requirePermission('unit.read'), async (req, res) => {
    res.json({ data: await units.list(currentUser(req)) });
  });
  router.post('/units', requirePermission('unit.write'), async (req, res) => {
    res.status(201).json({ data: await units.create(parseNewUnit(req.body), currentUser(req)) });
  });
  router.get('/units/:id', requirePermission('unit.read'), async (req, res) => {
    res.json({ data: await units.get(unitId(pathParam(req, 'id')), currentUser(req)) });
  });
  router.patch('/units/:id', requirePermission('unit.write'), async (req, res) => {
    const id = unitId(pathParam(req, 'id'));
    const changes = parseUnitChanges(req.body);
    if (Object.keys(changes).length === 0) throw validationFailed([{ field: '/', message: '请至少提供一个要修改的字段' }]);
    res.json({ data: await units.update(id, changes, currentUser(req)) });
  });
  router.get('/units/:id/establishment', requirePermission('unit.read'), async (req, res) => {
    const id = unitId(pathParam(req, 'id'));
    const year = queryInt(req, 'year', { min: 2000, max: 2100 });
    res.json({ data: await units.establishment(id, currentUser(req), year) });
  });
  router.put('/units/:id/quotas/:bianzhiType', requirePermission('unit.write'), async (req, res) => {
    const id = unitId(pathParam(req, 'id'));
    const type = bianzhiTypeParam(pathParam(req, 'bianzhiType'));
    refuseWorkflowCounts(req.body, { actual: WORKFLOW_COUNTS.actual, reserved: WORKFLOW_COUNTS.reserved });
    res.json({ data: await units.setQuota(id, type, parseQuota(req.body), currentUser(req)) });
  });
  router.put('/units/:id/leader-posts', requirePermission('unit.write'), async (req, res) => {
    const id = unitId(pathParam(req, 'id'));
    refuseWorkflowCounts(req.body, { actual: '领导职数实配只随职务变动等流程变动，不能在此修改' });
    res.json({ data: await units.setLeaderPost(id, parseLeaderPost(req.body), currentUser(req)) });
  });
  router.put('/units/:id/plans/:year/:bianzhiType', requirePermission('unit.write'), async (req, res) => {
    const id = unitId(pathParam(req, 'id'));
    const year = yearParam(pathParam(req, 'year'));
    const type = bianzhiTypeParam(pathParam(req, 'bianzhiType'));
    refuseWorkflowCounts(req.body, { used: WORKFLOW_COUNTS.used });
    res.json({ data: await units.setPlan(id, year, type, parsePlan(req.body), currentUser(req)) });
  });
  return router;
}

// ---- OpenAPI ----------------------------------------------------------------------------------------

registerTag('units', '单位（机构）与编制：核定、实有、预占、可用、空编、超编，领导职数，年度用编计划（管理员修改均记入审计日志）');
const establishmentProperties = {
  approved: { type: 'integer', description: '核定 A' },
  actual: { type: 'integer', description: '实有 R（流程维护）' },
  reserved: { type: 'integer', description: '预占 P（流程维护）' },
  available: { type: 'integer', description: '可用 = A − R − P + F（可为负）' },
  vacant: { type: 'integer', description: '空编 = max(A − R, 0)' },
  over: { type: 'integer', description: '超编 = max(R − A, 0)' },
};
registerSchemas({
  Quota: {
    type: 'object',
    required: ['bianzhiType', 'approved', 'actual', 'reserved', 'available', 'vacant', 'over', 'overflowAllowance'],
    properties: { bianzhiType: { type: 'string', enum: [...BIANZHI_TYPES] }, ...establishmentProperties, overflowAllowance: { type: 'integer' }, approvedDocNo: { type: ['string', 'null'] } },
  },
  Unit: {
    type: 'object',
    required: ['id', 'code', 'name', 'nature', 'fundingForm', 'parent', 'keyManaged', 'frozen', 'quotas'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      code: { type: 'string' },
      name: { type: 'string' },
      nature: { type: 'string', enum: [...UNIT_NATURES] },
      level: { type: ['string', 'null'] },
      fundingForm: { type: 'string', enum: ['full', 'partial', 'self'] },
      parent: { type: ['object', 'null'], description: '主管部门', properties: { id: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' } } },
      keyManaged: { type: 'boolean' },
      keyManagedReason: { type: ['string', 'null'] },
      frozen: { type: 'boolean' },
      frozenReason: { type: ['string', 'null'] },
      frozenDocNo: { type: ['string', 'null'] },
      frozenUntil: { type: ['string', 'null'], format: 'date' },
      quotas: { type: 'array', items: { $ref: '#/components/schemas/Quota' } },
    },
  },
  LeaderPost: {
    type: 'object',
    required: ['level', 'kind', 'approved', 'actual', 'vacant', 'over'],
    properties: {
      level: { type: 'string' },
      kind: { type: 'string', enum: ['principal', 'deputy'] },
      approved: { type: 'integer', description: '核定职数' },
      actual: { type: 'integer', description: '实配（流程维护）' },
      vacant: { type: 'integer', description: '空缺' },
      over: { type: 'integer', description: '超配' },
    },
  },
  AnnualPlan: {
    type: 'object',
    required: ['year', 'bianzhiType', 'planned', 'used', 'remaining'],
    properties: { year: { type: 'integer' }, bianzhiType: { type: 'string' }, planned: { type: 'integer' }, used: { type: 'integer', description: '已使用（流程维护）' }, remaining: { type: 'integer' }, docNo: { type: ['string', 'null'] } },
  },
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const typeParam = { name: 'bianzhiType', in: 'path', required: true, schema: { type: 'string', enum: [...BIANZHI_TYPES] } };
const yearParamDoc = { name: 'year', in: 'path', required: true, schema: { type: 'integer', minimum: 2000, maximum: 2100 } };
const body = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });
const errors = {
  400: { $ref: '#/components/responses/ValidationFailed' },
  404: { $ref: '#/components/responses/NotFound' },
};
registerPaths({
  '/api/units': {
    get: { tags: ['units'], summary: '单位列表（含主管部门、重点管理与冻结标志、各编制类型数字）；单位用户只见本单位（及所属单位）', responses: { 200: dataResponse('单位', { type: 'array', items: ref('Unit') }) } },
    post: {
      tags: ['units'],
      summary: '新建单位（记入审计日志 admin.unit.created）',
      requestBody: body(newUnitSchema),
      responses: { 201: dataResponse('单位', ref('Unit')), 400: errors[400], 409: { $ref: '#/components/responses/Conflict' } },
    },
  },
  '/api/units/{id}': {
    get: { tags: ['units'], summary: '单位详情', parameters: [idParam], responses: { 200: dataResponse('单位', ref('Unit')), 404: errors[404] } },
    patch: {
      tags: ['units'],
      summary: '修改单位：名称、规格、经费形式、主管部门、重点管理（须填原因）、冻结（须填原因与文号，可定期限）；记入审计日志 admin.unit.changed；无变化则不记录',
      parameters: [idParam],
      requestBody: body(unitChangesSchema),
      responses: { 200: dataResponse('单位', ref('Unit')), ...errors },
    },
  },
  '/api/units/{id}/establishment': {
    get: {
      tags: ['units'],
      summary: '编制情况：各编制类型 核定/实有/预占/可用/空编/超编，领导职数 核定/实配/空缺/超配，年度用编计划',
      parameters: [idParam, { name: 'year', in: 'query', schema: { type: 'integer', minimum: 2000, maximum: 2100 }, description: '计划年度，默认今年' }],
      responses: {
        200: dataResponse('编制情况', {
          type: 'object',
          properties: {
            unit: { type: 'object' },
            quotas: { type: 'array', items: ref('Quota') },
            leaderPosts: { type: 'array', items: ref('LeaderPost') },
            plans: { type: 'object', properties: { year: { type: 'integer' }, items: { type: 'array', items: ref('AnnualPlan') } } },
          },
        }),
        ...errors,
      },
    },
  },
  '/api/units/{id}/quotas/{bianzhiType}': {
    put: {
      tags: ['units'],
      summary: '设定核定编制数、允许溢出数、核定文号（实有、预占由流程维护，不可修改）；核减到实有 + 预占以下须 allowOverstaff + reason；记入审计日志 admin.quota.changed',
      parameters: [idParam, typeParam],
      requestBody: body(quotaSchema),
      responses: { 200: dataResponse('编制', ref('Quota')), ...errors },
    },
  },
  '/api/units/{id}/leader-posts': {
    put: {
      tags: ['units'],
      summary: '设定领导职数（核定职数；实配由流程维护）；记入审计日志 admin.leader-posts.changed',
      parameters: [idParam],
      requestBody: body(leaderPostSchema),
      responses: { 200: dataResponse('领导职数', ref('LeaderPost')), ...errors },
    },
  },
  '/api/units/{id}/plans/{year}/{bianzhiType}': {
    put: {
      tags: ['units'],
      summary: '设定年度用编计划（计划数不得少于已使用数；已使用由流程维护）；记入审计日志 admin.plan.changed',
      parameters: [idParam, yearParamDoc, typeParam],
      requestBody: body(planSchema),
      responses: { 200: dataResponse('年度用编计划', ref('AnnualPlan')), ...errors },
    },
  },
});
