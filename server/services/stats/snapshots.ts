// Month-end snapshots (domain-spec.md §8: the statistics are "computed from month-end snapshots so a past
// report reproduces exactly"). A take copies, in one transaction and a few `insert … select` statements, the
// units, quotas (R counted from the persons), leader posts, the persons 在编 (reduced to the columns the
// reports count, no names or ID numbers) and the 减员 cases into the snapshot_* tables; nothing in them is
// changed afterwards. Values that need the domain rules (the §5.1 retirement category and month, the
// 档案认定出生日期) are computed in TypeScript on the few distinct inputs (category keys, birth months) and
// joined in as small tables, so the rules are those of domain/retirement.ts and workers/retirement.check.ts.
//
// Each take also computes, once, the aggregates the reports read (snapshot_structure_*: counts per unit ×
// 编制类型 × 职务层次, age histograms, medians) and reconciles the month's payroll roster (payroll.ts), so no
// report reads a million rows.
//
// Which snapshot a report reads (resolveSource): for a date in the current month, that month's snapshot if one
// was taken, otherwise the current month's *provisional* snapshot — taken on the first request of the month
// (that request waits for the take), served to later requests and refreshed in the background once older than
// PROVISIONAL_MAX_AGE_MS (the request that finds it stale still gets it, labelled with its time); the hourly
// job keeps an existing one fresh. Reports never read the live tables. A provisional snapshot is never used for
// a past date and is deleted once two newer ones exist. For a past date: the latest complete snapshot whose
// month end is ≤ the date. Flows are read from person_events recorded up to the snapshot's taken_at.
import type { Knex } from 'knex';
import { isoDate, isRealDate } from '../../../domain/id-number';
import { RETIREMENT_CATEGORIES, type RetirementCategory, type StatutoryAgeRules } from '../../../domain/parameters/retirement';
import { retirementDate } from '../../../domain/retirement';
import { addMonths, isYearMonth } from '../../../domain/salary';
import { birthDateOf, chooseRetirementCategory, parameterTag, RETIREMENT_PARAMETER } from '../../../workers/retirement.check';
import type { AuthUser } from '../../core/auth-user';
import { systemClock, type Clock } from '../../core/clock';
import { conflict, notFound, validationFailed } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { startPeriodic, type PeriodicJob } from '../../core/periodic';
import { appendAuditEvents } from '../../repositories/audit-events';
import type { ParameterStore } from '../parameters';
import { flowEventsQuery, FLOW_YEARS, REDUCE_PROCESSES } from './flows';
import { reconcileSnapshot } from './payroll';
import { retirementCountsQuery } from './retirement-forecast';
import { raw, rows, sql, type Sql } from './sql';
import { agesQuery, AGE_TABLE_COLUMNS, cellsQuery, CELL_TABLE_COLUMNS, mediansQuery, structurePersons } from './structure';

const SYSTEM_ACTOR = 'system:stats-snapshots';
const UUID_RE = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export interface SnapshotInfo {
  id: string;
  month: string;
  takenAt: string;
  takenBy: string;
  status: 'complete' | 'replaced' | 'provisional';
  persons: number;
  units: number;
  durationMs: number | null;
  replacedBy: string | null;
}

/** How old the current month's provisional snapshot may be before a request refreshes it (in the background). */
export const PROVISIONAL_MAX_AGE_MS = 30 * 60_000;

/** What a report reads: a month-end snapshot, or the current month's provisional snapshot. */
export interface Source {
  kind: 'snapshot' | 'provisional';
  snapshotId: string;
  /** yyyy-mm */
  month: string;
  takenAt: string;
  /** the day ages and windows are counted at: the snapshot's month end, or the take day of a provisional one */
  referenceDate: string;
  /** the day that was asked for */
  requestedDate: string;
  /** the persons relation (columns of snapshot_persons without snapshot_id) */
  persons: Sql;
  units: Sql;
  quotas: Sql;
  leaderPosts: Sql;
  reductions: Sql;
  /** events counted by the flows: recorded up to this moment */
  eventsRecordedBy: string;
}

export interface SourceView {
  month: string;
  takenAt: string;
  live: boolean;
  id: string | null;
  referenceDate: string;
  requestedDate: string;
  note: string;
}

