/**
 * Establishment (编制) counts and the 用编许可 check list, domain-spec.md §2.2–§2.4. Pure functions, no I/O:
 * the caller loads the counts, the plan balance and the leader posts and passes them in as data.
 */

/** Invalid input to a domain rule: `field` names the input, `message` says what is wrong (zh-CN). */
export class DomainInputError extends Error {
  override readonly name = 'DomainInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** 编制类型 codes (§2.1), the same as the `quotas.bianzhi_type` check constraint. */
export const BIANZHI_TYPES = ['XZ', 'ZF', 'SY', 'GQ', 'LG'] as const;
export type BianzhiType = (typeof BIANZHI_TYPES)[number];

/** Whether a value is one of the 编制类型 codes. */
export const isBianzhiType = (value: unknown): value is BianzhiType => typeof value === 'string' && (BIANZHI_TYPES as readonly string[]).includes(value);

/** 机构性质 codes, the same as `units.nature`: organ 机关 · institution 事业单位 · institution_cs 参公事业单位. */
export const UNIT_NATURES = ['organ', 'institution', 'institution_cs'] as const;
export type UnitNature = (typeof UNIT_NATURES)[number];

/**
 * Validity matrix of §2.1 [A, S12 + S7]: XZ/ZF only in 机关 or in 参公 units that hold 行政编制; SY only in
 * 事业单位 (参公事业单位 are 事业单位, 参公 being a sub-attribute of SY); GQ only in 机关. LG (老干编制, optional
 * [C]) is not placed by the spec: taken as 机关 only.
 */
export const BIANZHI_TYPE_NATURES: Readonly<Record<BianzhiType, readonly UnitNature[]>> = {
  XZ: ['organ', 'institution_cs'],
  ZF: ['organ', 'institution_cs'],
  SY: ['institution', 'institution_cs'],
  GQ: ['organ'],
  LG: ['organ'],
};

/** Whether a unit of this nature may hold this 编制类型 (§2.1, §7.4 V8). */
export function isBianzhiTypeValidFor(bianzhiType: BianzhiType, nature: UnitNature): boolean {
  return BIANZHI_TYPE_NATURES[bianzhiType].includes(nature);
}

/** The stored counts of one unit × 编制类型 at a date (§2.2; columns of `quotas`). */
export interface QuotaCounts {
  /** A 核定编制数 */
  approved: number;
  /** R 实有人数 (在编, including 已批准待出编 O) */
  actual: number;
  /** P 已核准未入编 (预占/锁定): unexpired, unconsumed 用编通知单 */
  reserved: number;
  /** F 允许溢出数, default 0 */
  overflowAllowance?: number;
  /** Vlead 领导职数空缺 held back, default 0 */
  leaderVacanciesHeld?: number;
}

export interface Establishment {
  approved: number;
  actual: number;
  reserved: number;
  /** 可用编制 = A − R − P − Vlead + F (may be negative) */
  available: number;
  /** 空编数 = max(A − R, 0); 预占 does not reduce it */
  vacant: number;
  /** 超编数 = max(R − A, 0) */
  over: number;
}

/** The §2.2 formulas for one unit × 编制类型. */
export function establishment(counts: QuotaCounts): Establishment {
  const approved = count(counts.approved, 'approved', '核定编制数');
  const actual = count(counts.actual, 'actual', '实有人数');
  const reserved = count(counts.reserved, 'reserved', '预占编制数');
  const overflow = count(counts.overflowAllowance ?? 0, 'overflowAllowance', '允许溢出数');
  const leaderHeld = count(counts.leaderVacanciesHeld ?? 0, 'leaderVacanciesHeld', '预留领导职数空缺');
  return {
    approved,
    actual,
    reserved,
    available: approved - actual - reserved - leaderHeld + overflow,
    vacant: Math.max(approved - actual, 0),
    over: Math.max(actual - approved, 0),
  };
}

/** 领导职数 of one unit × level × 正职/副职 (§2.2; columns of `leader_posts`) and the request against it. */
export interface LeaderPostBalance {
  /** L 核定职数 */
  approved: number;
  /** Lr 实配 */
  actual: number;
  /** posts already approved and not yet filled, default 0 */
  pending?: number;
  /** n, the leader posts this application asks for */
  requested: number;
}

export interface QuotaUseRequest {
  unit: { nature: UnitNature; frozen: boolean; keyManaged: boolean };
  counts: QuotaCounts;
  /** remaining = n_plan − plan_used; adHocDocNo = an 编委 ad-hoc approval 文号, which lifts the plan check (§2.4) */
  plan: { remaining: number; adHocDocNo?: string };
  requested: number;
  bianzhiType: BianzhiType;
  leaderPosts?: LeaderPostBalance;
}

export type QuotaUseReasonCode =
  | 'UNIT_FROZEN'
  | 'BIANZHI_TYPE_INVALID'
  | 'QUOTA_EXCEEDED'
  | 'PLAN_EXHAUSTED'
  | 'OVERSTAFFED'
  | 'LEADER_POSTS_EXCEEDED'
  | 'KEY_MANAGED';

export interface QuotaUseReason {
  code: QuotaUseReasonCode;
  message: string;
}

export interface QuotaUseDecision {
  decision: 'pass' | 'refuse' | 'leader-review';
  reasons: QuotaUseReason[];
  establishment: Establishment;
}

const NATURE_NAMES: Record<UnitNature, string> = { organ: '机关', institution: '事业单位', institution_cs: '参公事业单位' };

/**
 * The automatic 用编许可 check list of §2.4 with the rules of §2.3. Every failed check is a reason; any reason
 * other than KEY_MANAGED refuses. A 重点管理单位 that passes every other check is never auto-approved: it goes to
 * the 编办 leader ('leader-review'). A 超编 unit (R ≥ A, §2.3 "超编单位不得新进人") is refused even when the
 * overflow allowance leaves places available.
 */
export function checkQuotaUse(request: QuotaUseRequest): QuotaUseDecision {
  const { unit, plan, bianzhiType, leaderPosts } = request;
  if (!UNIT_NATURES.includes(unit?.nature)) throw new DomainInputError('unit.nature', `机构性质无效：${String(unit?.nature)}`);
  if (!BIANZHI_TYPES.includes(bianzhiType)) throw new DomainInputError('bianzhiType', `编制类型无效：${String(bianzhiType)}`);
  const requested = positive(request.requested, 'requested', '申请用编数');
  const remaining = integer(plan?.remaining, 'plan.remaining', '年度用编计划余额');
  const q = establishment(request.counts);

  const reasons: QuotaUseReason[] = [];
  if (unit.frozen) reasons.push({ code: 'UNIT_FROZEN', message: '单位编制已冻结，不得提交用编申请' });
  if (!isBianzhiTypeValidFor(bianzhiType, unit.nature)) {
    reasons.push({ code: 'BIANZHI_TYPE_INVALID', message: `${NATURE_NAMES[unit.nature]}不得使用编制类型 ${bianzhiType}` });
  }
  if (q.actual >= q.approved) {
    reasons.push({ code: 'OVERSTAFFED', message: `实有人数 ${q.actual} 已达到或超过核定编制数 ${q.approved}，超编单位不得新进人` });
  }
  if (q.available < requested) {
    reasons.push({ code: 'QUOTA_EXCEEDED', message: `可用编制 ${q.available}，少于申请用编数 ${requested}` });
  }
  if (remaining < requested && !plan.adHocDocNo?.trim()) {
    reasons.push({ code: 'PLAN_EXHAUSTED', message: `年度用编计划余额 ${remaining}，少于申请用编数 ${requested}` });
  }
  if (leaderPosts) {
    const approved = count(leaderPosts.approved, 'leaderPosts.approved', '核定领导职数');
    const actual = count(leaderPosts.actual, 'leaderPosts.actual', '实配领导职数');
    const pending = count(leaderPosts.pending ?? 0, 'leaderPosts.pending', '待配领导职数');
    const wanted = count(leaderPosts.requested, 'leaderPosts.requested', '申请领导职数');
    const balance = approved - actual - pending;
    if (balance < wanted) {
      reasons.push({ code: 'LEADER_POSTS_EXCEEDED', message: `领导职数余额 ${balance}，少于申请领导职数 ${wanted}` });
    }
  }
  if (reasons.length > 0) return { decision: 'refuse', reasons, establishment: q };
  if (unit.keyManaged) {
    return { decision: 'leader-review', reasons: [{ code: 'KEY_MANAGED', message: '重点管理单位，用编许可须报编办领导审批' }], establishment: q };
  }
  return { decision: 'pass', reasons: [], establishment: q };
}

function integer(value: unknown, field: string, label: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new DomainInputError(field, `${label}须为整数`);
  return value;
}

function count(value: unknown, field: string, label: string): number {
  const n = integer(value, field, label);
  if (n < 0) throw new DomainInputError(field, `${label}不得为负数`);
  return n;
}

function positive(value: unknown, field: string, label: string): number {
  const n = integer(value, field, label);
  if (n < 1) throw new DomainInputError(field, `${label}须为正整数`);
  return n;
}
