// What the cluster answered, in our error vocabulary: gRPC status codes (gateway) and HTTP statuses
// (REST v2) become the AppErrors the routes already map; anything unreachable is 503 ENGINE_UNAVAILABLE.
import { AppError, conflict, engineUnavailable, notFound, validationFailed } from '../../core/errors';

/** gRPC status codes the gateway uses (grpc-js `status`). */
export const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

export function httpStatus(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; response?: { statusCode?: unknown } };
  const status = e?.statusCode ?? e?.response?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Text the cluster gave with the error (problem+json `detail`, or the gRPC details), for logs and details. */
export function clusterDetail(err: unknown): string {
  const e = err as { detail?: unknown; details?: unknown; message?: unknown };
  return String(e?.detail ?? e?.details ?? e?.message ?? err);
}

/** A gateway command's failure, with `what` naming the thing in Chinese (e.g. '流程实例'). */
export function fromGrpc(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  switch (grpcCode(err)) {
    case GRPC.NOT_FOUND:
      return notFound(what);
    case GRPC.INVALID_ARGUMENT:
      return validationFailed([{ field: what, message: clusterDetail(err) }], 'Zeebe 拒绝了该命令');
    case GRPC.ALREADY_EXISTS:
      return conflict('ALREADY_EXISTS', `${what}已存在`, { detail: clusterDetail(err) });
    case GRPC.FAILED_PRECONDITION:
      return conflict('ENGINE_CONFLICT', `${what}当前状态不允许此操作`, { detail: clusterDetail(err) });
    default:
      return withCause(engineUnavailable(), err);
  }
}

/** A REST v2 failure on a user task. */
export function fromUserTaskRest(err: unknown, conflictCode = 'TASK_NOT_ACTIVE', conflictMessage = '任务已完成或已取消'): AppError {
  if (err instanceof AppError) return err;
  switch (httpStatus(err)) {
    case 404:
      return conflict('TASK_NOT_ACTIVE', '任务在流程引擎中已不存在（已完成或已取消）');
    case 409:
      return conflict(conflictCode, conflictMessage, { detail: clusterDetail(err) });
    case 400:
      return validationFailed([{ field: 'variables', message: clusterDetail(err) }], 'Zeebe 拒绝了提交的数据');
    default:
      return withCause(engineUnavailable(), err);
  }
}

function withCause(error: AppError, cause: unknown): AppError {
  return new AppError(error.status, error.code, error.message, undefined, { cause });
}
