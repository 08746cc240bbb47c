// quota.check — 用编许可 / 编制核准 (domain-spec.md §1.2 Z1–Z3 step 2, T1 step 2, T2 step 2; rules §2.1–§2.4).
// Reads the unit, its quota of the 编制类型, this year's annual plan and the leader posts, and applies the check
// list of domain/quota.ts checkQuotaUse. The diagram routes on quotaCheck.decision: approve | leader-review | refuse.
//
// Variables in:  unitId, bianzhiType (J/T cases: set by person.load), requested (int ≥ 0,
//                default 1), leaderPost? { level, kind, rankOnly? } (leader-post: none, or isLeaderPost false → approve),
//                entryMode?, person?.previousBianzhiType / previousCivilServantManaged (进入形式 matrix, Z2/T1),
//                targetUnitId (mode transfer), planAdHocDocNo? (编委 ad-hoc approval 文号: lifts the plan check)
// Header mode:   recruit (default) | placement (Z3) | transfer (T1: checks targetUnitId) | leader-post (T2)
// Variables out: quotaCheck (QuotaCheckResult)
// BPMN errors:   none — refusals are quotaCheck.decision = 'refuse' with the reasons.
// Failures:      unknown unit, invalid input → fail with retries 0 (an incident: retrying cannot help).
import { isUuid } from '../server/core/errors';
import { isoDate } from '../domain/id-number';
import { ALLOW_OVERSTAFF_FOR_PLACEMENT } from '../domain/parameters/quota';
import { entryModeProblem } from '../domain/person-validation';
import { type BianzhiType, checkQuotaUse, DomainInputError, establishment, isBianzhiType, type QuotaUseReason as DomainReason } from '../domain/quota';
import { findLeaderPost, findPlan, findQuota, findUnit, type UnitRow } from '../server/repositories/quotas';
import { complete, fail, type JobHandler } from './job';
import type { WorkerDefinition, WorkerDeps } from './registry';
import type { PersonInput, QuotaCheckResult } from './variables';

/** A reason of the result: the domain's codes plus ENTRY_MODE_INVALID and PLACEMENT_OVERSTAFF. */
type QuotaUseReason = { code: DomainReason['code'] | 'ENTRY_MODE_INVALID' | 'PLACEMENT_OVERSTAFF'; message: string };

export const jobType = 'quota.check';

export const MODES = ['recruit', 'placement', 'transfer', 'leader-post'] as const;
export type QuotaCheckMode = (typeof MODES)[number];

export interface QuotaCheckInput {
  unitId?: unknown;
  targetUnitId?: unknown;
  bianzhiType?: unknown;
  requested?: unknown;
  leaderPost?: { level?: unknown; kind?: unknown; rankOnly?: unknown } | null;
  entryMode?: unknown;
  person?: Partial<PersonInput> | null;
  planAdHocDocNo?: unknown;
  isLeaderPost?: unknown;
}

