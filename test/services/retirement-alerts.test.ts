// 到龄预警: who reaches the statutory retirement date within the alert horizon, and the daily run that
// records the list and tells the unit clerks of newly listed people (fake clock).
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { PARAMETER_DEFAULTS } from '../../domain/parameters/index';
import { retirementAlertMonths } from '../../domain/parameters/time-limits';
import { createSilentLogger } from '../../server/core/logger';
import { seedDemo } from '../../server/demo/seed';
import { createParameterStore, seedDefaultParameters, type ParameterStore } from '../../server/services/parameters';
import { listUpcomingRetirements, runRetirementAlerts, startRetirementAlertJob } from '../../server/services/retirement-alerts';
import { fakeClock } from '../support/clock';
import { getTestDatabase, resetDatabase } from '../support/db';
import { seedRetirementPeople } from '../workers/support';

describe('retirement alerts (到龄预警)', () => {
  let knex: Knex;
  let parameters: ParameterStore;
  let people: Record<'A' | 'B' | 'C' | 'D' | 'E', string>;
  const clock = fakeClock(new Date('2026-11-24T08:00:00Z'));

  before(async () => {
    knex = (await getTestDatabase()).knex;
    await resetDatabase(knex);
    await seedDemo(knex, createSilentLogger());
    await seedDefaultParameters(knex, [...PARAMETER_DEFAULTS, ...retirementAlertMonths]);
    parameters = createParameterStore(knex, clock.now);
    people = await seedRetirementPeople(knex);
  });

  beforeEach(async () => {
    clock.set(new Date('2026-11-24T08:00:00Z'));
    await knex('retirement_alerts').delete();
    await knex('retirement_alert_runs').delete();
    await knex('notifications').delete();
  });

  describe('listUpcomingRetirements', () => {
    it('lists the people whose statutory month is within the parameter (3 months), the overdue first', async () => {
      // when
      const items = await listUpcomingRetirements(knex, parameters, '2026-11-24');
      // then
      assert.deepEqual(
        items.map((i) => [i.personId, i.retireMonth, i.category, i.overdue, i.caseOpen]),
        [
          [people.D, '2026-05', 'man', true, false],
          [people.B, '2026-12', 'man', false, false],
          [people.C, '2026-12', 'woman55', false, false],
          [people.E, '2027-02', 'woman50', false, false],
        ],
      );
      const b = items[1]!;
      assert.deepEqual([b.name, b.unitCode, b.retirementDate], ['乙', 'U001', '2026-12-20']);
    });

    it('takes another horizon and a unit filter', async () => {
      const six = await listUpcomingRetirements(knex, parameters, new Date('2026-11-24T08:00:00Z'), { months: 6 });
      assert.ok(six.some((i) => i.personId === people.A));
      const u003 = (await knex('units').where({ code: 'U003' }).first('id')) as { id: string };
      const scoped = await listUpcomingRetirements(knex, parameters, '2026-11-24', { unitIds: [u003.id] });
      assert.deepEqual(scoped.map((i) => i.personId), [people.C, people.E]);
    });

    it('follows a new version of retirement.alert-months', async () => {
      await knex('parameters').insert({ key: 'retirement.alert-months', version: 2, valid_from: '2026-11-01', value: JSON.stringify(1), status: 'C' });
      try {
        const items = await listUpcomingRetirements(knex, parameters, '2026-11-24');
        assert.deepEqual(items.map((i) => i.personId), [people.D, people.B, people.C]);
      } finally {
        await knex('parameters').where({ key: 'retirement.alert-months', version: 2 }).delete();
      }
    });
  });

  describe('runRetirementAlerts', () => {
    it('records the day once and tells each unit\'s clerks once about newly listed people', async () => {
      // when the run happens twice on one day, then on the next day
      const first = await runRetirementAlerts(knex, parameters, clock.now());
      const again = await runRetirementAlerts(knex, parameters, clock.now());
      clock.advance(24 * 3600_000);
      const nextDay = await runRetirementAlerts(knex, parameters, clock.now());
      // then
      assert.deepEqual([first.ran, first.listed, first.newlyListed, first.notifications], [true, 4, 4, 2]);
      assert.equal(again.ran, false);
      assert.deepEqual([nextDay.ran, nextDay.runOn, nextDay.listed, nextDay.newlyListed, nextDay.notifications], [true, '2026-11-25', 4, 0, 0]);
      const notes = (await knex('notifications').orderBy('username')) as Array<{ username: string; kind: string; title: string }>;
      assert.deepEqual(notes.map((n) => [n.username, n.kind]), [['unit-U001', 'retirement.due'], ['unit-U003', 'retirement.due']]);
      assert.match(notes[0]!.title, /本单位 2 人将于 2026-12 前到达法定退休年龄/);
      assert.doesNotMatch(notes.map((n) => n.title).join(), /乙|丙|丁|戊/, 'titles carry no names');
      assert.equal(await knex('retirement_alerts').where({ run_on: '2026-11-24' }).count('* as n').first().then((r) => Number(r?.n)), 4);
    });

    it('tells the clerks about a person newly in the horizon', async () => {
      await runRetirementAlerts(knex, parameters, clock.now());
      // a month later A (2027-04) enters the 3-month horizon
      clock.set(new Date('2027-01-05T02:00:00Z'));
      const later = await runRetirementAlerts(knex, parameters, clock.now());
      assert.equal(later.newlyListed, 1);
      const notes = (await knex('notifications').where({ username: 'unit-U001' }).orderBy('seq')) as Array<{ title: string }>;
      assert.equal(notes.length, 2);
      assert.match(notes[1]!.title, /本单位 1 人将于 2027-04 前/);
    });
  });

  describe('startRetirementAlertJob', () => {
    it('runs the day at start and stops cleanly', async () => {
      const job = startRetirementAlertJob({ db: knex, parameters, log: createSilentLogger(), clock: clock.now, intervalMs: 3_600_000 });
      await job.stop();
      assert.ok(await knex('retirement_alert_runs').where({ run_on: '2026-11-24' }).first());
    });
  });
});
