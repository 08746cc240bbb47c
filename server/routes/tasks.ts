import { Router, type Request } from 'express';
import { authenticatorOf, currentUser, readSessionToken, requirePermission } from '../core/auth';
import { validationFailed } from '../core/errors';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import { HISTORY_COUNT_LIMIT, TASK_STATES, type TaskSort } from '../repositories/user-tasks';
import { createInboxStreamHub, type InboxStreamHub } from '../services/inbox-stream';
import type { TaskListQuery, TaskService } from '../services/tasks';
import { pagination, pathParam, queryDate, queryEnum, queryString } from './query';

const completeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { variables: { type: 'object' } },
} as const;
const assigneeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['assignee'],
  properties: { assignee: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
const returnSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 500 } },
} as const;

const parseComplete = validator<{ variables?: Record<string, unknown> }>(completeSchema);
const parseAssignee = validator<{ assignee: string }>(assigneeSchema);
const parseReturn = validator<{ comment?: string }>(returnSchema);

const SORTS: readonly TaskSort[] = ['due', 'created', 'priority'];
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function queryBoolean(req: Request, name: string): boolean | undefined {
  const value = queryEnum(req, name, ['true', 'false'] as const);
  return value === undefined ? undefined : value === 'true';
}

/** For actions that take no input: a body other than none or {} is a client's mistake, not something to ignore. */
function noBody(req: Request): void {
  const body: unknown = req.body;
  if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)) return;
  throw validationFailed([{ field: '/', message: '此接口不接受请求体' }]);
}

function idempotencyKey(req: Request): string | undefined {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    throw validationFailed([{ field: 'Idempotency-Key', message: 'Idempotency-Key 应为 1–200 个可见 ASCII 字符' }]);
  }
  return value;
}

export interface TaskRouteOptions {
  /** The event-stream hub; by default one on the task service's database. */
  hub?: InboxStreamHub;
}

/**
 * The inbox — list, read, claim, unclaim, assign, delegate, return, complete — with the caller's
 * notifications and the inbox event stream beside it.
 */
