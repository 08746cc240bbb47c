// Units' establishment (units, quotas, annual_plans, leader_posts) as the quota workers read and change it.
// Every change is one conditional UPDATE … RETURNING: the condition is the rule, so concurrent changes can
// never over-draw (DESIGN.md: measured faster than SELECT … FOR UPDATE, and as safe). `db` may be a trx.
import type { Knex } from 'knex';
import type { UnitNature } from '../../domain/quota';
import { isUuid } from '../core/errors';


export interface UnitRow {
  id: string;
  code: string;
  name: string;
  nature: UnitNature;
  level: string | null;
  funding_form: string;
  parent_unit_id: string | null;
  key_managed: boolean;
  key_managed_reason: string | null;
  frozen: boolean;
  frozen_reason: string | null;
  frozen_doc_no: string | null;
}

export interface QuotaRow {
  id: string;
  unit_id: string;
  bianzhi_type: string;
  approved: number;
  reserved: number;
  actual: number;
  overflow_allowance: number;
}

export interface PlanRow {
  id: string;
  planned: number;
  used: number;
  doc_no: string | null;
}

export interface LeaderPostRow {
  id: string;
  level: string;
  kind: string;
  approved: number;
  actual: number;
}

export async function findUnit(db: Knex, id: string): Promise<UnitRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db('units').where({ id }).first();
}

export async function findQuota(db: Knex, unitId: string, bianzhiType: string): Promise<QuotaRow | undefined> {
  return db('quotas').where({ unit_id: unitId, bianzhi_type: bianzhiType }).first();
}

export async function findPlan(db: Knex, unitId: string, bianzhiType: string, year: number): Promise<PlanRow | undefined> {
  return db('annual_plans').where({ unit_id: unitId, bianzhi_type: bianzhiType, year }).first('id', 'planned', 'used', 'doc_no');
}

export async function findLeaderPost(db: Knex, unitId: string, level: string, kind: string): Promise<LeaderPostRow | undefined> {
  return db('leader_posts').where({ unit_id: unitId, level, kind }).first('id', 'level', 'kind', 'approved', 'actual');
}

/**
 * 预占 n: reserved += n only while approved − actual − reserved + overflow_allowance ≥ n (unless `overQuota`,
 * the Z3 placement a leader approved). False when not enough is available.
 */
export async function reserveQuota(trx: Knex, unitId: string, bianzhiType: string, n: number, overQuota = false): Promise<boolean> {
  const rows = await trx('quotas')
    .where({ unit_id: unitId, bianzhi_type: bianzhiType })
    .modify((q) => {
      if (!overQuota) q.whereRaw('approved - actual - reserved + overflow_allowance >= ?', [n]);
    })
    .update({ reserved: trx.raw('reserved + ?', [n]), updated_at: trx.fn.now() })
    .returning('id');
  return rows.length === 1;
}

/** 预占 released: reserved −= n (never below 0). */
export async function unreserveQuota(trx: Knex, unitId: string, bianzhiType: string, n: number): Promise<void> {
  await trx('quotas')
    .where({ unit_id: unitId, bianzhi_type: bianzhiType })
    .update({ reserved: trx.raw('greatest(reserved - ?, 0)', [n]), updated_at: trx.fn.now() });
}

/** 落编: one reserved slot becomes occupied (reserved −1, actual +1). False when nothing is reserved. */
export async function occupyReservedSlot(trx: Knex, unitId: string, bianzhiType: string): Promise<boolean> {
  const rows = await trx('quotas')
    .where({ unit_id: unitId, bianzhi_type: bianzhiType })
    .where('reserved', '>=', 1)
    .update({ reserved: trx.raw('reserved - 1'), actual: trx.raw('actual + 1'), updated_at: trx.fn.now() })
    .returning('id');
  return rows.length === 1;
}

/**
 * actual += 1 directly (T1 入编 at B): only while approved − actual − reserved + overflow_allowance ≥ 1. False
 * when unit B has no place (or no quota of the type).
 */
export async function occupyAvailableSlot(trx: Knex, unitId: string, bianzhiType: string): Promise<boolean> {
  const rows = await trx('quotas')
    .where({ unit_id: unitId, bianzhi_type: bianzhiType })
    .whereRaw('approved - actual - reserved + overflow_allowance >= 1')
    .update({ actual: trx.raw('actual + 1'), updated_at: trx.fn.now() })
    .returning('id');
  return rows.length === 1;
}

/** 出编: actual −1. False when the count is already 0 (the records and the counts disagree). */
export async function vacateSlot(trx: Knex, unitId: string, bianzhiType: string): Promise<boolean> {
  const rows = await trx('quotas')
    .where({ unit_id: unitId, bianzhi_type: bianzhiType })
    .where('actual', '>=', 1)
    .update({ actual: trx.raw('actual - 1'), updated_at: trx.fn.now() })
    .returning('id');
  return rows.length === 1;
}

/**
 * plan_used += n only while used + n ≤ planned; with `force` (an 编委 ad-hoc approval, or a leader-approved
 * placement) without the condition. 'no-plan' when the unit has no plan for the year.
 */
export async function usePlan(trx: Knex, unitId: string, bianzhiType: string, year: number, n: number, force = false): Promise<'ok' | 'exhausted' | 'no-plan'> {
  const rows = await trx('annual_plans')
    .where({ unit_id: unitId, bianzhi_type: bianzhiType, year })
    .modify((q) => {
      if (!force) q.whereRaw('used + ? <= planned', [n]);
    })
    .update({ used: trx.raw('used + ?', [n]) })
    .returning('id');
  if (rows.length === 1) return 'ok';
  const exists = await trx('annual_plans').where({ unit_id: unitId, bianzhi_type: bianzhiType, year }).first('id');
  return exists ? 'exhausted' : 'no-plan';
}

