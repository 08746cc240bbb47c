// The first service task of every workflow: the time limits (办理时限) of the user tasks the diagram
// names, so that its boundary timers (`=timeLimits.Task_X`) and the inbox due time (server/services/
// task-deadlines.ts, same parameter, same most-specific rule) agree; and for J1–J3 the case deadline of
// 10 working days on the working-day calendar.
//
// In:  eventDate (yyyy-mm-dd or an ISO date-time; the case's event date, default today in Asia/Shanghai).
// Headers: elements — comma-separated user-task element ids (required; may be empty for a case deadline only);
//      caseWorkingDays — N (e.g. 10): also compute caseDeadline.
// Parameters (in force today): task.time-limit-days { "<processId>/<elementId>": days, "<processId>": days,
//      "*": days } (calendar days; the built-in default when the table has none); calendar.working-days.
// Out: timeLimits { [elementId]: 'P<n>D' } (an element without any limit gets none: draw its timer only
//      where the parameter sets a limit, or keep "*");
//      caseDeadline: the end of the Nth working day after eventDate, 18:00 China Standard Time, as
//      'yyyy-mm-ddT18:00:00+08:00' (Asia/Shanghai has no daylight saving); caseDeadlineDate: that day;
//      caseDeadlineNote: set when the calendar does not hold the holidays of a year the count runs through.
// Errors: a bad header or eventDate fails with 0 retries (the diagram or the start form is wrong).
import { isoDate, isRealDate } from '../domain/id-number';
import { workingDayCalendars } from '../domain/parameters/calendar';
import { timeLimitDays, timeLimitFor, TIME_LIMIT_DAYS_KEY } from '../domain/parameters/time-limits';
import { addWorkingDays, calendarCovers, type WorkingDayCalendar } from '../domain/working-days';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { TimeLimits } from './variables';

export const jobType = 'time-limits.plan';
export const CALENDAR_PARAMETER = 'calendar.working-days';
/** The working day ends at 18:00 in China Standard Time (UTC+8, Asia/Shanghai, no daylight saving). */
export const CASE_DAY_END = 'T18:00:00+08:00';

const ELEMENT_ID = /^[A-Za-z_][\w.-]*$/;

interface In {
  eventDate?: unknown;
}

export const createHandler = (deps: WorkerDeps): JobHandler<In> => async (job) => {
  const headers = job.customHeaders ?? {};
  const elements = (headers.elements ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  const wrong = elements.find((e) => !ELEMENT_ID.test(e));
  if (wrong !== undefined) return fail({ message: `time-limits.plan: header elements: "${wrong}" 不是元素 id`, retries: 0 });
  let caseWorkingDays: number | undefined;
  if (headers.caseWorkingDays !== undefined && headers.caseWorkingDays !== '') {
    caseWorkingDays = Number(headers.caseWorkingDays);
    if (!/^\d+$/.test(headers.caseWorkingDays.trim()) || caseWorkingDays < 1 || caseWorkingDays > 365) {
      return fail({ message: `time-limits.plan: header caseWorkingDays "${headers.caseWorkingDays}" 应为 1–365 的整数`, retries: 0 });
    }
  }

  const today = isoDate(deps.clock());
  const stored = await deps.parameters.find<Record<string, unknown>>(TIME_LIMIT_DAYS_KEY, today);
  if (!stored) job.log.warn({ key: TIME_LIMIT_DAYS_KEY }, 'no parameter version in force: using the built-in default');
  const limits = stored?.value ?? timeLimitDays[0]!.value;
  const timeLimits: TimeLimits = {};
  for (const elementId of elements) {
    const days = timeLimitFor(limits, job.processId, elementId);
    if (days !== undefined) timeLimits[elementId] = `P${Math.max(1, Math.round(days))}D`;
  }
  if (caseWorkingDays === undefined) return complete({ timeLimits });

  const eventDate = eventDayOf(job.variables.eventDate, today);
  if (eventDate === undefined) return fail({ message: `time-limits.plan: eventDate "${String(job.variables.eventDate)}" 应为 YYYY-MM-DD 日期或 ISO 日期时间`, retries: 0 });
  const storedCalendar = await deps.parameters.find<WorkingDayCalendar>(CALENDAR_PARAMETER, today);
  if (!storedCalendar) job.log.warn({ key: CALENDAR_PARAMETER }, 'no parameter version in force: using the built-in calendar');
  const calendar = storedCalendar?.value ?? workingDayCalendars[0]!.value;
  const deadline = addWorkingDays(eventDate, caseWorkingDays, calendar);
  const uncovered = [...new Set([eventDate.slice(0, 4), deadline.slice(0, 4)])].filter((year) => !calendarCovers(calendar, `${year}-01-01`));
  return complete({
    timeLimits,
    caseDeadline: `${deadline}${CASE_DAY_END}`,
    caseDeadlineDate: deadline,
    ...(uncovered.length
      ? { caseDeadlineNote: `工作日历未收录 ${uncovered.join('、')} 年的节假日安排，期限只扣除了周末，请核对` }
      : {}),
  });
};

/** The calendar day of the event: a yyyy-mm-dd as is, a date-time in China Standard Time, nothing: today. */
function eventDayOf(value: unknown, today: string): string | undefined {
  if (value === undefined || value === null || value === '') return today;
  if (typeof value !== 'string') return undefined;
  if (isRealDate(value)) return value;
  const moment = new Date(value);
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(moment.getTime()) ? isoDate(moment) : undefined;
}

export const worker: WorkerDefinition = { jobType, createHandler };
