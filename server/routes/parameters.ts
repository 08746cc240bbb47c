import { Router } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { notFound, validationFailed } from '../core/errors';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { NewParameterVersion } from '../repositories/parameters';
import type { ParameterStore } from '../services/parameters';
import { pathParam, queryString } from './query';

const DAY = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const KEY = '^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)+$';

const newVersionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['validFrom', 'value', 'status'],
  properties: {
    validFrom: { type: 'string', pattern: DAY },
    validTo: { type: 'string', pattern: DAY, nullable: true },
    value: {},
    status: { type: 'string', enum: ['A', 'B', 'C'] },
    docNo: { type: 'string', maxLength: 200, nullable: true },
    source: { type: 'string', maxLength: 2000, nullable: true },
    note: { type: 'string', maxLength: 2000, nullable: true },
  },
} as const;

type NewVersionBody = Omit<NewParameterVersion, 'key' | 'createdBy'>;

const parseNewVersion = validator<NewVersionBody>(newVersionSchema);
const parseKey = validator<string>({ type: 'string', pattern: KEY, maxLength: 120 });
const parseDay = validator<string>({ type: 'string', pattern: DAY });

/** The versioned parameter tables: read by every signed-in user (status A/B/C shown); changed by a new version. */
export function parameterRoutes(parameters: ParameterStore): Router {
  const router = Router();
  router.get('/parameters', requirePermission('parameter.read'), async (_req, res) => {
    res.json({ data: await parameters.list() });
  });
  router.get('/parameters/:key', requirePermission('parameter.read'), async (req, res) => {
    const key = parseKey(pathParam(req, 'key'));
    const on = queryString(req, 'on');
    const found = await parameters.find(key, on === undefined ? undefined : parseDay(on));
    if (!found) throw notFound(`参数 ${key} 在该日期的有效版本`);
    res.json({ data: found });
  });
  router.get('/parameters/:key/versions', requirePermission('parameter.read'), async (req, res) => {
    const versions = await parameters.versions(parseKey(pathParam(req, 'key')));
    if (!versions.length) throw notFound('参数');
    res.json({ data: versions });
  });
  router.post('/parameters/:key/versions', requirePermission('parameter.write'), async (req, res) => {
    const key = parseKey(pathParam(req, 'key'));
    const body = parseNewVersion(req.body);
    if (body.validTo && body.validTo <= body.validFrom) {
      throw validationFailed([{ field: '/validTo', message: '失效日期必须晚于生效日期' }]);
    }
    const user = currentUser(req);
    res.status(201).json({ data: await parameters.addVersion({ key, ...body }, { username: user.username, userId: user.id }) });
  });
  return router;
}

registerTag('parameters', '参数表：工资标准、费率、社平工资、退休规则等（带版本、生效日期、文号与可信度 A/B/C）');
registerSchemas({
  ParameterValue: {
    type: 'object',
    required: ['key', 'version', 'validFrom', 'status', 'value'],
    properties: {
      key: { type: 'string' },
      version: { type: 'integer' },
      validFrom: { type: 'string', format: 'date' },
      validTo: { type: ['string', 'null'], format: 'date' },
      status: { type: 'string', enum: ['A', 'B', 'C'], description: 'A 官方原文；B 第三方转录，上线前须核对；C 建议默认值或占位' },
      docNo: { type: ['string', 'null'] },
      source: { type: ['string', 'null'] },
      value: {},
    },
  },
});
const keyParam = { name: 'key', in: 'path', required: true, schema: { type: 'string', pattern: KEY } };
const ref = { $ref: '#/components/schemas/ParameterValue' };
registerPaths({
  '/api/parameters': {
    get: { tags: ['parameters'], summary: '全部参数（每个键的最新版本）', responses: { 200: dataResponse('参数', { type: 'array', items: ref }) } },
  },
  '/api/parameters/{key}': {
    get: {
      tags: ['parameters'],
      summary: '某日有效的参数版本（默认今天）',
      parameters: [keyParam, { name: 'on', in: 'query', schema: { type: 'string', format: 'date' } }],
      responses: { 200: dataResponse('参数', ref), 404: { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/api/parameters/{key}/versions': {
    get: { tags: ['parameters'], summary: '参数的全部版本', parameters: [keyParam], responses: { 200: dataResponse('版本', { type: 'array', items: ref }), 404: { $ref: '#/components/responses/NotFound' } } },
    post: {
      tags: ['parameters'],
      summary: '新增参数版本（记入审计日志）',
      parameters: [keyParam],
      requestBody: { required: true, content: { 'application/json': { schema: newVersionSchema } } },
      responses: { 201: dataResponse('新版本', ref), 400: { $ref: '#/components/responses/ValidationFailed' } },
    },
  },
});
