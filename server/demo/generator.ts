/**
 * A deterministic demo district generator (issue "The nine staff-change workflows", item 6): for a seed, a number
 * of persons 在编 N and of units M (default max(40, N/50)) it plans units across 机关 / 事业 (全额 / 差额 / 自收自支)
 * / 参公, under 主管部门, with every 编制类型 (each where domain/quota.ts BIANZHI_TYPE_NATURES allows it),
 * quotas (some 超编), 重点管理 units, exactly one frozen unit, this year's 用编计划 and 领导职数; then, unit by
 * unit, the persons of each slot (实名制 records with valid GB 11643 ID numbers, an age pyramid of 22–59, gender,
 * 学历/学位, 政治面貌, 职务职级 or 岗位 by nature, 入编日期) and a few retirees.
 *
 * Same options → the same district, byte for byte (`districtDigest`). Nothing depends on the clock: ages are
 * completed years on 1 January of `year`. The unit plan is small (one object per unit); persons are produced per
 * unit by `district.persons()`, so 1,000,000 persons never sit in memory at once. `writeDistrict` inserts them in
 * chunks, each unit with its persons in one transaction (see there).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { idNumberCheckDigit } from '../../domain/id-number';
import type { FundingForm } from '../../domain/insurance';
import type { BianzhiType, UnitNature } from '../../domain/quota';
import { unitRow } from './district';
import { AREA_CODE, mulberry32, type DemoPerson } from './persons';

export interface DistrictOptions {
  /** PRNG seed (any integer); default 1 */
  seed?: number;
  /** persons 在编 (status active); retirees (about 2.5 %) come on top */
  persons: number;
  /** units; default max(40, round(persons / 50)) */
  units?: number;
  /** the plan year: annual plans, frozen 文号, ages on 1 January; default this year */
  year?: number;
  /** the number in the first unit code: U007 follows the six named demo units U001–U006; default 7 */
  firstCodeNumber?: number;
}

export type LeaderKind = 'principal' | 'deputy';

export interface GeneratedQuota {
  bianzhiType: BianzhiType;
  approved: number;
  /** 实有: exactly the active persons generated into this slot */
  actual: number;
  overflowAllowance: number;
  planned: number;
}

export interface GeneratedLeaderPost {
  level: string;
  kind: LeaderKind;
  approved: number;
  /** 实配: exactly the active persons of the unit whose profile.leaderPost names this level and kind */
  actual: number;
}

export interface GeneratedUnit {
  code: string;
  name: string;
  nature: UnitNature;
  level: string;
  fundingForm: FundingForm;
  parentCode: string | null;
  /** has units under it (its clerk is also a supervisor-clerk) */
  supervises: boolean;
  keyManagedReason?: string;
  frozen?: { reason: string; docNo: string; until: string };
  quotas: GeneratedQuota[];
  leaderPosts: GeneratedLeaderPost[];
  /** persons who retired from this unit (status retired, no unit, like the named demo's retirees) */
  retirees: number;
}

/** A named demo person's fields, plus the profile the generator fills in. */
export interface GeneratedPerson extends DemoPerson {
  bianzhiType: BianzhiType | null;
  profile: PersonProfile;
}

export interface PersonProfile {
  ethnicity: string;
  politicalStatus: string;
  education: string;
  degree: string;
  workStartDate: string;
  leaderPost?: { level: string; kind: LeaderKind };
  retiredOn?: string;
}

export interface District {
  options: Required<DistrictOptions>;
  units: readonly GeneratedUnit[];
  /** active persons (= options.persons) */
  activePersons: number;
  retirees: number;
  /** the persons unit by unit (active ones of each slot, then the unit's retirees), in a fixed order */
  persons(): Generator<{ unit: GeneratedUnit; persons: GeneratedPerson[] }>;
}

// ---------------------------------------------------------------------------------------------------------------
// PRNG

