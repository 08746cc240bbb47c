/**
 * Errors with an HTTP meaning. Services throw them; the error middleware turns them into
 * `{ error: { code, message, details? } }`. Messages are zh-CN (an English gloss may go in details).
 */

export interface AppErrorOptions {
  /** Extra response headers, e.g. Retry-After. */
  headers?: Readonly<Record<string, string>>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.headers = options.headers ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** One invalid input field: a JSON pointer-ish path ('/username') and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export function validationFailed(details: FieldError[] | Record<string, unknown>, message = '请求数据不符合要求'): AppError {
  return new AppError(400, 'VALIDATION_FAILED', message, details);
}

export function unauthenticated(message = '未登录或登录已失效'): AppError {
  return new AppError(401, 'UNAUTHENTICATED', message, undefined, {
    headers: { 'WWW-Authenticate': 'Bearer realm="bianzhi-flow"' },
  });
}

export function forbidden(message = '没有执行此操作的权限'): AppError {
  return new AppError(403, 'FORBIDDEN', message);
}

/** `what` names the missing thing in Chinese, e.g. notFound('任务'). */
export function notFound(what = '资源'): AppError {
  return new AppError(404, 'NOT_FOUND', `${what}不存在`);
}

export function conflict(code: string, message: string, details?: unknown): AppError {
  return new AppError(409, code, message, details);
}

export function tooManyAttempts(retryAfterSeconds: number): AppError {
  return new AppError(
    429,
    'TOO_MANY_ATTEMPTS',
    `登录失败次数过多，请 ${Math.ceil(retryAfterSeconds / 60)} 分钟后再试`,
    { retryAfterSeconds },
    { headers: { 'Retry-After': String(retryAfterSeconds) } },
  );
}

export function engineUnavailable(message = '流程引擎暂不可用，请稍后再试'): AppError {
  return new AppError(503, 'ENGINE_UNAVAILABLE', message);
}

export function databaseUnavailable(message = '数据库暂不可用，请稍后再试'): AppError {
  return new AppError(503, 'DATABASE_UNAVAILABLE', message);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** For ids in paths: anything that is not a uuid cannot exist, so it is a 404, not a database error. */
export function requireUuid(value: unknown, what = '资源'): string {
  if (!isUuid(value)) throw notFound(what);
  return value;
}
