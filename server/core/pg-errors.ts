import { AppError, databaseUnavailable } from './errors';

/** The fields of a node-postgres DatabaseError that we use (PGlite's adapter raises the same class). */
export interface PostgresError extends Error {
  code: string;
  severity?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function isPostgresError(error: unknown): error is PostgresError {
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<PostgresError>;
  return typeof candidate.code === 'string' && SQLSTATE.test(candidate.code) && typeof candidate.severity === 'string';
}

/**
 * Maps a PostgreSQL error to an AppError by SQLSTATE, never by message text. Returns undefined for
 * errors that are the server's fault (they are answered 500). Details carry the constraint name only:
 * PostgreSQL's own `detail` repeats the offending values, which may be personal data.
 */
export function appErrorFromPostgres(error: PostgresError): AppError | undefined {
  const where = error.constraint ? { constraint: error.constraint, sqlstate: error.code } : { sqlstate: error.code };
  switch (error.code) {
    case '23505': // unique_violation
      return new AppError(409, 'CONFLICT', '数据已存在，与现有记录冲突', { ...where, reason: 'unique violation' });
    case '23503': // foreign_key_violation
      return new AppError(409, 'CONFLICT', '数据被其他记录引用或引用了不存在的记录', { ...where, reason: 'foreign key violation' });
    case '23514': // check_violation
      return new AppError(409, 'CONFLICT', '数据不满足业务约束', { ...where, reason: 'check violation' });
    case '23P01': // exclusion_violation
      return new AppError(409, 'CONFLICT', '数据与现有记录冲突', { ...where, reason: 'exclusion violation' });
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return new AppError(409, 'CONFLICT', '并发操作冲突，请重试', { ...where, reason: 'concurrent update' });
    case '23502': // not_null_violation
    case '22P02': // invalid_text_representation (e.g. a malformed uuid)
    case '22001': // string_data_right_truncation
    case '22003': // numeric_value_out_of_range
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
    case '22023': // invalid_parameter_value
      return new AppError(400, 'VALIDATION_FAILED', '请求数据格式不正确', { ...where, reason: 'invalid value' });
    default:
      break;
  }
  // Class 08 connection exceptions, 57P0x operator intervention (shutdown), 53xxx insufficient resources.
  if (error.code.startsWith('08') || error.code.startsWith('57P') || error.code.startsWith('53')) {
    return databaseUnavailable();
  }
  return undefined;
}
