// The process variables the nine staff-change workflows share: what the forms write, what the workers
// read and return. One place, so that a diagram, a form and a handler agree on a name. Handlers
// validate what they read (a variable may be missing or mistyped: a form can be edited in the modeler).
import type { BianzhiType } from '../domain/quota';

/** A person as the 落编申请 / 调入 forms enter it (domain-spec.md §2.5 入编通知单, §7). Dates yyyy-mm-dd. */
export interface PersonInput {
  idNumber: string;
  name: string;
  /** GB/T 2261.1: '1' 男, '2' 女 */
  gender: string;
  birthDate: string;
  /** 民族, full name per GB/T 3304 ("汉族") */
  ethnicity?: string;
  /** 政治面貌 code, GB/T 4762 ('01'…'13') */
  politicalStatus?: string;
  /** 学历 code, GB/T 4658 ('21' 大学本科毕业 …) */
  education?: string;
  /** 学位: 博士 | 硕士 | 学士 | 无, or its code (doctor | master | bachelor | none, domain/codes.ts) */
  degree?: string;
  school?: string;
  major?: string;
  graduationDate?: string;
  /** 参加工作时间 */
  workStartDate?: string;
  partyJoinDate?: string;
  leagueJoinDate?: string;
  /** 进入本单位时间 */
  unitEntryDate?: string;
  /** 任现职时间 */
  currentPostDate?: string;
  /** 职务职级 or 岗位 (e.g. 一级科员, 专业技术十二级) */
  post?: string;
  /** 档案认定出生日期 when it differs from the ID number's */
  archiveBirthDate?: string;
  /** 原单位 (Z2, Z3) */
  previousEmployer?: string;
  /** old 编制类型 for the 进入形式 matrix (Z2, T1, T3) */
  previousBianzhiType?: BianzhiType | 'none';
  /** previous unit held 参公 status (Z2) */
  previousCivilServantManaged?: boolean;
  /** 领导职务 held (领导职数 of §2.2): level as in leader_posts (e.g. 乡科级), kind principal 正职 | deputy 副职 */
  leaderPost?: LeaderPostRef;
  /** a foreign national: Latin letters allowed in the name (§7.2) */
  foreignNational?: boolean;
  /** 同等学力: a 学位 above the 学历 is accepted (§7.4 V11) */
  equivalentDegree?: boolean;
}

/** A 领导职数 slot: `leader_posts` (unit, level, kind). */
export interface LeaderPostRef {
  level: string;
  kind: 'principal' | 'deputy';
}

/**
 * 进入形式 (entry mode), free text as the forms write it. 转任 / 调任 / 调入 are checked against the old and new
 * 编制类型 (§2.1 S7 matrix: person.previousBianzhiType, person.previousCivilServantManaged); the others
 * (考录, 招聘, 安置, 其他 …) are not constrained.
 */
export type EntryMode = '考录' | '招聘' | '调入' | '转任' | '调任' | '安置' | '其他' | (string & {});

/** 减员原因 (§2.5 出编通知单): quota.vacate turns 退休 into status retired, the others into history. */
export const LEAVE_REASONS = ['退休', '退职', '调出', '自动离职', '辞职', '辞退', '开除', '死亡'] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

/** A human decision on a review step: every review form writes `<step>Decision` and `<step>Comment`. */
export type Decision = 'approve' | 'reject';

/** quota.check → `quotaCheck`. The diagram routes on `quotaCheck.decision`. */
export interface QuotaCheckResult {
  /** approve: every automatic check passed · leader-review: only a human may pass it (重点管理, 超编 placement) · refuse */
  decision: 'approve' | 'leader-review' | 'refuse';
  reasons: Array<{ code: string; message: string }>;
  establishment: { approved: number; actual: number; reserved: number; available: number; vacant: number; over: number };
  /** n_plan − plan_used of this year's plan; null when the unit has no plan for the year */
  planBalance: number | null;
  /** the unit checked (T1: the target unit B); keyManagedReason is shown to the 编办 leader */
  unit?: { id: string; name: string; keyManagedReason: string | null };
  /** the 领导职数 checked, when a leaderPost was given */
  leaderPosts?: { level: string; kind: string; approved: number; actual: number; balance: number };
  /** findings that do not change the decision (T2: a 职级 over its 职数) */
  warnings?: Array<{ code: string; message: string }>;
}

/** quota.reserve → `quotaNotice`: the 预占 and its 用编通知单 (one transaction). */
export interface QuotaNotice {
  reservationId: string;
  documentId: string;
  number: string;
  /** valid through this day (yyyy-mm-dd) */
  expiresOn: string;
  count: number;
  /** Z3 placement reserved beyond the available count (超编待消化) */
  overQuota?: boolean;
}

/** quota.occupy → the person now 在编 (入编 at 落编许可). */
export interface QuotaOccupyResult {
  personId: string;
  /** 入编日期, yyyy-mm-dd */
  enteredOn: string;
}

