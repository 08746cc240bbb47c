// 到龄预警 (domain-spec.md §1.2 J1 step 0): who reaches the statutory retirement date (§5.1) within
// `retirement.alert-months` months, whether a J1 case (staff-reduce-retirement) is already open for them,
// a daily job that records the list and tells the unit clerks of newly listed people, and starting J1 for
// one of them. Retirement dates come from domain/retirement.ts with the rules in force, the category and
// the birth date as retirement.check chooses them (workers/retirement.check.ts retirementSubjectOf), so the
// alert and the case agree.
import type { Knex } from 'knex';
import { isoDate } from '../../domain/id-number';
import { retirementAlertMonths, RETIREMENT_ALERT_MONTHS_KEY } from '../../domain/parameters/time-limits';
import type { RetirementCategory } from '../../domain/parameters/retirement';
import { retirementDate } from '../../domain/retirement';
import { addMonths } from '../../domain/salary';
import { loadRetirementRules, retirementSubjectOf } from '../../workers/retirement.check';
import type { AuthUser } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import { conflict, notFound, requireUuid } from '../core/errors';
import type { Logger } from '../core/logger';
import { startPeriodic, type PeriodicJob } from '../core/periodic';
import { caseScopeOf, inCaseScope } from '../core/policy';
import type { InstanceSummary, WorkflowEngine } from '../engine/types';
import { insertNotifications, type NotificationDraft } from '../repositories/notifications';
import type { ParameterStore } from './parameters';

export const RETIREMENT_PROCESS_ID = 'staff-reduce-retirement';
const ACTOR = 'system:retirement-alerts';

export interface UpcomingRetirement {
  personId: string;
  name: string;
  /** GB/T 2261.1: '1' 男, '2' 女 */
  gender: string;
  post: string | null;
  unitId: string;
  unitCode: string;
  unitName: string;
  category: RetirementCategory;
  categoryBasis: string;
  /** yyyy-mm-dd: the day the statutory age is reached */
  retirementDate: string;
  /** yyyy-mm */
  retireMonth: string;
  /** the statutory date has passed and the person is still 在编 */
  overdue: boolean;
  /** the open J1 case for the person, if any */
  openCaseId: string | null;
  caseOpen: boolean;
  warnings: string[];
}

export interface UpcomingRetirementOptions {
  /** the horizon in months (default: the parameter retirement.alert-months in force) */
  months?: number;
  /** only these units' people */
  unitIds?: readonly string[];
  /** only this person */
  personId?: string;
}

interface PersonRow {
  id: string;
  name: string;
  gender: string;
  birth_date: string;
  post: string | null;
  bianzhi_type: string | null;
  profile: Record<string, unknown> | null;
  unit_id: string;
  unit_code: string;
  unit_name: string;
}

/** The alert horizon in months in force on `day` (the built-in default 3 when the table has none). */
export async function alertMonthsOn(parameters: ParameterStore, day: string): Promise<number> {
  const found = await parameters.find<number>(RETIREMENT_ALERT_MONTHS_KEY, day);
  const months = found?.value ?? retirementAlertMonths[0]!.value;
  return Number.isInteger(months) && months >= 0 && months <= 120 ? months : retirementAlertMonths[0]!.value;
}

/**
 * Every active person whose statutory retirement month is at most `months` months after the month of
 * `today` (those past it and still 在编 are listed too, as overdue), ordered by retirement month, unit, name.
 * Parameters are read before any query, so `db` may be a transaction only if `parameters` does not share it.
 */