/** splitmix32-style mixing of a seed and a stream number into a 32-bit seed for mulberry32. */
function mix(seed: number, stream: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream + 0x632be5ab, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** an index by weights */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Unit catalogue

interface OrganSpec {
  name: string;
  /** slot shares; XZ is the main slot unless ZF is listed first */
  slots: Array<[BianzhiType, number]>;
}

const ORGANS: readonly OrganSpec[] = [
  { name: '中共示范区委组织部', slots: [['XZ', 0.9], ['GQ', 0.1]] },
  { name: '示范区公安分局', slots: [['ZF', 0.8], ['XZ', 0.12], ['GQ', 0.08]] },
  { name: '中共示范区委老干部局', slots: [['XZ', 0.6], ['LG', 0.3], ['GQ', 0.1]] },
  { name: '示范区人民法院', slots: [['ZF', 0.85], ['GQ', 0.15]] },
  { name: '示范区发展和改革局', slots: [['XZ', 0.92], ['GQ', 0.08]] },
  { name: '示范区财政局', slots: [['XZ', 1]] },
  { name: '示范区人力资源和社会保障局', slots: [['XZ', 0.9], ['GQ', 0.1]] },
  { name: '示范区人民检察院', slots: [['ZF', 0.9], ['GQ', 0.1]] },
  { name: '示范区司法局', slots: [['ZF', 0.7], ['XZ', 0.3]] },
  { name: '示范区民政局', slots: [['XZ', 0.9], ['GQ', 0.1]] },
  { name: '示范区自然资源局', slots: [['XZ', 1]] },
  { name: '示范区住房和城乡建设局', slots: [['XZ', 0.9], ['GQ', 0.1]] },
  { name: '示范区交通运输局', slots: [['XZ', 1]] },
  { name: '示范区农业农村局', slots: [['XZ', 0.9], ['GQ', 0.1]] },
  { name: '示范区水利局', slots: [['XZ', 1]] },
  { name: '示范区商务局', slots: [['XZ', 1]] },
  { name: '示范区文化和旅游局', slots: [['XZ', 0.9], ['GQ', 0.1]] },
  { name: '示范区退役军人事务局', slots: [['XZ', 1]] },
  { name: '示范区应急管理局', slots: [['XZ', 1]] },
  { name: '示范区审计局', slots: [['XZ', 1]] },
  { name: '示范区市场监督管理局', slots: [['XZ', 0.95], ['GQ', 0.05]] },
  { name: '示范区统计局', slots: [['XZ', 1]] },
  { name: '示范区医疗保障局', slots: [['XZ', 1]] },
  { name: '中共示范区委宣传部', slots: [['XZ', 1]] },
  { name: '中共示范区委统战部', slots: [['XZ', 1]] },
  { name: '中共示范区委政法委员会', slots: [['XZ', 1]] },
  { name: '示范区信访局', slots: [['XZ', 1]] },
  { name: '示范区科学技术局', slots: [['XZ', 1]] },
];
/** organs beyond the list: 街道办事处 / 镇人民政府 */
const PLACES = '东城西城南苑北山河口新桥龙泉凤凰青山白沙玉泉金城石门柳林桃源杏坛松岭梅园竹林兰亭荷塘枫林'.match(/../g)!;

interface InstitutionKind {
  key: string;
  names: readonly string[];
  fundingForm: FundingForm;
  level: string;
  /** relative size */
  size: number;
  male: number;
  /** 学历 weights over EDUCATION_CODES */
  education: readonly number[];
  /** SY track weights: professional, management, worker */
  tracks: readonly [number, number, number];
}

const EDUCATION_CODES = ['11', '14', '21', '31', '41', '61', '71'] as const;
const INSTITUTION_KINDS: readonly InstitutionKind[] = [
  { key: 'school', names: ['示范区第{n}中学'], fundingForm: 'full', level: '副科', size: 1.6, male: 0.5, education: [0.2, 12, 70, 15, 2, 0.8, 0], tracks: [0.85, 0.08, 0.07] },
  { key: 'primary', names: ['示范区第{n}实验小学'], fundingForm: 'full', level: '股级', size: 1.1, male: 0.4, education: [0, 5, 62, 30, 3, 0, 0], tracks: [0.88, 0.06, 0.06] },
  { key: 'hospital', names: ['示范区第{n}人民医院', '示范区中医医院', '示范区妇幼保健院'], fundingForm: 'partial', level: '正科', size: 2.4, male: 0.46, education: [1.5, 18, 55, 20, 5, 0.5, 0], tracks: [0.82, 0.08, 0.1] },
  { key: 'center', names: ['示范区城市建设服务中心', '示范区供水服务中心', '示范区检验检测中心', '示范区国有资产运营服务中心', '示范区会展服务中心'], fundingForm: 'self', level: '股级', size: 0.7, male: 0.62, education: [0, 4, 50, 30, 8, 6, 2], tracks: [0.45, 0.35, 0.2] },
  { key: 'clinic', names: ['示范区{p}镇卫生院'], fundingForm: 'partial', level: '股级', size: 0.8, male: 0.4, education: [0, 3, 45, 40, 10, 2, 0], tracks: [0.8, 0.08, 0.12] },
  { key: 'service', names: ['示范区疾病预防控制中心', '示范区档案馆', '示范区图书馆', '示范区融媒体中心', '示范区政务服务中心', '示范区机关事务服务中心', '示范区农业技术推广中心'], fundingForm: 'full', level: '副科', size: 0.7, male: 0.52, education: [0.3, 10, 65, 18, 4, 2.7, 0], tracks: [0.6, 0.3, 0.1] },
  { key: 'kinder', names: ['示范区第{n}幼儿园'], fundingForm: 'full', level: '股级', size: 0.6, male: 0.08, education: [0, 1, 40, 50, 9, 0, 0], tracks: [0.9, 0.05, 0.05] },
];
/** 参公事业单位 */
const CS_NAMES = ['示范区综合行政执法大队', '示范区社会保险事业中心', '示范区住房公积金管理中心', '示范区农业综合执法大队', '示范区交通运输执法大队', '示范区文化市场综合执法大队', '示范区劳动保障监察大队', '示范区不动产登记中心'];

const KEY_REASONS = ['机构改革/撤并中', '审计整改', '编委指定控编'] as const;
const OVER_REASON = '超编单位';

// ---------------------------------------------------------------------------------------------------------------
// Person attributes

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢';
const MALE_GIVEN = '伟强磊军洋勇杰涛明超刚建国志文斌浩宇鹏辉波东亮峰林华平飞鑫凯俊晨博睿泽轩昊然振海宁远新春永庆成岩松';
const FEMALE_GIVEN = '芳娜敏静丽艳秀霞桂英玉兰萍红婷雪琳颖倩慧莉佳欣怡晶燕梅琴云洁丹蕾薇悦蓉璐媛瑶珊月彤露青宁';
const ETHNIC = ['汉族', '回族', '满族', '蒙古族', '朝鲜族'] as const;
const ETHNIC_WEIGHTS = [975, 12, 7, 4, 2];

/** civil-servant 职级 by age band (non-leaders); SY 专业技术/管理/工勤 by age band */
const CS_RANKS: Array<[number, readonly string[]]> = [
  [25, ['二级科员', '一级科员']],
  [32, ['一级科员', '四级主任科员']],
  [40, ['四级主任科员', '三级主任科员']],
  [60, ['三级主任科员', '二级主任科员', '一级主任科员']],
];
const PRO_RANKS: Array<[number, readonly string[]]> = [
  [27, ['专业技术十三级', '专业技术十二级']],
  [33, ['专业技术十二级', '专业技术十一级', '专业技术十级']],
  [42, ['专业技术十级', '专业技术九级', '专业技术八级']],
  [60, ['专业技术八级', '专业技术七级', '专业技术六级', '专业技术五级']],
];
const MGMT_RANKS: Array<[number, readonly string[]]> = [
  [30, ['管理十级']],
  [60, ['管理九级', '管理十级']],
];
const WORKER_RANKS: Array<[number, readonly string[]]> = [
  [28, ['普通工', '技术工五级']],
  [38, ['技术工五级', '技术工四级']],
  [60, ['技术工四级', '技术工三级', '技术工二级']],
];
const byAge = (table: Array<[number, readonly string[]]>, age: number, rng: Rng): string =>
  rng.pick((table.find(([upTo]) => age <= upTo) ?? table[table.length - 1]!)[1]);

const LEADER_LEVEL = '乡科级';
/** 年龄金字塔: weights of completed age 22…59 (more in 30–50) */
const AGE_WEIGHTS: readonly number[] = Array.from({ length: 38 }, (_, i) => {
  const age = 22 + i;
  if (age <= 25) return 0.45 + 0.15 * (age - 22);
  if (age <= 30) return 1.0;
  if (age <= 50) return 1.45;
  if (age <= 55) return 1.05;
  return 0.6;
});
const cumulative = (weights: readonly number[]): number[] => {
  let sum = 0;
  return weights.map((w) => (sum += w));
};
const AGE_CUMULATIVE = cumulative(AGE_WEIGHTS);
/** an age in [min, max] (both within 22–59) by the pyramid */
function sampleAge(rng: Rng, min: number, max: number): number {
  const lo = min - 22 > 0 ? AGE_CUMULATIVE[min - 23]! : 0;
  const hi = AGE_CUMULATIVE[max - 22]!;
  const r = lo + rng.next() * (hi - lo);
  let i = min - 22;
  while (i < max - 22 && AGE_CUMULATIVE[i]! <= r) i++;
  return 22 + i;
}

/** first work at this age, by 学历 */
const START_AGE: Record<string, number> = { '11': 29, '14': 25, '21': 22, '31': 21, '41': 19, '61': 19, '71': 17 };

const DAY = 86_400_000;
const isoDay = (epochDay: number): string => new Date(epochDay * DAY).toISOString().slice(0, 10);
const epochDayOf = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY;

const CHINESE_DIGITS = '〇一二三四五六七八九';
/** 1 → 一, 12 → 十二, 35 → 三十五; ≥ 100 in Arabic digits */
function chineseNumber(n: number): string {
  if (n >= 100) return String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return (tens === 0 ? '' : (tens === 1 ? '' : CHINESE_DIGITS[tens]) + '十') + (ones === 0 ? '' : CHINESE_DIGITS[ones]);
}

// ---------------------------------------------------------------------------------------------------------------
// The plan

interface UnitPlan extends GeneratedUnit {
  index: number;
  /** who the persons are: gender share, education weights, SY tracks */
  profile: { male: number; education: readonly number[]; tracks: readonly [number, number, number] };
}

const ORGAN_PROFILE = { male: 0.7, education: [0.4, 16, 66, 14, 2, 1.6, 0], tracks: [0, 0, 0] as [number, number, number] };
const CS_PROFILE = { male: 0.66, education: [0, 8, 62, 24, 4, 2, 0], tracks: [0, 0, 0] as [number, number, number] };

export function generateDistrict(options: DistrictOptions): District {
  const resolved: Required<DistrictOptions> = {
    seed: options.seed ?? 1,
    persons: options.persons,
    units: options.units ?? Math.max(40, Math.round(options.persons / 50)),
    year: options.year ?? new Date().getFullYear(),
    firstCodeNumber: options.firstCodeNumber ?? 7,
  };
  const { seed, persons: n, units: m, year } = resolved;
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(m) || m < 20) throw new RangeError('generateDistrict: units must be an integer ≥ 20');
  if (n < 6 * m) throw new RangeError(`generateDistrict: ${n} persons are too few for ${m} units (at least 6 per unit)`);
  if (year < 2000 || year > 2100) throw new RangeError('generateDistrict: year out of range');

  const rng = new Rng(mix(seed, 0));
  const lastCode = resolved.firstCodeNumber + m - 1;
  const width = Math.max(3, String(lastCode).length);
  const codeOf = (i: number) => `U${String(resolved.firstCodeNumber + i).padStart(width, '0')}`;

  const organCount = Math.round(m * 0.3);
  const csCount = Math.round(m * 0.1);
  const institutionCount = m - organCount - csCount;
  const plans: UnitPlan[] = [];
  const kindCounters = new Map<string, number>();
  const counter = (key: string) => {
    const next = (kindCounters.get(key) ?? 0) + 1;
    kindCounters.set(key, next);
    return next;
  };
  const uniqueName = (list: readonly string[], key: string): string => {
    const k = counter(key);
    const base = list[(k - 1) % list.length]!;
    const round = Math.floor((k - 1) / list.length) + 1;
    if (base.includes('{n}')) return base.replace('{n}', chineseNumber(k));
    if (base.includes('{p}')) {
      const place = PLACES[(k - 1) % PLACES.length]!;
      const placeRound = Math.floor((k - 1) / PLACES.length) + 1;
      return base.replace('{p}', placeRound === 1 ? place : `${place}${chineseNumber(placeRound)}`);
    }
    return round === 1 ? base : `${base}${chineseNumber(round)}分部`;
  };
  const empty = { quotas: [] as GeneratedQuota[], leaderPosts: [] as GeneratedLeaderPost[], retirees: 0, supervises: false };

  // 机关: the catalogue first (政法 ZF, 老干部 LG among the first four), then 街道/镇
  const organSlots: Array<OrganSpec['slots']> = [];
  for (let i = 0; i < organCount; i++) {
    const spec = ORGANS[i];
    const name = spec ? spec.name : `示范区${PLACES[(i - ORGANS.length) % PLACES.length]}${i - ORGANS.length < PLACES.length ? '' : chineseNumber(Math.floor((i - ORGANS.length) / PLACES.length) + 1)}${(i - ORGANS.length) % 2 === 0 ? '街道办事处' : '镇人民政府'}`;
    organSlots.push(spec ? spec.slots : [['XZ', 0.88], ['GQ', 0.12]]);
    plans.push({ index: plans.length, code: codeOf(plans.length), name, nature: 'organ', level: '正科', fundingForm: 'full', parentCode: null, profile: ORGAN_PROFILE, ...structuredClone(empty) });
  }
  // 事业单位: the first ones cover every kind (and so 全额 / 差额 / 自收自支), then by weight
  const kindWeights = [1.2, 1.4, 0.8, 0.9, 0.8, 1.2, 0.7];
  const institutionKinds: InstitutionKind[] = [];
  for (let i = 0; i < institutionCount; i++) {
    const kind = i < INSTITUTION_KINDS.length ? INSTITUTION_KINDS[i]! : INSTITUTION_KINDS[rng.weighted(kindWeights)]!;
    institutionKinds.push(kind);
    plans.push({
      index: plans.length, code: codeOf(plans.length), name: uniqueName(kind.names, kind.key), nature: 'institution', level: kind.level,
      fundingForm: kind.fundingForm, parentCode: null, profile: { male: kind.male, education: kind.education, tracks: kind.tracks }, ...structuredClone(empty),
    });
  }
  // 参公事业单位: 全额, SY (参公); every third also holds 行政编制
  for (let i = 0; i < csCount; i++) {
    plans.push({
      index: plans.length, code: codeOf(plans.length), name: uniqueName(CS_NAMES, 'cs'), nature: 'institution_cs', level: '副科', fundingForm: 'full',
      parentCode: null, profile: CS_PROFILE, ...structuredClone(empty),
    });
  }
  // 主管部门: every 事业 / 参公 unit under an organ (organ 0, 组织部, supervises none: it is the 编委's side)
  for (const plan of plans) {
    if (plan.nature === 'organ') continue;
    const parent = plans[1 + Math.floor(rng.next() * (organCount - 1))]!;
    plan.parentCode = parent.code;
    parent.supervises = true;
  }

  // Persons per unit: 6 each, the rest in proportion to size × noise (largest remainders)
  const weights = plans.map((p, i) => {
    const base = p.nature === 'organ' ? 1.1 : p.nature === 'institution_cs' ? 0.8 : institutionKinds[i - organCount]!.size;
    return base * (0.55 + rng.next() * 0.9);
  });
  const counts = apportion(n - 6 * m, weights).map((c) => c + 6);

  // Slots, quotas, plans, leader posts
  let overUnits = 0;
  for (const plan of plans) {
    const r = new Rng(mix(seed, 1_000_000 + plan.index));
    const total = counts[plan.index]!;
    let slots: Array<[BianzhiType, number]>;
    if (plan.nature === 'organ') slots = organSlots[plan.index]!;
    else if (plan.nature === 'institution_cs') slots = plan.index % 3 === 0 ? [['SY', 0.7], ['XZ', 0.3]] : [['SY', 1]];
    else slots = [['SY', 1]];
    const slotCounts = apportion(total - slots.length, slots.map(([, share]) => share)).map((c) => c + 1);
    // 超编: about 8 % of units (always the first hospital and the tenth organ), never a 自收自支 one (the frozen one is)
    const over = plan.index === organCount + 2 || plan.index === 9 || (r.chance(0.08) && plan.fundingForm !== 'self');
    if (over) overUnits++;
    plan.quotas = slots.map(([type], i) => {
      const actual = slotCounts[i]!;
      const approved = over && i === 0 ? Math.max(1, actual - Math.max(1, Math.round(actual * (0.02 + r.next() * 0.08)))) : actual + Math.round(actual * r.next() * 0.18) + (r.chance(0.3) ? 1 : 0);
      const vacant = Math.max(approved - actual, 0);
      return { bianzhiType: type, approved, actual, overflowAllowance: r.chance(0.1) ? 1 : 0, planned: vacant === 0 ? 0 : Math.min(vacant, r.int(0, 3)) };
    });
    // 重点管理: half of the 超编 units (reason 超编单位), about 5 % of the others, and always the fifth organ
    let reason: string | undefined = over && r.chance(0.5) ? OVER_REASON : undefined;
    if (reason === undefined && (plan.index === 4 || r.chance(0.05))) reason = r.pick(KEY_REASONS);
    if (reason !== undefined) plan.keyManagedReason = reason;

    // 领导职数 on the main slot: 正科 units 1 正职 + 2–4 副职, 副科 1 正职 + 1–2 副职, 股级 1–2 副职
    const main = plan.quotas[0]!;
    const principal = plan.level === '股级' ? 0 : 1;
    const deputies = plan.level === '正科' ? r.int(2, 4) : plan.level === '副科' ? r.int(1, 2) : r.int(1, 2);
    const room = Math.max(0, main.actual - 2);
    const posts: GeneratedLeaderPost[] = [];
    if (principal > 0) posts.push({ level: LEADER_LEVEL, kind: 'principal', approved: 1, actual: room >= 1 && r.chance(0.92) ? 1 : 0 });
    // 副职: mostly filled, some vacant, a few 超配 (one more than approved)
    const roll = r.next();
    const deputyActual = Math.min(Math.max(0, room - (posts[0]?.actual ?? 0)), roll < 0.05 ? deputies + 1 : roll < 0.45 ? deputies - 1 : deputies);
    posts.push({ level: LEADER_LEVEL, kind: 'deputy', approved: deputies, actual: deputyActual });
    plan.leaderPosts = posts;
    plan.retirees = Math.floor(total * 0.025 + r.next());
  }
  if (overUnits === 0) throw new Error('unreachable: the first hospital is over quota');

  // exactly one frozen unit: the first 自收自支 事业单位 (no plan, not over quota)
  const frozen = plans.find((p) => p.fundingForm === 'self')!;
  frozen.frozen = { reason: '机构改革期间冻结编制', docNo: `示编委〔${year}〕7号`, until: `${year}-12-31` };
  for (const q of frozen.quotas) q.planned = 0;

  const units: GeneratedUnit[] = plans.map(({ index: _i, profile: _p, ...unit }) => unit);
  const retirees = units.reduce((a, u) => a + u.retirees, 0);

  function* persons(): Generator<{ unit: GeneratedUnit; persons: GeneratedPerson[] }> {
    const ids = new IdSequences();
    for (const plan of plans) {
      const r = new Rng(mix(seed, 2_000_000 + plan.index));
      yield { unit: units[plan.index]!, persons: unitPersons(plan, r, ids, year) };
    }
  }

  return { options: resolved, units, activePersons: n, retirees, persons };
}