export const sourceView = (s: Source): SourceView => ({
  month: s.month,
  takenAt: s.takenAt,
  live: s.kind === 'provisional',
  id: s.snapshotId,
  referenceDate: s.referenceDate,
  requestedDate: s.requestedDate,
  note:
    s.kind === 'provisional'
      ? `本月（${s.month}）尚无月末快照：按本月临时快照统计（live，数据截至 ${s.takenAt}，每 ${PROVISIONAL_MAX_AGE_MS / 60_000} 分钟内刷新）`
      : `按 ${s.month} 月末快照统计（快照时间 ${s.takenAt}）`,
});

// ---- months and days ------------------------------------------------------------------------------

export function lastDayOf(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

export { addMonths };

export function requireMonth(month: unknown, field = 'month'): string {
  if (!isYearMonth(month)) throw validationFailed([{ field, message: '应为 yyyy-mm 月份' }]);
  return month;
}

// ---- the persons relation: the domain rules as small joined tables --------------------------------

/** The §5.1 inputs of chooseRetirementCategory as one text key (unit separator between the fields). */
const CATEGORY_KEY = raw(
  `concat_ws(chr(31), p.gender, coalesce(p.post, ''), coalesce(p.bianzhi_type, ''), coalesce(p.profile->>'titleLevel', ''), coalesce(p.profile->>'leadershipLevel', ''), coalesce(p.profile->>'retirementCategory', ''))`,
);

interface DerivedTables {
  categories: Array<{ key: string; category: RetirementCategory }>;
  archive: Array<{ birth: string; archive: string; effective: string }>;
  retireMonths: Array<{ birth_month: string; category: RetirementCategory; retire_month: string }>;
  parameters: Record<string, unknown>;
}

async function retirementRules(parameters: ParameterStore, day: string): Promise<{ rules: StatutoryAgeRules; tag: unknown }> {
  // before the 2025 law's first version the statutory ages are the original ones, which the first version
  // reproduces for anyone who reached the original age before 2025 (batch index ≤ 0)
  const p = (await parameters.find<StatutoryAgeRules>(RETIREMENT_PARAMETER, day)) ?? (await parameters.get<StatutoryAgeRules>(RETIREMENT_PARAMETER));
  return { rules: p.value, tag: parameterTag(p) };
}

/** The distinct inputs of the domain rules among the persons 在编, and their results. */
async function deriveTables(db: Knex, parameters: ParameterStore, day: string): Promise<DerivedTables> {
  const { rules, tag } = await retirementRules(parameters, day);
  const keys = await rows<{ key: string }>(db, sql`select distinct ${CATEGORY_KEY} as key from persons p where p.status = 'active' and p.gender in ('1', '2')`);
  const categories = keys.map(({ key }) => {
    const [gender, post, bianzhiType, titleLevel, leadershipLevel, explicit] = key.split('\u001f');
    const text = (v: string | undefined) => (v ? v : null);
    const { category } = chooseRetirementCategory({
      gender: gender === '1' ? 'male' : 'female',
      post: text(post),
      bianzhiType: text(bianzhiType),
      titleLevel: text(titleLevel),
      leadershipLevel: text(leadershipLevel),
      category: text(explicit),
    });
    return { key, category };
  });
  const archivePairs = await rows<{ birth: string; archive: string }>(
    db,
    sql`select distinct to_char(p.birth_date, 'YYYY-MM-DD') as birth, p.profile->>'archiveBirthDate' as archive
        from persons p where p.status = 'active' and p.profile->>'archiveBirthDate' is not null`,
  );
  const archive = archivePairs.map(({ birth, archive }) => ({ birth, archive, effective: birthDateOf({ birth_date: birth, profile: { archiveBirthDate: archive } }).birthDate }));
  const [range] = await rows<{ min: string | null; max: string | null }>(
    db,
    sql`select to_char(min(birth_date), 'YYYY-MM') as min, to_char(max(birth_date), 'YYYY-MM') as max from persons where status = 'active'`,
  );
  let [first, last] = [range?.min ?? null, range?.max ?? null];
  for (const a of archive) {
    const m = a.effective.slice(0, 7);
    if (first === null || m < first) first = m;
    if (last === null || m > last) last = m;
  }
  const retireMonths: DerivedTables['retireMonths'] = [];
  if (first !== null && last !== null) {
    for (let month = first; month <= last; month = addMonths(month, 1)) {
      for (const category of RETIREMENT_CATEGORIES) {
        try {
          const r = retirementDate({ birthDate: `${month}-01`, gender: category === 'man' ? 'male' : 'female', category }, rules);
          retireMonths.push({ birth_month: `${month}-01`, category, retire_month: `${r.retirementMonth}-01` });
        } catch {
          // a birth month the rules cannot read (before 1900): no retirement month
        }
      }
    }
  }
  return { categories, archive, retireMonths, parameters: { [RETIREMENT_PARAMETER]: tag } };
}

/** The persons 在编 with the snapshot_persons columns, from the live tables. */
function livePersons(d: DerivedTables): Sql {
  const effective = raw(`coalesce(ab.effective, p.birth_date)`);
  return sql`
    select p.id as person_id, p.unit_id, p.bianzhi_type, p.gender,
           (extract(year from ${effective}) * 10000 + extract(month from ${effective}) * 100 + extract(day from ${effective}))::int as birth_ymd,
           p.profile->>'education' as education, p.profile->>'degree' as degree, p.profile->>'politicalStatus' as political,
           case when jsonb_typeof(p.profile->'leaderPost') = 'object' and p.profile->'leaderPost'->>'kind' in ('principal', 'deputy') then p.profile->'leaderPost'->>'level' end as leader_level,
           case when jsonb_typeof(p.profile->'leaderPost') = 'object' and p.profile->'leaderPost'->>'kind' in ('principal', 'deputy') then p.profile->'leaderPost'->>'kind' end as leader_kind,
           c.category as retire_category, rm.retire_month
      from persons p
      left join (select * from jsonb_to_recordset(${JSON.stringify(d.archive)}::jsonb) as a(birth date, archive text, effective date)) ab
        on ab.birth = p.birth_date and ab.archive = p.profile->>'archiveBirthDate'
      left join (select * from jsonb_to_recordset(${JSON.stringify(d.categories)}::jsonb) as c(key text, category text)) c
        on c.key = ${CATEGORY_KEY}
      left join (select * from jsonb_to_recordset(${JSON.stringify(d.retireMonths)}::jsonb) as r(birth_month date, category text, retire_month date)) rm
        on rm.category = c.category and rm.birth_month = date_trunc('month', ${effective})::date
     where p.status = 'active'`;
}

const liveUnits = raw(`select id as unit_id, code, name, nature, funding_form, parent_unit_id, key_managed, frozen from units`);

/** Quotas per unit × 编制类型 with R counted from `persons` (a relation with unit_id, bianzhi_type) and the plan of `year`. */
function quotasFrom(persons: Sql, year: number): Sql {
  return sql`
    select k.unit_id, k.bianzhi_type, coalesce(q.approved, 0) as approved, coalesce(pc.n, 0)::int as actual,
           coalesce(q.actual, 0) as actual_recorded, coalesce(q.reserved, 0) as reserved, coalesce(q.overflow_allowance, 0) as overflow_allowance,
           pl.planned as plan_planned, pl.used as plan_used
      from (select unit_id, bianzhi_type from quotas
            union select unit_id, bianzhi_type from (${persons}) pp group by 1, 2
            union select unit_id, bianzhi_type from annual_plans where year = ${year}) k
      left join quotas q on q.unit_id = k.unit_id and q.bianzhi_type = k.bianzhi_type
      left join (select unit_id, bianzhi_type, count(*) as n from (${persons}) pp group by 1, 2) pc on pc.unit_id = k.unit_id and pc.bianzhi_type = k.bianzhi_type
      left join annual_plans pl on pl.unit_id = k.unit_id and pl.bianzhi_type = k.bianzhi_type and pl.year = ${year}`;
}

const liveLeaderPosts = raw(`select unit_id, level, kind, approved, actual from leader_posts`);

/** The 减员 cases (J1–J3 instances, REDUCE_PROCESSES) from the live tables. */
const liveReductions = (): Sql => sql`
  select pi.id as process_instance_id, pi.process_id,
         coalesce(e.unit_id, case when pi.variables->>'unitId' ~ ${UUID_RE} then (pi.variables->>'unitId')::uuid end) as unit_id,
         coalesce(case when pi.variables->>'eventDate' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then (pi.variables->>'eventDate')::date end, e.occurred_on) as event_date,
         (e.recorded_at at time zone 'Asia/Shanghai')::date as vacated_on
    from process_instances pi
    left join (
      select distinct on (pe.process_instance_id) pe.process_instance_id, pe.unit_id, pe.occurred_on, pe.recorded_at from person_events pe
       where pe.event_type in ('leave', 'retire') and pe.process_instance_id is not null
       order by pe.process_instance_id, pe.recorded_at) e on e.process_instance_id = pi.id
   where pi.process_id = any(${Object.keys(REDUCE_PROCESSES)}::text[])
     and pi.state in ('active', 'completed')`;

function referenceDateOf(row: Pick<SnapshotRow, 'month' | 'reference_date'>): string {
  const ref = row.reference_date as string | Date | null;
  if (ref === null || ref === undefined) return lastDayOf(row.month);
  // a connection without the project's date parser (server/core/db.ts) gives a local-midnight Date
  if (ref instanceof Date) return `${ref.getFullYear()}-${String(ref.getMonth() + 1).padStart(2, '0')}-${String(ref.getDate()).padStart(2, '0')}`;
  return ref;
}

function snapshotSource(row: SnapshotRow, requestedDate: string): Source {
  const id = row.id;
  return {
    kind: row.status === 'provisional' ? 'provisional' : 'snapshot',
    snapshotId: id,
    month: row.month,
    takenAt: new Date(row.taken_at).toISOString(),
    referenceDate: referenceDateOf(row),
    requestedDate,
    persons: sql`select person_id, unit_id, bianzhi_type, gender, birth_ymd, education, degree, political, leader_level, leader_kind, retire_category, retire_month from snapshot_persons where snapshot_id = ${id}`,
    units: sql`select unit_id, code, name, nature, funding_form, parent_unit_id, key_managed, frozen from snapshot_units where snapshot_id = ${id}`,
    quotas: sql`select unit_id, bianzhi_type, approved, actual, actual_recorded, reserved, overflow_allowance, plan_planned, plan_used from snapshot_quotas where snapshot_id = ${id}`,
    leaderPosts: sql`select unit_id, level, kind, approved, actual from snapshot_leader_posts where snapshot_id = ${id}`,
    reductions: sql`select process_instance_id, process_id, unit_id, event_date, vacated_on from snapshot_reductions where snapshot_id = ${id}`,
    eventsRecordedBy: new Date(row.taken_at).toISOString(),
  };
}

// ---- taking, listing, resolving -------------------------------------------------------------------

interface SnapshotRow {
  id: string;
  month: string;
  taken_at: Date;
  taken_by: string;
  status: 'complete' | 'replaced' | 'provisional';
  persons: number;
  units: number;
  duration_ms: number | null;
  replaced_by: string | null;
  /** yyyy-mm-dd (a provisional snapshot's take day); null: the month's last day */
  reference_date: string | null;
  aggregated_at: Date | null;
}

const infoOf = (r: SnapshotRow): SnapshotInfo => ({
  id: r.id,
  month: r.month,
  takenAt: new Date(r.taken_at).toISOString(),
  takenBy: r.taken_by,
  status: r.status,
  persons: r.persons,
  units: r.units,
  durationMs: r.duration_ms,
  replacedBy: r.replaced_by,
});

export interface TakeOptions {
  /** replace the month's complete snapshot (administrators; audited); otherwise a second take is 409 */
  replace?: boolean;
  reason?: string;
}

export interface SnapshotDeps {
  db: Knex;
  parameters: ParameterStore;
  clock?: Clock;
}

/**
 * Takes the snapshot of `month` now. Refused with 409 SNAPSHOT_EXISTS when the month has one, unless
 * `replace` (the old one becomes 'replaced', an audit event `admin.stats.snapshot.replaced` records who and
 * why). Refused for a month after the current one. One transaction; the persons go into their own partition.
 */
export async function takeSnapshot(deps: SnapshotDeps, month: string, actor: string, options: TakeOptions = {}): Promise<SnapshotInfo> {
  requireMonth(month);
  const clock = deps.clock ?? systemClock;
  const started = performance.now();
  const currentMonth = isoDate(clock()).slice(0, 7);
  if (month > currentMonth) throw validationFailed([{ field: 'month', message: `不能为将来的月份（本月为 ${currentMonth}）` }]);
  if (options.replace && !options.reason?.trim()) throw validationFailed([{ field: 'reason', message: '替换快照须说明原因' }]);
  const derived = await deriveTables(deps.db, deps.parameters, lastDayOf(month));
  return deps.db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`stats:snapshot:${month}`]);
    const existing = (await trx('snapshots').where({ month, status: 'complete' }).first()) as SnapshotRow | undefined;
    if (existing && !options.replace) {
      throw conflict('SNAPSHOT_EXISTS', `${month} 的月末快照已于 ${new Date(existing.taken_at).toISOString()} 生成，快照不可更改；管理员可明确替换`, { snapshot: infoOf(existing) });
    }
    if (existing) await trx('snapshots').where({ id: existing.id }).update({ status: 'replaced' });
    const [row] = (await trx('snapshots')
      .insert({ month, taken_at: clock(), taken_by: actor, status: 'complete', parameters: JSON.stringify(derived.parameters) })
      .returning('*')) as SnapshotRow[];
    const id = row!.id;
    if (existing) await trx('snapshots').where({ id: existing.id }).update({ replaced_by: id, replace_reason: options.reason ?? null });
    const { persons, units } = await writeSnapshot(trx, row!, derived);
    const durationMs = Math.round(performance.now() - started);
    const [done] = (await trx('snapshots')
      .where({ id })
      .update({ persons, units, duration_ms: durationMs })
      .returning('*')) as SnapshotRow[];
    await appendAuditEvents(trx, [
      existing
        ? { actor, kind: 'admin.stats.snapshot.replaced', payload: { month, snapshotId: id, replacedSnapshotId: existing.id, replacedTakenAt: new Date(existing.taken_at).toISOString(), reason: options.reason } }
        : { actor, kind: 'stats.snapshot.taken', payload: { month, snapshotId: id, persons: done!.persons, units: done!.units } },
    ]);
    return infoOf(done!);
  });
}

