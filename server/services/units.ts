// Units (机构) and their establishment: read by every signed-in user within their scope (unit staff see
// their own unit and, as 主管部门, the units below it: policy.ts caseScopeOf); changed by administrators.
// Every change is one audit event in the same transaction, with the fields that changed (before/after);
// a request that changes nothing appends nothing. The counts the workflows maintain (实有 actual, 预占
// reserved, plan used, leader posts 实配) are never written here.
import type { Knex } from 'knex';
import { isoDate } from '../../domain/id-number';
import { BIANZHI_TYPES, establishment, isBianzhiTypeValidFor, type BianzhiType, type Establishment, type UnitNature } from '../../domain/quota';
import type { AuthUser } from '../core/auth-user';
import { systemClock, type Clock } from '../core/clock';
import { conflict, notFound, validationFailed, type FieldError } from '../core/errors';
import { isPostgresError } from '../core/pg-errors';
import { caseScopeOf, inCaseScope } from '../core/policy';
import { announceUsersChanged } from '../core/auth-events';
import { appendAuditEvents } from '../repositories/audit-events';
import {
  findUnitRecord,
  insertLeaderPostRecord,
  insertPlanRecord,
  insertQuotaRecord,
  insertUnitRecord,
  isSelfOrBelow,
  leaderPostsOfUnit,
  listUnitRecords,
  lockLeaderPostRecord,
  lockPlanRecord,
  lockQuotaRecord,
  lockUnitRecord,
  plansOfUnit,
  quotasOfUnits,
  updateLeaderPostApproved,
  updatePlanRecord,
  updateQuotaRecord,
  updateUnitRecord,
  type FundingForm,
  type LeaderPostRecord,
  type UnitColumns,
  type UnitQuotaRecord,
  type UnitRecord,
} from '../repositories/units';

// ---- views ---------------------------------------------------------------------------------------

export interface QuotaView extends Establishment {
  bianzhiType: string;
  overflowAllowance: number;
  approvedDocNo: string | null;
}

export interface UnitView {
  id: string;
  code: string;
  name: string;
  nature: UnitNature;
  level: string | null;
  fundingForm: FundingForm;
  /** 主管部门 */
  parent: { id: string; code: string; name: string } | null;
  keyManaged: boolean;
  keyManagedReason: string | null;
  frozen: boolean;
  frozenReason: string | null;
  frozenDocNo: string | null;
  frozenUntil: string | null;
  /** per 编制类型: 核定 A, 实有 R, 预占 P, 可用, 空编, 超编 */
  quotas: QuotaView[];
}

export interface LeaderPostView {
  level: string;
  kind: 'principal' | 'deputy';
  /** 核定职数 */
  approved: number;
  /** 实配 */
  actual: number;
  /** 空缺 max(核定 − 实配, 0) */
  vacant: number;
  /** 超配 max(实配 − 核定, 0) */
  over: number;
}

export interface PlanView {
  year: number;
  bianzhiType: string;
  planned: number;
  used: number;
  remaining: number;
  docNo: string | null;
}

export interface EstablishmentView {
  unit: Pick<UnitView, 'id' | 'code' | 'name' | 'nature' | 'keyManaged' | 'frozen'>;
  quotas: QuotaView[];
  leaderPosts: LeaderPostView[];
  plans: { year: number; items: PlanView[] };
}

// ---- inputs --------------------------------------------------------------------------------------

export interface UnitChanges {
  name?: string;
  level?: string | null;
  fundingForm?: FundingForm;
  parentUnitId?: string | null;
  keyManaged?: boolean;
  keyManagedReason?: string | null;
  frozen?: boolean;
  frozenReason?: string | null;
  frozenDocNo?: string | null;
  frozenUntil?: string | null;
}

export interface NewUnitInput extends UnitChanges {
  code: string;
  name: string;
  nature: UnitNature;
  fundingForm: FundingForm;
}

export interface QuotaInput {
  approved: number;
  overflowAllowance?: number;
  approvedDocNo?: string | null;
  allowOverstaff?: boolean;
  reason?: string;
}

export interface LeaderPostInput {
  level: string;
  kind: 'principal' | 'deputy';
  approved: number;
  allowOverstaff?: boolean;
  reason?: string;
}

export interface PlanInput {
  planned: number;
  docNo?: string | null;
  reason?: string;
}