/** `total` split by `weights` into integers (largest remainders; ties to the lower index) */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]! += 1;
  return out;
}

/**
 * The 3-digit 顺序码 per birth date and gender: 200–999 (the named demo persons use 002–199), odd for men, even for
 * women (§7.1), counted up in generation order: 400 per birth date and gender, then the next day is taken. So ID
 * numbers are unique by construction and the same for the same options.
 */
class IdSequences {
  private readonly used = new Map<number, number>();
  /** the ID number and the (possibly moved) birth day */
  take(epochDay: number, male: boolean): { idNumber: string; birthDate: string } {
    for (let day = epochDay; ; day++) {
      const key = day * 2 + (male ? 1 : 0);
      const k = this.used.get(key) ?? 0;
      if (k >= 400) continue;
      this.used.set(key, k + 1);
      const birthDate = isoDay(day);
      const first17 = `${AREA_CODE}${birthDate.replaceAll('-', '')}${200 + 2 * k + (male ? 1 : 0)}`;
      return { idNumber: first17 + idNumberCheckDigit(first17), birthDate };
    }
  }
}

function unitPersons(plan: UnitPlan, r: Rng, ids: IdSequences, year: number): GeneratedPerson[] {
  const out: GeneratedPerson[] = [];
  const reference = epochDayOf(year, 1, 1);
  const leaders: LeaderKind[] = plan.leaderPosts.flatMap((p) => Array<LeaderKind>(p.actual).fill(p.kind));
  const civilServantSystem = (type: BianzhiType) => type !== 'SY' || plan.nature === 'institution_cs';

  for (const quota of plan.quotas) {
    for (let i = 0; i < quota.actual; i++) {
      const leader = quota === plan.quotas[0] ? leaders[i] : undefined;
      const type = quota.bianzhiType;
      const male = r.chance(leader ? 0.78 : type === 'ZF' ? 0.72 : type === 'GQ' ? 0.66 : plan.profile.male);
      // what the person does decides the retirement age (§5.1: women 55, 工勤 women 50) and so the oldest age
      let track: 'cs' | 'pro' | 'mgmt' | 'worker';
      if (type === 'GQ') track = 'worker';
      else if (civilServantSystem(type)) track = 'cs';
      else track = leader ? 'mgmt' : (['pro', 'mgmt', 'worker'] as const)[r.weighted(plan.profile.tracks)]!;
      const maxAge = male ? 59 : track === 'worker' ? 49 : 54;
      const age = leader ? sampleAge(r, leader === 'principal' ? 38 : 32, maxAge) : sampleAge(r, 22, maxAge);
      let education: string = track === 'worker' ? r.pick(['31', '41', '41', '61', '61', '71']) : EDUCATION_CODES[r.weighted(plan.profile.education)]!;
      if (age > 50 && education === '21' && r.chance(0.3)) education = '31';
      if (START_AGE[education]! > age) education = '21';
      const startAge = START_AGE[education]!;
      const post =
        leader !== undefined
          ? track === 'cs' ? (leader === 'principal' ? '乡科级正职' : '乡科级副职') : leader === 'principal' ? '管理七级' : '管理八级'
          : track === 'cs' ? byAge(CS_RANKS, age, r) : track === 'pro' ? byAge(PRO_RANKS, age, r) : track === 'mgmt' ? byAge(MGMT_RANKS, age, r) : byAge(WORKER_RANKS, age, r);
      out.push(person(r, ids, { reference, age, male, education, startAge, unit: plan.code, type, post, leader, status: 'active' }));
    }
  }
  for (let i = 0; i < plan.retirees; i++) {
    const male = r.chance(plan.profile.male);
    const age = r.int(male ? 61 : 56, 80);
    const education = EDUCATION_CODES[r.weighted([0, 4, 40, 30, 14, 10, 2])]!;
    out.push(person(r, ids, { reference, age, male, education, startAge: START_AGE[education]!, unit: null, type: null, post: null, leader: undefined, status: 'retired' }));
  }
  return out;
}