const SNAPSHOT_TABLES = [
  'snapshot_units',
  'snapshot_quotas',
  'snapshot_leader_posts',
  'snapshot_reductions',
  'snapshot_structure_cells',
  'snapshot_structure_ages',
  'snapshot_structure_medians',
  'snapshot_flow_counts',
  'snapshot_retirement_counts',
  'snapshot_payroll_units',
  'snapshot_payroll_mismatches',
];

const partitionOf = (id: string) => `snapshot_persons_${id.replace(/-/g, '')}`;

/**
 * The rows of snapshot `row` (inserted in `trx`): units, the persons into their own partition, quotas with R
 * counted from them and the plans of the month's year, leader posts, 减员 cases; then the aggregates and the
 * payroll reconciliation of the month.
 */
async function writeSnapshot(trx: Knex.Transaction, row: SnapshotRow, derived: DerivedTables): Promise<{ persons: number; units: number }> {
  const { id, month } = row;
  const partition = partitionOf(id);
  await trx.raw(`create table "${partition}" partition of snapshot_persons for values in ('${id}')`);
  const exec = (q: Sql) => trx.raw(q.text, q.values as Knex.RawBinding[]);
  const units = await exec(sql`insert into snapshot_units (snapshot_id, unit_id, code, name, nature, funding_form, parent_unit_id, key_managed, frozen)
                               select ${id}::uuid, u.* from (${liveUnits}) u`);
  const persons = await exec(sql`insert into "${raw(partition)}" (snapshot_id, person_id, unit_id, bianzhi_type, gender, birth_ymd, education, degree, political, leader_level, leader_kind, retire_category, retire_month)
                                 select ${id}::uuid, p.* from (${livePersons(derived)}) p`);
  await trx.raw(`analyze "${partition}"`);
  const counted = sql`select unit_id, bianzhi_type from "${raw(partition)}"`;
  await exec(sql`insert into snapshot_quotas (snapshot_id, unit_id, bianzhi_type, approved, actual, actual_recorded, reserved, overflow_allowance, plan_planned, plan_used)
                 select ${id}::uuid, q.* from (${quotasFrom(counted, Number(month.slice(0, 4)))}) q`);
  await exec(sql`insert into snapshot_leader_posts (snapshot_id, unit_id, level, kind, approved, actual) select ${id}::uuid, l.* from (${liveLeaderPosts}) l`);
  await exec(sql`insert into snapshot_reductions (snapshot_id, process_instance_id, process_id, unit_id, event_date, vacated_on) select ${id}::uuid, r.* from (${liveReductions()}) r`);
  await aggregate(trx, row);
  await reconcileSnapshot(trx, { id, month });
  // the planner's statistics must know the new snapshot id (a few thousand rows each): without them it takes
  // the snapshot's rows for a handful and nests loops over thousands (measured: 9 s instead of 0.1 s)
  await trx.raw(`analyze ${SNAPSHOT_TABLES.join(', ')}`);
  return { persons: persons.rowCount ?? 0, units: units.rowCount ?? 0 };
}

