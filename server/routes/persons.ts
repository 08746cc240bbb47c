import { Router } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { isUuid, validationFailed } from '../core/errors';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { PersonService } from '../services/persons';
import { queryInt, queryString } from './query';

/** GET /api/persons?q=&unitId=&limit= — staff on the rolls, for choosing whom a case is about. */
export function personRoutes(persons: PersonService): Router {
  const router = Router();
  router.get('/persons', requirePermission('person.read'), async (req, res) => {
    const q = (queryString(req, 'q') ?? '').trim();
    if (q.length < 1 || q.length > 40) throw validationFailed([{ field: 'q', message: '请输入姓名或身份证号的一部分（1–40 个字符）' }]);
    const unitId = queryString(req, 'unitId');
    if (unitId !== undefined && !isUuid(unitId)) throw validationFailed([{ field: 'unitId', message: '单位 ID 格式不正确' }]);
    const limit = queryInt(req, 'limit', { min: 1, max: 50, fallback: 20 })!;
    res.json({ data: await persons.search({ q, unitId, limit }, currentUser(req)) });
  });
  return router;
}

registerTag('persons', '人员（实名制）');
registerSchemas({
  PersonHit: {
    type: 'object',
    required: ['id', 'name', 'idNumberMasked', 'gender', 'birthDate', 'unitId', 'unitCode', 'unitName', 'bianzhiType', 'post'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      idNumberMasked: { type: 'string', description: '公民身份号码（前 6 位与后 4 位）' },
      gender: { type: 'string' },
      birthDate: { type: 'string', format: 'date' },
      unitId: { type: ['string', 'null'], format: 'uuid' },
      unitCode: { type: ['string', 'null'] },
      unitName: { type: ['string', 'null'] },
      bianzhiType: { type: ['string', 'null'] },
      post: { type: ['string', 'null'] },
    },
  },
});
registerPaths({
  '/api/persons': {
    get: {
      tags: ['persons'],
      summary: '查找在编人员（姓名包含 q，或身份证号以 q 开头）；单位经办人只能查到本单位人员',
      parameters: [
        { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 40 } },
        { name: 'unitId', in: 'query', schema: { type: 'string', format: 'uuid' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 20 } },
      ],
      responses: {
        200: dataResponse('人员（按姓名排序）', { type: 'array', items: { $ref: '#/components/schemas/PersonHit' } }),
        400: { $ref: '#/components/responses/ValidationFailed' },
        401: { $ref: '#/components/responses/Unauthenticated' },
        403: { $ref: '#/components/responses/Forbidden' },
      },
    },
  },
});
