/**
 * Working days (工作日) on a calendar given as data: Saturdays and Sundays are rest days unless listed as
 * adjusted working days (调休上班), and listed holidays are rest days whatever the weekday. The calendar of
 * a year is published by the 国务院办公厅 each November (domain/parameters/calendar.ts). Pure functions, no
 * I/O. Dates are calendar dates `yyyy-mm-dd` with no time zone (the caller decides which day "today" is).
 */
import { isRealDate } from './id-number';
import { DomainInputError } from './quota';

export { DomainInputError };

export interface WorkingDayCalendar {
  /** rest days (法定节假日 and the days moved into them), yyyy-mm-dd; weekend days may be listed too */
  holidays: readonly string[];
  /** weekend days that are working days (调休上班), yyyy-mm-dd */
  adjustedWorkdays: readonly string[];
  /** the years whose holidays the lists hold; outside them only weekends are rest days (see calendarCovers) */
  years?: readonly number[];
}

const DAY_MS = 86_400_000;
/** More than any time limit needs (about 27 years of working days): a guard against a runaway loop. */
const MAX_DAYS = 7_000;

/** Whether `date` is a working day on `calendar`. */
export function isWorkingDay(date: string, calendar: WorkingDayCalendar): boolean {
  const day = checkDate(date, 'date');
  return isWorkingDayAt(day, compile(calendar));
}

/**
 * The Nth working day after `date` (`date` itself is not counted: a limit of 10 working days from an event on
 * a Friday ends on the 10th working day from the next Monday). n = 0 gives `date` unchanged.
 */
export function addWorkingDays(date: string, n: number, calendar: WorkingDayCalendar): string {
  let day = checkDate(date, 'date');
  if (!Number.isInteger(n) || n < 0 || n > MAX_DAYS) throw new DomainInputError('n', `工作日数 ${String(n)} 无效，应为 0–${MAX_DAYS} 的整数`);
  const compiled = compile(calendar);
  let left = n;
  while (left > 0) {
    day += DAY_MS;
    if (isWorkingDayAt(day, compiled)) left -= 1;
  }
  return toDate(day);
}

/**
 * Working days after `from` up to and including `to` (so that workingDaysBetween(d, addWorkingDays(d, n)) = n);
 * negative when `to` is before `from`, 0 when they are the same day.
 */
export function workingDaysBetween(from: string, to: string, calendar: WorkingDayCalendar): number {
  const start = checkDate(from, 'from');
  const end = checkDate(to, 'to');
  if (Math.abs(end - start) / DAY_MS > MAX_DAYS * 2) throw new DomainInputError('to', `日期间隔过大 (${from} — ${to})`);
  const compiled = compile(calendar);
  const [low, high, sign] = end >= start ? [start, end, 1] : [end, start, -1];
  let count = 0;
  for (let day = low + DAY_MS; day <= high; day += DAY_MS) if (isWorkingDayAt(day, compiled)) count += 1;
  return sign * count;
}

/** Whether the calendar lists the holidays of the year of `date` (false when it does not say which years it holds). */
export function calendarCovers(calendar: WorkingDayCalendar, date: string): boolean {
  checkDate(date, 'date');
  return Array.isArray(calendar?.years) && calendar.years.includes(Number(date.slice(0, 4)));
}

interface Compiled {
  holidays: ReadonlySet<string>;
  adjusted: ReadonlySet<string>;
}

function compile(calendar: WorkingDayCalendar): Compiled {
  if (calendar === null || typeof calendar !== 'object') throw new DomainInputError('calendar', '工作日历无效');
  const list = (value: unknown, field: 'holidays' | 'adjustedWorkdays') => {
    if (!Array.isArray(value)) throw new DomainInputError(`calendar.${field}`, `工作日历的 ${field} 应为日期列表`);
    value.forEach((d, i) => {
      if (typeof d !== 'string' || !isRealDate(d)) throw new DomainInputError(`calendar.${field}[${i}]`, `日期 "${String(d)}" 无效，应为 YYYY-MM-DD`);
    });
    return new Set(value as string[]);
  };
  const holidays = list(calendar.holidays, 'holidays');
  const adjusted = list(calendar.adjustedWorkdays, 'adjustedWorkdays');
  for (const d of adjusted) {
    if (holidays.has(d)) throw new DomainInputError('calendar.adjustedWorkdays', `${d} 同时列为节假日和调休上班日`);
    if (!isWeekend(parse(d))) throw new DomainInputError('calendar.adjustedWorkdays', `调休上班日 ${d} 不是周六或周日`);
  }
  return { holidays, adjusted };
}

function isWorkingDayAt(day: number, calendar: Compiled): boolean {
  const date = toDate(day);
  if (calendar.holidays.has(date)) return false;
  if (calendar.adjusted.has(date)) return true;
  return !isWeekend(day);
}

function isWeekend(day: number): boolean {
  const weekday = new Date(day).getUTCDay();
  return weekday === 0 || weekday === 6;
}

function checkDate(value: unknown, field: string): number {
  if (typeof value !== 'string' || !isRealDate(value)) throw new DomainInputError(field, `日期 "${String(value)}" 无效，应为 YYYY-MM-DD`);
  return parse(value);
}

const parse = (date: string): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
const toDate = (day: number): string => new Date(day).toISOString().slice(0, 10);