export interface UnitService {
  list(user: AuthUser): Promise<UnitView[]>;
  get(id: string, user: AuthUser): Promise<UnitView>;
  /** `year` of the plans: default this year. */
  establishment(id: string, user: AuthUser, year?: number): Promise<EstablishmentView>;
  create(input: NewUnitInput, actor: AuthUser): Promise<UnitView>;
  update(id: string, changes: UnitChanges, actor: AuthUser): Promise<UnitView>;
  setQuota(id: string, bianzhiType: BianzhiType, input: QuotaInput, actor: AuthUser): Promise<QuotaView>;
  setLeaderPost(id: string, input: LeaderPostInput, actor: AuthUser): Promise<LeaderPostView>;
  setPlan(id: string, year: number, bianzhiType: BianzhiType, input: PlanInput, actor: AuthUser): Promise<PlanView>;
}

// ---- helpers -------------------------------------------------------------------------------------

const NATURE_NAMES: Record<UnitNature, string> = { organ: '机关', institution: '事业单位', institution_cs: '参公事业单位' };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields whose values differ, as { before, after } with those fields only; undefined when none differ. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: T): { before: Partial<T>; after: Partial<T> } | undefined {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of Object.keys(after) as Array<keyof T>) {
    if (same(before[key], after[key])) continue;
    b[key] = before[key];
    a[key] = after[key];
  }
  return Object.keys(a).length === 0 ? undefined : { before: b, after: a };
}

function quotaView(q: Pick<UnitQuotaRecord, 'bianzhi_type' | 'approved' | 'actual' | 'reserved' | 'overflow_allowance' | 'approved_doc_no'>): QuotaView {
  return {
    bianzhiType: q.bianzhi_type,
    ...establishment({ approved: q.approved, actual: q.actual, reserved: q.reserved, overflowAllowance: q.overflow_allowance }),
    overflowAllowance: q.overflow_allowance,
    approvedDocNo: q.approved_doc_no,
  };
}

function leaderPostView(p: Pick<LeaderPostRecord, 'level' | 'kind' | 'approved' | 'actual'>): LeaderPostView {
  return { level: p.level, kind: p.kind, approved: p.approved, actual: p.actual, vacant: Math.max(p.approved - p.actual, 0), over: Math.max(p.actual - p.approved, 0) };
}

function unitView(row: UnitRecord, quotas: UnitQuotaRecord[]): UnitView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    nature: row.nature,
    level: row.level,
    fundingForm: row.funding_form,
    parent: row.parent_unit_id === null ? null : { id: row.parent_unit_id, code: row.parent_code!, name: row.parent_name! },
    keyManaged: row.key_managed,
    keyManagedReason: row.key_managed_reason,
    frozen: row.frozen,
    frozenReason: row.frozen_reason,
    frozenDocNo: row.frozen_doc_no,
    frozenUntil: row.frozen_until,
    quotas: quotas.map(quotaView),
  };
}

/** The unit's administrator-set fields, named as the API names them (the audit payload's before/after). */
function unitFields(c: UnitColumns): Record<string, unknown> {
  return {
    name: c.name,
    level: c.level,
    fundingForm: c.funding_form,
    parentUnitId: c.parent_unit_id,
    keyManaged: c.key_managed,
    keyManagedReason: c.key_managed_reason,
    frozen: c.frozen,
    frozenReason: c.frozen_reason,
    frozenDocNo: c.frozen_doc_no,
    frozenUntil: c.frozen_until,
  };
}

const columnsOf = (row: UnitRecord): UnitColumns => ({
  name: row.name,
  level: row.level,
  funding_form: row.funding_form,
  parent_unit_id: row.parent_unit_id,
  key_managed: row.key_managed,
  key_managed_reason: row.key_managed_reason,
  frozen: row.frozen,
  frozen_reason: row.frozen_reason,
  frozen_doc_no: row.frozen_doc_no,
  frozen_until: row.frozen_until,
});

const blank = (s: string | null | undefined) => s === undefined || s === null || s.trim() === '';

/**
 * Applies `changes` to `current` and checks the flags: 重点管理 needs a reason, 冻结 needs a reason and a
 * 文号; lifting a flag clears its reason (the audit event keeps the old values).
 */