function person(
  r: Rng,
  ids: IdSequences,
  a: { reference: number; age: number; male: boolean; education: string; startAge: number; unit: string | null; type: BianzhiType | null; post: string | null; leader: LeaderKind | undefined; status: 'active' | 'retired' },
): GeneratedPerson {
  // born in (reference year − age − 1), so the completed age on 1 January of the reference year is `age`
  const referenceYear = new Date(a.reference * DAY).getUTCFullYear();
  const birthYear = referenceYear - a.age - 1;
  const birthStart = epochDayOf(birthYear, 1, 2);
  const { idNumber, birthDate } = ids.take(birthStart + Math.floor(r.next() * 364), a.male);
  const birthDay = Date.parse(birthDate) / DAY;
  const given = a.male ? MALE_GIVEN : FEMALE_GIVEN;
  const name = r.pick([...SURNAMES]) + (r.chance(0.3) ? r.pick([...given]) : r.pick([...given]) + r.pick([...given]));
  const workStart = Math.min(birthDay + Math.round((a.startAge + r.next() * 1.5) * 365.25), a.reference - 30);
  const workStartDate = isoDay(workStart);
  const young = a.age <= 28;
  const partyShare = a.leader ? 0.97 : a.type === 'SY' ? 0.42 : a.type === 'GQ' ? 0.3 : 0.68;
  const roll = r.next();
  const politicalStatus =
    roll < partyShare ? '01' : roll < partyShare + 0.02 ? '02' : young && roll < partyShare + 0.2 ? '03' : roll < partyShare + 0.06 && a.type === 'SY' ? r.pick(['04', '05', '06', '07', '08', '09', '10']) : roll < partyShare + 0.07 ? '12' : '13';
  const degree = a.education === '11' ? 'doctor' : a.education === '14' ? 'master' : a.education === '21' ? (r.chance(0.93) ? 'bachelor' : 'none') : 'none';
  const profile: PersonProfile = { ethnicity: ETHNIC[r.weighted(ETHNIC_WEIGHTS)]!, politicalStatus, education: a.education, degree, workStartDate };
  let enteredOn: string | null = null;
  if (a.status === 'active') {
    // 入编 between the first job and last year's end, earlier more likely
    const span = a.reference - 1 - workStart;
    enteredOn = isoDay(workStart + Math.floor(r.next() ** 1.6 * span));
    if (a.leader) profile.leaderPost = { level: LEADER_LEVEL, kind: a.leader };
  } else {
    // retired at 60 (men) or 55 (women), the month after the birthday
    const retiredOn = `${Number(birthDate.slice(0, 4)) + (a.male ? 60 : 55)}-${birthDate.slice(5, 7)}-01`;
    profile.retiredOn = retiredOn < isoDay(a.reference) ? retiredOn : isoDay(a.reference - 1);
  }
  return {
    idNumber,
    name,
    gender: a.male ? '1' : '2',
    birthDate,
    status: a.status,
    unitCode: a.unit,
    bianzhiType: a.type,
    post: a.post,
    enteredOn,
    profile,
  };
}