/**
 * The aggregates of snapshot `row` (structure.ts: cellsQuery, agesQuery, mediansQuery over its persons with
 * ages at its reference date), computed once: the persons are read twice (cells, histogram), the medians come
 * from the histogram.
 */
async function aggregate(trx: Knex.Transaction, row: SnapshotRow): Promise<void> {
  const { id } = row;
  const referenceDate = referenceDateOf(row);
  const exec = (q: Sql) => trx.raw(q.text, q.values as Knex.RawBinding[]);
  const persons = structurePersons(sql`select * from "${raw(partitionOf(id))}"`, referenceDate);
  await trx.raw(`set local work_mem = '64MB'`);
  await exec(sql`insert into snapshot_structure_cells (snapshot_id, ${raw(CELL_TABLE_COLUMNS)}) select ${id}::uuid, c.* from (${cellsQuery(persons)}) c`);
  await exec(sql`insert into snapshot_structure_ages (snapshot_id, ${raw(AGE_TABLE_COLUMNS)}) select ${id}::uuid, h.* from (${agesQuery(persons)}) h`);
  await exec(sql`insert into snapshot_structure_medians (snapshot_id, g_unit, g_type, g_level, g_leader, unit_id, bianzhi_type, leader_label, is_leader, median_age)
                 select ${id}::uuid, m.* from (${mediansQuery(sql`select ${raw(AGE_TABLE_COLUMNS)} from snapshot_structure_ages where snapshot_id = ${id}::uuid`)}) m`);
  const y0 = Number(referenceDate.slice(0, 4));
  await exec(sql`insert into snapshot_flow_counts (snapshot_id, first_year, year, event_type, process_id, n)
                 select ${id}::uuid, ${y0 - FLOW_YEARS + 1}::int, f.* from (${flowEventsQuery(y0 - FLOW_YEARS + 1, referenceDate, new Date(row.taken_at).toISOString())}) f`);
  await exec(sql`insert into snapshot_retirement_counts (snapshot_id, unit_id, bianzhi_type, year, overdue, n)
                 select ${id}::uuid, r.* from (${retirementCountsQuery(sql`select * from "${raw(partitionOf(id))}"`, referenceDate)}) r`);
  await trx('snapshots').where({ id }).update({ aggregated_at: trx.fn.now() });
}

