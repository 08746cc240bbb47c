/**
 * Person-record parameters, domain-spec.md §7.2, §7.4 V6 and §1.2 J1 step 6. Data, not code: versioned
 * records (see Parameter in ./retirement).
 */
import type { Parameter } from './retirement';

/** The keys, for the workers that read them. */
export const RECRUIT_AGE_MAX = 'person.recruit-age-max';
export const NAME_LENGTH = 'person.name-length';
export const VETERANS_NOTIFY_THRESHOLD = 'veterans.notify-threshold';

/** One age ceiling: completed years at the 增员 date; `postgraduate` applies to new 硕士/博士 graduates. */
export interface AgeCeiling {
  maxAge: number;
  postgraduateMaxAge: number;
}

/** V6 (§7.4): the Z1 recruitment age ceiling per 编制类型 (`recruit_age_max[type]`), `default` for the others. */
export interface RecruitAgeMax {
  default: AgeCeiling;
  byBianzhiType: Partial<Record<'XZ' | 'ZF' | 'SY' | 'GQ' | 'LG', AgeCeiling>>;
}

export const recruitAgeMax: Parameter<RecruitAgeMax>[] = [
  {
    key: RECRUIT_AGE_MAX,
    version: 'default',
    validFrom: '2000-01-01',
    status: 'C',
    source:
      'domain-spec §7.4 V6: 公务员考录传统上限 35 周岁; 2026 年度国考放宽至 38 周岁、应届硕士/博士 43 周岁 [B, public news digest]; ' +
      '事业单位 35/40 [C]',
    value: {
      default: { maxAge: 35, postgraduateMaxAge: 40 },
      byBianzhiType: { XZ: { maxAge: 38, postgraduateMaxAge: 43 }, ZF: { maxAge: 38, postgraduateMaxAge: 43 } },
    },
  },
];

/** §7.2: the length of a 姓名 in characters (code points), inclusive. */
export const nameLength: Parameter<{ min: number; max: number }>[] = [
  { key: NAME_LENGTH, version: 'default', validFrom: '2000-01-01', status: 'A', source: 'domain-spec §7.2 [A, S11]: 2–20 个字符 (parameter)', value: { min: 2, max: 20 } },
];

/**
 * J1 step 6: which retirees the 老干部局 is told about. `all`: every retiree. `threshold`: those whose 职务职级
 * (persons.post) or leader-post level (profile.leaderPost.level) contains one of `postKeywords`.
 */
export type VeteransNotifyThreshold = { mode: 'all' } | { mode: 'threshold'; postKeywords: string[] };

export const veteransNotifyThreshold: Parameter<VeteransNotifyThreshold>[] = [
  {
    key: VETERANS_NOTIFY_THRESHOLD,
    version: 'default',
    validFrom: '2000-01-01',
    status: 'C',
    source: 'domain-spec §1.2 J1 step 6 [C]: 县处级/四级调研员及以上 (事业单位 管理六级及以上 taken as equal); "all" if the district manages every retiree',
    value: {
      mode: 'threshold',
      postKeywords: [
        '县处级', '厅局级', '省部级', '调研员', '巡视员', // 领导职务 levels and 职级 from 四级调研员 up (副调研员 of the old system too)
        '管理一级', '管理二级', '管理三级', '管理四级', '管理五级', '管理六级',
      ],
    },
  },
];

/** Every default of this topic, for domain/parameters/index.ts. */
export const personParameterDefaults: Parameter<unknown>[] = [...recruitAgeMax, ...nameLength, ...veteransNotifyThreshold];