/** One finding of person.validate: `rule` is the spec's rule id (7.1, 7.2, V1…V12), `field` the PersonInput field. */
export interface PersonCheckFinding {
  rule: string;
  field: string;
  message: string;
}

/** person.validate → `personCheck` (also the variables of its PERSON_INVALID error). */
export interface PersonCheck {
  errors: PersonCheckFinding[];
  warnings: PersonCheckFinding[];
  /** rules that could not be checked with the data given (e.g. V10: no 级别/档次 in PersonInput) */
  unchecked: Array<{ rule: string; message: string }>;
}

/** document.generate → merged into `documents`, keyed by document type code (domain/document-numbers.ts). */
export type IssuedDocuments = Record<string, { id: string; number: string }>;

/** time-limits.plan → `timeLimits`: ISO 8601 durations ('P5D') per user-task element id, for the boundary timers `=timeLimits.Task_X`. */
export type TimeLimits = Record<string, string>;

/** A parameter version a result was computed with, shown to the clerk with its confidence tag (domain-spec §0). */
export interface ParameterTag {
  key: string;
  version: number;
  docNo: string | null;
  status: 'A' | 'B' | 'C';
  validFrom: string;
  source?: string | null;
}

/** A point of the flexible window: the day an age is reached. */
export interface RetirementWindowPoint {
  /** yyyy-mm-dd */
  date: string;
  /** yyyy-mm */
  month: string;
  age: { years: number; months: number };
}

/** retirement.check → `retirement` (J1 step 1; also POST /api/calc/retirement). Dates yyyy-mm-dd, months yyyy-mm. */
export interface RetirementResult {
  retirementType: '法定' | '弹性提前' | '弹性延迟' | '病退' | '特殊工种';
  /** §5.1 category: man · woman55 · woman50 · woman60 */
  category: 'man' | 'woman55' | 'woman50' | 'woman60';
  /** why this category (the [C] choice of §5.1, or a category set on the person) */
  categoryBasis: string;
  /** the birth date used: the 档案认定出生日期 when the person has one */
  birthDate: string;
  statutoryAge: { years: number; months: number };
  statutoryDate: string;
  statutoryMonth: string;
  /** the retirement day requested (flexible, 病退, 特殊工种) or the statutory one */
  retirementDate: string;
  /** yyyy-mm of retirementDate (retire_month) */
  retireMonth: string;
  /** age at retirementDate, completed years and months (the pension's 计发月数 uses it) */
  retirementAge: { years: number; months: number };
  /** the flexible window of the 2025 law (null before 2025: it did not exist) */
  earliest: RetirementWindowPoint | null;
  latest: RetirementWindowPoint | null;
  /** yyyy-mm: the pension starts and the active salary stops */
  pensionStartMonth: string;
  minimumContributionYears: number;
  rule: 'pre-2025' | '2025-law';
  source: string;
  warnings: string[];
  /** the version of `retirement.statutory-age` used */
  parameterVersion: ParameterTag;
  /** false with `reason` when the request lies outside what the rules allow (retirement.check then throws RETIREMENT_NOT_ALLOWED) */
  allowed: boolean;
  reason?: string;
}

/** pension.calculate → `pension` (J1 step 3; also POST /api/calc/pension). Yuan a month, 2 decimals. */
export interface PensionResult {
  cohort: 'middle' | 'new';
  cohortName: string;
  base: number;
  personalAccount: number;
  transitional: number;
  total: number;
  monthsOfPayment: number;
  averageContributionIndex: number;
  contributionMonths: number;
  deemedMonths: number;
  /** contributionMonths ≥ minimumContributionYears·12 */
  eligible: boolean;
  /** the parameter versions used, with their status: a clerk sees that the 计发基数 is a placeholder (C) */
  parameters: ParameterTag[];
  /** true when any parameter used is status C (proposed or placeholder): the figure is a preview, not a 核定 */
  provisional: boolean;
  warnings: string[];
  /** yyyy-mm-dd: the day it was computed (worker only) */
  calculatedOn?: string;
}

/**
 * salary.calculate → `salary` (domain/salary.ts SalaryResult): items [{code, name, amount}], monthlyBasic,
 * effectiveMonth (起薪, yyyy-mm), probation / afterProbation (new hires), before / increase (T2), the parameter
 * versions used with their tags (`lowestStatus` C = rests on a placeholder or unverified figure), warnings.
 */
export type { SalaryResult } from '../domain/salary';

/** insurance.calculate-base → `insurance` (domain/insurance.ts InsuranceResult): base, contributions, totals.unitCash (SIu). */
export type { InsuranceResult } from '../domain/insurance';

/** finance.calculate-subsidy → `subsidy` (domain/subsidy.ts SubsidyResult): components, total, payrollList. */
export type { SubsidyResult } from '../domain/subsidy';

/** The pay fields of a 工资关系介绍信 (domain-spec §2.5) as the Z2 form enters them: `salaryLetter`. */
export type { SalaryLetter } from '../domain/salary';
