// Month-end snapshots (domain-spec.md §8: the statistics are "computed from month-end snapshots so a past
// report reproduces exactly"). A take copies, in one transaction and a few `insert … select` statements, the
// units, quotas (R counted from the persons), leader posts, the persons 在编 (reduced to the columns the
// reports count, no names or ID numbers) and the 减员 cases into the snapshot_* tables; nothing in them is
// changed afterwards. Values that need the domain rules (the §5.1 retirement category and month, the
// 档案认定出生日期) are computed in TypeScript on the few distinct inputs (category keys, birth months) and
// joined in as small tables, so the rules are those of domain/retirement.ts and workers/retirement.check.ts.
//
// Which snapshot a report reads (resolveSource): for a date in the current month, that month's snapshot if one
// was taken, otherwise the live tables ("live": say so); for a past date, the latest snapshot whose month end
// is ≤ the date. Flows are read from person_events recorded up to the snapshot's taken_at (append-only).
import type { Knex } from 'knex';
import { isoDate, isRealDate } from '../../../domain/id-number';
import { RETIREMENT_CATEGORIES, type RetirementCategory, type StatutoryAgeRules } from '../../../domain/parameters/retirement';
import { retirementDate } from '../../../domain/retirement';
import { birthDateOf, chooseRetirementCategory, parameterTag, RETIREMENT_PARAMETER } from '../../../workers/retirement.check';
import type { AuthUser } from '../../core/auth-user';
import { systemClock, type Clock } from '../../core/clock';
import { conflict, notFound, validationFailed } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { startPeriodic, type PeriodicJob } from '../../core/periodic';
import { appendAuditEvents } from '../../repositories/audit-events';
import type { ParameterStore } from '../parameters';
import { raw, rows, sql, type Sql } from './sql';

export const REDUCTION_PROCESSES = ['staff-reduce-retirement', 'staff-reduce-transfer-out', 'staff-reduce-exit'] as const;
const SYSTEM_ACTOR = 'system:stats-snapshots';
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const UUID_RE = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export interface SnapshotInfo {
  id: string;
  month: string;
  takenAt: string;
  takenBy: string;
  status: 'complete' | 'replaced';
  persons: number;
  units: number;
  durationMs: number | null;
  replacedBy: string | null;
}

/** What a report reads: a snapshot, or the live tables for the current month. */
export interface Source {
  kind: 'snapshot' | 'live';
  snapshotId: string | null;
  /** yyyy-mm */
  month: string;
  takenAt: string;
  /** the day ages and windows are counted at: the snapshot's month end, or the requested day when live */
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
  live: s.kind === 'live',
  id: s.snapshotId,
  referenceDate: s.referenceDate,
  requestedDate: s.requestedDate,
  note:
    s.kind === 'live'
      ? `本月（${s.month}）尚无月末快照：按当前数据实时统计（live），截至 ${s.takenAt}`
      : `按 ${s.month} 月末快照统计（快照时间 ${s.takenAt}）`,
});

// ---- months and days ------------------------------------------------------------------------------