export async function listUpcomingRetirements(
  db: Knex,
  parameters: ParameterStore,
  today: Date | string,
  options: UpcomingRetirementOptions = {},
): Promise<UpcomingRetirement[]> {
  const day = typeof today === 'string' ? today.slice(0, 10) : isoDate(today);
  const months = options.months ?? (await alertMonthsOn(parameters, day));
  const { rules } = await loadRetirementRules(parameters, day);
  const horizon = addMonths(day.slice(0, 7), months);
  // nobody retires younger than the smallest original age: only those born before the horizon minus it
  const youngest = Math.min(...Object.values(rules.categories).map((c) => c.originalAgeYears));
  const bornBy = lastDayOf(addMonths(horizon, -youngest * 12));

  const q = db('persons as p')
    .join('units as u', 'u.id', 'p.unit_id')
    .where('p.status', 'active')
    .where('p.birth_date', '<=', bornBy)
    .select('p.id', 'p.name', 'p.gender', 'p.birth_date', 'p.post', 'p.bianzhi_type', 'p.profile', 'p.unit_id', 'u.code as unit_code', 'u.name as unit_name');
  if (options.unitIds) q.whereIn('p.unit_id', [...options.unitIds]);
  if (options.personId) q.where('p.id', options.personId);
  const persons = (await q) as PersonRow[];

  const items: UpcomingRetirement[] = [];
  for (const person of persons) {
    const subject = retirementSubjectOf(person);
    if (!subject) continue;
    const { birthDate, gender, category, basis, warnings } = subject;
    let statutory;
    try {
      statutory = retirementDate({ birthDate, gender, category }, rules);
    } catch {
      continue; // a record the rules cannot read (e.g. a birth date before 1900) is not an alert
    }
    if (statutory.retirementMonth > horizon) continue;
    items.push({
      personId: person.id,
      name: person.name,
      gender: person.gender,
      post: person.post,
      unitId: person.unit_id,
      unitCode: person.unit_code,
      unitName: person.unit_name,
      category,
      categoryBasis: basis,
      retirementDate: statutory.retirementDate,
      retireMonth: statutory.retirementMonth,
      overdue: statutory.retirementDate < day,
      openCaseId: null,
      caseOpen: false,
      warnings,
    });
  }

  const open = await openRetirementCases(db, items.map((i) => i.personId));
  for (const item of items) {
    item.openCaseId = open.get(item.personId) ?? null;
    item.caseOpen = item.openCaseId !== null;
  }
  return items.sort((a, b) => a.retireMonth.localeCompare(b.retireMonth) || a.unitCode.localeCompare(b.unitCode) || a.name.localeCompare(b.name, 'zh-CN'));
}

/** person id → the id of an active J1 instance for the person (instance variable personId). */
export async function openRetirementCases(db: Knex, personIds: readonly string[]): Promise<Map<string, string>> {
  if (!personIds.length) return new Map();
  const rows = (await db('process_instances')
    .where({ process_id: RETIREMENT_PROCESS_ID, state: 'active' })
    .whereRaw(`variables->>'personId' = any(?::text[])`, [[...personIds]])
    .orderBy('created_at')
    .select('id', db.raw(`variables->>'personId' as person_id`))) as Array<{ id: string; person_id: string }>;
  const open = new Map<string, string>();
  for (const row of rows) if (!open.has(row.person_id)) open.set(row.person_id, row.id);
  return open;
}

export interface RetirementAlertRun {
  /** false when the day's run was already done (by this or another server process) */
  ran: boolean;
  runOn: string;
  listed: number;
  /** people listed for the first time with their retirement month (their unit clerks were told) */
  newlyListed: number;
  notifications: number;
}

/**
 * The day's run (at most one per day, Asia/Shanghai date): lists the upcoming retirements, records them in
 * retirement_alerts, and notifies the active unit clerks of each unit with people listed for the first time
 * with that retirement month (one notification per clerk and run; titles carry no personal data).
 */
export async function runRetirementAlerts(db: Knex, parameters: ParameterStore, now: Date): Promise<RetirementAlertRun> {
  const runOn = isoDate(now);
  const skipped = { ran: false, runOn, listed: 0, newlyListed: 0, notifications: 0 };
  if (await db('retirement_alert_runs').where({ run_on: runOn }).first('run_on')) return skipped;
  const months = await alertMonthsOn(parameters, runOn);
  const items = await listUpcomingRetirements(db, parameters, runOn, { months });
  return db.transaction(async (trx) => {
    const [run] = await trx('retirement_alert_runs').insert({ run_on: runOn, ran_at: now, months, listed: items.length }).onConflict('run_on').ignore().returning('run_on');
    if (!run) return skipped;
    const known = new Set(
      (
        (await trx('retirement_alerts')
          .where('run_on', '<', runOn)
          .whereIn('person_id', items.map((i) => i.personId))
          .distinct('person_id', 'retire_month')) as Array<{ person_id: string; retire_month: string }>
      ).map((r) => `${r.person_id} ${r.retire_month}`),
    );
    for (let i = 0; i < items.length; i += 500) {
      await trx('retirement_alerts')
        .insert(items.slice(i, i + 500).map((item) => ({ run_on: runOn, person_id: item.personId, retire_month: item.retireMonth })))
        .onConflict(['run_on', 'person_id'])
        .ignore();
    }
    const fresh = items.filter((item) => !known.has(`${item.personId} ${item.retireMonth}`) && !item.caseOpen);
    const perUnit = new Map<string, UpcomingRetirement[]>();
    for (const item of fresh) perUnit.set(item.unitId, [...(perUnit.get(item.unitId) ?? []), item]);
    const drafts: NotificationDraft[] = [];
    for (const [unitId, people] of perUnit) {
      const clerks = (await trx('users as u')
        .where('u.unit_id', unitId)
        .whereNull('u.disabled_at')
        .whereExists((q) => q.select(trx.raw('1')).from('user_roles as r').whereRaw('r.user_id = u.id').where('r.role_id', 'unit-clerk'))
        .orderBy('u.username')
        .select('u.username')) as Array<{ username: string }>;
      const last = people.map((p) => p.retireMonth).sort().at(-1)!;
      for (const clerk of clerks) {
        drafts.push({ username: clerk.username, kind: 'retirement.due', title: `到龄预警：本单位 ${people.length} 人将于 ${last} 前到达法定退休年龄，请准备退休材料`, actor: ACTOR });
      }
    }
    await insertNotifications(trx, drafts);
    await trx('retirement_alert_runs').where({ run_on: runOn }).update({ notified: drafts.length });
    return { ran: true, runOn, listed: items.length, newlyListed: fresh.length, notifications: drafts.length };
  });
}

