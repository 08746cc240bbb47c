import { Router } from 'express';
import { ROLES } from '../core/auth-user';
import { currentUser, readBearerToken, requirePermission } from '../core/auth';
import { isUuid, validationFailed } from '../core/errors';
import { validator } from '../core/validate';
import { dataResponse, registerPaths, registerSchemas, registerTag } from '../openapi';
import type { NewUserInput, UserAdminService, UserChanges } from '../services/users-admin';
import { pathParam, queryEnum, queryString } from './query';

const USERNAME = '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$';
const DEPARTMENT = '^[a-z][a-z0-9-]{1,31}$';
const password = { type: 'string', minLength: 1, maxLength: 256 } as const;

const userFieldProperties = {
  displayName: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
  roles: { type: 'array', minItems: 1, maxItems: ROLES.length, uniqueItems: true, items: { type: 'string', enum: [...ROLES] } },
  departmentId: { type: 'string', pattern: DEPARTMENT, nullable: true, description: '部门（任务候选组），如 bianban；单位经办人为 unit' },
  unitId: { type: 'string', format: 'uuid', nullable: true, description: '所属单位（单位经办人、主管部门经办人必填）' },
} as const;

const newUserSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'displayName', 'roles', 'password'],
  properties: {
    username: { type: 'string', pattern: USERNAME },
    ...userFieldProperties,
    password: { ...password, description: '初始密码：至少 10 位，同时含字母和数字，不含用户名' },
  },
} as const;

const userChangesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...userFieldProperties, active: { type: 'boolean', description: 'false 停用（其会话随即失效）' } },
} as const;

const resetPasswordSchema = { type: 'object', additionalProperties: false, required: ['password'], properties: { password } } as const;
const ownPasswordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['oldPassword', 'newPassword'],
  properties: { oldPassword: password, newPassword: password },
} as const;

const parseNewUser = validator<NewUserInput>(newUserSchema);
const parseUserChanges = validator<UserChanges>(userChangesSchema);
const parseResetPassword = validator<{ password: string }>(resetPasswordSchema);
const parseOwnPassword = validator<{ oldPassword: string; newPassword: string }>(ownPasswordSchema);

/** Fields that PATCH never changes, answered with where to go instead. */
function refuseFixedFields(body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  const problems = [];
  if ('password' in body || 'passwordHash' in body) problems.push({ field: '/password', message: '密码不能在此修改：请使用 POST /api/users/{id}/password 重置' });
  if ('username' in body) problems.push({ field: '/username', message: '用户名创建后不能修改' });
  if (problems.length) throw validationFailed(problems);
}

function queryBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw validationFailed([{ field: `?${name}`, message: '应为 true 或 false' }]);
}

/**
 * User administration (action user.admin) and, for every signed-in account, POST /api/session/password
 * (action session.self): the own password change. Every change is audited.
 */
export function userAdminRoutes(users: UserAdminService): Router {
  const router = Router();
  router.get('/users', requirePermission('user.admin'), async (req, res) => {
    const unitId = queryString(req, 'unitId');
    if (unitId !== undefined && !isUuid(unitId)) throw validationFailed([{ field: '?unitId', message: '应为 uuid' }]);
    res.json({
      data: await users.list({
        role: queryEnum(req, 'role', ROLES),
        departmentId: queryString(req, 'departmentId', 32),
        unitId,
        active: queryBoolean(queryString(req, 'active', 5), 'active'),
      }),
    });
  });
  router.post('/users', requirePermission('user.admin'), async (req, res) => {
    res.status(201).json({ data: await users.create(parseNewUser(req.body), currentUser(req)) });
  });
  router.get('/users/:id', requirePermission('user.admin'), async (req, res) => {
    res.json({ data: await users.get(pathParam(req, 'id')) });
  });
  router.patch('/users/:id', requirePermission('user.admin'), async (req, res) => {
    refuseFixedFields(req.body);
    const changes = parseUserChanges(req.body);
    if (Object.keys(changes).length === 0) throw validationFailed([{ field: '/', message: '请至少提供一个要修改的字段' }]);
    res.json({ data: await users.update(pathParam(req, 'id'), changes, currentUser(req)) });
  });
  router.post('/users/:id/password', requirePermission('user.admin'), async (req, res) => {
    const { password: newPassword } = parseResetPassword(req.body);
    await users.resetPassword(pathParam(req, 'id'), newPassword, currentUser(req));
    res.status(204).end();
  });
  router.post('/session/password', requirePermission('session.self'), async (req, res) => {
    const body = parseOwnPassword(req.body);
    await users.changeOwnPassword(currentUser(req), readBearerToken(req), body.oldPassword, body.newPassword);
    res.status(204).end();
  });
  return router;
}

