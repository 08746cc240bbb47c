/**
 * The OpenAPI 3.1 document served at /api/openapi.json, built in code. Each route module registers
 * its own paths (and schemas) next to its handlers with `registerPaths` / `registerSchemas`.
 * Paths are full paths ('/api/session'), so routers outside /api (e.g. /engine-rest) fit as well.
 */

export type JsonSchema = Record<string, unknown>;
export type OperationObject = Record<string, unknown>;
export type PathItem = Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options', OperationObject>> &
  Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  paths: Record<string, PathItem>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
  };
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description: string }>;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
});

const document: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'bianzhi-flow API',
    version: '0.1.0',
    description:
      '编制流程：区级机构编制增员、减员、调整流程平台的 HTTP API。成功响应为 `{ data }`，错误响应为 ' +
      '`{ error: { code, message, details? } }`。认证：`POST /api/session` 取得令牌，之后使用 `Authorization: Bearer <token>`。',
  },
  servers: [{ url: '/' }],
  paths: {},
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'POST /api/session 返回的令牌' },
      basic: { type: 'http', scheme: 'basic', description: '仅限 worker 角色账号（外部任务客户端）' },
    },
    schemas: {
      ErrorResponse: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', examples: ['VALIDATION_FAILED', 'NOT_FOUND'] },
              message: { type: 'string', description: 'zh-CN' },
              details: {},
            },
          },
        },
      },
    },
    responses: {
      ValidationFailed: errorResponse('VALIDATION_FAILED：请求数据不符合要求（details 为字段错误列表）'),
      Unauthenticated: errorResponse('UNAUTHENTICATED：未登录或登录已失效'),
      Forbidden: errorResponse('FORBIDDEN：没有权限'),
      NotFound: errorResponse('NOT_FOUND：资源不存在'),
      Conflict: errorResponse('冲突（CONFLICT 等）'),
      ServiceUnavailable: errorResponse('DATABASE_UNAVAILABLE / ENGINE_UNAVAILABLE'),
    },
  },
  security: [{ bearer: [] }],
  tags: [],
};

/** Adds (or replaces) path items. Call at module load of the route module that serves them. */
export function registerPaths(paths: Record<string, PathItem>): void {
  for (const [path, item] of Object.entries(paths)) {
    document.paths[path] = { ...document.paths[path], ...item };
  }
}

/** Adds named schemas under components.schemas (refer to them as '#/components/schemas/<name>'). */
export function registerSchemas(schemas: Record<string, JsonSchema>): void {
  Object.assign(document.components.schemas, schemas);
}

export function registerTag(name: string, description: string): void {
  if (!document.tags.some((t) => t.name === name)) document.tags.push({ name, description });
}

/** A JSON response `{ data: <schema> }`. */
export function dataResponse(description: string, schema: JsonSchema): Record<string, unknown> {
  return {
    description,
    content: {
      'application/json': {
        schema: { type: 'object', required: ['data'], properties: { data: schema } },
      },
    },
  };
}

export function getOpenApiDocument(): OpenApiDocument {
  return document;
}