/** A snapshot taken before the aggregates existed gets them on its first read (once; later reads find them). */
async function ensureAggregated(db: Knex, row: SnapshotRow): Promise<void> {
  if (row.aggregated_at) return;
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`stats:aggregate:${row.id}`]);
    const [fresh] = await rows<{ aggregated_at: Date | null }>(trx, sql`select aggregated_at from snapshots where id = ${row.id}::uuid`);
    if (fresh?.aggregated_at) return;
    await trx('snapshot_structure_cells').where({ snapshot_id: row.id }).delete();
    await trx('snapshot_structure_ages').where({ snapshot_id: row.id }).delete();
    await trx('snapshot_structure_medians').where({ snapshot_id: row.id }).delete();
    await trx('snapshot_flow_counts').where({ snapshot_id: row.id }).delete();
    await trx('snapshot_retirement_counts').where({ snapshot_id: row.id }).delete();
    await aggregate(trx, row);
  });
  row.aggregated_at = new Date();
}

// ---- the current month's provisional snapshot ------------------------------------------------------

const refreshing = new WeakMap<Knex, Promise<SnapshotRow>>();

async function newestProvisional(db: Knex, month: string): Promise<SnapshotRow | undefined> {
  return (await db('snapshots').where({ month, status: 'provisional' }).orderBy('taken_at', 'desc').first()) as SnapshotRow | undefined;
}

