// Units and their establishment as administrators read and change them (units, quotas, leader_posts,
// annual_plans). The counts the workflows maintain (quotas.actual/reserved, annual_plans.used,
// leader_posts.actual) are read here but never written: they move only through the quota workers
// (repositories/quotas.ts). `db` may be a transaction; the lock* functions must run inside one.
import type { Knex } from 'knex';
import type { UnitNature } from '../../domain/quota';
import { isUuid } from '../core/errors';
import { dateText } from './quotas';

export type FundingForm = 'full' | 'partial' | 'self';

/** The columns an administrator may set on a unit. */
export interface UnitColumns {
  name: string;
  level: string | null;
  funding_form: FundingForm;
  parent_unit_id: string | null;
  key_managed: boolean;
  key_managed_reason: string | null;
  frozen: boolean;
  frozen_reason: string | null;
  frozen_doc_no: string | null;
  frozen_until: string | null;
}

/** A units row with its 主管部门's code and name. */
export interface UnitRecord extends UnitColumns {
  id: string;
  code: string;
  nature: UnitNature;
  parent_code: string | null;
  parent_name: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface UnitQuotaRecord {
  unit_id: string;
  bianzhi_type: string;
  approved: number;
  reserved: number;
  actual: number;
  overflow_allowance: number;
  approved_doc_no: string | null;
}

export interface LeaderPostRecord {
  unit_id: string;
  level: string;
  kind: 'principal' | 'deputy';
  approved: number;
  actual: number;
}

export interface PlanRecord {
  unit_id: string;
  bianzhi_type: string;
  year: number;
  planned: number;
  used: number;
  doc_no: string | null;
}

const UNIT_COLUMNS = [
  'u.id',
  'u.code',
  'u.name',
  'u.nature',
  'u.level',
  'u.funding_form',
  'u.parent_unit_id',
  'p.code as parent_code',
  'p.name as parent_name',
  'u.key_managed',
  'u.key_managed_reason',
  'u.frozen',
  'u.frozen_reason',
  'u.frozen_doc_no',
  'u.frozen_until',
  'u.created_at',
  'u.updated_at',
];

const QUOTA_COLUMNS = ['unit_id', 'bianzhi_type', 'approved', 'reserved', 'actual', 'overflow_allowance', 'approved_doc_no'];
const LEADER_POST_COLUMNS = ['unit_id', 'level', 'kind', 'approved', 'actual'];
const PLAN_COLUMNS = ['unit_id', 'bianzhi_type', 'year', 'planned', 'used', 'doc_no'];

function selectUnits(db: Knex): Knex.QueryBuilder {
  return db('units as u').leftJoin('units as p', 'p.id', 'u.parent_unit_id').select(UNIT_COLUMNS);
}

const normalizeUnit = (row: UnitRecord): UnitRecord => ({ ...row, frozen_until: row.frozen_until === null ? null : dateText(row.frozen_until) });

/** Units in code order; `unitIds` null means every unit. */
export async function listUnitRecords(db: Knex, unitIds: readonly string[] | null): Promise<UnitRecord[]> {
  if (unitIds !== null && unitIds.length === 0) return [];
  const rows = (await selectUnits(db)
    .modify((q) => {
      if (unitIds !== null) q.whereIn('u.id', [...unitIds]);
    })
    .orderBy('u.code')) as UnitRecord[];
  return rows.map(normalizeUnit);
}

export async function findUnitRecord(db: Knex, id: string): Promise<UnitRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const row = (await selectUnits(db).where('u.id', id).first()) as UnitRecord | undefined;
  return row && normalizeUnit(row);
}

/** Locks the unit row until the end of the transaction and returns it. */
export async function lockUnitRecord(trx: Knex.Transaction, id: string): Promise<UnitRecord | undefined> {
  if (!isUuid(id)) return undefined;
  await trx('units').where({ id }).forUpdate().first('id');
  return findUnitRecord(trx, id);
}

export async function insertUnitRecord(trx: Knex.Transaction, unit: UnitColumns & { code: string; nature: UnitNature }): Promise<string> {
  const [row] = (await trx('units').insert(unit).returning('id')) as Array<{ id: string }>;
  return row!.id;
}

export async function updateUnitRecord(trx: Knex.Transaction, id: string, changes: Partial<UnitColumns>): Promise<void> {
  await trx('units').where({ id }).update({ ...changes, updated_at: trx.fn.now() });
}

