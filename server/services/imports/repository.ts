// The SQL of the 实名制 import: what the validation needs to know of the database, and the apply — set
// statements (jsonb_to_recordset over batches, upserts by natural keys), never a statement per row.
// `db` is the caller's transaction. Rows hold personal data: nothing here logs a row.
import type { Knex } from 'knex';
import type { Logger } from '../../core/logger';
import type { ExistingState, ImportPlan } from './validate';
import type { UnitNature } from '../../../domain/quota';

/** Rows per statement for persons (and the progress log interval). */
export const PERSON_BATCH = 10_000;

/** Serializes imports (two at once would validate against each other's unwritten data). */
const IMPORT_LOCK_KEY = 0x627a_696d; // 'bzim'

export async function lockImports(trx: Knex.Transaction): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(?)', [IMPORT_LOCK_KEY]);
}

export async function loadExistingState(db: Knex): Promise<ExistingState> {
  // one after the other: `db` may be a transaction (and PGlite has one connection)
  const units = await db.raw<{ rows: Array<{ id: string; code: string; nature: UnitNature; parent_code: string | null }> }>(
    `select u.id, u.code, u.nature, p.code as parent_code from units u left join units p on p.id = u.parent_unit_id`,
  );
  const quotas = await db.raw<{ rows: Array<{ code: string; bianzhi_type: string; approved: number; overflow_allowance: number; reserved: number }> }>(
    `select u.code, q.bianzhi_type, q.approved, q.overflow_allowance, q.reserved from quotas q join units u on u.id = q.unit_id`,
  );
  const posts = await db.raw<{ rows: Array<{ code: string; level: string; kind: string; approved: number }> }>(
    `select u.code, l.level, l.kind, l.approved from leader_posts l join units u on u.id = l.unit_id`,
  );
  const persons = await db.raw<{ rows: Array<{ id_number: string; code: string; bianzhi_type: string; level: string | null; kind: string | null }> }>(
    `select p.id_number, u.code, p.bianzhi_type, p.profile #>> '{leaderPost,level}' as level, p.profile #>> '{leaderPost,kind}' as kind
       from persons p join units u on u.id = p.unit_id where p.status = 'active'`,
  );
  const state: ExistingState = {
    units: new Map(units.rows.map((u) => [u.code, { id: u.id, nature: u.nature, parentCode: u.parent_code }])),
    quotas: new Map(quotas.rows.map((q) => [`${q.code}|${q.bianzhi_type}`, { approved: q.approved, overflowAllowance: q.overflow_allowance, reserved: q.reserved }])),
    leaderPosts: new Map(posts.rows.map((l) => [`${l.code}|${l.level}|${l.kind}`, { approved: l.approved }])),
    activePersons: new Map(),
  };
  for (const p of persons.rows) {
    const leaderKey = p.level && (p.kind === 'principal' || p.kind === 'deputy') ? `${p.code}|${p.level}|${p.kind}` : null;
    state.activePersons.set(p.id_number, { unitCode: p.code, bianzhiType: p.bianzhi_type, leaderKey });
  }
  return state;
}

/** What the apply wrote, per kind: rows inserted and rows updated. */
export type ApplyResult = Record<'units' | 'quotas' | 'leaderPosts' | 'plans' | 'persons' | 'payroll', { inserted: number; updated: number }>;

/** Thrown when the database changed between the check and the write (e.g. a workflow 入编 the same person). */
export class ImportConflictError extends Error {
  override readonly name = 'ImportConflictError';
}

type Counted = { rows: Array<{ inserted: boolean }> };
const tally = (result: Counted) => {
  let inserted = 0;
  for (const r of result.rows) if (r.inserted) inserted += 1;
  return { inserted, updated: result.rows.length - inserted };
};