/**
 * Takes a provisional snapshot of the current month now (ages at today, the retirement rules in force today),
 * one at a time per process (concurrent callers share the take) and across processes (an advisory lock; a
 * take that waited for another's returns that one). Then deletes the provisional snapshots older than the two
 * newest, and those of earlier months.
 */
export function refreshProvisional(deps: SnapshotDeps): Promise<SnapshotRow> {
  const running = refreshing.get(deps.db);
  if (running) return running;
  const work = takeProvisional(deps).finally(() => refreshing.delete(deps.db));
  refreshing.set(deps.db, work);
  return work;
}

async function takeProvisional(deps: SnapshotDeps): Promise<SnapshotRow> {
  const clock = deps.clock ?? systemClock;
  const requested = clock();
  const today = isoDate(requested);
  const month = today.slice(0, 7);
  const started = performance.now();
  const derived = await deriveTables(deps.db, deps.parameters, today);
  const row = await deps.db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['stats:snapshot:provisional']);
    const newer = (await trx('snapshots').where({ month, status: 'provisional' }).where('taken_at', '>=', requested).orderBy('taken_at', 'desc').first()) as SnapshotRow | undefined;
    if (newer) return newer;
    const [inserted] = (await trx('snapshots')
      .insert({ month, taken_at: clock(), taken_by: SYSTEM_ACTOR, status: 'provisional', reference_date: today, parameters: JSON.stringify(derived.parameters) })
      .returning('*')) as SnapshotRow[];
    const { persons, units } = await writeSnapshot(trx, inserted!, derived);
    const [done] = (await trx('snapshots')
      .where({ id: inserted!.id })
      .update({ persons, units, duration_ms: Math.round(performance.now() - started) })
      .returning('*')) as SnapshotRow[];
    return done!;
  });
  const keep = (await deps.db('snapshots').where({ month, status: 'provisional' }).orderBy('taken_at', 'desc').limit(2).pluck('id')) as string[];
  await dropSnapshots(deps.db, (await deps.db('snapshots').where({ status: 'provisional' }).whereNotIn('id', keep).pluck('id')) as string[]);
  return row;
}

