// The §8 reports over month-end snapshots, each checked against counts computed here in plain JS over the
// generated district (not the report SQL); a past date reproduces the older snapshot after the data changed.
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { retirementDate } from '../../domain/retirement';
import { workingDaysBetween, type WorkingDayCalendar } from '../../domain/working-days';
import type { StatutoryAgeRules } from '../../domain/parameters/retirement';
import type { AuthUser } from '../../server/core/auth-user';
import { createParameterStore } from '../../server/services/parameters';
import { createStatsService, reconcilePayroll, type StatsService } from '../../server/services/stats/index';
import { refreshProvisional } from '../../server/services/stats/snapshots';
import type { ComplianceReport } from '../../server/services/stats/compliance';
import type { EstablishmentReport } from '../../server/services/stats/establishment';
import type { FlowsReport } from '../../server/services/stats/flows';
import type { LeaderPostsReport } from '../../server/services/stats/leader-posts';
import type { RetirementForecastReport } from '../../server/services/stats/retirement-forecast';
import type { StructureReport } from '../../server/services/stats/structure';
import { fakeClock, type FakeClock } from '../support/clock';
import { getTestDatabase, resetDatabase } from '../support/db';
import { activeIn, clone, initialDistrict, newPerson, personRow, rng, unitIdOf, writeDistrict, type DistrictState, type PersonFx } from './district';

const ADMIN = { id: '00000000-0000-4000-8000-0000000000aa', username: 'stats-admin', roles: ['admin'], unitId: null, departmentId: null, groups: [] } as unknown as AuthUser;
const UNIT_CLERK = { ...ADMIN, username: 'unit-clerk', roles: ['unit-clerk'], unitId: '00000000-0000-4000-8000-000000000001' } as unknown as AuthUser;

// ---- expectations in plain JS ---------------------------------------------------------------------

const active = (s: DistrictState) => s.persons.filter((p) => p.status === 'active');
const ageAt = (birth: string, day: string) => Math.floor((Number(day.replaceAll('-', '')) - Number(birth.replaceAll('-', ''))) / 10000);
const effectiveBirth = (p: PersonFx) => p.archiveBirth ?? p.birth;
function eduGroup(code: string | null): string {
  if (code === null) return '未填';
  const n = Number(code);
  if (n >= 11 && n <= 13) return '博士研究生';
  if (n >= 14 && n <= 19) return '硕士研究生';
  if (n >= 21 && n <= 28) return '本科';
  if (n >= 31 && n <= 33) return '大专';
  if (n >= 41 && n <= 49) return '中专';
  if (n >= 61 && n <= 63) return '高中';
  return '其他';
}
function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

function expectedEstablishment(s: DistrictState) {
  const rows = s.quotas.map((q) => {
    const r = activeIn(s, q.unit, q.type);
    const available = q.approved - r - q.reserved;
    return { unit: q.unit, type: q.type, A: q.approved, R: r, P: q.reserved, vacant: Math.max(q.approved - r, 0), over: Math.max(r - q.approved, 0), flag: r > q.approved ? 'over' : available <= 0 ? 'full' : null };
  });
  const sum = (rs: typeof rows, k: 'A' | 'R' | 'P' | 'vacant' | 'over') => rs.reduce((a, r) => a + r[k], 0);
  const supervisorOf = (code: string) => s.units.find((u) => u.code === code)!.parent ?? code;
  return { rows, sum, supervisorOf };
}