/** sha-256 over the units and every person, in order: equal for equal options. Runs the person stream once. */
export function districtDigest(district: District): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(district.options));
  for (const unit of district.units) hash.update(JSON.stringify(unit));
  for (const { persons } of district.persons()) for (const p of persons) hash.update(JSON.stringify(p));
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

export class DistrictMismatchError extends Error {
  override readonly name = 'DistrictMismatchError';
}

export interface WriteOptions {
  /** persons per transaction (whole units; a chunk closes once it holds this many); default 20,000 */
  chunkPersons?: number;
  /** rows per insert statement; default 5,000 */
  batchRows?: number;
  /** after each committed chunk */
  onProgress?: (progress: { units: number; persons: number }) => void;
}

export interface WriteResult {
  unitsWritten: number;
  unitsSkipped: number;
  personsWritten: number;
}

/**
 * Inserts the district. Units are written in chunks of whole units (about `chunkPersons` persons), each chunk in one
 * transaction with everything of its units: the unit rows, quotas (actual = the persons written), 用编计划 of the year,
 * 领导职数, the persons and the unit's retirees. A unit whose code already exists is skipped with its persons (they
 * were committed with it), so an interrupted run resumes where it stopped and a second run adds nothing; the person
 * stream is still generated for skipped units before the last unit to write, to keep the ID sequences the same, and
 * not at all when every unit exists. An existing unit that is not the planned one (other options) stops the run with
 * DistrictMismatchError before anything is written. On a transaction (seedDemo) each chunk is a savepoint in it.
 */
