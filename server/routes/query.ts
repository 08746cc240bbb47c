// Reading query strings: every value arrives as text; bad values are 400 with the parameter named.
import type { Request } from 'express';
import { validationFailed } from '../core/errors';

export function queryString(req: Request, name: string, maxLength = 200): string | undefined {
  const value = req.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > maxLength) throw validationFailed([{ field: `?${name}`, message: '参数格式不正确' }]);
  return value;
}

export function queryInt(req: Request, name: string, { min, max, fallback }: { min: number; max: number; fallback?: number }): number | undefined {
  const text = queryString(req, name, 12);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) throw validationFailed([{ field: `?${name}`, message: `应为 ${min} 到 ${max} 之间的整数` }]);
  return value;
}

export function queryEnum<T extends string>(req: Request, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const text = queryString(req, name, 40);
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw validationFailed([{ field: `?${name}`, message: `应为以下值之一：${allowed.join('、')}` }]);
  return text as T;
}

export function queryDate(req: Request, name: string): Date | undefined {
  const text = queryString(req, name, 40);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw validationFailed([{ field: `?${name}`, message: '应为 ISO 8601 日期时间' }]);
  return date;
}

export function pagination(req: Request): { page: number; pageSize: number } {
  return { page: queryInt(req, 'page', { min: 1, max: 100_000, fallback: 1 })!, pageSize: queryInt(req, 'pageSize', { min: 1, max: 200, fallback: 20 })! };
}

export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : String(value);
}
