/**
 * Establishment (编制) parameters, domain-spec.md §2.3–§2.4. Data, not code: versioned records (see Parameter
 * in ./retirement). Read by the quota workers (workers/quota.*.ts) through the parameter store.
 */
import type { Parameter } from './retirement';

/** The keys, for the workers that read them. */
export const QUOTA_NOTICE_VALIDITY = 'quota.notice-valid-days';
export const ALLOW_OVERSTAFF_FOR_PLACEMENT = 'quota.allow-overstaff-for-placement';

/**
 * How long a 用编通知单 (and its 预占) stays valid (§2.3 `quota_notice_valid_days`): to the end of the plan year
 * (the spec's default), or a number of days from the day it is issued. Expired reservations are released by
 * the sweep in server/services/quota-reservations.ts.
 */
export type QuotaNoticeValidity = { mode: 'end-of-year' } | { mode: 'days'; days: number };

export const quotaNoticeValidity: Parameter<QuotaNoticeValidity>[] = [
  {
    key: QUOTA_NOTICE_VALIDITY,
    version: 'default',
    validFrom: '2000-01-01',
    status: 'C',
    source: 'domain-spec §2.3 [C]: 用编通知单有效期默认至用编计划年度末 (quota_notice_valid_days)',
    value: { mode: 'end-of-year' },
  },
];

/**
 * Z3 政策性安置 (§1.2 Z3 step 2, §2.3): when true, a placement over quota is not refused but goes to the 编办
 * leader, and the 预占 may exceed the available count (the unit is then 超编待消化).
 */
export const placementOverstaff: Parameter<boolean>[] = [
  {
    key: ALLOW_OVERSTAFF_FOR_PLACEMENT,
    version: 'default',
    validFrom: '2000-01-01',
    status: 'C',
    source: 'domain-spec §1.2 Z3, §2.3 [C]: allow_overstaff_for_placement',
    value: true,
  },
];

/** Every default of this topic, for domain/parameters/index.ts. */
export const quotaParameterDefaults: Parameter<unknown>[] = [...quotaNoticeValidity, ...placementOverstaff];
