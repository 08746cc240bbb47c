// Domain calculators answer invalid input with DomainInputError (domain/quota.ts: the field at fault and
// a zh-CN message); the calculator routes turn it into 400 VALIDATION_FAILED with that field as a JSON
// pointer ('deemed.months' → '/deemed/months', 'years[0].base' → '/years/0/base').
import { DomainInputError } from '../../domain/quota';
import { validationFailed, type AppError } from '../core/errors';

/** A domain field path as a JSON pointer; `rename` maps a domain name's first segment to the request's. */
export function fieldPointer(field: string, rename: Readonly<Record<string, string>> = {}): string {
  const [head = '', ...rest] = field.split('.');
  const first = head.replace(/^([^[]+)/, (name) => rename[name] ?? name);
  return `/${[first, ...rest].join('/').replace(/\[(\d+)\]/g, '/$1')}`;
}

/** The 400 VALIDATION_FAILED for a DomainInputError. */
export function domainInputFailure(error: DomainInputError, rename: Readonly<Record<string, string>> = {}): AppError {
  return validationFailed([{ field: fieldPointer(error.field, rename), message: error.message }], error.message);
}

/** Runs a calculation; a DomainInputError becomes 400 VALIDATION_FAILED naming the field, anything else is rethrown. */
export async function withDomainErrors<T>(compute: () => T | Promise<T>, rename: Readonly<Record<string, string>> = {}): Promise<T> {
  try {
    return await compute();
  } catch (error) {
    if (error instanceof DomainInputError) throw domainInputFailure(error, rename);
    throw error;
  }
}