/** Deletes these snapshots and their persons' partitions, one transaction each. */
async function dropSnapshots(db: Knex, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await db.transaction(async (trx) => {
      await trx('snapshots').where({ id }).delete();
      await trx.raw(`drop table if exists "${partitionOf(id)}"`);
    });
  }
}

/**
 * Drops the provisional snapshots (a bulk change such as an import makes them wrong): the next report of the
 * current month takes a fresh one. Month-end snapshots are never touched.
 */
export async function discardProvisional(db: Knex): Promise<number> {
  const ids = (await db('snapshots').where({ status: 'provisional' }).pluck('id')) as string[];
  await dropSnapshots(db, ids);
  return ids.length;
}

/** The current month's provisional snapshot: the newest (refreshed in the background when stale), else one taken now. */
async function provisionalSource(deps: SnapshotDeps, now: Date, requestedDate: string): Promise<Source> {
  const newest = await newestProvisional(deps.db, isoDate(now).slice(0, 7));
  if (!newest) return snapshotSource(await refreshProvisional(deps), requestedDate);
  if (now.getTime() - new Date(newest.taken_at).getTime() > PROVISIONAL_MAX_AGE_MS) {
    refreshProvisional(deps).catch(() => {
      // the stale one is served; the next request or the hourly job tries again
    });
  }
  await ensureAggregated(deps.db, newest);
  return snapshotSource(newest, requestedDate);
}