export function taskRoutes(tasks: TaskService, options: TaskRouteOptions = {}): Router {
  const hub = options.hub ?? createInboxStreamHub({ db: tasks.db });
  const router = Router();

  router.get('/tasks', requirePermission('task.read'), async (req, res) => {
    const state = queryEnum(req, 'state', TASK_STATES);
    const query: TaskListQuery = {
      state,
      candidateGroup: queryString(req, 'candidateGroup'),
      assignee: queryString(req, 'assignee'),
      processKey: queryString(req, 'processKey'),
      unit: queryString(req, 'unit'),
      dueBefore: queryDate(req, 'dueBefore'),
      overdue: queryBoolean(req, 'overdue'),
      createdFrom: queryDate(req, 'createdFrom'),
      createdTo: queryDate(req, 'createdTo'),
      person: queryString(req, 'person', 40),
      // open tasks by due time; the history newest first
      sort: queryEnum(req, 'sort', SORTS, state === undefined || state === 'created' ? 'due' : 'created')!,
      ...pagination(req),
    };
    const { items, total, counts } = await tasks.list(query, currentUser(req));
    res.json({ data: items, meta: { total, page: query.page, pageSize: query.pageSize, counts, historyCountLimit: HISTORY_COUNT_LIMIT } });
  });

  // before /tasks/:id, which would take 'stream' for an id
  router.get('/tasks/stream', requirePermission('task.read'), (req, res) => {
    const user = currentUser(req);
    const authenticator = authenticatorOf(res);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const write = (text: string) => {
      if (!res.writableEnded) res.write(text);
    };
    write('retry: 5000\n\n');
    const unsubscribe = hub.subscribe({
      user,
      token: readSessionToken(req),
      revalidate: authenticator ? (token) => authenticator.userForToken(token, { fresh: true }) : undefined,
      send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      comment: (text) => write(`: ${text}\n\n`),
      close: () => res.end(),
    });
    req.on('close', unsubscribe);
    // 'ready' once changes are followed: a list the client reads after it misses nothing
    hub.started().then(
      () => write(`event: ready\ndata: ${JSON.stringify({ username: user.username })}\n\n`),
      () => res.end(),
    );
  });

  router.get('/tasks/:id', requirePermission('task.read'), async (req, res) => {
    res.json({ data: await tasks.get(pathParam(req, 'id'), currentUser(req)) });
  });
  router.post('/tasks/:id/claim', requirePermission('task.work'), async (req, res) => {
    noBody(req);
    res.json({ data: await tasks.claim(pathParam(req, 'id'), currentUser(req)) });
  });
  router.post('/tasks/:id/unclaim', requirePermission('task.work'), async (req, res) => {
    noBody(req);
    res.json({ data: await tasks.unclaim(pathParam(req, 'id'), currentUser(req)) });
  });
  router.post('/tasks/:id/assign', requirePermission('task.assign'), async (req, res) => {
    const { assignee } = parseAssignee(req.body ?? {});
    res.json({ data: await tasks.assign(pathParam(req, 'id'), assignee, currentUser(req)) });
  });
  router.post('/tasks/:id/delegate', requirePermission('task.work'), async (req, res) => {
    const { assignee } = parseAssignee(req.body ?? {});
    res.json({ data: await tasks.delegate(pathParam(req, 'id'), assignee, currentUser(req)) });
  });
  router.post('/tasks/:id/return', requirePermission('task.work'), async (req, res) => {
    const { comment } = parseReturn(req.body ?? {});
    res.json({ data: await tasks.returnToOwner(pathParam(req, 'id'), comment, currentUser(req)) });
  });
  router.post('/tasks/:id/complete', requirePermission('task.work'), async (req, res) => {
    const key = idempotencyKey(req);
    const variables = parseComplete(req.body ?? {}).variables ?? {};
    const result = await tasks.complete(pathParam(req, 'id'), variables, currentUser(req), { idempotencyKey: key });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(204).end();
  });

  router.get('/notifications', requirePermission('notification.read'), async (req, res) => {
    const options = { unreadOnly: queryBoolean(req, 'unread') ?? false, ...pagination(req) };
    const { items, total, unread } = await tasks.notifications.list(currentUser(req), options);
    res.json({ data: items, meta: { total, unread, page: options.page, pageSize: options.pageSize } });
  });
  router.post('/notifications/read-all', requirePermission('notification.mark-read'), async (req, res) => {
    noBody(req);
    res.json({ data: { marked: await tasks.notifications.markAllRead(currentUser(req)) } });
  });
  router.post('/notifications/:id/read', requirePermission('notification.mark-read'), async (req, res) => {
    noBody(req);
    res.json({ data: await tasks.notifications.markRead(pathParam(req, 'id'), currentUser(req)) });
  });
  return router;
}

