// The Camunda-7 external-task REST API, mounted at /engine-rest (not /api): its callers are
// camunda-external-task-client-js and the like, so it answers as Camunda 7 does — bare JSON bodies
// with Content-Type exactly `application/json` (the client parses nothing else), 204 without a
// body, and errors as `{ type, message }`. Worker accounts authenticate with HTTP Basic.
import { Router, type ErrorRequestHandler, type Response } from 'express';
import { currentUser, requirePermission } from '../core/auth';
import { isAppError } from '../core/errors';
import { validator } from '../core/validate';
import { registerPaths, registerSchemas, registerTag } from '../openapi';
import {
  MAX_ASYNC_RESPONSE_TIMEOUT_MS,
  type BpmnErrorRequest,
  type CompleteRequest,
  type ExtendLockRequest,
  type ExternalTaskService,
  type FailureRequest,
  type FetchAndLockRequest,
} from '../services/external-tasks';
import { pathParam } from './query';

const MAX_LOCK_MS = 7 * 24 * 3_600_000;
const workerId = { type: 'string', minLength: 1, maxLength: 200 } as const;
const typedVariables = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { value: {}, type: { type: 'string', maxLength: 50 }, valueInfo: { type: 'object' } },
  },
} as const;

const fetchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workerId', 'maxTasks', 'topics'],
  properties: {
    workerId,
    maxTasks: { type: 'integer', minimum: 0, maximum: 100 },
    usePriority: { type: 'boolean' },
    asyncResponseTimeout: { type: 'integer', minimum: 0, maximum: MAX_ASYNC_RESPONSE_TIMEOUT_MS },
    // the one order there is: oldest first
    sorting: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { sortBy: { enum: ['createTime'] }, sortOrder: { enum: ['asc'] } } },
    },
    topics: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        // filters that would narrow the result (businessKey, processDefinitionKey, tenantIdIn, …) are
        // refused rather than ignored: ignoring them would hand out tasks the worker did not ask for
        additionalProperties: false,
        required: ['topicName', 'lockDuration'],
        properties: {
          topicName: { type: 'string', minLength: 1, maxLength: 200 },
          lockDuration: { type: 'integer', minimum: 1, maximum: MAX_LOCK_MS },
          variables: { type: ['array', 'null'], items: { type: 'string' } },
          localVariables: { type: 'boolean' },
          deserializeValues: { type: 'boolean' },
          includeExtensionProperties: { type: 'boolean' },
          withoutTenantId: { type: 'boolean' },
        },
      },
    },
  },
} as const;

const completeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workerId'],
  properties: { workerId, variables: typedVariables, localVariables: typedVariables },
} as const;

const failureSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workerId'],
  properties: {
    workerId,
    errorMessage: { type: 'string', maxLength: 4000 },
    errorDetails: { type: 'string', maxLength: 100_000 },
    retries: { type: 'integer', minimum: 0, maximum: 100 },
    retryTimeout: { type: 'integer', minimum: 0, maximum: MAX_LOCK_MS },
  },
} as const;

const bpmnErrorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workerId', 'errorCode'],
  properties: { workerId, errorCode: { type: 'string', minLength: 1, maxLength: 200 }, errorMessage: { type: 'string', maxLength: 4000 }, variables: typedVariables },
} as const;

const extendLockSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workerId', 'newDuration'],
  properties: { workerId, newDuration: { type: 'integer', minimum: 1, maximum: MAX_LOCK_MS } },
} as const;

const parseFetch = validator<FetchAndLockRequest>(fetchSchema);
const parseComplete = validator<CompleteRequest>(completeSchema);
const parseFailure = validator<FailureRequest>(failureSchema);
const parseBpmnError = validator<BpmnErrorRequest>(bpmnErrorSchema);
const parseExtendLock = validator<ExtendLockRequest>(extendLockSchema);

/** JSON with Content-Type exactly `application/json`: res.json() would add `; charset=utf-8`, which the client does not parse. */
function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

/** Errors as Camunda 7 answers them: `{ type, message }`; 404 for a task that is gone or not this worker's, 500 for the rest. */
const camundaErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (isAppError(error)) {
    if (error.status === 400) return sendJson(res, 400, { type: 'InvalidRequestException', message: error.message, details: error.details });
    if (error.status === 401 || error.status === 403) return sendJson(res, error.status, { type: 'AuthorizationException', message: error.message });
    if (error.status === 404) return sendJson(res, 404, { type: 'InvalidRequestException', message: error.message });
    req.log.warn({ code: error.code, status: error.status }, 'external-task command refused');
    return sendJson(res, 500, { type: 'ProcessEngineException', message: error.message });
  }
  req.log.error({ err: error }, 'unhandled error');
  sendJson(res, 500, { type: 'ProcessEngineException', message: '服务器内部错误' });
};