/** Writes the plan; the caller's transaction makes it all or nothing. */
export async function applyPlan(trx: Knex.Transaction, plan: ImportPlan, log: Logger): Promise<ApplyResult> {
  const result: ApplyResult = {
    units: { inserted: 0, updated: 0 },
    quotas: { inserted: 0, updated: 0 },
    leaderPosts: { inserted: 0, updated: 0 },
    plans: { inserted: 0, updated: 0 },
    persons: { inserted: 0, updated: 0 },
    payroll: { inserted: 0, updated: 0 },
  };
  // (xmax = 0) tells an inserted row from an updated one in an upsert's RETURNING
  if (plan.units.length) {
    result.units = tally(
      await trx.raw<Counted>(
        `insert into units (code, name, nature, level, funding_form, key_managed, key_managed_reason, frozen, frozen_reason, frozen_doc_no, frozen_until)
         select code, name, nature, level, funding_form, key_managed, key_managed_reason, frozen, frozen_reason, frozen_doc_no, frozen_until
           from jsonb_to_recordset(?::jsonb) as x(code text, name text, nature text, level text, funding_form text, key_managed boolean,
                key_managed_reason text, frozen boolean, frozen_reason text, frozen_doc_no text, frozen_until date)
         on conflict (code) do update set name = excluded.name, nature = excluded.nature, level = excluded.level, funding_form = excluded.funding_form,
           key_managed = excluded.key_managed, key_managed_reason = excluded.key_managed_reason, frozen = excluded.frozen,
           frozen_reason = excluded.frozen_reason, frozen_doc_no = excluded.frozen_doc_no, frozen_until = excluded.frozen_until, updated_at = now()
         returning (xmax = 0) as inserted`,
        [JSON.stringify(plan.units)],
      ),
    );
    await trx.raw(
      `update units u set parent_unit_id = p.id, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as x(code text, parent_code text)
         left join units p on p.code = x.parent_code
        where u.code = x.code and u.parent_unit_id is distinct from p.id`,
      [JSON.stringify(plan.units.map((u) => ({ code: u.code, parent_code: u.parent_code })))],
    );
  }
  if (plan.quotas.length) {
    result.quotas = tally(
      await trx.raw<Counted>(
        `insert into quotas (unit_id, bianzhi_type, approved, overflow_allowance, approved_doc_no)
         select u.id, x.bianzhi_type, x.approved, x.overflow_allowance, x.approved_doc_no
           from jsonb_to_recordset(?::jsonb) as x(unit_code text, bianzhi_type text, approved int, overflow_allowance int, approved_doc_no text)
           join units u on u.code = x.unit_code
         on conflict (unit_id, bianzhi_type) do update set approved = excluded.approved, overflow_allowance = excluded.overflow_allowance,
           approved_doc_no = excluded.approved_doc_no, updated_at = now()
         returning (xmax = 0) as inserted`,
        [JSON.stringify(plan.quotas)],
      ),
    );
  }
  if (plan.leaderPosts.length) {
    result.leaderPosts = tally(
      await trx.raw<Counted>(
        `insert into leader_posts (unit_id, level, kind, approved)
         select u.id, x.level, x.kind, x.approved
           from jsonb_to_recordset(?::jsonb) as x(unit_code text, level text, kind text, approved int)
           join units u on u.code = x.unit_code
         on conflict (unit_id, level, kind) do update set approved = excluded.approved
         returning (xmax = 0) as inserted`,
        [JSON.stringify(plan.leaderPosts)],
      ),
    );
  }
  if (plan.plans.length) {
    result.plans = tally(
      await trx.raw<Counted>(
        `insert into annual_plans (unit_id, bianzhi_type, year, planned, used, doc_no)
         select u.id, x.bianzhi_type, x.year, x.planned, coalesce(x.used, 0), x.doc_no
           from jsonb_to_recordset(?::jsonb) as x(unit_code text, bianzhi_type text, year int, planned int, used int, doc_no text)
           join units u on u.code = x.unit_code
         on conflict (unit_id, bianzhi_type, year) do update set planned = excluded.planned, doc_no = excluded.doc_no
         returning (xmax = 0) as inserted`,
        [JSON.stringify(plan.plans)],
      ),
    );
    // 已用编数: only where the file gives it (blank keeps the database's)
    const used = plan.plans.filter((p) => p.used !== null);
    if (used.length) {
      await trx.raw(
        `update annual_plans a set used = x.used
           from jsonb_to_recordset(?::jsonb) as x(unit_code text, bianzhi_type text, year int, used int)
           join units u on u.code = x.unit_code
          where a.unit_id = u.id and a.bianzhi_type = x.bianzhi_type and a.year = x.year`,
        [JSON.stringify(used.map((p) => ({ unit_code: p.unit_code, bianzhi_type: p.bianzhi_type, year: p.year, used: p.used })))],
      );
    }
  }
  for (let from = 0; from < plan.persons.length; from += PERSON_BATCH) {
    const batch = plan.persons.slice(from, from + PERSON_BATCH);
    // 一人一编 once more at the write: a person 在编 elsewhere (a workflow may have moved since the check) is not moved
    const written = await trx.raw<Counted>(
      `insert into persons (id_number, name, gender, birth_date, status, unit_id, bianzhi_type, post, entered_on, profile)
       select x.id_number, x.name, x.gender, x.birth_date, x.status, u.id, x.bianzhi_type, x.post, x.entered_on, x.profile
         from jsonb_to_recordset(?::jsonb) as x(id_number text, name text, gender text, birth_date date, status text, unit_code text,
              bianzhi_type text, post text, entered_on date, profile jsonb)
         left join units u on u.code = x.unit_code
       on conflict (id_number) do update set name = excluded.name, gender = excluded.gender, birth_date = excluded.birth_date,
         status = excluded.status, unit_id = excluded.unit_id, bianzhi_type = excluded.bianzhi_type, post = excluded.post,
         entered_on = excluded.entered_on, profile = (persons.profile - 'leaderPost') || excluded.profile, updated_at = now()
       where not (persons.status = 'active' and excluded.status = 'active' and persons.unit_id is distinct from excluded.unit_id)
       returning (xmax = 0) as inserted`,
      [JSON.stringify(batch)],
    );
    if (written.rows.length !== batch.length) {
      throw new ImportConflictError(`一人一编：${batch.length - written.rows.length} 人在检查之后已在其他单位在编（数据在导入期间发生了变化），导入未执行，请重新检查`);
    }
    const t = tally(written);
    result.persons.inserted += t.inserted;
    result.persons.updated += t.updated;
    log.info({ persons: Math.min(from + PERSON_BATCH, plan.persons.length), of: plan.persons.length }, 'import: persons written');
  }
  if (plan.payroll.length) {
    const months = [...new Set(plan.payroll.map((p) => p.month))];
    // a month's roster is replaced as a whole: the rows an earlier import brought for it go first
    await trx.raw(`delete from payroll_roster where source = 'import' and month = any(?::text[])`, [months]);
    for (let from = 0; from < plan.payroll.length; from += PERSON_BATCH) {
      const batch = plan.payroll.slice(from, from + PERSON_BATCH);
      const inserted = await trx.raw<{ rowCount: number }>(
        `insert into payroll_roster (month, id_number, unit_id, source)
         select x.month, x.id_number, u.id, 'import'
           from jsonb_to_recordset(?::jsonb) as x(month text, id_number text, unit_code text)
           join units u on u.code = x.unit_code`,
        [JSON.stringify(batch)],
      );
      result.payroll.inserted += inserted.rowCount ?? batch.length;
      log.info({ payroll: Math.min(from + PERSON_BATCH, plan.payroll.length), of: plan.payroll.length }, 'import: payroll rows written');
    }
  }
  await recount(trx, plan.touchedUnitCodes);
  return result;
}