// ---- OpenAPI ----------------------------------------------------------------------------------------

registerTag('users', '用户管理（系统管理员；修改均记入审计日志）与本人修改密码');
registerSchemas({
  User: {
    type: 'object',
    required: ['id', 'username', 'displayName', 'roles', 'departmentId', 'unitId', 'unitCode', 'active', 'isDemo'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      username: { type: 'string' },
      displayName: { type: 'string' },
      roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
      departmentId: { type: ['string', 'null'] },
      unitId: { type: ['string', 'null'], format: 'uuid' },
      unitCode: { type: ['string', 'null'] },
      active: { type: 'boolean' },
      isDemo: { type: 'boolean', description: '演示账号（仅演示模式可登录）' },
    },
  },
});
const ref = { $ref: '#/components/schemas/User' };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const body = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });
const r = {
  400: { $ref: '#/components/responses/ValidationFailed' },
  404: { $ref: '#/components/responses/NotFound' },
  409: { $ref: '#/components/responses/Conflict' },
};
registerPaths({
  '/api/users': {
    get: {
      tags: ['users'],
      summary: '用户列表（不含密码哈希）',
      parameters: [
        { name: 'role', in: 'query', schema: { type: 'string', enum: [...ROLES] } },
        { name: 'departmentId', in: 'query', schema: { type: 'string' } },
        { name: 'unitId', in: 'query', schema: { type: 'string', format: 'uuid' } },
        { name: 'active', in: 'query', schema: { type: 'boolean' } },
      ],
      responses: { 200: dataResponse('用户', { type: 'array', items: ref }) },
    },
    post: {
      tags: ['users'],
      summary: '新建用户（初始密码须符合密码规则；记入审计日志 admin.user.created）',
      requestBody: body(newUserSchema),
      responses: { 201: dataResponse('用户', ref), 400: r[400], 409: { description: 'USERNAME_TAKEN：用户名已存在' } },
    },
  },
  '/api/users/{id}': {
    get: { tags: ['users'], summary: '用户详情', parameters: [idParam], responses: { 200: dataResponse('用户', ref), 404: r[404] } },
    patch: {
      tags: ['users'],
      summary: '修改用户：姓名、角色、部门、单位、启用/停用（不能撤销最后一个有效管理员：409 LAST_ADMIN）；记入审计日志 admin.user.changed；无变化则不记录',
      parameters: [idParam],
      requestBody: body(userChangesSchema),
      responses: { 200: dataResponse('用户', ref), ...r },
    },
  },
  '/api/users/{id}/password': {
    post: {
      tags: ['users'],
      summary: '管理员重置密码（须符合密码规则；该用户的会话全部失效；记入审计日志 admin.user.password-reset）',
      parameters: [idParam],
      requestBody: body(resetPasswordSchema),
      responses: { 204: { description: '已重置' }, 400: r[400], 404: r[404] },
    },
  },
  '/api/session/password': {
    post: {
      tags: ['session'],
      summary: '本人修改密码（原密码 + 新密码；本会话保留，其他会话失效；记入审计日志 user.password-changed）',
      requestBody: body(ownPasswordSchema),
      responses: { 204: { description: '已修改' }, 400: r[400], 429: { description: 'TOO_MANY_ATTEMPTS：原密码错误次数过多' } },
    },
  },
});
