import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { validationFailed, type FieldError } from './errors';

/** One Ajv for the process: JSON Schemas shared by request validation and the OpenAPI document. */
const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });
// ajv-formats is CommonJS with a default export; interop differs between loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
addFormats(ajv);

export type Validator<T> = (value: unknown) => T;

/** A function that returns the value typed as T, or throws 400 VALIDATION_FAILED with field errors. */
export function validator<T>(schema: JSONSchemaType<T> | Record<string, unknown>): Validator<T> {
  const check = ajv.compile(schema) as ValidateFunction<T>;
  return (value) => {
    if (check(value)) return value;
    throw validationFailed(fieldErrors(check.errors ?? []));
  };
}

function fieldErrors(errors: ErrorObject[]): FieldError[] {
  return errors.map((error) => {
    // a missing or an unexpected property is named in the field, not only in the message
    const property = error.keyword === 'required' ? error.params.missingProperty : error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
    const suffix = property === undefined ? '' : `/${String(property)}`;
    return { field: `${error.instancePath}${suffix}` || '/', message: messageZh(error) };
  });
}

function messageZh(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': return '必填';
    case 'type': return `类型应为 ${String(p.type)}`;
    case 'minLength': return `长度不能少于 ${String(p.limit)} 个字符`;
    case 'maxLength': return `长度不能超过 ${String(p.limit)} 个字符`;
    case 'minimum': return `不能小于 ${String(p.limit)}`;
    case 'maximum': return `不能大于 ${String(p.limit)}`;
    case 'enum': return `应为以下值之一：${(p.allowedValues as unknown[]).join('、')}`;
    case 'pattern': return '格式不正确';
    case 'format': return `格式应为 ${String(p.format)}`;
    case 'additionalProperties': return `不允许的字段：${String(p.additionalProperty)}`;
    default: return error.message ?? '不符合要求';
  }
}