export function lastDayOf(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

export function addMonths(month: string, plus: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + plus;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function requireMonth(month: unknown, field = 'month'): string {
  if (typeof month !== 'string' || !MONTH.test(month)) throw validationFailed([{ field, message: '应为 yyyy-mm 月份' }]);
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

const liveReductions = sql`
  select pi.id as process_instance_id, pi.process_id,
         coalesce(e.unit_id, case when pi.variables->>'unitId' ~ ${UUID_RE} then (pi.variables->>'unitId')::uuid end) as unit_id,
         coalesce(case when pi.variables->>'eventDate' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then (pi.variables->>'eventDate')::date end, e.occurred_on) as event_date,
         (e.recorded_at at time zone 'Asia/Shanghai')::date as vacated_on
    from process_instances pi
    left join (
      select distinct on (pe.process_instance_id) pe.process_instance_id, pe.unit_id, pe.occurred_on, pe.recorded_at from person_events pe
       where pe.event_type in ('leave', 'retire') and pe.process_instance_id is not null
       order by pe.process_instance_id, pe.recorded_at) e on e.process_instance_id = pi.id
   where pi.process_id in (${REDUCTION_PROCESSES[0]}, ${REDUCTION_PROCESSES[1]}, ${REDUCTION_PROCESSES[2]})
     and pi.state in ('active', 'completed')`;

function snapshotSource(row: SnapshotRow, requestedDate: string): Source {
  const id = row.id;
  return {
    kind: 'snapshot',
    snapshotId: id,
    month: row.month,
    takenAt: new Date(row.taken_at).toISOString(),
    referenceDate: lastDayOf(row.month),
    requestedDate,
    persons: sql`select person_id, unit_id, bianzhi_type, gender, birth_ymd, education, degree, political, leader_level, leader_kind, retire_category, retire_month from snapshot_persons where snapshot_id = ${id}`,
    units: sql`select unit_id, code, name, nature, funding_form, parent_unit_id, key_managed, frozen from snapshot_units where snapshot_id = ${id}`,
    quotas: sql`select unit_id, bianzhi_type, approved, actual, actual_recorded, reserved, overflow_allowance, plan_planned, plan_used from snapshot_quotas where snapshot_id = ${id}`,
    leaderPosts: sql`select unit_id, level, kind, approved, actual from snapshot_leader_posts where snapshot_id = ${id}`,
    reductions: sql`select process_instance_id, process_id, unit_id, event_date, vacated_on from snapshot_reductions where snapshot_id = ${id}`,
    eventsRecordedBy: new Date(row.taken_at).toISOString(),
  };
}

async function liveSource(db: Knex, parameters: ParameterStore, now: Date, requestedDate: string): Promise<Source> {
  const today = isoDate(now);
  const derived = await deriveTables(db, parameters, today);
  const persons = livePersons(derived);
  return {
    kind: 'live',
    snapshotId: null,
    month: today.slice(0, 7),
    takenAt: now.toISOString(),
    referenceDate: requestedDate,
    requestedDate,
    persons,
    units: liveUnits,
    quotas: quotasFrom(persons, Number(today.slice(0, 4))),
    leaderPosts: liveLeaderPosts,
    reductions: liveReductions,
    eventsRecordedBy: now.toISOString(),
  };
}

// ---- taking, listing, resolving -------------------------------------------------------------------

interface SnapshotRow {
  id: string;
  month: string;
  taken_at: Date;
  taken_by: string;
  status: 'complete' | 'replaced';
  persons: number;
  units: number;
  duration_ms: number | null;
  replaced_by: string | null;
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
  const monthEnd = lastDayOf(month);
  const year = Number(month.slice(0, 4));
  const derived = await deriveTables(deps.db, deps.parameters, monthEnd);
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
    const partition = `snapshot_persons_${id.replace(/-/g, '')}`;
    await trx.raw(`create table "${partition}" partition of snapshot_persons for values in ('${id}')`);
    const exec = (q: Sql) => trx.raw(q.text, q.values as Knex.RawBinding[]);
    const units = await exec(sql`insert into snapshot_units (snapshot_id, unit_id, code, name, nature, funding_form, parent_unit_id, key_managed, frozen)
                                 select ${id}::uuid, u.* from (${liveUnits}) u`);
    const persons = await exec(sql`insert into "${raw(partition)}" (snapshot_id, person_id, unit_id, bianzhi_type, gender, birth_ymd, education, degree, political, leader_level, leader_kind, retire_category, retire_month)
                                   select ${id}::uuid, p.* from (${livePersons(derived)}) p`);
    await trx.raw(`analyze "${partition}"`);
    const counted = sql`select unit_id, bianzhi_type from "${raw(partition)}"`;
    await exec(sql`insert into snapshot_quotas (snapshot_id, unit_id, bianzhi_type, approved, actual, actual_recorded, reserved, overflow_allowance, plan_planned, plan_used)
                   select ${id}::uuid, q.* from (${quotasFrom(counted, year)}) q`);
    await exec(sql`insert into snapshot_leader_posts (snapshot_id, unit_id, level, kind, approved, actual) select ${id}::uuid, l.* from (${liveLeaderPosts}) l`);
    await exec(sql`insert into snapshot_reductions (snapshot_id, process_instance_id, process_id, unit_id, event_date, vacated_on) select ${id}::uuid, r.* from (${liveReductions}) r`);
    const durationMs = Math.round(performance.now() - started);
    const [done] = (await trx('snapshots')
      .where({ id })
      .update({ persons: persons.rowCount ?? 0, units: units.rowCount ?? 0, duration_ms: durationMs })
      .returning('*')) as SnapshotRow[];
    await appendAuditEvents(trx, [
      existing
        ? { actor, kind: 'admin.stats.snapshot.replaced', payload: { month, snapshotId: id, replacedSnapshotId: existing.id, replacedTakenAt: new Date(existing.taken_at).toISOString(), reason: options.reason } }
        : { actor, kind: 'stats.snapshot.taken', payload: { month, snapshotId: id, persons: done!.persons, units: done!.units } },
    ]);
    return infoOf(done!);
  });
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
    return current ? snapshotSource(current, day) : liveSource(deps.db, deps.parameters, now, day);
  }
  const upTo = day === lastDayOf(day.slice(0, 7)) ? day.slice(0, 7) : addMonths(day.slice(0, 7), -1);
  const found = await latestSnapshotUpTo(deps.db, upTo);
  if (!found) throw notFound(`${day} 之前的月末快照`);
  return snapshotSource(found, day);
}

/** The complete snapshot standing for the end of `year` as seen from `source` (the latest ≤ December, ≤ the source's month). */
export async function yearEndSource(db: Knex, source: Source, year: number): Promise<Source | undefined> {
  const limit = `${year}-12` < source.month ? `${year}-12` : source.month;
  if (limit === source.month) return source;
  const found = await latestSnapshotUpTo(db, limit);
  if (!found || Number(found.month.slice(0, 4)) !== year) return undefined;
  return snapshotSource(found, lastDayOf(found.month));
}

/**
 * The periodic job: on each run (hourly by default), if the previous month (Asia/Shanghai) has no snapshot,
 * take it. Several server processes: the advisory lock and the unique index let one take it; the others
 * see SNAPSHOT_EXISTS and stop.
 */
export function startSnapshotJob(deps: SnapshotDeps & { log: Logger; intervalMs?: number }): PeriodicJob {
  const clock = deps.clock ?? systemClock;
  return startPeriodic({
    intervalMs: deps.intervalMs ?? 3_600_000,
    async run() {
      const previous = addMonths(isoDate(clock()).slice(0, 7), -1);
      if (await deps.db('snapshots').where({ month: previous, status: 'complete' }).first('id')) return;
      try {
        const info = await takeSnapshot(deps, previous, SYSTEM_ACTOR);
        deps.log.info({ month: info.month, persons: info.persons, durationMs: info.durationMs }, 'month-end snapshot taken');
      } catch (error) {
        if ((error as { code?: string }).code === 'SNAPSHOT_EXISTS') return;
        throw error;
      }
    },
    onError: (error) => deps.log.warn({ err: error }, 'month-end snapshot failed'),
  });
}

export const actorLabel = (user: Pick<AuthUser, 'username'>): string => `user:${user.username}`;
