import { Router } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { TaskService } from '../services/tasks';
import { pagination, pathParam, queryDate, queryEnum, queryString } from './query';

const completeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { variables: { type: 'object' } },
} as const;
const parseComplete = validator<{ variables?: Record<string, unknown> }>(completeSchema);

/** The caller's inbox: list, read, claim, unclaim, complete. */
export function taskRoutes(tasks: TaskService): Router {
  const router = Router();
  router.get('/tasks', requirePermission('task.work'), async (req, res) => {
    const filter = {
      state: queryEnum(req, 'state', ['created', 'completed', 'canceled'] as const),
      candidateGroup: queryString(req, 'candidateGroup'),
      assignee: queryString(req, 'assignee'),
      processKey: queryString(req, 'processKey'),
      dueBefore: queryDate(req, 'dueBefore'),
      sort: queryEnum(req, 'sort', ['due', 'created', 'priority'] as const, 'due')!,
      ...pagination(req),
    };
    const { items, total } = await tasks.list(filter, currentUser(req));
    res.json({ data: items, meta: { total, page: filter.page, pageSize: filter.pageSize } });
  });
  router.get('/tasks/:id', requirePermission('task.work'), async (req, res) => {
    res.json({ data: await tasks.get(pathParam(req, 'id'), currentUser(req)) });
  });
  router.post('/tasks/:id/claim', requirePermission('task.work'), async (req, res) => {
    res.json({ data: await tasks.claim(pathParam(req, 'id'), currentUser(req)) });
  });
  router.post('/tasks/:id/unclaim', requirePermission('task.work'), async (req, res) => {
    res.json({ data: await tasks.unclaim(pathParam(req, 'id'), currentUser(req)) });
  });
  router.post('/tasks/:id/complete', requirePermission('task.work'), async (req, res) => {
    await tasks.complete(pathParam(req, 'id'), parseComplete(req.body ?? {}).variables ?? {}, currentUser(req));
    res.status(204).end();
  });
  return router;
}

registerTag('tasks', '待办任务');
registerSchemas({ CompleteTaskRequest: completeSchema });
const taskId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
registerPaths({
  '/api/tasks': {
    get: {
      tags: ['tasks'],
      summary: '我的待办：本部门候选组、指派给我或候选人含我的任务',
      parameters: [
        { name: 'state', in: 'query', schema: { enum: ['created', 'completed', 'canceled'] } },
        { name: 'candidateGroup', in: 'query', schema: { type: 'string' } },
        { name: 'assignee', in: 'query', schema: { type: 'string' } },
        { name: 'processKey', in: 'query', schema: { type: 'string' } },
        { name: 'dueBefore', in: 'query', schema: { type: 'string', format: 'date-time' } },
        { name: 'sort', in: 'query', schema: { enum: ['due', 'created', 'priority'] } },
        { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
        { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      ],
      responses: { 200: { description: '{ data: 任务[], meta: { total, page, pageSize } }' } },
    },
  },
  '/api/tasks/{id}': {
    get: { tags: ['tasks'], summary: '任务、表单与表单所需变量（看不到的任务答 404）', parameters: [taskId], responses: { 200: dataResponse('任务', { type: 'object' }), 404: { $ref: '#/components/responses/NotFound' } } },
  },
  '/api/tasks/{id}/claim': {
    post: { tags: ['tasks'], summary: '认领；他人已认领时 409 TASK_ALREADY_CLAIMED（details.assignee）', parameters: [taskId], responses: { 200: dataResponse('任务', { type: 'object' }), 409: { $ref: '#/components/responses/Conflict' } } },
  },
  '/api/tasks/{id}/unclaim': {
    post: { tags: ['tasks'], summary: '退回认领（本人或该组领导）', parameters: [taskId], responses: { 200: dataResponse('任务', { type: 'object' }), 409: { $ref: '#/components/responses/Conflict' } } },
  },
  '/api/tasks/{id}/complete': {
    post: {
      tags: ['tasks'],
      summary: '办理完成：变量按任务表单校验，错误逐字段返回',
      parameters: [taskId],
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CompleteTaskRequest' } } } },
      responses: { 204: { description: '已完成' }, 400: { $ref: '#/components/responses/ValidationFailed' }, 409: { $ref: '#/components/responses/Conflict' } },
    },
  },
});