function applyUnitChanges(current: UnitColumns, changes: UnitChanges): UnitColumns {
  const next: UnitColumns = { ...current };
  if (changes.name !== undefined) next.name = changes.name.trim();
  if (changes.level !== undefined) next.level = changes.level;
  if (changes.fundingForm !== undefined) next.funding_form = changes.fundingForm;
  if (changes.parentUnitId !== undefined) next.parent_unit_id = changes.parentUnitId;
  if (changes.keyManaged !== undefined) next.key_managed = changes.keyManaged;
  if (changes.keyManagedReason !== undefined) next.key_managed_reason = changes.keyManagedReason;
  if (changes.frozen !== undefined) next.frozen = changes.frozen;
  if (changes.frozenReason !== undefined) next.frozen_reason = changes.frozenReason;
  if (changes.frozenDocNo !== undefined) next.frozen_doc_no = changes.frozenDocNo;
  if (changes.frozenUntil !== undefined) next.frozen_until = changes.frozenUntil;

  const problems: FieldError[] = [];
  if (next.name === '') problems.push({ field: '/name', message: '单位名称不能为空' });
  if (next.key_managed) {
    if (blank(next.key_managed_reason)) problems.push({ field: '/keyManagedReason', message: '设为重点管理单位须填写原因' });
  } else {
    if (!blank(changes.keyManagedReason)) problems.push({ field: '/keyManagedReason', message: '非重点管理单位不填写重点管理原因' });
    next.key_managed_reason = null;
  }
  if (next.frozen) {
    if (blank(next.frozen_reason)) problems.push({ field: '/frozenReason', message: '冻结编制须填写原因' });
    if (blank(next.frozen_doc_no)) problems.push({ field: '/frozenDocNo', message: '冻结编制须填写文号' });
  } else {
    for (const [field, value] of [['frozenReason', changes.frozenReason], ['frozenDocNo', changes.frozenDocNo], ['frozenUntil', changes.frozenUntil]] as const) {
      if (!blank(value)) problems.push({ field: `/${field}`, message: '未冻结的单位不填写冻结原因、文号或期限' });
    }
    next.frozen_reason = null;
    next.frozen_doc_no = null;
    next.frozen_until = null;
  }
  if (problems.length) throw validationFailed(problems);
  return next;
}

/** 23505 on the named constraint → 409 with our code; anything else is rethrown. */
export async function uniqueAs<T>(constraint: string, code: string, message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isPostgresError(error) && error.code === '23505' && error.constraint === constraint) throw conflict(code, message, { constraint });
    throw error;
  }
}

function refuseWorkflowTypeMismatch(bianzhiType: BianzhiType, nature: UnitNature): void {
  if (!isBianzhiTypeValidFor(bianzhiType, nature)) {
    throw validationFailed([{ field: '/bianzhiType', message: `${NATURE_NAMES[nature]}不得使用编制类型 ${bianzhiType}` }]);
  }
}

const actorOf = (user: AuthUser) => `user:${user.username}`;

// ---- the service ---------------------------------------------------------------------------------

