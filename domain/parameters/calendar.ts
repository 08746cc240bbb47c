/**
 * The working-day calendar (工作日历) used for time limits counted in working days (J1–J3: 10 个工作日,
 * domain-spec.md §1.2, DESIGN.md "the 10-working-day limit is a timer"). Data, not code: each November
 * the 国务院办公厅 publishes the next year's 放假调休 schedule; add it as a new version of this key whose
 * lists hold the earlier years too (a deadline late in December runs into the next year), and add the year
 * to `years`.
 */
import type { WorkingDayCalendar } from '../working-days';
import type { Parameter } from './retirement';

const days = (month: number, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `2026-${String(month).padStart(2, '0')}-${String(from + i).padStart(2, '0')}`);

export const workingDayCalendars: Parameter<WorkingDayCalendar>[] = [
  {
    key: 'calendar.working-days',
    version: '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)',
    validFrom: '2026-01-01',
    // [B]: transcribed from republished copies of the notice (新华社 text), not from gov.cn itself.
    status: 'B',
    source:
      '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), as republished (新华社); verify against the 国务院办公厅 notice on www.gov.cn before go-live',
    value: {
      years: [2026],
      holidays: [
        ...days(1, 1, 3), // 元旦: 1月1日(周四)至3日(周六)
        ...days(2, 15, 23), // 春节: 2月15日(周日)至23日(周一), 9 天
        ...days(4, 4, 6), // 清明节: 4月4日(周六)至6日(周一)
        ...days(5, 1, 5), // 劳动节: 5月1日(周五)至5日(周二)
        ...days(6, 19, 21), // 端午节: 6月19日(周五)至21日(周日)
        ...days(9, 25, 27), // 中秋节: 9月25日(周五)至27日(周日)
        ...days(10, 1, 7), // 国庆节: 10月1日(周四)至7日(周三)
      ],
      adjustedWorkdays: [
        '2026-01-04', // 元旦: 1月4日(周日)上班
        '2026-02-14', // 春节: 2月14日(周六)上班
        '2026-02-28', // 春节: 2月28日(周六)上班
        '2026-05-09', // 劳动节: 5月9日(周六)上班
        '2026-09-20', // 国庆节: 9月20日(周日)上班
        '2026-10-10', // 国庆节: 10月10日(周六)上班
      ],
    },
  },
];
