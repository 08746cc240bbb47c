/**
 * 居民身份证号码 (GB 11643-1999), domain-spec.md §7.1: 6-digit address code + 8-digit birth date +
 * 3-digit sequence + check digit. Pure functions, no I/O.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';
/** Province codes (first two digits) [B]: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82. */
const PROVINCES = new Set<number>([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
]);

export type IdNumberProblem = 'FORMAT' | 'PROVINCE' | 'BIRTH_DATE' | 'CHECK_DIGIT';

/** What each problem means, as the messages to a clerk say it. */
export const ID_NUMBER_PROBLEM_TEXT: Record<IdNumberProblem, string> = {
  FORMAT: '应为 17 位数字加 1 位数字或 X',
  PROVINCE: '前两位不是有效的省级行政区划代码',
  BIRTH_DATE: '出生日期码无效',
  CHECK_DIGIT: '校验码错误',
};

export type IdNumberResult =
  | { valid: true; idNumber: string; birthDate: string; gender: '1' | '2' }
  | { valid: false; problem: IdNumberProblem };

/** The check digit of the first 17 digits ('0'–'9' or 'X'). */
export function idNumberCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('idNumberCheckDigit needs 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** A 15-digit legacy number as its 18-digit form ('19' inserted after the address code, check digit added). */
export function upgradeLegacyIdNumber(legacy: string): string | undefined {
  if (!/^\d{15}$/.test(legacy)) return undefined;
  const first17 = `${legacy.slice(0, 6)}19${legacy.slice(6)}`;
  return first17 + idNumberCheckDigit(first17);
}

/**
 * Checks an 18-digit ID number (a lowercase x is accepted as X) against `today` (the birth date may
 * not be later): format, province code, a real birth date on or after 1900-01-01, the check digit.
 * Returns the normalised number, birth date (yyyy-mm-dd) and gender (GB/T 2261.1: 1 男, 2 女).
 */
export function checkIdNumber(value: string, today: Date = new Date()): IdNumberResult {
  const idNumber = value.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(idNumber)) return { valid: false, problem: 'FORMAT' };
  if (!PROVINCES.has(Number(idNumber.slice(0, 2)))) return { valid: false, problem: 'PROVINCE' };
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (!isRealDate(birthDate) || birthDate < '1900-01-01' || birthDate > isoDate(today)) return { valid: false, problem: 'BIRTH_DATE' };
  if (idNumberCheckDigit(idNumber.slice(0, 17)) !== idNumber[17]) return { valid: false, problem: 'CHECK_DIGIT' };
  return { valid: true, idNumber, birthDate, gender: Number(idNumber[16]) % 2 === 1 ? '1' : '2' };
}

/** Whether `text` is a calendar date written yyyy-mm-dd (2026-02-30 is not). */
export function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** yyyy-mm-dd of a moment, in China Standard Time (UTC+8, no daylight saving). */
export function isoDate(moment: Date): string {
  return new Date(moment.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Masks a 公民身份号码 for the public: the first 6 and the last 4 characters stay. */
export function maskIdNumber(value: string): string {
  if (value.length <= 10) return '*'.repeat(value.length);
  return `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
}