export function createUnitService(deps: { db: Knex; clock?: Clock }): UnitService {
  const { db } = deps;
  const clock = deps.clock ?? systemClock;

  async function denied(user: AuthUser, unitId: string): Promise<void> {
    await db.transaction((trx) =>
      appendAuditEvents(trx, [{ actor: actorOf(user), kind: 'access.denied', payload: { status: 404, action: 'unit.read', reason: 'scope', unitId } }]),
    );
  }

  /** The unit if the user's scope covers it; a unit out of scope answers as a missing one (and is recorded). */
  async function visibleUnit(id: string, user: AuthUser): Promise<UnitRecord> {
    const row = await findUnitRecord(db, id);
    if (!row) throw notFound('单位');
    if (!inCaseScope(caseScopeOf(user), row.id)) {
      await denied(user, row.id);
      throw notFound('单位');
    }
    return row;
  }

  async function view(trxOrDb: Knex, id: string): Promise<UnitView> {
    const row = await findUnitRecord(trxOrDb, id);
    if (!row) throw notFound('单位');
    return unitView(row, await quotasOfUnits(trxOrDb, [row.id]));
  }

  async function checkParent(trx: Knex, unitId: string | null, parentUnitId: string | null): Promise<void> {
    if (parentUnitId === null) return;
    if (!(await findUnitRecord(trx, parentUnitId))) throw validationFailed([{ field: '/parentUnitId', message: '主管部门（上级单位）不存在' }]);
    if (unitId !== null && (await isSelfOrBelow(trx, unitId, parentUnitId))) {
      throw validationFailed([{ field: '/parentUnitId', message: '不能把本单位或其下属单位设为主管部门' }]);
    }
  }

  return {
    async list(user) {
      const scope = caseScopeOf(user);
      const rows = await listUnitRecords(db, scope.kind === 'all' ? null : scope.unitIds);
      const quotasByUnit = new Map<string, UnitQuotaRecord[]>();
      for (const q of await quotasOfUnits(db, rows.map((r) => r.id))) {
        const ofUnit = quotasByUnit.get(q.unit_id);
        if (ofUnit) ofUnit.push(q);
        else quotasByUnit.set(q.unit_id, [q]);
      }
      return rows.map((row) => unitView(row, quotasByUnit.get(row.id) ?? []));
    },

    async get(id, user) {
      const row = await visibleUnit(id, user);
      return unitView(row, await quotasOfUnits(db, [row.id]));
    },

    async establishment(id, user, year) {
      const row = await visibleUnit(id, user);
      const planYear = year ?? Number(isoDate(clock()).slice(0, 4)); // the year in Beijing, whatever the server's zone
      const [quotas, posts, plans] = await Promise.all([quotasOfUnits(db, [row.id]), leaderPostsOfUnit(db, row.id), plansOfUnit(db, row.id, planYear)]);
      return {
        unit: { id: row.id, code: row.code, name: row.name, nature: row.nature, keyManaged: row.key_managed, frozen: row.frozen },
        quotas: quotas.map(quotaView),
        leaderPosts: posts.map(leaderPostView),
        plans: {
          year: planYear,
          items: plans.map((p) => ({ year: p.year, bianzhiType: p.bianzhi_type, planned: p.planned, used: p.used, remaining: p.planned - p.used, docNo: p.doc_no })),
        },
      };
    },

    async create(input, actor) {
      const empty: UnitColumns = {
        name: input.name,
        level: null,
        funding_form: input.fundingForm,
        parent_unit_id: null,
        key_managed: false,
        key_managed_reason: null,
        frozen: false,
        frozen_reason: null,
        frozen_doc_no: null,
        frozen_until: null,
      };
      const columns = applyUnitChanges(empty, input);
      const id = await uniqueAs('units_code_unique', 'UNIT_CODE_TAKEN', `单位代码 ${input.code} 已存在`, () =>
        db.transaction(async (trx) => {
          await checkParent(trx, null, columns.parent_unit_id);
          const unitId = await insertUnitRecord(trx, { ...columns, code: input.code, nature: input.nature });
          await appendAuditEvents(trx, [
            {
              actor: actorOf(actor),
              kind: 'admin.unit.created',
              payload: { unitId, unitCode: input.code, before: null, after: { code: input.code, nature: input.nature, ...unitFields(columns) } },
            },
          ]);
          return unitId;
        }),
      );
      announceUsersChanged(); // a supervisor's units may have grown
      return view(db, id);
    },

    async update(id, changes, actor) {
      const updated = await db.transaction(async (trx) => {
        const row = await lockUnitRecord(trx, id);
        if (!row) throw notFound('单位');
        const current = columnsOf(row);
        const next = applyUnitChanges(current, changes);
        const diff = changedFields(unitFields(current), unitFields(next));
        if (!diff) return view(trx, row.id);
        if (next.parent_unit_id !== current.parent_unit_id) await checkParent(trx, row.id, next.parent_unit_id);
        const columnChanges = Object.fromEntries(Object.entries(next).filter(([k, v]) => !same(current[k as keyof UnitColumns], v))) as Partial<UnitColumns>;
        await updateUnitRecord(trx, row.id, columnChanges);
        await appendAuditEvents(trx, [{ actor: actorOf(actor), kind: 'admin.unit.changed', payload: { unitId: row.id, unitCode: row.code, ...diff } }]);
        return view(trx, row.id);
      });
      announceUsersChanged(); // its clerks' unit code, its supervisors' units
      return updated;
    },

    async setQuota(id, bianzhiType, input, actor) {
      return db.transaction(async (trx) => {
        const unit = await lockUnitRecord(trx, id);
        if (!unit) throw notFound('单位');
        refuseWorkflowTypeMismatch(bianzhiType, unit.nature);
        const q = await lockQuotaRecord(trx, unit.id, bianzhiType);
        const before = q ? { approved: q.approved, overflowAllowance: q.overflow_allowance, approvedDocNo: q.approved_doc_no } : null;
        const after = {
          approved: input.approved,
          overflowAllowance: input.overflowAllowance ?? q?.overflow_allowance ?? 0,
          approvedDocNo: input.approvedDocNo !== undefined ? input.approvedDocNo : (q?.approved_doc_no ?? null),
        };
        const counts = { actual: q?.actual ?? 0, reserved: q?.reserved ?? 0 };
        const result = quotaView({ bianzhi_type: bianzhiType, ...counts, approved: after.approved, overflow_allowance: after.overflowAllowance, approved_doc_no: after.approvedDocNo });
        const diff = before ? changedFields(before, after) : { before: null, after };
        if (!diff) return result;

        // 核减 below what is held (实有 + 预占), or an overflow cut that leaves 可用 negative, only on purpose
        const overstaff: FieldError[] = [];
        if (before && after.approved < before.approved && after.approved < counts.actual + counts.reserved) {
          overstaff.push({ field: '/approved', message: `核定编制数 ${after.approved} 少于实有 ${counts.actual} + 预占 ${counts.reserved}；确需核减（将形成超编）须同时提交 allowOverstaff: true 与 reason` });
        }
        if (before && after.overflowAllowance < before.overflowAllowance && result.available < 0) {
          overstaff.push({ field: '/overflowAllowance', message: `核减允许溢出数后可用编制为 ${result.available}；确需核减须同时提交 allowOverstaff: true 与 reason` });
        }
        if (overstaff.length && (input.allowOverstaff !== true || blank(input.reason))) throw validationFailed(overstaff, '核减后编制少于已占用数');

        if (q) {
          await updateQuotaRecord(trx, unit.id, bianzhiType, { approved: after.approved, overflow_allowance: after.overflowAllowance, approved_doc_no: after.approvedDocNo });
        } else {
          await insertQuotaRecord(trx, { unitId: unit.id, bianzhiType, ...after });
        }
        await appendAuditEvents(trx, [
          {
            actor: actorOf(actor),
            kind: 'admin.quota.changed',
            payload: {
              unitId: unit.id,
              unitCode: unit.code,
              bianzhiType,
              ...diff,
              ...(input.reason !== undefined ? { reason: input.reason } : {}),
              ...(overstaff.length ? { allowOverstaff: true, held: counts } : {}),
            },
          },
        ]);
        return result;
      });
    },

    async setLeaderPost(id, input, actor) {
      return db.transaction(async (trx) => {
        const unit = await lockUnitRecord(trx, id);
        if (!unit) throw notFound('单位');
        const post = await lockLeaderPostRecord(trx, unit.id, input.level, input.kind);
        const actual = post?.actual ?? 0;
        const result = leaderPostView({ level: input.level, kind: input.kind, approved: input.approved, actual });
        if (post && post.approved === input.approved) return result;
        const overstaffed = post !== undefined && input.approved < post.approved && input.approved < actual;
        if (overstaffed && (input.allowOverstaff !== true || blank(input.reason))) {
          throw validationFailed(
            [{ field: '/approved', message: `核定职数 ${input.approved} 少于实配 ${actual}；确需核减（将形成超配）须同时提交 allowOverstaff: true 与 reason` }],
            '核减后职数少于实配',
          );
        }
        if (post) await updateLeaderPostApproved(trx, unit.id, input.level, input.kind, input.approved);
        else await insertLeaderPostRecord(trx, { unitId: unit.id, level: input.level, kind: input.kind, approved: input.approved });
        await appendAuditEvents(trx, [
          {
            actor: actorOf(actor),
            kind: 'admin.leader-posts.changed',
            payload: {
              unitId: unit.id,
              unitCode: unit.code,
              level: input.level,
              kind: input.kind,
              before: post ? { approved: post.approved } : null,
              after: { approved: input.approved },
              ...(input.reason !== undefined ? { reason: input.reason } : {}),
              ...(overstaffed ? { allowOverstaff: true, held: { actual } } : {}),
            },
          },
        ]);
        return result;
      });
    },

    async setPlan(id, year, bianzhiType, input, actor) {
      return db.transaction(async (trx) => {
        const unit = await lockUnitRecord(trx, id);
        if (!unit) throw notFound('单位');
        refuseWorkflowTypeMismatch(bianzhiType, unit.nature);
        const plan = await lockPlanRecord(trx, unit.id, bianzhiType, year);
        const used = plan?.used ?? 0;
        const before = plan ? { planned: plan.planned, docNo: plan.doc_no } : null;
        const after = { planned: input.planned, docNo: input.docNo !== undefined ? input.docNo : (plan?.doc_no ?? null) };
        const result: PlanView = { year, bianzhiType, planned: after.planned, used, remaining: after.planned - used, docNo: after.docNo };
        const diff = before ? changedFields(before, after) : { before: null, after };
        if (!diff) return result;
        if (after.planned < used) {
          throw validationFailed([{ field: '/planned', message: `年度用编计划数 ${after.planned} 少于已使用 ${used}，不能核减到已使用数以下` }]);
        }
        if (plan) await updatePlanRecord(trx, unit.id, bianzhiType, year, { planned: after.planned, doc_no: after.docNo });
        else await insertPlanRecord(trx, { unitId: unit.id, bianzhiType, year, ...after });
        await appendAuditEvents(trx, [
          {
            actor: actorOf(actor),
            kind: 'admin.plan.changed',
            payload: { unitId: unit.id, unitCode: unit.code, year, bianzhiType, ...diff, ...(input.reason !== undefined ? { reason: input.reason } : {}) },
          },
        ]);
        return result;
      });
    },
  };
}