export async function listSnapshots(db: Knex): Promise<SnapshotInfo[]> {
  return ((await db('snapshots').orderBy([{ column: 'month', order: 'desc' }, { column: 'taken_at', order: 'desc' }])) as SnapshotRow[]).map(infoOf);
}

/** The complete snapshot of the latest month ≤ `month`, if any. */
export async function latestSnapshotUpTo(db: Knex, month: string): Promise<SnapshotRow | undefined> {
  return (await db('snapshots').where({ status: 'complete' }).where('month', '<=', month).orderBy('month', 'desc').first()) as SnapshotRow | undefined;
}

/** The source for a report on `date` (yyyy-mm-dd, default today; not after today). */
export async function resolveSource(deps: SnapshotDeps, date?: string): Promise<Source> {
  const now = (deps.clock ?? systemClock)();
  const today = isoDate(now);
  const day = date ?? today;
  if (!isRealDate(day)) throw validationFailed([{ field: '?date', message: '应为 yyyy-mm-dd 日期' }]);
  if (day > today) throw validationFailed([{ field: '?date', message: `不能晚于今天（${today}）` }]);
  const currentMonth = today.slice(0, 7);
  if (day.slice(0, 7) === currentMonth) {
    const current = (await deps.db('snapshots').where({ month: currentMonth, status: 'complete' }).first()) as SnapshotRow | undefined;
    if (!current) return provisionalSource(deps, now, day);
    await ensureAggregated(deps.db, current);
    return snapshotSource(current, day);
  }
  const upTo = day === lastDayOf(day.slice(0, 7)) ? day.slice(0, 7) : addMonths(day.slice(0, 7), -1);
  const found = await latestSnapshotUpTo(deps.db, upTo);
  if (!found) throw notFound(`${day} 之前的月末快照`);
  await ensureAggregated(deps.db, found);
  return snapshotSource(found, day);
}

/** The complete snapshot standing for the end of `year` as seen from `source` (the latest ≤ December, ≤ the source's month). */
export async function yearEndSource(db: Knex, source: Source, year: number): Promise<Source | undefined> {
  const limit = `${year}-12` < source.month ? `${year}-12` : source.month;
  if (limit === source.month) return source;
  const found = await latestSnapshotUpTo(db, limit);
  if (!found || Number(found.month.slice(0, 4)) !== year) return undefined;
  await ensureAggregated(db, found);
  return snapshotSource(found, lastDayOf(found.month));
}

/**
 * The periodic job: on each run (hourly by default), if the previous month (Asia/Shanghai) has no snapshot,
 * take it. Several server processes: the advisory lock and the unique index let one take it; the others
 * see SNAPSHOT_EXISTS and stop. Then, if the current month has a provisional snapshot (someone read a report
 * this month) older than PROVISIONAL_MAX_AGE_MS, refresh it, so requests rarely find it stale.
 */
export function startSnapshotJob(deps: SnapshotDeps & { log: Logger; intervalMs?: number }): PeriodicJob {
  const clock = deps.clock ?? systemClock;
  return startPeriodic({
    intervalMs: deps.intervalMs ?? 3_600_000,
    async run() {
      const now = clock();
      const previous = addMonths(isoDate(now).slice(0, 7), -1);
      if (!(await deps.db('snapshots').where({ month: previous, status: 'complete' }).first('id'))) {
        try {
          const info = await takeSnapshot(deps, previous, SYSTEM_ACTOR);
          deps.log.info({ month: info.month, persons: info.persons, durationMs: info.durationMs }, 'month-end snapshot taken');
        } catch (error) {
          if ((error as { code?: string }).code !== 'SNAPSHOT_EXISTS') throw error;
        }
      }
      const provisional = await newestProvisional(deps.db, isoDate(now).slice(0, 7));
      if (provisional && now.getTime() - new Date(provisional.taken_at).getTime() > PROVISIONAL_MAX_AGE_MS) await refreshProvisional(deps);
    },
    onError: (error) => deps.log.warn({ err: error }, 'month-end snapshot failed'),
  });
}

export const actorLabel = (user: Pick<AuthUser, 'username'>): string => `user:${user.username}`;