/** `/external-task/…`; mount at `/engine-rest` with authentication required. */
export function externalTaskRoutes(tasks: ExternalTaskService): Router {
  const router = Router();
  const guard = requirePermission('external-task.work');

  router.post('/external-task/fetchAndLock', guard, async (req, res) => {
    const request = parseFetch(req.body);
    const abort = new AbortController();
    // a long poll whose client went away stops waiting (and gives back what it had just locked)
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const locked = await tasks.fetchAndLock(currentUser(req), request, abort.signal);
    if (!abort.signal.aborted) sendJson(res, 200, locked);
  });

  router.post('/external-task/:id/complete', guard, async (req, res) => {
    await tasks.complete(currentUser(req), pathParam(req, 'id'), parseComplete(req.body));
    res.status(204).end();
  });

  router.post('/external-task/:id/failure', guard, async (req, res) => {
    await tasks.handleFailure(currentUser(req), pathParam(req, 'id'), parseFailure(req.body));
    res.status(204).end();
  });

  router.post('/external-task/:id/bpmnError', guard, async (req, res) => {
    await tasks.handleBpmnError(currentUser(req), pathParam(req, 'id'), parseBpmnError(req.body));
    res.status(204).end();
  });

  router.post('/external-task/:id/extendLock', guard, async (req, res) => {
    await tasks.extendLock(currentUser(req), pathParam(req, 'id'), parseExtendLock(req.body));
    res.status(204).end();
  });

  router.post('/external-task/:id/unlock', guard, async (req, res) => {
    await tasks.unlock(currentUser(req), pathParam(req, 'id'));
    res.status(204).end();
  });

  router.use(camundaErrors);
  return router;
}

// ---- OpenAPI ----

registerTag('external-tasks', 'Camunda 7 兼容的外部任务接口（/engine-rest），供 camunda-external-task-client-js 等外部执行器使用；仅 worker 角色，HTTP Basic');
registerSchemas({
  CamundaError: {
    type: 'object',
    required: ['type', 'message'],
    properties: { type: { type: 'string', examples: ['InvalidRequestException', 'AuthorizationException', 'ProcessEngineException'] }, message: { type: 'string' } },
  },
  CamundaTypedValue: {
    type: 'object',
    properties: {
      value: { description: 'Json 类型的值为 JSON 文本' },
      type: { enum: ['String', 'Integer', 'Long', 'Short', 'Double', 'Boolean', 'Date', 'Json', 'Null'] },
      valueInfo: { type: 'object' },
    },
  },
  FetchAndLockRequest: fetchSchema,
  LockedExternalTask: {
    type: 'object',
    properties: {
      id: { type: 'string', description: '作业 key' },
      topicName: { type: 'string', description: '作业类型' },
      workerId: { type: 'string' },
      lockExpirationTime: { type: 'string', examples: ['2026-01-05T08:00:00.000+0000'] },
      processInstanceId: { type: 'string' },
      processDefinitionKey: { type: 'string' },
      activityId: { type: 'string' },
      retries: { type: 'integer' },
      extensionProperties: { type: 'object', additionalProperties: { type: 'string' } },
      variables: { type: 'object', additionalProperties: { $ref: '#/components/schemas/CamundaTypedValue' } },
    },
  },
});

const camundaError = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/CamundaError' } } } });
const idParam = { name: 'id', in: 'path', required: true, description: '外部任务 id（作业 key）', schema: { type: 'string', format: 'uuid' } };
const security = [{ basic: [] }, { bearer: [] }];
const errors = {
  400: camundaError('InvalidRequestException：请求数据不符合要求'),
  401: { $ref: '#/components/responses/Unauthenticated' },
  403: camundaError('AuthorizationException：不是 worker 角色'),
  500: camundaError('ProcessEngineException'),
};
const taskCommand = (summary: string, schema: Record<string, unknown>) => ({
  post: {
    tags: ['external-tasks'],
    summary,
    security,
    parameters: [idParam],
    requestBody: { required: true, content: { 'application/json': { schema } } },
    responses: { 204: { description: '完成（无响应体）' }, ...errors, 404: camundaError('任务不存在、已结束，或锁已过期/已被其他执行器取得') },
  },
});

registerPaths({
  '/engine-rest/external-task/fetchAndLock': {
    post: {
      tags: ['external-tasks'],
      summary: '取得并锁定任务；asyncResponseTimeout 毫秒内无任务时等待（长轮询），有新作业立即返回',
      security,
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/FetchAndLockRequest' } } } },
      responses: {
        200: { description: '锁定的任务（可能为空）', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/LockedExternalTask' } } } } },
        ...errors,
      },
    },
  },
  '/engine-rest/external-task/{id}/complete': taskCommand('完成任务；变量为 Camunda 7 类型值（Json 值为 JSON 文本）', completeSchema),
  '/engine-rest/external-task/{id}/failure': taskCommand('报告技术失败：retries 为剩余重试次数（0 或缺省：产生故障），retryTimeout 毫秒后重试', failureSchema),
  '/engine-rest/external-task/{id}/bpmnError': taskCommand('抛出业务错误（由错误边界事件按 errorCode 捕获）', bpmnErrorSchema),
  '/engine-rest/external-task/{id}/extendLock': taskCommand('延长锁定：newDuration 毫秒（从现在起）', extendLockSchema),
  '/engine-rest/external-task/{id}/unlock': {
    post: {
      tags: ['external-tasks'],
      summary: '解除锁定：任务立即可被再次取得，重试次数不变',
      security,
      parameters: [idParam],
      responses: { 204: { description: '已解除（无响应体）' }, ...errors, 404: camundaError('任务不存在或已结束') },
    },
  },
});