describe('statistics: reports over month-end snapshots', function () {
  this.timeout(120_000);
  let knex: Knex;
  let clock: FakeClock;
  let stats: StatsService;
  let s1: DistrictState; // as of the 2026-09 snapshot
  let s2: DistrictState; // as of the 2026-10 snapshot
  let s3: DistrictState; // now (live)
  let rules: StatutoryAgeRules;
  let calendar: WorkingDayCalendar;

  before(async () => {
    // given a district, a snapshot of 2026-09, changes, a snapshot of 2026-10, and more changes
    knex = (await getTestDatabase()).knex;
    await resetDatabase(knex);
    clock = fakeClock(new Date('2026-10-01T01:00:00Z'));
    const parameters = createParameterStore(knex, clock.now);
    stats = createStatsService({ db: knex, parameters, clock: clock.now });
    rules = (await parameters.get<StatutoryAgeRules>('retirement.statutory-age', '2026-09-30')).value;
    calendar = (await parameters.get<WorkingDayCalendar>('calendar.working-days', '2026-09-30')).value;

    s1 = initialDistrict();
    await writeDistrict(knex, s1);
    await knex('payroll_roster').insert(rosterFor(s1));
    await stats.takeSnapshot({ month: '2026-09' }, ADMIN);

    s2 = clone(s1);
    const r = rng(7);
    const added = Array.from({ length: 10 }, () => newPerson(r, 'S2C', 'SY'));
    s2.persons.push(...added);
    await knex('persons').insert(added.map((p) => personRow(s2, p)));
    const [z1] = await knex('process_instances').where({ process_id: 'staff-add-recruitment' }).select('id');
    await knex('person_events').insert(added.map((p) => ({ person_id: p.id, event_type: 'enter', occurred_on: '2026-10-10', unit_id: unitIdOf(s2, 'S2C'), process_instance_id: z1.id, recorded_at: '2026-10-10T10:00:00+08:00' })));
    for (const p of added) s2.events.push({ personId: p.id, type: 'enter', occurredOn: '2026-10-10', recordedOn: '2026-10-10', unit: 'S2C', process: 'staff-add-recruitment' });
    const retiring = s2.persons.filter((p) => p.status === 'active' && p.unit === 'S1' && p.type === 'XZ' && !p.leader).slice(0, 5);
    for (const p of retiring) {
      p.status = 'retired';
      await knex('persons').where({ id: p.id }).update({ status: 'retired', unit_id: null, bianzhi_type: null });
      await knex('person_events').insert({ person_id: p.id, event_type: 'retire', occurred_on: '2026-10-05', unit_id: unitIdOf(s2, 'S1'), recorded_at: '2026-10-12T10:00:00+08:00' });
      s2.events.push({ personId: p.id, type: 'retire', occurredOn: '2026-10-05', recordedOn: '2026-10-12', unit: 'S1', process: null });
    }
    s2.quotas.find((q) => q.unit === 'S1A')!.approved = 70;
    await knex('quotas').where({ unit_id: unitIdOf(s2, 'S1A'), bianzhi_type: 'SY' }).update({ approved: 70 });
    s2.leaderPosts.find((l) => l.unit === 'S1B' && l.kind === 'deputy')!.approved = 3;
    await knex('leader_posts').where({ unit_id: unitIdOf(s2, 'S1B'), kind: 'deputy' }).update({ approved: 3 });
    clock.set(new Date('2026-11-02T01:00:00Z'));
    await stats.takeSnapshot({ month: '2026-10' }, ADMIN);

    s3 = clone(s2);
    const more = Array.from({ length: 7 }, () => newPerson(r, 'S2', 'XZ'));
    s3.persons.push(...more);
    await knex('persons').insert(more.map((p) => personRow(s3, p)));
    s3.quotas.find((q) => q.unit === 'S2' && q.type === 'XZ')!.approved = 20;
    await knex('quotas').where({ unit_id: unitIdOf(s3, 'S2'), bianzhi_type: 'XZ' }).update({ approved: 20 });
    clock.set(new Date('2026-11-20T02:00:00Z'));
  });

  function rosterFor(s: DistrictState) {
    const people = active(s);
    const history = s.persons.filter((p) => p.status !== 'active');
    return [
      // everyone 在编 but the first three; the fourth under another unit
      ...people.slice(3).map((p, i) => ({ month: '2026-09', id_number: p.idNumber, unit_id: unitIdOf(s, i === 0 ? 'S2' : p.unit), source: 'test' })),
      // two unknown ID numbers and two persons who left
      { month: '2026-09', id_number: '110101199001019991', unit_id: unitIdOf(s, 'S1A'), source: 'test' },
      { month: '2026-09', id_number: '110101199001019992', unit_id: unitIdOf(s, 'S1A'), source: 'test' },
      ...history.slice(0, 2).map((p) => ({ month: '2026-09', id_number: p.idNumber, unit_id: unitIdOf(s, p.unit), source: 'test' })),
    ];
  }

  describe('establishment', () => {
    for (const [label, date, state] of [
      ['the 2026-09 snapshot for 2026-09-30', '2026-09-30', () => s1],
      ['the 2026-10 snapshot for 2026-10-31', '2026-10-31', () => s2],
      ['the live tables in the current month', undefined, () => s3],
    ] as const) {
      it(`counts A, R, P, 空编, 超编 and flags per unit and in the roll-ups from ${label}`, async () => {
        const report = (await stats.report('establishment', date ? { date } : {}, ADMIN)) as EstablishmentReport;
        const s = state();
        const { rows, sum, supervisorOf } = expectedEstablishment(s);
        assert.equal(report.units.length, rows.length);
        for (const e of rows) {
          const got = report.units.find((u) => u.unitCode === e.unit && u.bianzhiType === e.type)!;
          assert.deepEqual([got.approved, got.actual, got.reserved, got.vacant, got.over, got.flag], [e.A, e.R, e.P, e.vacant, e.over, e.flag], `${e.unit} ${e.type}`);
        }
        assert.deepEqual([report.total.approved, report.total.actual, report.total.reserved, report.total.vacant, report.total.over], [sum(rows, 'A'), sum(rows, 'R'), sum(rows, 'P'), sum(rows, 'vacant'), sum(rows, 'over')]);
        assert.equal(report.total.overRows, rows.filter((r) => r.flag === 'over').length);
        assert.equal(report.total.fullRows, rows.filter((r) => r.flag === 'full').length);
        for (const sup of ['S1', 'S2']) {
          const got = report.bySupervisor.find((g) => g.label.startsWith(`${sup} `))!;
          const mine = rows.filter((r) => supervisorOf(r.unit) === sup);
          assert.deepEqual([got.approved, got.actual, got.vacant, got.over], [sum(mine, 'A'), sum(mine, 'R'), sum(mine, 'vacant'), sum(mine, 'over')], sup);
        }
        const sy = report.byType.find((g) => g.key === 'SY')!;
        assert.equal(sy.actual, sum(rows.filter((r) => r.type === 'SY'), 'R'));
        const self = report.byFundingForm.find((g) => g.key === 'self')!;
        assert.equal(self.actual, activeIn(s, 'S2C', 'SY'));
        assert.equal(report.snapshot.live, date === undefined);
        if (date) assert.equal(report.snapshot.month, date.slice(0, 7));
      });
    }

    it('reproduces the older snapshot exactly for a past date after the data changed', async () => {
      const before = await stats.report('establishment', { date: '2026-10-15' }, ADMIN);
      await knex('quotas').update({ approved: knex.raw('approved + 1') });
      const after = await stats.report('establishment', { date: '2026-10-15' }, ADMIN);
      await knex('quotas').update({ approved: knex.raw('approved - 1') });
      assert.equal(before.snapshot.month, '2026-09');
      assert.deepEqual(after, before);
    });

    it('serves the current month from a provisional snapshot, refreshed once it is stale, never for a past date', async () => {
      const first = (await stats.report('establishment', {}, ADMIN)) as EstablishmentReport;
      const again = (await stats.report('establishment', {}, ADMIN)) as EstablishmentReport;
      assert.equal(first.snapshot.live, true);
      assert.equal(again.snapshot.id, first.snapshot.id, 'a fresh provisional snapshot is read, not taken again');
      const listed = (await stats.listSnapshots(ADMIN)).find((x) => x.id === first.snapshot.id)!;
      assert.equal(listed.status, 'provisional');
      // the data change; within the max age the report still shows the provisional snapshot's figures
      await knex('quotas').where({ unit_id: unitIdOf(s3, 'S2'), bianzhi_type: 'XZ' }).update({ approved: 21 });
      try {
        const unchanged = (await stats.report('establishment', {}, ADMIN)) as EstablishmentReport;
        assert.equal(unchanged.units.find((u) => u.unitCode === 'S2' && u.bianzhiType === 'XZ')!.approved, 20);
        // once stale, a request gets the stale one (labelled with its time) and starts a refresh
        clock.set(new Date('2026-11-20T02:20:00Z'));
        const stale = (await stats.report('establishment', {}, ADMIN)) as EstablishmentReport;
        assert.equal(stale.snapshot.id, first.snapshot.id);
        await refreshProvisional({ db: knex, parameters: createParameterStore(knex, clock.now), clock: clock.now });
        const fresh = (await stats.report('establishment', {}, ADMIN)) as EstablishmentReport;
        assert.notEqual(fresh.snapshot.id, first.snapshot.id);
        assert.equal(fresh.snapshot.takenAt, '2026-11-20T02:20:00.000Z');
        assert.equal(fresh.units.find((u) => u.unitCode === 'S2' && u.bianzhiType === 'XZ')!.approved, 21);
        // a past date still reads its month-end snapshot
        assert.equal((await stats.report('establishment', { date: '2026-10-31' }, ADMIN)).snapshot.month, '2026-10');
        assert.ok(Number((await knex('snapshots').where({ status: 'provisional' }).count('* as n').first())!.n) <= 2);
      } finally {
        await knex('quotas').where({ unit_id: unitIdOf(s3, 'S2'), bianzhi_type: 'XZ' }).update({ approved: 20 });
        clock.set(new Date('2026-11-20T02:00:00Z'));
      }
    });

    it('narrows to a 主管部门 and its units with unitId', async () => {
      const report = (await stats.report('establishment', { date: '2026-09-30', unitId: unitIdOf(s1, 'S1') }, ADMIN)) as EstablishmentReport;
      assert.deepEqual([...new Set(report.units.map((u) => u.unitCode))].sort(), ['S1', 'S1A', 'S1B']);
    });

    it('answers 404 for a date before the first snapshot and refuses a unit-scoped user', async () => {
      await assert.rejects(stats.report('establishment', { date: '2026-08-31' }, ADMIN), (e: { status?: number }) => e.status === 404);
      await assert.rejects(stats.report('establishment', {}, UNIT_CLERK), (e: { status?: number }) => e.status === 403);
    });
  });

  describe('structure', () => {
    it('counts age bands, mean and median age, gender, education, political and degree groups', async () => {
      const report = (await stats.report('structure', { date: '2026-09-30' }, ADMIN)) as StructureReport;
      const people = active(s1);
      const ages = people.map((p) => ageAt(effectiveBirth(p), '2026-09-30'));
      assert.equal(report.total.count, people.length);
      assert.equal(report.total.women, people.filter((p) => p.gender === '2').length);
      assert.equal(report.total.medianAge, median(ages));
      assert.equal(report.total.meanAge, Math.round((ages.reduce((a, b) => a + b, 0) / ages.length) * 10) / 10);
      const bands = { '≤30': 0, '31–35': 0, '36–40': 0, '41–45': 0, '46–50': 0, '51–55': 0, '56–60': 0, '>60': 0 } as Record<string, number>;
      for (const a of ages) bands[a <= 30 ? '≤30' : a <= 35 ? '31–35' : a <= 40 ? '36–40' : a <= 45 ? '41–45' : a <= 50 ? '46–50' : a <= 55 ? '51–55' : a <= 60 ? '56–60' : '>60']! += 1;
      assert.deepEqual(report.total.ageBands, bands);
      const edu: Record<string, number> = {};
      for (const p of people) edu[eduGroup(p.education)] = (edu[eduGroup(p.education)] ?? 0) + 1;
      for (const [g, n] of Object.entries(report.total.education)) assert.equal(n, edu[g] ?? 0, g);
      assert.equal(report.total.bachelorPlus, people.filter((p) => ['博士研究生', '硕士研究生', '本科'].includes(eduGroup(p.education))).length);
      assert.equal(report.total.political['党员'], people.filter((p) => p.political === '01' || p.political === '02').length);
      assert.equal(report.total.political['未填'], people.filter((p) => p.political === null).length);
      assert.equal(report.total.degree['学士'], people.filter((p) => p.degree === 'bachelor').length);
      assert.equal(report.leaders.count, people.filter((p) => p.leader).length);
      assert.equal(report.leaders.women, people.filter((p) => p.leader && p.gender === '2').length);
      const s1a = report.byUnit.find((u) => u.unitCode === 'S1A')!;
      const s1aAges = people.filter((p) => p.unit === 'S1A').map((p) => ageAt(effectiveBirth(p), '2026-09-30'));
      assert.deepEqual([s1a.count, s1a.medianAge], [s1aAges.length, median(s1aAges)]);
      assert.equal(report.byType.find((t) => t.bianzhiType === 'GQ')!.count, people.filter((p) => p.type === 'GQ').length);
      assert.equal(report.byLeaderLevel.find((l) => l.level === '乡科级副职')!.count, people.filter((p) => p.leader?.kind === 'deputy').length);
    });
  });

  describe('stored aggregates', () => {
    it('equal, after a take, the counts over snapshot_persons and the plain-JS counts', async () => {
      const [snap] = await knex('snapshots').where({ month: '2026-10', status: 'complete' }).select('id');
      const cells = await knex('snapshot_structure_cells').where({ snapshot_id: snap.id });
      const counted = (await knex.raw(
        `select unit_id, bianzhi_type, coalesce(leader_level, '') as level, leader_kind, count(*)::int as n, count(*) filter (where gender = '2')::int as women
           from snapshot_persons where snapshot_id = ? group by 1, 2, 3, 4`,
        [snap.id],
      )).rows as Array<{ unit_id: string; bianzhi_type: string; level: string; leader_kind: string | null; n: number; women: number }>;
      assert.equal(cells.length, counted.length);
      for (const c of counted) {
        const label = c.level ? `${c.level}${c.leader_kind === 'principal' ? '正职' : '副职'}` : '非领导职务';
        const cell = cells.find((x) => x.unit_id === c.unit_id && x.bianzhi_type === c.bianzhi_type && x.leader_label === label)!;
        assert.deepEqual([Number(cell.n), Number(cell.women)], [c.n, c.women], `${c.unit_id} ${c.bianzhi_type} ${label}`);
      }
      // the plain-JS view of the same month: persons per unit, women, ages at the month end, 学历 groups
      const people = active(s2);
      for (const u of s2.units) {
        const mine = people.filter((p) => p.unit === u.code);
        const got = cells.filter((x) => x.unit_id === unitIdOf(s2, u.code));
        assert.equal(got.reduce((a, x) => a + Number(x.n), 0), mine.length, u.code);
        assert.equal(got.reduce((a, x) => a + Number(x.age_sum), 0), mine.reduce((a, p) => a + ageAt(effectiveBirth(p), '2026-10-31'), 0), `${u.code} ages`);
        assert.equal(got.reduce((a, x) => a + Number(x.edu_2), 0), mine.filter((p) => eduGroup(p.education) === '本科').length, `${u.code} 本科`);
      }
      const ages = await knex('snapshot_structure_ages').where({ snapshot_id: snap.id });
      assert.equal(ages.reduce((a, x) => a + Number(x.n), 0), people.length);
      const retirement = await knex('snapshot_retirement_counts').where({ snapshot_id: snap.id });
      assert.equal(retirement.reduce((a, x) => a + Number(x.n), 0), people.length);
      const [total] = await knex('snapshot_structure_medians').where({ snapshot_id: snap.id, g_unit: 1, g_type: 1, g_level: 1, g_leader: 1 });
      assert.equal(Number(total.median_age), median(people.map((p) => ageAt(effectiveBirth(p), '2026-10-31'))));
      const flows = await knex('snapshot_flow_counts').where({ snapshot_id: snap.id, year: 2026 });
      const events2026 = s2.events.filter((e) => e.occurredOn.startsWith('2026') && e.occurredOn <= '2026-10-31');
      assert.equal(flows.reduce((a, x) => a + Number(x.n), 0), events2026.length);
    });
  });

  describe('retirement forecast', () => {
    it('counts per year × unit × 编制类型 those reaching the statutory month, and the quota freed', async () => {
      const report = (await stats.report('retirement-forecast', { date: '2026-10-31', years: 5 }, ADMIN)) as RetirementForecastReport;
      const expected = new Map<string, number>();
      for (const p of active(s2)) {
        const category = p.gender === '1' ? 'man' : p.type === 'GQ' ? 'woman50' : 'woman55';
        const month = retirementDate({ birthDate: effectiveBirth(p), gender: p.gender === '1' ? 'male' : 'female', category }, rules).retirementMonth;
        const year = month <= '2026-10' ? 2026 : Number(month.slice(0, 4));
        if (year > 2030) continue;
        const key = `${year} ${p.unit} ${p.type}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const got = new Map(report.rows.map((r) => [`${r.year} ${r.unitCode} ${r.bianzhiType}`, r.retiring]));
      assert.deepEqual(got, expected);
      assert.equal(report.byYear.reduce((a, y) => a + y.retiring, 0), [...expected.values()].reduce((a, b) => a + b, 0));
      // quota freed: the rise of max(A − R_left, 0) in each unit × type
      for (const row of report.rows) {
        const q = s2.quotas.find((x) => x.unit === row.unitCode && x.type === row.bianzhiType)!;
        const R = activeIn(s2, row.unitCode, row.bianzhiType);
        const earlier = report.rows.filter((x) => x.unitCode === row.unitCode && x.bianzhiType === row.bianzhiType && x.year < row.year).reduce((a, x) => a + x.retiring, 0);
        const freed = Math.max(q.approved - (R - earlier - row.retiring), 0) - Math.max(q.approved - (R - earlier), 0);
        assert.equal(row.quotaFreed, freed, `${row.year} ${row.unitCode} ${row.bianzhiType}`);
      }
    });
  });

  describe('leader posts', () => {
    it('shows 核定, 实配, 超配, 空缺 and the units with 超配, as of each snapshot', async () => {
      for (const [date, s] of [['2026-09-30', () => s1], ['2026-10-31', () => s2]] as const) {
        const report = (await stats.report('leader-posts', { date }, ADMIN)) as LeaderPostsReport;
        const st = s();
        let over = 0;
        let vacant = 0;
        const overUnits = new Set<string>();
        for (const l of st.leaderPosts) {
          const actual = st.persons.filter((p) => p.status === 'active' && p.unit === l.unit && p.leader?.kind === l.kind).length;
          over += Math.max(actual - l.approved, 0);
          vacant += Math.max(l.approved - actual, 0);
          if (actual > l.approved) overUnits.add(l.unit);
          const got = report.posts.find((p) => p.unitCode === l.unit && p.kind === l.kind)!;
          assert.deepEqual([got.approved, got.actual], [l.approved, actual]);
        }
        assert.deepEqual([report.total.over, report.total.vacant], [over, vacant], date);
        assert.deepEqual(report.overUnits.map((u) => u.unitCode).sort(), [...overUnits].sort());
      }
    });
  });

  describe('flows', () => {
    it('counts 增员 by Z1/Z2/Z3 and 减员 by J1/J2/J3 per year, with A and R of the year-end snapshots', async () => {
      const report = (await stats.report('flows', { date: '2026-10-31', years: 5 }, ADMIN)) as FlowsReport;
      assert.deepEqual(report.years.map((y) => y.year), [2022, 2023, 2024, 2025, 2026]);
      const code: Record<string, string> = { 'staff-add-recruitment': 'Z1', 'staff-add-transfer-in': 'Z2', 'staff-add-placement': 'Z3', 'staff-reduce-retirement': 'J1', 'staff-reduce-transfer-out': 'J2', 'staff-reduce-exit': 'J3' };
      for (const y of report.years) {
        const inYear = s2.events.filter((e) => Number(e.occurredOn.slice(0, 4)) === y.year && e.occurredOn <= '2026-10-31');
        const adds = inYear.filter((e) => e.type === 'enter');
        const reds = inYear.filter((e) => e.type === 'leave' || e.type === 'retire');
        assert.equal(y.added.total, adds.length, `${y.year} added`);
        assert.equal(y.added.Z1, adds.filter((e) => code[e.process ?? ''] === 'Z1').length);
        assert.equal(y.added.other, adds.filter((e) => !e.process).length);
        assert.equal(y.reduced.total, reds.length, `${y.year} reduced`);
        assert.equal(y.reduced.J1, reds.filter((e) => code[e.process ?? ''] === 'J1').length);
        assert.equal(y.net, adds.length - reds.length);
      }
      const last = report.years.at(-1)!;
      assert.equal(last.actual, active(s2).length);
      assert.equal(last.approved, s2.quotas.reduce((a, q) => a + q.approved, 0));
      assert.equal(last.financed!.self, activeIn(s2, 'S2C', 'SY'));
      assert.equal(report.years[0]!.actual, null, 'no snapshot in 2022');
    });

    it('does not count events recorded after the snapshot was taken', async () => {
      // an 入编 in September recorded only in November is not in the September snapshot's flows
      const [p] = active(s1);
      await knex('person_events').insert({ person_id: p!.id, event_type: 'enter', occurred_on: '2026-09-15', unit_id: unitIdOf(s1, p!.unit), recorded_at: '2026-11-05T10:00:00+08:00' });
      const report = (await stats.report('flows', { date: '2026-09-30', years: 1 }, ADMIN)) as FlowsReport;
      const expected = s1.events.filter((e) => e.type === 'enter' && e.occurredOn.startsWith('2026') && e.occurredOn <= '2026-09-30').length;
      await knex('person_events').where({ occurred_on: '2026-09-15', event_type: 'enter' }).whereRaw(`recorded_at > '2026-11-01'`).delete();
      assert.equal(report.years[0]!.added.total, expected);
    });
  });

  describe('compliance', () => {
    it('counts 减员 出编 within 10 working days on the calendar, and the payroll roster mismatches', async () => {
      const report = (await stats.report('compliance', { date: '2026-09-30', months: 12 }, ADMIN)) as ComplianceReport;
      let onTime = 0;
      let late = 0;
      let overdue = 0;
      let pending = 0;
      for (const c of s1.cases) {
        const done = c.vacatedOn !== null && c.vacatedOn <= '2026-09-30';
        if (done) workingDaysBetween(c.eventDate, c.vacatedOn!, calendar) <= 10 ? onTime++ : late++;
        else workingDaysBetween(c.eventDate, '2026-09-30', calendar) > 10 ? overdue++ : pending++;
      }
      assert.deepEqual([report.reductions.cases, report.reductions.onTime, report.reductions.late, report.reductions.overdue, report.reductions.pending], [s1.cases.length, onTime, late, overdue, pending]);
      assert.equal(report.reductions.rate, Math.round((onTime / (onTime + late + overdue)) * 10_000) / 10_000);
      assert.equal(report.reductions.byProcess.find((p) => p.code === 'J2')!.cases, s1.cases.filter((c) => c.process === 'staff-reduce-transfer-out').length);
      // roster: 3 在编 missing, 1 under another unit, 2 unknown (no 入编 record), 2 who left
      assert.equal(report.payroll.imported, true);
      assert.deepEqual(
        [report.payroll.enrolled, report.payroll.notOnRoster, report.payroll.unitMismatch, report.payroll.onRosterNotEnrolled, report.payroll.noRecord, report.payroll.left],
        [active(s1).length, 3, 1, 4, 2, 2],
      );
      assert.equal(report.payroll.byUnit.find((u) => u.unitCode === 'S1A')!.noRecord, 2);
    });

    it('says the roster is missing for a month without one', async () => {
      const report = (await stats.report('compliance', { date: '2026-10-31' }, ADMIN)) as ComplianceReport;
      assert.equal(report.payroll.imported, false);
      assert.equal(report.payroll.month, '2026-10');
    });

    it('changes the payroll figures of the month when a roster imported later is reconciled, and pages the lists', async () => {
      // a roster for 2026-10 arrives after the snapshot: everyone 在编 but the first five, one unknown ID number
      const people = active(s2);
      await knex('payroll_roster').insert([
        ...people.slice(5).map((p) => ({ month: '2026-10', id_number: p.idNumber, unit_id: unitIdOf(s2, p.unit), source: 'test' })),
        { month: '2026-10', id_number: '110101199001019993', unit_id: unitIdOf(s2, 'S1'), source: 'test' },
      ]);
      const before = (await stats.report('compliance', { date: '2026-10-31' }, ADMIN)) as ComplianceReport;
      assert.equal(before.payroll.imported, false, 'stored until reconciled');
      const results = await reconcilePayroll(knex, '2026-10');
      assert.deepEqual(results.map((r) => [r.month, r.imported, r.mismatches]), [['2026-10', true, 6]]);
      const report = (await stats.report('compliance', { date: '2026-10-31' }, ADMIN)) as ComplianceReport;
      assert.deepEqual(
        [report.payroll.imported, report.payroll.enrolled, report.payroll.rosterEntries, report.payroll.notOnRoster, report.payroll.unitMismatch, report.payroll.onRosterNotEnrolled, report.payroll.noRecord],
        [true, people.length, people.length - 5 + 1, 5, 0, 1, 1],
      );
      const first = await stats.payrollMismatches({ date: '2026-10-31', kind: 'not_on_roster', offset: 0, limit: 3 }, ADMIN);
      const rest = await stats.payrollMismatches({ date: '2026-10-31', kind: 'not_on_roster', offset: 3, limit: 3 }, ADMIN);
      assert.deepEqual([first.total, first.items.length, rest.items.length], [5, 3, 2]);
      assert.deepEqual([...first.items, ...rest.items].map((m) => m.idNumber).sort(), people.slice(0, 5).map((p) => p.idNumber).sort());
      const all = await stats.payrollMismatches({ date: '2026-10-31' }, ADMIN);
      assert.deepEqual(all.items.filter((m) => m.kind === 'no_record').map((m) => m.idNumber), ['110101199001019993']);
      await assert.rejects(stats.payrollMismatches({ date: '2026-10-31', kind: 'bogus' }, ADMIN), (e: { status?: number }) => e.status === 400);
    });
  });

  describe('snapshots', () => {
    it('refuses a second take of a month, and an admin replace is audited and keeps the old rows', async () => {
      await assert.rejects(stats.takeSnapshot({ month: '2026-09' }, ADMIN), (e: { status?: number; code?: string }) => e.status === 409 && e.code === 'SNAPSHOT_EXISTS');
      await assert.rejects(stats.takeSnapshot({ month: '2026-09', replace: true }, ADMIN), (e: { status?: number }) => e.status === 400);
      const old = (await stats.listSnapshots(ADMIN)).find((s) => s.month === '2026-09')!;
      const replaced = await stats.takeSnapshot({ month: '2026-09', replace: true, reason: '补录 9 月入编' }, ADMIN);
      const list = await stats.listSnapshots(ADMIN);
      assert.equal(list.find((s) => s.id === old.id)!.status, 'replaced');
      assert.equal(list.find((s) => s.id === old.id)!.replacedBy, replaced.id);
      assert.equal(await knex('snapshot_quotas').where({ snapshot_id: old.id }).count('* as n').first().then((r) => Number(r!.n)), s1.quotas.length);
      const audit = await knex('audit_events').where({ kind: 'admin.stats.snapshot.replaced' }).first();
      assert.equal(audit.payload.replacedSnapshotId, old.id);
      assert.equal(audit.payload.reason, '补录 9 月入编');
      assert.equal(audit.actor, 'user:stats-admin');
    });

    it('refuses a month after the current one', async () => {
      await assert.rejects(stats.takeSnapshot({ month: '2026-12' }, ADMIN), (e: { status?: number }) => e.status === 400);
    });
  });
});
