/**
 * Time limits (办理时限) and alert horizons. Data, not code (domain-spec.md §0).
 *
 * `task.time-limit-days`: calendar days per user task, `{ "<processId>/<elementId>": days, "<processId>": days,
 * "*": days }`, the most specific key wins. Read by the periodic deadline check (server/services/
 * task-deadlines.ts: the inbox due time) and by the worker time-limits.plan (the diagrams' boundary timers),
 * so both agree. The spec names no per-step limit: the only time limit it states is J1–J3's 10 working days
 * for the whole case (DESIGN.md), which is not a per-step value but the header `caseWorkingDays` of
 * time-limits.plan on the working-day calendar (domain/parameters/calendar.ts). The one default is "*": 7
 * [C], a week: 荆门 网上办 reports "部门之间联动办理事项不超过5个工作日" (sources/jingmen-wangshangban.txt),
 * and five working days are seven calendar days when the step spans a weekend. Districts set their own
 * per-step values (贵阳 reports 2 个工作日 on average) as new versions.
 *
 * `retirement.alert-months`: the 到龄预警 horizon (domain-spec.md §1.2 J1 step 0: default 3, provincial
 * guidance prepares material 3 months ahead [B, S22]).
 */
import type { Parameter } from './retirement';

/** `{ "<processId>/<elementId>": days, "<processId>": days, "*": days }` (calendar days). */
export type TimeLimitDays = Readonly<Record<string, number>>;

export const TIME_LIMIT_DAYS_KEY = 'task.time-limit-days';
export const RETIREMENT_ALERT_MONTHS_KEY = 'retirement.alert-months';

export const timeLimitDays: Parameter<TimeLimitDays>[] = [
  {
    key: TIME_LIMIT_DAYS_KEY,
    version: 'default',
    validFrom: '2025-01-01',
    status: 'C',
    source:
      'proposed default [C]: the spec names no per-step limit (J1–J3: 10 working days for the case, a timer); 7 calendar days ≈ 荆门 "部门之间联动办理事项不超过5个工作日"',
    value: { '*': 7 },
  },
];

export const retirementAlertMonths: Parameter<number>[] = [
  {
    key: RETIREMENT_ALERT_MONTHS_KEY,
    version: 'default',
    validFrom: '2025-01-01',
    status: 'B',
    source: 'domain-spec §1.2 J1 step 0: alert_months default 3; provincial guidance prepares material 3 months ahead [B, S22]',
    value: 3,
  },
];

/**
 * The limit in days for one user task: "<processId>/<elementId>", else "<processId>", else "*"; undefined when
 * none applies or the value is not a positive number.
 */
export function timeLimitFor(limits: unknown, processId: string, elementId: string): number | undefined {
  if (!limits || typeof limits !== 'object' || Array.isArray(limits)) return undefined;
  const table = limits as Record<string, unknown>;
  for (const key of [`${processId}/${elementId}`, processId, '*']) {
    const days = table[key];
    if (typeof days === 'number' && Number.isFinite(days) && days > 0) return days;
  }
  return undefined;
}
