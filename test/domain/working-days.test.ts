import assert from 'node:assert/strict';
import { workingDayCalendars } from '../../domain/parameters/calendar';
import { addWorkingDays, calendarCovers, isWorkingDay, workingDaysBetween, type WorkingDayCalendar } from '../../domain/working-days';
import { throwsOn } from './support';

const cal2026 = workingDayCalendars[0]!.value;
const plain: WorkingDayCalendar = { holidays: [], adjustedWorkdays: [] };

describe('Working days on a holiday calendar (domain/working-days.ts)', () => {
  describe('without holidays', () => {
    it('skips the weekend: Friday + 1 working day is Monday', () => {
      // given Friday 2026-11-20 on a calendar with no holidays
      // when / then
      assert.equal(addWorkingDays('2026-11-20', 1, plain), '2026-11-23');
      assert.equal(addWorkingDays('2026-11-20', 5, plain), '2026-11-27');
    });

    it('counts from a weekend day as from the Friday before', () => {
      assert.equal(addWorkingDays('2026-11-21', 1, plain), '2026-11-23');
      assert.equal(addWorkingDays('2026-11-22', 1, plain), '2026-11-23');
    });

    it('gives the date itself for 0 working days, even on a weekend', () => {
      assert.equal(addWorkingDays('2026-11-21', 0, plain), '2026-11-21');
    });
  });

  describe('on the 2026 national calendar', () => {
    it('passes over a week with a holiday: 劳动节 2026-05-01…05', () => {
      // given Thursday 2026-04-30, the day before the 5-day 劳动节 holiday
      // when / then: the first working day after it is Wednesday 2026-05-06
      assert.equal(addWorkingDays('2026-04-30', 1, cal2026), '2026-05-06');
      assert.equal(addWorkingDays('2026-04-30', 3, cal2026), '2026-05-08');
    });

    it('counts an adjusted Saturday (调休上班 2026-05-09) as a working day', () => {
      assert.equal(isWorkingDay('2026-05-09', cal2026), true);
      assert.equal(addWorkingDays('2026-04-30', 4, cal2026), '2026-05-09');
      assert.equal(addWorkingDays('2026-04-30', 5, cal2026), '2026-05-11');
    });

    it('counts the adjusted Sunday after 元旦: 2025-12-31 + 1 is Sunday 2026-01-04', () => {
      assert.equal(addWorkingDays('2025-12-31', 1, cal2026), '2026-01-04');
    });

    it('ends a 10-working-day limit from 2026-09-24 on 2026-10-15 (中秋, 国庆 and the adjusted 10-10)', () => {
      // Sep 25–27 off · Sep 28, 29, 30 (3) · Oct 1–7 off · Oct 8, 9 (5) · Sat Oct 10 (6) · Oct 12–15 (10)
      assert.equal(addWorkingDays('2026-09-24', 10, cal2026), '2026-10-15');
    });

    it('treats a holiday on a weekday as a rest day and a plain weekday as a working day', () => {
      assert.equal(isWorkingDay('2026-10-05', cal2026), false);
      assert.equal(isWorkingDay('2026-02-23', cal2026), false);
      assert.equal(isWorkingDay('2026-02-24', cal2026), true);
      assert.equal(isWorkingDay('2026-02-28', cal2026), true);
      assert.equal(isWorkingDay('2026-03-01', cal2026), false);
    });

    it('says which years it holds', () => {
      assert.equal(calendarCovers(cal2026, '2026-12-31'), true);
      assert.equal(calendarCovers(cal2026, '2027-01-04'), false);
      assert.equal(calendarCovers(plain, '2026-01-04'), false);
    });
  });

  describe('workingDaysBetween', () => {
    it('inverts addWorkingDays, negative backwards, 0 on the same day', () => {
      assert.equal(workingDaysBetween('2026-09-24', '2026-10-15', cal2026), 10);
      assert.equal(workingDaysBetween('2026-10-15', '2026-09-24', cal2026), -10);
      assert.equal(workingDaysBetween('2026-09-24', '2026-09-24', cal2026), 0);
      assert.equal(workingDaysBetween('2026-04-30', '2026-05-11', cal2026), 5);
    });

    it('counts a span of weekend and holiday only as 0', () => {
      assert.equal(workingDaysBetween('2026-10-01', '2026-10-07', cal2026), 0);
    });

    it('agrees with addWorkingDays over a whole year', () => {
      for (let n = 0; n <= 260; n += 13) assert.equal(workingDaysBetween('2026-01-01', addWorkingDays('2026-01-01', n, cal2026), cal2026), n);
    });
  });

  describe('invalid input', () => {
    it('names the field at fault', () => {
      assert.throws(() => addWorkingDays('2026-02-30', 1, plain), throwsOn('date'));
      assert.throws(() => addWorkingDays('2026-02-03', -1, plain), throwsOn('n'));
      assert.throws(() => addWorkingDays('2026-02-03', 1.5, plain), throwsOn('n'));
      assert.throws(() => workingDaysBetween('2026-02-03', 'tomorrow', plain), throwsOn('to'));
      assert.throws(() => isWorkingDay('2026-02-03', { holidays: ['2026-13-01'], adjustedWorkdays: [] }), throwsOn('calendar.holidays[0]'));
    });

    it('refuses an adjusted working day that is not on a weekend, or is also a holiday', () => {
      assert.throws(() => isWorkingDay('2026-02-03', { holidays: [], adjustedWorkdays: ['2026-02-03'] }), throwsOn('calendar.adjustedWorkdays'));
      assert.throws(() => isWorkingDay('2026-02-03', { holidays: ['2026-02-14'], adjustedWorkdays: ['2026-02-14'] }), throwsOn('calendar.adjustedWorkdays'));
    });
  });
});