registerTag('tasks', '待办任务');
registerTag('notifications', '站内通知');
registerSchemas({ CompleteTaskRequest: completeSchema, AssignTaskRequest: assigneeSchema, ReturnTaskRequest: returnSchema });
const taskId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const query = (name: string, schema: Record<string, unknown>, description?: string) => ({ name, in: 'query', schema, ...(description ? { description } : {}) });
const task = dataResponse('任务', { type: 'object' });
const conflictResponse = { $ref: '#/components/responses/Conflict' };
const notFoundResponse = { $ref: '#/components/responses/NotFound' };
const forbiddenResponse = { $ref: '#/components/responses/Forbidden' };
registerPaths({
  '/api/tasks': {
    get: {
      tags: ['tasks'],
      summary: '我的待办：本部门候选组、本单位（主管部门含所属单位）、指派给我、候选人含我或我委派出去的任务；审计与管理员只读全部',
      parameters: [
        query('state', { enum: [...TASK_STATES] }, '默认 created（待办）'),
        query('candidateGroup', { type: 'string' }),
        query('assignee', { type: 'string' }),
        query('processKey', { type: 'string' }),
        query('unit', { type: 'string' }, '案件所属单位：单位 id 或单位代码'),
        query('dueBefore', { type: 'string', format: 'date-time' }),
        query('overdue', { enum: ['true', 'false'] }),
        query('createdFrom', { type: 'string', format: 'date-time' }, '创建时间 ≥'),
        query('createdTo', { type: 'string', format: 'date-time' }, '创建时间 <'),
        query('person', { type: 'string', maxLength: 40 }, '身份证号码（精确）或姓名（前缀），查流程变量 idNumber / personName'),
        query('sort', { enum: [...SORTS] }, 'due：办理期限（待办的默认），created：最新（已完成、已取消的默认），priority：优先级'),
        query('page', { type: 'integer', minimum: 1 }),
        query('pageSize', { type: 'integer', minimum: 1, maximum: 200 }),
      ],
      responses: { 200: { description: '{ data: 任务[], meta: { total, page, pageSize, counts: { created, completed, canceled }, historyCountLimit } }；待办精确计数，已完成与已取消数到 historyCountLimit（1000）为止，等于它时表示“至少这么多”' } },
    },
  },
  '/api/tasks/stream': {
    get: {
      tags: ['tasks'],
      summary: '待办变化的服务器推送事件流（text/event-stream）：task、task-removed、notification、end；令牌可用 Authorization 头或 ?token=（EventSource 不能设头）',
      security: [{ bearer: [] }],
      parameters: [query('token', { type: 'string' }, '会话令牌（仅此接口）')],
      responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': {} } }, 401: { $ref: '#/components/responses/Unauthenticated' } },
    },
  },
  '/api/tasks/{id}': {
    get: { tags: ['tasks'], summary: '任务、表单与表单所需变量（看不到的任务答 404）', parameters: [taskId], responses: { 200: task, 404: notFoundResponse } },
  },
  '/api/tasks/{id}/claim': {
    post: { tags: ['tasks'], summary: '认领；他人已认领时 409 TASK_ALREADY_CLAIMED（details.assignee）', parameters: [taskId], responses: { 200: task, 403: forbiddenResponse, 404: notFoundResponse, 409: conflictResponse } },
  },
  '/api/tasks/{id}/unclaim': {
    post: { tags: ['tasks'], summary: '退回认领（本人或该组领导）', parameters: [taskId], responses: { 200: task, 403: forbiddenResponse, 404: notFoundResponse, 409: conflictResponse } },
  },
  '/api/tasks/{id}/assign': {
    post: {
      tags: ['tasks'],
      summary: '指派（部门领导，只能指派给任务候选组的成员）',
      parameters: [taskId],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AssignTaskRequest' } } } },
      responses: { 200: task, 400: { $ref: '#/components/responses/ValidationFailed' }, 403: forbiddenResponse, 404: notFoundResponse },
    },
  },
  '/api/tasks/{id}/delegate': {
    post: {
      tags: ['tasks'],
      summary: '委派：办理人把任务交给同组另一成员，对方办理后交回，由委派人完成',
      parameters: [taskId],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AssignTaskRequest' } } } },
      responses: { 200: task, 400: { $ref: '#/components/responses/ValidationFailed' }, 403: forbiddenResponse, 404: notFoundResponse },
    },
  },
  '/api/tasks/{id}/return': {
    post: {
      tags: ['tasks'],
      summary: '交回委派人（受托人交回，或委派人收回）',
      parameters: [taskId],
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ReturnTaskRequest' } } } },
      responses: { 200: task, 403: forbiddenResponse, 404: notFoundResponse },
    },
  },
  '/api/tasks/{id}/complete': {
    post: {
      tags: ['tasks'],
      summary: '办理完成：变量按任务表单校验，错误逐字段返回（details: [{ field, code, message }]）；带 Idempotency-Key 的重复请求返回首次结果且不再改变任何数据',
      parameters: [taskId, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 200 } }],
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CompleteTaskRequest' } } } },
      responses: {
        204: { description: '已完成（重复请求时带 Idempotent-Replayed: true）' },
        400: { $ref: '#/components/responses/ValidationFailed' },
        403: forbiddenResponse,
        404: notFoundResponse,
        409: conflictResponse,
        422: { description: 'IDEMPOTENCY_KEY_REUSED：同一键用于了不同的请求' },
      },
    },
  },
  '/api/notifications': {
    get: {
      tags: ['notifications'],
      summary: '我的站内通知（最新在前）：任务指派、委派、交回、超期、升级',
      parameters: [query('unread', { enum: ['true', 'false'] }), query('page', { type: 'integer', minimum: 1 }), query('pageSize', { type: 'integer', minimum: 1, maximum: 200 })],
      responses: { 200: { description: '{ data: 通知[], meta: { total, unread, page, pageSize } }' } },
    },
  },
  '/api/notifications/read-all': {
    post: { tags: ['notifications'], summary: '全部标为已读', responses: { 200: dataResponse('标记数', { type: 'object', properties: { marked: { type: 'integer' } } }) } },
  },
  '/api/notifications/{id}/read': {
    post: { tags: ['notifications'], summary: '标为已读（他人的通知答 404）', parameters: [taskId], responses: { 200: dataResponse('通知', { type: 'object' }), 404: notFoundResponse } },
  },
});