export async function writeDistrict(knex: Knex, district: District, options: WriteOptions = {}): Promise<WriteResult> {
  const chunkPersons = options.chunkPersons ?? 20_000;
  const batchRows = options.batchRows ?? 5_000;
  const codes = district.units.map((u) => u.code);
  const existing = new Map<string, { id: string; name: string; nature: string; funding_form: string }>();
  for (let i = 0; i < codes.length; i += 5_000) {
    const rows = (await knex('units').whereIn('code', codes.slice(i, i + 5_000)).select('id', 'code', 'name', 'nature', 'funding_form')) as Array<{ id: string; code: string; name: string; nature: string; funding_form: string }>;
    for (const row of rows) existing.set(row.code, row);
  }
  for (const unit of district.units) {
    const row = existing.get(unit.code);
    if (row && (row.name !== unit.name || row.nature !== unit.nature || row.funding_form !== unit.fundingForm)) {
      throw new DistrictMismatchError(
        `单位 ${unit.code} 已存在但不是本次生成的单位（${row.name}），数据库中的区是用其他参数生成的 / unit ${unit.code} exists but is not the generated one: the database holds a district generated with other options`,
      );
    }
  }
  const ids = new Map<string, string>([...existing].map(([code, row]) => [code, row.id]));
  for (const unit of district.units) if (!ids.has(unit.code)) ids.set(unit.code, randomUUID());

  const result: WriteResult = { unitsWritten: 0, unitsSkipped: existing.size, personsWritten: 0 };
  let chunk: Array<{ unit: GeneratedUnit; persons: GeneratedPerson[] }> = [];
  let chunkSize = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const work = chunk;
    chunk = [];
    chunkSize = 0;
    await knex.transaction((trx) => writeChunk(trx, work, ids, district.options.year, batchRows));
    result.unitsWritten += work.length;
    result.personsWritten += work.reduce((a, c) => a + c.persons.length, 0);
    options.onProgress?.({ units: result.unitsWritten, persons: result.personsWritten });
  };
  // a district that is all there (every `npm start` after the first) generates no persons
  let toWrite = district.units.length - existing.size;
  if (toWrite > 0) {
    for (const item of district.persons()) {
      if (existing.has(item.unit.code)) continue;
      chunk.push(item);
      chunkSize += item.persons.length;
      if (chunkSize >= chunkPersons) await flush();
      if (--toWrite === 0) break;
    }
  }
  await flush();
  return result;
}