/** plan_used −= n (never below 0). */
export async function unusePlan(trx: Knex, unitId: string, bianzhiType: string, year: number, n: number): Promise<void> {
  await trx('annual_plans').where({ unit_id: unitId, bianzhi_type: bianzhiType, year }).update({ used: trx.raw('greatest(used - ?, 0)', [n]) });
}

/** 领导职数 实配 ± 1 when the unit has that post (decrements never below 0). True when a row changed. */
export async function changeLeaderPostActual(trx: Knex, unitId: string, post: { level: string; kind: string }, delta: 1 | -1): Promise<boolean> {
  const rows = await trx('leader_posts')
    .where({ unit_id: unitId, level: post.level, kind: post.kind })
    .modify((q) => {
      if (delta < 0) q.where('actual', '>=', 1);
    })
    .update({ actual: trx.raw('actual + ?', [delta]) })
    .returning('id');
  return rows.length === 1;
}

// -- quota_reservations ---------------------------------------------------------------------------------------

export type ReservationStatus = 'reserved' | 'occupied' | 'released' | 'expired';

export interface ReservationRow {
  id: string;
  unit_id: string;
  bianzhi_type: string;
  count: number;
  used: number;
  status: ReservationStatus;
  plan_year: number | null;
  over_quota: boolean;
  expires_on: string;
  instance_id: string;
  element_id: string;
  document_id: string | null;
  created_at: Date;
  consumed_at: Date | null;
}

export interface NewReservation {
  unitId: string;
  bianzhiType: string;
  count: number;
  planYear: number | null;
  overQuota: boolean;
  expiresOn: string;
  instanceId: string;
  elementId: string;
}

/**
 * Inserts the reservation of a job; undefined when the job (instance_id, element_id) already has one. On
 * PostgreSQL a concurrent insert of the same key waits for the first transaction and then does nothing.
 */
export async function insertReservation(trx: Knex, r: NewReservation): Promise<ReservationRow | undefined> {
  const rows = (await trx('quota_reservations')
    .insert({
      unit_id: r.unitId,
      bianzhi_type: r.bianzhiType,
      count: r.count,
      plan_year: r.planYear,
      over_quota: r.overQuota,
      expires_on: r.expiresOn,
      instance_id: r.instanceId,
      element_id: r.elementId,
    })
    .onConflict(['instance_id', 'element_id'])
    .ignore()
    .returning('*')) as ReservationRow[];
  return rows[0] && normalizeReservation(rows[0]);
}

export async function findReservationOfJob(db: Knex, instanceId: string, elementId: string): Promise<ReservationRow | undefined> {
  const row = await db('quota_reservations').where({ instance_id: instanceId, element_id: elementId }).first();
  return row && normalizeReservation(row);
}

export async function findReservation(db: Knex, id: string): Promise<ReservationRow | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db('quota_reservations').where({ id }).first();
  return row && normalizeReservation(row);
}

export async function setReservationDocument(trx: Knex, id: string, documentId: string): Promise<void> {
  await trx('quota_reservations').where({ id }).update({ document_id: documentId });
}

/**
 * Takes one slot of a valid reservation (status reserved, expires_on ≥ today): used += 1, status occupied
 * when all are used. Undefined when the reservation is not valid.
 */
export async function consumeReservationSlot(trx: Knex, id: string, today: string): Promise<ReservationRow | undefined> {
  const rows = (await trx('quota_reservations')
    .where({ id, status: 'reserved' })
    .where('expires_on', '>=', today)
    .whereRaw('used < count')
    .update({
      used: trx.raw('used + 1'),
      status: trx.raw(`case when used + 1 = count then 'occupied' else 'reserved' end`),
      consumed_at: trx.raw(`case when used + 1 = count then now() else consumed_at end`),
    })
    .returning('*')) as ReservationRow[];
  return rows[0] && normalizeReservation(rows[0]);
}

/**
 * Ends a reservation still in status reserved (→ released or expired); returns it with the slots it still
 * held (count − used), or undefined when it was not in status reserved (already occupied, released, expired).
 */
export async function endReservation(trx: Knex, id: string, to: 'released' | 'expired', expiredBefore?: string): Promise<ReservationRow | undefined> {
  const rows = (await trx('quota_reservations')
    .where({ id, status: 'reserved' })
    .modify((q) => {
      if (expiredBefore !== undefined) q.where('expires_on', '<', expiredBefore);
    })
    .update({ status: to, consumed_at: trx.fn.now() })
    .returning('*')) as ReservationRow[];
  return rows[0] && normalizeReservation(rows[0]);
}

/** Ids of reservations still held after their last valid day. */
export async function expiredReservationIds(db: Knex, today: string, limit = 500): Promise<string[]> {
  return db('quota_reservations').where({ status: 'reserved' }).where('expires_on', '<', today).orderBy('expires_on').limit(limit).pluck('id');
}

/** `pg` returns a date column as a Date at local midnight; reservations speak yyyy-mm-dd. */
function normalizeReservation(row: ReservationRow): ReservationRow {
  return { ...row, expires_on: dateText(row.expires_on) };
}

export function dateText(value: unknown): string {
  if (value instanceof Date) {
    const y = value.getFullYear();
    const m = String(value.getMonth() + 1).padStart(2, '0');
    const d = String(value.getDate()).padStart(2, '0');
    return `${y}-${m}-${d}`;
  }
  return String(value).slice(0, 10);
}