/** 实有 (quotas.actual) and 实配 (leader_posts.actual) of the units the import touched, counted from persons. */
async function recount(trx: Knex.Transaction, unitCodes: string[]): Promise<void> {
  if (!unitCodes.length) return;
  const ids = (await trx.raw<{ rows: Array<{ id: string }> }>(`select id from units where code = any(?::text[])`, [unitCodes])).rows.map((r) => r.id);
  await trx.raw(
    `update quotas q set actual = coalesce(c.n, 0), updated_at = now()
       from quotas q2
       left join (select unit_id, bianzhi_type, count(*)::int as n from persons
                   where status = 'active' and unit_id = any(?::uuid[]) group by unit_id, bianzhi_type) c
         on c.unit_id = q2.unit_id and c.bianzhi_type = q2.bianzhi_type
      where q.id = q2.id and q2.unit_id = any(?::uuid[]) and q.actual is distinct from coalesce(c.n, 0)`,
    [ids, ids],
  );
  await trx.raw(
    `update leader_posts l set actual = coalesce(c.n, 0)
       from leader_posts l2
       left join (select unit_id, profile #>> '{leaderPost,level}' as level, profile #>> '{leaderPost,kind}' as kind, count(*)::int as n
                    from persons where status = 'active' and unit_id = any(?::uuid[]) and profile -> 'leaderPost' is not null group by 1, 2, 3) c
         on c.unit_id = l2.unit_id and c.level = l2.level and c.kind = l2.kind
      where l.id = l2.id and l2.unit_id = any(?::uuid[]) and l.actual is distinct from coalesce(c.n, 0)`,
    [ids, ids],
  );
}

// ---- the imports table ---------------------------------------------------------------------------

export interface ImportRecord {
  id: string;
  file_name: string;
  sha256: string;
  kind_counts: Record<string, number>;
  status: 'dry-run' | 'applied' | 'failed';
  error_count: number;
  warning_count: number;
  problems: unknown[];
  created_by: string | null;
  created_at: Date;
}

export async function insertImportRecord(
  db: Knex,
  r: Omit<ImportRecord, 'id' | 'created_at'>,
): Promise<{ id: string; created_at: Date }> {
  const [row] = await db('imports')
    .insert({ ...r, kind_counts: JSON.stringify(r.kind_counts), problems: JSON.stringify(r.problems) })
    .returning(['id', 'created_at']);
  return row as { id: string; created_at: Date };
}

export async function findImportRecord(db: Knex, id: string): Promise<ImportRecord | undefined> {
  return db('imports').where({ id }).first();
}
