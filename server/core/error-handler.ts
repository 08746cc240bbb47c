import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError, notFound } from './errors';
import type { Logger } from './logger';
import { appErrorFromPostgres, isPostgresError } from './pg-errors';

/** Shape of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** For unknown routes under a prefix: 404 NOT_FOUND as JSON. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(notFound('接口'));
};

/**
 * The last middleware. AppError → its status and code; body-parser errors → 400/413/415;
 * PostgreSQL errors by SQLSTATE; anything else is logged with its stack and answered 500 INTERNAL.
 */
export function errorHandler(fallbackLog: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const log = req.log ?? fallbackLog;
    const known = toAppError(error);
    if (known) {
      if (known.status >= 500) log.warn({ code: known.code, err: error }, 'request failed: service unavailable');
      else if (isPostgresError(error)) log.info({ code: known.code, sqlstate: error.code, constraint: error.constraint }, 'request refused by a database constraint');
      for (const [name, value] of Object.entries(known.headers)) res.setHeader(name, value);
      res.status(known.status).json(errorBody(known));
      return;
    }
    log.error({ err: error }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL', message: '服务器内部错误' } } satisfies ErrorBody);
  };
}

function errorBody(error: AppError): ErrorBody {
  return {
    error: error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details },
  };
}

/** Errors raised by body-parser / http-errors carry `type` and `status`. */
interface HttpError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

function toAppError(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (isPostgresError(error)) return appErrorFromPostgres(error);
  if (error instanceof Error && error.name === 'KnexTimeoutError') {
    return new AppError(503, 'DATABASE_UNAVAILABLE', '数据库繁忙，请稍后再试');
  }
  if (typeof error === 'object' && error !== null) {
    const http = error as HttpError;
    switch (http.type) {
      case 'entity.parse.failed':
        return new AppError(400, 'VALIDATION_FAILED', '请求体不是有效的 JSON', { reason: 'malformed JSON body' });
      case 'entity.too.large':
        return new AppError(413, 'PAYLOAD_TOO_LARGE', '请求体过大', { reason: 'request body too large' });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的请求编码', { reason: http.type });
      default:
        break;
    }
    const status = http.status ?? http.statusCode;
    if (http.expose === true && typeof status === 'number' && status >= 400 && status < 500) {
      return new AppError(status, 'BAD_REQUEST', '请求无效', { reason: http.type ?? 'bad request' });
    }
  }
  return undefined;
}
