// 到龄预警 (domain-spec.md §1.2 J1 step 0): the people reaching the statutory retirement date soon, and
// starting J1 (staff-reduce-retirement) for one of them.
import { Router } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { dataResponse, registerPaths, registerTag } from '../openapi';
import type { RetirementAlertService } from '../services/retirement-alerts';
import { pathParam, queryInt } from './query';

export function retirementAlertRoutes(alerts: RetirementAlertService): Router {
  const router = Router();
  router.get('/retirement-alerts', requirePermission('process-instance.read'), async (req, res) => {
    const months = queryInt(req, 'months', { min: 0, max: 60 });
    const { months: used, today, items } = await alerts.list(currentUser(req), months);
    res.json({ data: items, meta: { months: used, today, total: items.length } });
  });
  router.post('/retirement-alerts/:personId/start', requirePermission('process-instance.start'), async (req, res) => {
    res.status(201).json({ data: await alerts.start(pathParam(req, 'personId'), currentUser(req)) });
  });
  return router;
}

registerTag('retirement-alerts', '到龄预警：即将达到法定退休年龄的人员，发起退休流程');
const alertItem = {
  type: 'object',
  required: ['personId', 'name', 'unitId', 'unitCode', 'unitName', 'category', 'retirementDate', 'retireMonth', 'overdue', 'caseOpen', 'openCaseId'],
  properties: {
    personId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    gender: { type: 'string', description: "GB/T 2261.1：'1' 男，'2' 女" },
    post: { type: ['string', 'null'] },
    unitId: { type: 'string', format: 'uuid' },
    unitCode: { type: 'string' },
    unitName: { type: 'string' },
    category: { type: 'string', enum: ['man', 'woman55', 'woman50', 'woman60'] },
    categoryBasis: { type: 'string' },
    retirementDate: { type: 'string', format: 'date', description: '达到法定退休年龄之日' },
    retireMonth: { type: 'string', description: 'yyyy-mm' },
    overdue: { type: 'boolean', description: '已过法定退休日期仍在编' },
    caseOpen: { type: 'boolean', description: '已有进行中的退休流程 (staff-reduce-retirement)' },
    openCaseId: { type: ['string', 'null'], format: 'uuid' },
    warnings: { type: 'array', items: { type: 'string' } },
  },
};
registerPaths({
  '/api/retirement-alerts': {
    get: {
      tags: ['retirement-alerts'],
      summary: '法定退休月份在 N 个月内（含已过期仍在编）的在编人员；单位账号只见本单位（及所属单位）',
      parameters: [{ name: 'months', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 60 }, description: '预警月数；默认参数 retirement.alert-months（3）' }],
      responses: {
        200: {
          description: '按退休月份、单位、姓名排序；meta: { months, today, total }',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['data', 'meta'],
                properties: {
                  data: { type: 'array', items: alertItem },
                  meta: { type: 'object', properties: { months: { type: 'integer' }, today: { type: 'string', format: 'date' }, total: { type: 'integer' } } },
                },
              },
            },
          },
        },
        400: { $ref: '#/components/responses/ValidationFailed' },
      },
    },
  },
  '/api/retirement-alerts/{personId}/start': {
    post: {
      tags: ['retirement-alerts'],
      summary: '为该人员发起退休流程 (J1 staff-reduce-retirement)：法定退休，事件日期为法定退休日期',
      parameters: [{ name: 'personId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: {
        201: dataResponse('新流程实例', { type: 'object' }),
        404: { $ref: '#/components/responses/NotFound' },
        409: { $ref: '#/components/responses/Conflict', description: 'RETIREMENT_CASE_OPEN：该人员已有进行中的退休流程' },
      },
    },
  },
});