export type RetirementAlertJob = PeriodicJob;

/**
 * Runs the day's alert at start and then checks every `intervalMs` (default one hour) whether the day
 * (Asia/Shanghai) has changed; one run per day across server processes (retirement_alert_runs). A failed
 * run is logged and tried again at the next check.
 */
export function startRetirementAlertJob(deps: { db: Knex; parameters: ParameterStore; log: Logger; clock?: Clock; intervalMs?: number }): RetirementAlertJob {
  const clock = deps.clock ?? systemClock;
  return startPeriodic({
    intervalMs: deps.intervalMs ?? 3_600_000,
    async run() {
      const result = await runRetirementAlerts(deps.db, deps.parameters, clock());
      if (result.ran) deps.log.info(result, 'retirement alerts listed');
    },
    onError: (error) => deps.log.warn({ err: error }, 'retirement alert run failed'),
  });
}

export interface RetirementAlertService {
  /** The upcoming retirements the user may see (caseScopeOf: unit staff see their units only). */
  list(user: AuthUser, months?: number): Promise<{ months: number; today: string; items: UpcomingRetirement[] }>;
  /** Starts J1 for a listed person; 409 RETIREMENT_CASE_OPEN when a case is open for them. */
  start(personId: string, user: AuthUser): Promise<InstanceSummary>;
}

export function createRetirementAlertService(deps: { db: Knex; parameters: ParameterStore; engine: WorkflowEngine; clock?: Clock }): RetirementAlertService {
  const clock = deps.clock ?? systemClock;
  // one start per person at a time in this process (the open-case check and the start are not one transaction)
  const starting = new Set<string>();
  return {
    async list(user, months) {
      const today = isoDate(clock());
      const scope = caseScopeOf(user);
      const horizon = months ?? (await alertMonthsOn(deps.parameters, today));
      const items = scope.kind === 'units' && scope.unitIds.length === 0 ? [] : await listUpcomingRetirements(deps.db, deps.parameters, today, { months: horizon, ...(scope.kind === 'units' ? { unitIds: scope.unitIds } : {}) });
      return { months: horizon, today, items };
    },
    async start(personId, user) {
      requireUuid(personId, '人员');
      const scope = caseScopeOf(user);
      const person = (await deps.db('persons').where({ id: personId }).first('id', 'unit_id', 'status', 'name')) as { id: string; unit_id: string | null; status: string; name: string } | undefined;
      if (!person || person.status !== 'active' || !inCaseScope(scope, person.unit_id)) throw notFound('人员');
      if (starting.has(personId)) throw conflict('RETIREMENT_CASE_OPEN', '该人员的退休流程正在发起');
      starting.add(personId);
      try {
        const today = isoDate(clock());
        const [item] = await listUpcomingRetirements(deps.db, deps.parameters, today, { months: 1200, personId });
        if (!item) throw notFound('人员');
        if (item.openCaseId) throw conflict('RETIREMENT_CASE_OPEN', '该人员已有进行中的退休流程', { instanceId: item.openCaseId });
        return await deps.engine.startInstance(
          {
            processKey: RETIREMENT_PROCESS_ID,
            variables: { unitId: item.unitId, personId, personName: item.name, reason: '退休', retirementType: '法定', eventDate: item.retirementDate },
          },
          { kind: 'user', id: user.username },
        );
      } finally {
        starting.delete(personId);
      }
    },
  };
}

function lastDayOf(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
