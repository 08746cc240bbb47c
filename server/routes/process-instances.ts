import { Router } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { ProcessInstanceService, StartInstanceInput } from '../services/process-instances';
import { pagination, pathParam, queryEnum, queryString } from './query';

const startSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['processKey'],
  properties: {
    processKey: { type: 'string', minLength: 1, maxLength: 200 },
    businessKey: { type: 'string', minLength: 1, maxLength: 200 },
    variables: { type: 'object' },
  },
} as const;

const messageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    correlationKey: { type: 'string', maxLength: 500 },
    variables: { type: 'object' },
    timeToLiveMs: { type: 'integer', minimum: 0, maximum: 30 * 24 * 3_600_000 },
    messageId: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const retriesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['retries'],
  properties: { retries: { type: 'integer', minimum: 0, maximum: 100 } },
} as const;

const parseStart = validator<StartInstanceInput>(startSchema);
const parseMessage = validator<{ name: string; correlationKey?: string; variables?: Record<string, unknown>; timeToLiveMs?: number; messageId?: string }>(messageSchema);
const parseRetries = validator<{ retries: number }>(retriesSchema);
const STATES = ['active', 'completed', 'terminated', 'canceled'] as const;

/** Instances, messages, incidents and job retries. */
export function processInstanceRoutes(instances: ProcessInstanceService): Router {
  const router = Router();
  router.post('/process-instances', requirePermission('process-instance.start'), async (req, res) => {
    res.status(201).json({ data: await instances.start(parseStart(req.body), currentUser(req)) });
  });
  router.get('/process-instances', requirePermission('process-instance.read'), async (req, res) => {
    const filter = {
      processKey: queryString(req, 'processKey'),
      state: queryEnum(req, 'state', STATES),
      unitId: queryString(req, 'unitId'),
      businessKey: queryString(req, 'businessKey'),
      ...pagination(req),
    };
    const { items, total } = await instances.list(filter, currentUser(req));
    res.json({ data: items, meta: { total, page: filter.page, pageSize: filter.pageSize } });
  });
  router.get('/process-instances/:id', requirePermission('process-instance.read'), async (req, res) => {
    res.json({ data: await instances.get(pathParam(req, 'id'), currentUser(req)) });
  });
  router.post('/process-instances/:id/cancel', requirePermission('process-instance.cancel'), async (req, res) => {
    await instances.cancel(pathParam(req, 'id'), currentUser(req));
    res.status(204).end();
  });
  router.post('/messages', requirePermission('message.correlate'), async (req, res) => {
    res.json({ data: await instances.publishMessage(parseMessage(req.body), currentUser(req)) });
  });
  router.post('/incidents/:id/resolve', requirePermission('incident.resolve'), async (req, res) => {
    await instances.resolveIncident(pathParam(req, 'id'), currentUser(req));
    res.status(204).end();
  });
  router.put('/jobs/:key/retries', requirePermission('incident.resolve'), async (req, res) => {
    await instances.updateJobRetries(pathParam(req, 'key'), parseRetries(req.body).retries, currentUser(req));
    res.status(204).end();
  });
  return router;
}

registerTag('process-instances', '流程实例、消息与故障');
registerSchemas({ StartInstanceRequest: startSchema, PublishMessageRequest: messageSchema, JobRetriesRequest: retriesSchema });
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
registerPaths({
  '/api/process-instances': {
    post: {
      tags: ['process-instances'],
      summary: '发起流程（单位经办人只能为本单位发起，unitId 自动填入）',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/StartInstanceRequest' } } } },
      responses: { 201: dataResponse('新实例', { type: 'object' }), 400: { $ref: '#/components/responses/ValidationFailed' }, 404: { $ref: '#/components/responses/NotFound' } },
    },
    get: {
      tags: ['process-instances'],
      summary: '流程实例列表（单位经办人只看本单位）',
      parameters: ['processKey', 'unitId', 'businessKey'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })).concat([
        { name: 'state', in: 'query', schema: { enum: [...STATES] } } as never,
        { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } } as never,
        { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } } as never,
      ]),
      responses: { 200: { description: '{ data: 实例[], meta: { total, page, pageSize } }' } },
    },
  },
  '/api/process-instances/{id}': {
    get: { tags: ['process-instances'], summary: '实例详情：变量、当前停留的元素、故障', parameters: [idParam('id')], responses: { 200: dataResponse('实例', { type: 'object' }), 404: { $ref: '#/components/responses/NotFound' } } },
  },
  '/api/process-instances/{id}/cancel': {
    post: { tags: ['process-instances'], summary: '撤销流程实例（管理员）', parameters: [idParam('id')], responses: { 204: { description: '已撤销' }, 409: { $ref: '#/components/responses/Conflict' } } },
  },
  '/api/messages': {
    post: {
      tags: ['process-instances'],
      summary: '发布消息：按名称与关联键投递给等待的实例，或由消息启动事件发起新实例；无人接收且设了 timeToLiveMs 时暂存，之后打开的订阅会取走它',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PublishMessageRequest' } } } },
      responses: {
        200: dataResponse('投递结果', { type: 'object', properties: { correlated: { type: 'array' }, started: { type: 'array' }, bufferedMessageId: { type: ['string', 'null'] } } }),
        409: { description: 'MESSAGE_ALREADY_PUBLISHED：同名同 messageId 的消息仍在暂存' },
      },
    },
  },
  '/api/incidents/{id}/resolve': {
    post: { tags: ['process-instances'], summary: '解决故障（作业须先有重试次数）', parameters: [idParam('id')], responses: { 204: { description: '已解决' }, 409: { $ref: '#/components/responses/Conflict' } } },
  },
  '/api/jobs/{key}/retries': {
    put: {
      tags: ['process-instances'],
      summary: '设置作业重试次数',
      parameters: [idParam('key')],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/JobRetriesRequest' } } } },
      responses: { 204: { description: '已设置' } },
    },
  },
});