export const createHandler =
  (deps: WorkerDeps): JobHandler<QuotaCheckInput> =>
  async (job) => {
    const v = job.variables ?? {};
    const mode = (job.customHeaders?.mode ?? 'recruit') as QuotaCheckMode;
    if (!MODES.includes(mode)) return fail({ message: `quota.check 的 mode 头无效：${String(mode)}`, retries: 0 });

    const unitId = mode === 'transfer' ? v.targetUnitId : v.unitId;
    const unitField = mode === 'transfer' ? 'targetUnitId' : 'unitId';
    if (!isUuid(unitId)) return fail({ message: `变量 ${unitField} 须为单位 id (uuid)`, retries: 0 });
    // (T1/T2 cases get the person's 编制类型 from their first step, person.load)
    if (!isBianzhiType(v.bianzhiType)) {
      return fail({ message: `变量 bianzhiType 无效：${String(v.bianzhiType)}`, retries: 0 });
    }
    const bianzhiType = v.bianzhiType as BianzhiType;
    const requested = v.requested === undefined || v.requested === null ? 1 : v.requested;
    if (typeof requested !== 'number' || !Number.isSafeInteger(requested) || requested < 0) {
      return fail({ message: '变量 requested（申请用编数）须为不小于 0 的整数', retries: 0 });
    }
    let leaderPost: { level: string; kind: 'principal' | 'deputy'; rankOnly: boolean } | undefined;
    // the T2 form sends an empty 领导职务 group when the new post is not a 领导职务
    const noLeaderPost = v.isLeaderPost === false || (v.leaderPost && (v.leaderPost.level === null || v.leaderPost.level === undefined || v.leaderPost.level === '') && (v.leaderPost.kind === null || v.leaderPost.kind === undefined || v.leaderPost.kind === ''));
    if (v.leaderPost !== undefined && v.leaderPost !== null && !noLeaderPost) {
      const { level, kind, rankOnly } = v.leaderPost;
      if (typeof level !== 'string' || level.trim() === '' || (kind !== 'principal' && kind !== 'deputy')) {
        return fail({ message: '变量 leaderPost 须为 { level, kind: principal | deputy }', retries: 0 });
      }
      leaderPost = { level: level.trim(), kind, rankOnly: rankOnly === true };
    }
    if (mode === 'leader-post' && !leaderPost && !noLeaderPost) return fail({ message: 'mode leader-post 须提供变量 leaderPost（或 isLeaderPost = false）', retries: 0 });

    const today = isoDate(deps.clock());
    const year = Number(today.slice(0, 4));
    const unit = await findUnit(deps.db, unitId);
    if (!unit) return fail({ message: `单位不存在：${unitId}`, retries: 0 });
    const [quota, plan, post] = await Promise.all([
      findQuota(deps.db, unit.id, bianzhiType),
      findPlan(deps.db, unit.id, bianzhiType, year),
      leaderPost ? findLeaderPost(deps.db, unit.id, leaderPost.level, leaderPost.kind) : Promise.resolve(undefined),
    ]);
    const counts = {
      approved: quota?.approved ?? 0,
      actual: quota?.actual ?? 0,
      reserved: quota?.reserved ?? 0,
      overflowAllowance: quota?.overflow_allowance ?? 0,
    };
    const planBalance = plan ? plan.planned - plan.used : null;
    const leaderFigures = leaderPost && {
      level: leaderPost.level,
      kind: leaderPost.kind,
      approved: post?.approved ?? 0,
      actual: post?.actual ?? 0,
      balance: (post?.approved ?? 0) - (post?.actual ?? 0),
    };
    const unitInfo = { id: unit.id, name: unit.name, keyManagedReason: unit.key_managed ? unit.key_managed_reason : null };
    const figures = establishment(counts);

    // T2: only the 领导职数 (hard block for 领导职务, a warning for 职级: rankOnly)
    if (mode === 'leader-post') {
      const result: QuotaCheckResult = { decision: 'approve', reasons: [], establishment: figures, planBalance, unit: unitInfo, leaderPosts: leaderFigures };
      if (leaderFigures && leaderFigures.balance < 1) {
        const reason = { code: 'LEADER_POSTS_EXCEEDED', message: `${leaderPost!.level}${leaderPost!.kind === 'principal' ? '正职' : '副职'}领导职数余额 ${leaderFigures!.balance}，不得新任` };
        if (leaderPost!.rankOnly) result.warnings = [{ code: reason.code, message: `${reason.message}（职级晋升，仅提示）` }];
        else Object.assign(result, { decision: 'refuse', reasons: [reason] });
      }
      return complete({ quotaCheck: result });
    }

    let decision;
    try {
      decision = checkQuotaUse({
        unit: { nature: unit.nature, frozen: unit.frozen, keyManaged: unit.key_managed },
        counts,
        // a transfer inside the district (T1) brings nobody in from outside: the annual 用编计划 is not drawn on
        plan: { remaining: mode === 'transfer' ? Number.MAX_SAFE_INTEGER : planBalance ?? 0, adHocDocNo: typeof v.planAdHocDocNo === 'string' ? v.planAdHocDocNo : undefined },
        // requested 0 (only a leader post asked for): the establishment checks below are dropped
        requested: Math.max(requested, 1),
        bianzhiType,
        leaderPosts: leaderPost && !leaderPost.rankOnly ? { approved: leaderFigures!.approved, actual: leaderFigures!.actual, requested: 1 } : undefined,
      });
    } catch (err) {
      if (err instanceof DomainInputError) return fail({ message: `${err.field}: ${err.message}`, retries: 0 });
      throw err;
    }

    // KEY_MANAGED is decided below, after the 进入形式 and the placement rule
    let reasons: QuotaUseReason[] = decision.reasons.filter((r) => r.code !== 'KEY_MANAGED').map((r) => describe(r, unit, quota === undefined, plan === undefined, bianzhiType, year));
    if (requested === 0) reasons = reasons.filter((r) => !['QUOTA_EXCEEDED', 'OVERSTAFFED', 'PLAN_EXHAUSTED'].includes(r.code));
    if (quota === undefined && requested > 0) reasons = reasons.filter((r) => r.code !== 'OVERSTAFFED');

    // Z2 / T1: the 进入形式 against the old and new 编制类型 (§2.1)
    const entryProblem = entryModeProblem({
      entryMode: v.entryMode,
      previousBianzhiType: v.person?.previousBianzhiType,
      previousCivilServantManaged: v.person?.previousCivilServantManaged,
      bianzhiType,
      unitNature: unit.nature,
    });
    if (entryProblem) reasons.push({ code: 'ENTRY_MODE_INVALID', message: entryProblem });

    const warnings: Array<{ code: string; message: string }> = [];
    if (leaderPost?.rankOnly && leaderFigures!.balance < 1) {
      warnings.push({ code: 'LEADER_POSTS_EXCEEDED', message: `${leaderPost.level}职数余额 ${leaderFigures!.balance}（职级，仅提示）` });
    }

    let outcome: QuotaCheckResult['decision'];
    if (reasons.length > 0) {
      outcome = 'refuse';
      // Z3: over quota goes to the 编办 leader when the parameter allows it (§1.2 Z3 step 2); the unit becomes 超编待消化
      const overOnly = reasons.every((r) => r.code === 'QUOTA_EXCEEDED' || r.code === 'OVERSTAFFED');
      if (mode === 'placement' && overOnly && quota !== undefined) {
        const allow = await deps.parameters.get<boolean>(ALLOW_OVERSTAFF_FOR_PLACEMENT, today);
        if (allow.value === true) {
          outcome = 'leader-review';
          reasons.push({ code: 'PLACEMENT_OVERSTAFF', message: '政策性安置：超出可用编制，须编办领导审批；批准后单位列为超编待消化' });
          if (unit.key_managed) reasons.push(keyManaged(unit));
        }
      }
    } else if (unit.key_managed) {
      outcome = 'leader-review';
      reasons = [keyManaged(unit)];
    } else {
      outcome = 'approve';
    }

    const result: QuotaCheckResult = { decision: outcome, reasons, establishment: figures, planBalance, unit: unitInfo };
    if (leaderFigures) result.leaderPosts = leaderFigures;
    if (warnings.length) result.warnings = warnings;
    return complete({ quotaCheck: result });
  };

function keyManaged(unit: UnitRow): QuotaUseReason {
  const why = unit.key_managed_reason ? `（${unit.key_managed_reason}）` : '';
  return { code: 'KEY_MANAGED', message: `重点管理单位${why}，用编许可须报编办领导审批` };
}

/** The reasons of checkQuotaUse, with what only the loaded data can say (freeze 文号, a missing quota or plan). */
function describe(reason: DomainReason, unit: UnitRow, noQuota: boolean, noPlan: boolean, type: string, year: number): QuotaUseReason {
  switch (reason.code) {
    case 'UNIT_FROZEN': {
      const parts = [unit.frozen_reason, unit.frozen_doc_no && `依据 ${unit.frozen_doc_no}`].filter(Boolean).join('，');
      return parts ? { code: reason.code, message: `${reason.message}（${parts}）` } : reason;
    }
    case 'QUOTA_EXCEEDED':
      return noQuota ? { code: reason.code, message: `单位未核定 ${type} 编制` } : reason;
    case 'PLAN_EXHAUSTED':
      return noPlan ? { code: reason.code, message: `单位没有 ${year} 年度 ${type} 用编计划` } : reason;
    default:
      return reason;
  }
}

export const worker: WorkerDefinition = { jobType, createHandler };