async function writeChunk(trx: Knex.Transaction, work: Array<{ unit: GeneratedUnit; persons: GeneratedPerson[] }>, ids: Map<string, string>, year: number, batchRows: number): Promise<void> {
  const units = work.map(({ unit }) => unit);
  const idOf = (code: string) => ids.get(code)!;
  // parents come before their units in the plan, so a parent is in an earlier chunk or earlier in this insert;
  // the foreign key is checked per statement, so one multi-row insert is fine
  await insertRows(trx, 'units', units.map((u) => ({ id: idOf(u.code), ...unitRow(u, u.parentCode ? idOf(u.parentCode) : null) })), batchRows);
  await insertRows(trx, 'quotas', units.flatMap((u) => u.quotas.map((q) => ({
    unit_id: idOf(u.code), bianzhi_type: q.bianzhiType, approved: q.approved, actual: q.actual, overflow_allowance: q.overflowAllowance, approved_doc_no: `示编〔${year - 3}〕12号`,
  }))), batchRows);
  await insertRows(trx, 'annual_plans', units.flatMap((u) => u.quotas.map((q) => ({
    unit_id: idOf(u.code), bianzhi_type: q.bianzhiType, year, planned: q.planned, doc_no: `示编委〔${year}〕1号`,
  }))), batchRows);
  await insertRows(trx, 'leader_posts', units.flatMap((u) => u.leaderPosts.map((p) => ({
    unit_id: idOf(u.code), level: p.level, kind: p.kind, approved: p.approved, actual: p.actual,
  }))), batchRows);
  // persons through jsonb_to_recordset: one parameter per statement, whatever the row count
  let batch: unknown[] = [];
  const send = async () => {
    if (batch.length === 0) return;
    await trx.raw(
      `insert into persons (id_number, name, gender, birth_date, status, unit_id, bianzhi_type, post, entered_on, profile)
       select r.id_number, r.name, r.gender, r.birth_date, r.status, r.unit_id, r.bianzhi_type, r.post, r.entered_on, r.profile
         from jsonb_to_recordset(?::jsonb) as r(id_number text, name text, gender text, birth_date date, status text, unit_id uuid,
                                                 bianzhi_type text, post text, entered_on date, profile jsonb)`,
      [JSON.stringify(batch)],
    );
    batch = [];
  };
  for (const { persons } of work) {
    for (const p of persons) {
      batch.push({
        id_number: p.idNumber, name: p.name, gender: p.gender, birth_date: p.birthDate, status: p.status,
        unit_id: p.unitCode ? idOf(p.unitCode) : null, bianzhi_type: p.bianzhiType, post: p.post, entered_on: p.enteredOn, profile: p.profile,
      });
      if (batch.length >= batchRows) await send();
    }
  }
  await send();
}

async function insertRows(trx: Knex.Transaction, table: string, rows: Array<Record<string, unknown>>, batchRows: number): Promise<void> {
  // multi-row inserts stay under PostgreSQL's 65,535 parameters (≤ 14 columns here)
  const size = Math.min(batchRows, 4_000);
  for (let i = 0; i < rows.length; i += size) await trx(table).insert(rows.slice(i, i + size));
}
