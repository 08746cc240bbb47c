// The payroll reconciliation of the compliance report (domain-spec.md §8, "吃空饷" risk): the finance roster
// of a month (工资统发名单, payroll_roster) against the persons 在编 of the month's snapshot. It joins three
// tables of a million rows each, so it is done once per (snapshot, roster month) and stored:
//   - when a snapshot is taken (in the take's transaction), and
//   - by reconcilePayroll(db, month) after a roster import of that month commits (call it from the import),
//   - on first read for a snapshot that has no stored reconciliation (taken before this existed).
// The report reads the counts per unit (snapshot_payroll_units); the lists (snapshot_payroll_mismatches) are
// read a page at a time (payrollMismatches). The definitions are compliance.ts's:
//   notOnRoster          在编 and the ID number (persons.id_number) not on the roster
//   unitMismatch         在编 and on the roster under another unit (counted under the unit 在编)
//   onRosterNotEnrolled  roster entries matching no person 在编 (counted under the roster's unit), of which
//     noRecord           no person with the ID number, or one with neither persons.entered_on nor an 'enter' event
//     left               the others (had 入编, no longer 在编)
// The persons' ID numbers and 入编 records are read as they are when the reconciliation runs.
import type { Knex } from 'knex';
import { rows, sql, type Sql } from './sql';

export interface ReconcileResult {
  snapshotId: string;
  month: string;
  imported: boolean;
  rosterRows: number;
  mismatches: number;
  durationMs: number;
}

export const MISMATCH_KINDS = ['not_on_roster', 'unit_mismatch', 'no_record', 'left'] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** Reconciles the roster of the snapshot's month with its persons, replacing what was stored for it (in `trx`). */
export async function reconcileSnapshot(trx: Knex | Knex.Transaction, snapshot: { id: string; month: string }): Promise<ReconcileResult> {
  const started = performance.now();
  const { id, month } = snapshot;
  const exec = (q: Sql) => trx.raw(q.text, q.values as Knex.RawBinding[]);
  const partition = sql`select person_id, unit_id from snapshot_persons where snapshot_id = ${id}::uuid`;
  await exec(sql`delete from snapshot_payroll_mismatches where snapshot_id = ${id}::uuid`);
  await exec(sql`delete from snapshot_payroll_units where snapshot_id = ${id}::uuid`);
  await exec(sql`delete from snapshot_payroll_runs where snapshot_id = ${id}::uuid`);
  const [present] = await rows<{ n: string }>(trx, sql`select count(*) as n from payroll_roster where month = ${month}`);
  const rosterRows = Number(present?.n ?? 0);
  let mismatches = 0;
  if (rosterRows > 0) {
    // the persons side: 在编 not on the roster, or on it under another unit (hash joins over the month's rows)
    const personsSide = await exec(sql`
      insert into snapshot_payroll_mismatches (snapshot_id, kind, unit_id, person_id, id_number, roster_unit_id)
      select ${id}::uuid, case when r.id_number is null then 'not_on_roster' else 'unit_mismatch' end, a.unit_id, a.person_id, pp.id_number, r.unit_id
        from (${partition}) a
        join persons pp on pp.id = a.person_id
        left join payroll_roster r on r.month = ${month} and r.id_number = pp.id_number
       where r.id_number is null or r.unit_id is distinct from a.unit_id`);
    // the roster side: entries matching no person 在编; no 入编 record, or left
    const rosterSide = await exec(sql`
      insert into snapshot_payroll_mismatches (snapshot_id, kind, unit_id, person_id, id_number, roster_unit_id)
      select ${id}::uuid,
             case when pp.id is null or (pp.entered_on is null and not exists (select 1 from person_events e where e.person_id = pp.id and e.event_type = 'enter')) then 'no_record' else 'left' end,
             r.unit_id, pp.id, r.id_number, r.unit_id
        from payroll_roster r
        left join persons pp on pp.id_number = r.id_number
        left join (${partition}) a on a.person_id = pp.id
       where r.month = ${month} and a.person_id is null`);
    mismatches = (personsSide.rowCount ?? 0) + (rosterSide.rowCount ?? 0);
    // the counts per unit: 在编 from the snapshot's quotas (R per unit × type), entries from the roster, the rest from the lists
    await exec(sql`
      insert into snapshot_payroll_units (snapshot_id, unit_id, enrolled, roster_entries, not_on_roster, on_roster_not_enrolled, no_record, unit_mismatch)
      select ${id}::uuid, unit_id, sum(enrolled), sum(entries), sum(not_on_roster), sum(not_enrolled), sum(no_record), sum(unit_mismatch)
        from (select unit_id, sum(actual) as enrolled, 0 as entries, 0 as not_on_roster, 0 as not_enrolled, 0 as no_record, 0 as unit_mismatch
                from snapshot_quotas where snapshot_id = ${id}::uuid group by 1
              union all
              select unit_id, 0, count(*), 0, 0, 0, 0 from payroll_roster where month = ${month} group by 1
              union all
              select unit_id, 0, 0, count(*) filter (where kind = 'not_on_roster'), count(*) filter (where kind in ('no_record', 'left')),
                     count(*) filter (where kind = 'no_record'), count(*) filter (where kind = 'unit_mismatch')
                from snapshot_payroll_mismatches where snapshot_id = ${id}::uuid group by 1) x
       group by unit_id`);
  }
  const durationMs = Math.round(performance.now() - started);
  await exec(sql`insert into snapshot_payroll_runs (snapshot_id, month, imported, roster_rows, duration_ms) values (${id}::uuid, ${month}, ${rosterRows > 0}, ${rosterRows}, ${durationMs})`);
  return { snapshotId: id, month, imported: rosterRows > 0, rosterRows, mismatches, durationMs };
}

/**
 * Reconciles the payroll roster of `month` (yyyy-mm) with every current snapshot of that month (the complete
 * one and the provisional ones), each in its own transaction. Call it after a roster import of `month` has
 * committed: the compliance figures of that month change with it. Returns one result per snapshot (none when
 * the month has no snapshot yet: its take will reconcile).
 */
export async function reconcilePayroll(db: Knex, month: string): Promise<ReconcileResult[]> {
  const snapshots = (await db('snapshots').whereIn('status', ['complete', 'provisional']).where({ month }).select('id', 'month')) as Array<{ id: string; month: string }>;
  const out: ReconcileResult[] = [];
  for (const s of snapshots) {
    out.push(
      await db.transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`stats:payroll:${s.id}`]);
        await trx.raw(`set local work_mem = '64MB'`);
        return reconcileSnapshot(trx, s);
      }),
    );
  }
  return out;
}

/** The stored reconciliation of a snapshot, reconciling it first if it has none. */
export async function ensureReconciled(db: Knex, snapshot: { id: string; month: string }): Promise<{ imported: boolean; reconciledAt: string }> {
  const read = async () => (await rows<{ imported: boolean; reconciled_at: Date }>(db, sql`select imported, reconciled_at from snapshot_payroll_runs where snapshot_id = ${snapshot.id}::uuid`))[0];
  let run = await read();
  if (!run) {
    await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`stats:payroll:${snapshot.id}`]);
      const [done] = await rows(trx, sql`select 1 from snapshot_payroll_runs where snapshot_id = ${snapshot.id}::uuid`);
      if (done) return;
      await trx.raw(`set local work_mem = '64MB'`);
      await reconcileSnapshot(trx, snapshot);
    });
    run = await read();
  }
  return { imported: !!run?.imported, reconciledAt: new Date(run!.reconciled_at).toISOString() };
}