/** Whether `candidateParentId` is `unitId` or lies below it (making it the parent would close a cycle). */
export async function isSelfOrBelow(db: Knex, unitId: string, candidateParentId: string): Promise<boolean> {
  const row = (await db
    .withRecursive('up', ['id', 'parent_unit_id'], (q) =>
      q
        .select('id', 'parent_unit_id')
        .from('units')
        .where('id', candidateParentId)
        .unionAll((r) => r.select('u.id', 'u.parent_unit_id').from('units as u').join('up', 'up.parent_unit_id', 'u.id')),
    )
    .from('up')
    .where('id', unitId)
    .first('id')) as { id: string } | undefined;
  return row !== undefined;
}

export async function quotasOfUnits(db: Knex, unitIds: readonly string[]): Promise<UnitQuotaRecord[]> {
  if (unitIds.length === 0) return [];
  return db('quotas')
    .whereIn('unit_id', [...unitIds])
    .orderBy(['unit_id', 'bianzhi_type'])
    .select(QUOTA_COLUMNS);
}

export async function leaderPostsOfUnit(db: Knex, unitId: string): Promise<LeaderPostRecord[]> {
  return db('leader_posts').where({ unit_id: unitId }).orderBy(['level', 'kind']).select(LEADER_POST_COLUMNS);
}

export async function plansOfUnit(db: Knex, unitId: string, year: number): Promise<PlanRecord[]> {
  return db('annual_plans').where({ unit_id: unitId, year }).orderBy('bianzhi_type').select(PLAN_COLUMNS);
}

/** The quota row locked until the end of the transaction (workers' conditional updates wait for it). */
export async function lockQuotaRecord(trx: Knex.Transaction, unitId: string, bianzhiType: string): Promise<UnitQuotaRecord | undefined> {
  return trx('quotas')
    .where({ unit_id: unitId, bianzhi_type: bianzhiType })
    .forUpdate()
    .first(QUOTA_COLUMNS);
}

export async function insertQuotaRecord(trx: Knex.Transaction, q: { unitId: string; bianzhiType: string; approved: number; overflowAllowance: number; approvedDocNo: string | null }): Promise<void> {
  await trx('quotas').insert({ unit_id: q.unitId, bianzhi_type: q.bianzhiType, approved: q.approved, overflow_allowance: q.overflowAllowance, approved_doc_no: q.approvedDocNo });
}

/** Only the administrator's columns: approved, overflow_allowance, approved_doc_no. */
export async function updateQuotaRecord(
  trx: Knex.Transaction,
  unitId: string,
  bianzhiType: string,
  changes: Partial<Pick<UnitQuotaRecord, 'approved' | 'overflow_allowance' | 'approved_doc_no'>>,
): Promise<void> {
  await trx('quotas').where({ unit_id: unitId, bianzhi_type: bianzhiType }).update({ ...changes, updated_at: trx.fn.now() });
}

export async function lockLeaderPostRecord(trx: Knex.Transaction, unitId: string, level: string, kind: string): Promise<LeaderPostRecord | undefined> {
  return trx('leader_posts').where({ unit_id: unitId, level, kind }).forUpdate().first(LEADER_POST_COLUMNS);
}

export async function insertLeaderPostRecord(trx: Knex.Transaction, p: { unitId: string; level: string; kind: string; approved: number }): Promise<void> {
  await trx('leader_posts').insert({ unit_id: p.unitId, level: p.level, kind: p.kind, approved: p.approved });
}

/** Only the administrator's column: approved (核定职数). */
export async function updateLeaderPostApproved(trx: Knex.Transaction, unitId: string, level: string, kind: string, approved: number): Promise<void> {
  await trx('leader_posts').where({ unit_id: unitId, level, kind }).update({ approved });
}

export async function lockPlanRecord(trx: Knex.Transaction, unitId: string, bianzhiType: string, year: number): Promise<PlanRecord | undefined> {
  return trx('annual_plans').where({ unit_id: unitId, bianzhi_type: bianzhiType, year }).forUpdate().first(PLAN_COLUMNS);
}

export async function insertPlanRecord(trx: Knex.Transaction, p: { unitId: string; bianzhiType: string; year: number; planned: number; docNo: string | null }): Promise<void> {
  await trx('annual_plans').insert({ unit_id: p.unitId, bianzhi_type: p.bianzhiType, year: p.year, planned: p.planned, doc_no: p.docNo });
}

/** Only the administrator's columns: planned, doc_no. */
export async function updatePlanRecord(trx: Knex.Transaction, unitId: string, bianzhiType: string, year: number, changes: Partial<Pick<PlanRecord, 'planned' | 'doc_no'>>): Promise<void> {
  await trx('annual_plans').where({ unit_id: unitId, bianzhi_type: bianzhiType, year }).update(changes);
}
