import { Router } from 'express';
import { currentUser, readBearerToken, requirePermission } from '../core/auth';
import { allowedActions } from '../core/policy';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { AuthService } from '../services/auth';

interface LoginBody {
  username: string;
  password: string;
}

const loginBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

const parseLoginBody = validator<LoginBody>(loginBodySchema);

/** POST /api/session — public: it is how one gets a token. */
export function publicSessionRoutes(auth: AuthService): Router {
  const router = Router();
  router.post('/session', async (req, res) => {
    const body = parseLoginBody(req.body);
    const session = await auth.login(body.username, body.password);
    res.status(201).json({
      data: { token: session.token, expiresAt: session.expiresAt.toISOString(), user: session.user },
    });
  });
  return router;
}

/** DELETE /api/session, GET /api/me — behind authenticate. */
export function sessionRoutes(auth: AuthService): Router {
  const router = Router();
  router.delete('/session', async (req, res) => {
    const token = readBearerToken(req);
    if (token !== undefined) await auth.logout(token);
    res.status(204).end();
  });
  router.get('/me', requirePermission('session.self'), (req, res) => {
    const user = currentUser(req);
    res.json({ data: { ...user, actions: allowedActions(user) } });
  });
  return router;
}

registerTag('session', '登录与会话');
registerSchemas({
  LoginRequest: loginBodySchema,
  AuthUser: {
    type: 'object',
    required: ['id', 'username', 'displayName', 'roles', 'departmentId', 'unitId', 'unitCode', 'groups'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      username: { type: 'string' },
      displayName: { type: 'string' },
      roles: { type: 'array', items: { type: 'string' } },
      departmentId: { type: ['string', 'null'] },
      unitId: { type: ['string', 'null'], format: 'uuid' },
      unitCode: { type: ['string', 'null'] },
      groups: { type: 'array', items: { type: 'string' }, description: '可领取任务的候选组' },
    },
  },
  Session: {
    type: 'object',
    required: ['token', 'expiresAt', 'user'],
    properties: {
      token: { type: 'string' },
      expiresAt: { type: 'string', format: 'date-time' },
      user: { $ref: '#/components/schemas/AuthUser' },
    },
  },
});
registerPaths({
  '/api/session': {
    post: {
      tags: ['session'],
      summary: '登录，取得令牌',
      security: [],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/LoginRequest' } } },
      },
      responses: {
        201: dataResponse('会话已建立', { $ref: '#/components/schemas/Session' }),
        400: { $ref: '#/components/responses/ValidationFailed' },
        401: { $ref: '#/components/responses/Unauthenticated' },
        429: { description: 'TOO_MANY_ATTEMPTS：登录失败次数过多（Retry-After 头给出等待秒数）' },
      },
    },
    delete: {
      tags: ['session'],
      summary: '注销当前令牌',
      responses: {
        204: { description: '已注销' },
        401: { $ref: '#/components/responses/Unauthenticated' },
      },
    },
  },
  '/api/me': {
    get: {
      tags: ['session'],
      summary: '当前用户',
      security: [{ bearer: [] }, { basic: [] }],
      responses: {
        200: dataResponse('当前用户，及其可执行的操作（页面据此显示菜单）', {
          allOf: [{ $ref: '#/components/schemas/AuthUser' }, { type: 'object', required: ['actions'], properties: { actions: { type: 'array', items: { type: 'string' } } } }],
        }),
        401: { $ref: '#/components/responses/Unauthenticated' },
      },
    },
  },
});
