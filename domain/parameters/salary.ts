/**
 * Salary parameters, domain-spec.md §3. Data, not code: versioned records (see Parameter in ./retirement).
 * Callers (workers, calculators) read the version in force on the 起薪 day and pass the values to
 * domain/salary.ts. The spec's tags are kept: 公务员 2015 tables [B, S13/S14/S15], 事业 2006 tables [C],
 * probation / 见习 amounts are placeholders [C].
 */
import type { Parameter } from './retirement';

/** The education groups the 转正定级 tables are keyed by (§3.4); derived from the GB/T 4658 学历 code. */
export const EDUCATION_GROUPS = ['secondary', 'college', 'bachelor', 'double-bachelor', 'postgraduate-class', 'master', 'doctor'] as const;
export type EducationGroup = (typeof EDUCATION_GROUPS)[number];
export const EDUCATION_GROUP_NAMES: Readonly<Record<EducationGroup, string>> = {
  secondary: '高中/中专',
  college: '大学专科',
  bachelor: '大学本科',
  'double-bachelor': '双学士',
  'postgraduate-class': '研究生班/未获硕士学位',
  master: '硕士研究生',
  doctor: '博士研究生',
};

// ---------------------------------------------------------------------------------------------------
// 公务员 (and 参公), §3.1

/** 职务层次 of the 2015 职务(职级)工资 table. */
export type PostLayer =
  | '国家级正职' | '国家级副职' | '省部级正职' | '省部级副职'
  | '厅局级正职' | '厅局级副职' | '县处级正职' | '县处级副职' | '乡科级正职' | '乡科级副职' | '科员' | '办事员';

/** 职务(职级)工资, 元/月, by 职务层次: leadership posts and non-leadership posts (职级). */
export interface PostWageTable {
  leadership: Readonly<Partial<Record<PostLayer, number>>>;
  nonLeadership: Readonly<Partial<Record<PostLayer, number>>>;
}

export const civilServantPostWages: Parameter<PostWageTable>[] = [
  {
    key: 'salary.civil-servant.post-wage',
    version: '国办发〔2015〕3号',
    validFrom: '2014-10-01',
    status: 'B',
    source: 'S13 transcription of 国办发〔2015〕3号 职务(职级)工资标准 (2014-10); verify; later adjustments (2018-07, 2021-10, 2024-07, S31) not loaded',
    value: {
      leadership: {
        国家级正职: 5250, 国家级副职: 4290, 省部级正职: 3440, 省部级副职: 2720,
        厅局级正职: 2130, 厅局级副职: 1700, 县处级正职: 1360, 县处级副职: 1080, 乡科级正职: 860, 乡科级副职: 720,
      },
      nonLeadership: { 厅局级正职: 1990, 厅局级副职: 1590, 县处级正职: 1270, 县处级副职: 1010, 乡科级正职: 820, 乡科级副职: 690, 科员: 600, 办事员: 510 },
    },
  },
];

/** 职级 (2019 职务职级并行) and old non-leadership post names → the 职务层次 whose non-leadership wage they take. */
export const civilServantRankLayers: Parameter<Readonly<Record<string, PostLayer>>>[] = [
  {
    key: 'salary.civil-servant.rank-layer',
    version: '2019 职务职级并行',
    validFrom: '2019-06-01',
    status: 'C',
    source: 'domain-spec §3.1: 职级 equivalents of the 2015 non-leadership column "(2019 职务职级并行 [C])"; the pre-2019 names are kept for 工资介绍信 of that time',
    value: {
      一级巡视员: '厅局级正职', 二级巡视员: '厅局级副职',
      一级调研员: '县处级正职', 二级调研员: '县处级正职', 三级调研员: '县处级副职', 四级调研员: '县处级副职',
      一级主任科员: '乡科级正职', 二级主任科员: '乡科级正职', 三级主任科员: '乡科级副职', 四级主任科员: '乡科级副职',
      一级科员: '科员', 二级科员: '办事员',
      巡视员: '厅局级正职', 副巡视员: '厅局级副职', 调研员: '县处级正职', 副调研员: '县处级副职',
      主任科员: '乡科级正职', 副主任科员: '乡科级副职', 科员: '科员', 办事员: '办事员',
    },
  },
];

/** A 级别 range: `lowest` is the entry level (the larger number), `highest` the top (the smaller number). */
export interface LevelRange {
  lowest: number;
  highest: number;
}

export const civilServantLevelRanges: Parameter<Readonly<Record<string, LevelRange>>>[] = [
  {
    key: 'salary.civil-servant.level-range',
    version: '2019 职务职级并行',
    validFrom: '2019-06-01',
    status: 'B',
    source: 'S14 职级 → 级别 (2019 职务职级并行), verify; 四级主任科员 24–18 (S14 prints 24–17); leadership posts 乡科级/县处级 per domain-spec §3.1, 厅局级 and above not given',
    value: {
      一级巡视员: { lowest: 13, highest: 8 },
      二级巡视员: { lowest: 15, highest: 10 },
      一级调研员: { lowest: 17, highest: 11 },
      二级调研员: { lowest: 18, highest: 12 },
      三级调研员: { lowest: 19, highest: 13 },
      四级调研员: { lowest: 20, highest: 14 },
      一级主任科员: { lowest: 21, highest: 15 },
      二级主任科员: { lowest: 22, highest: 16 },
      三级主任科员: { lowest: 23, highest: 17 },
      四级主任科员: { lowest: 24, highest: 18 },
      一级科员: { lowest: 26, highest: 18 },
      二级科员: { lowest: 27, highest: 19 },
      乡科级正职: { lowest: 22, highest: 16 },
      乡科级副职: { lowest: 24, highest: 17 },
      县处级正职: { lowest: 18, highest: 12 },
      县处级副职: { lowest: 20, highest: 14 },
    },
  },
];

/** One 级别's 级别工资 by 档 (amounts[g − 1]); `status` is the row's own tag (interpolated rows: C). */
export interface LevelWageRow {
  level: number;
  amounts: readonly number[];
  status: 'A' | 'B' | 'C';
  note?: string;
}

export interface LevelWageTable {
  rows: readonly LevelWageRow[];
}

/** The levels §3.1 gives: first 档, step, max 档 — the 档 amounts are arithmetic within a level. */
const GIVEN_LEVELS: ReadonlyArray<readonly [level: number, first: number, step: number, maxGrade: number]> = [
  [27, 736, 40, 14],
  [26, 790, 45, 14],
  [25, 850, 50, 14],
  [24, 917, 56, 14],
  [22, 1075, 70, 14],
  [20, 1265, 87, 14],
  [18, 1488, 107, 14],
  [16, 1750, 130, 14],
  [14, 2055, 155, 14],
  [12, 2415, 183, 13],
  [10, 2841, 215, 11],
];

const arithmetic = (first: number, step: number, maxGrade: number): number[] => Array.from({ length: maxGrade }, (_, i) => first + i * step);

/**
 * The levels between two given ones (23, 21, … 11): first 档 and step are the rounded means of the neighbours',
 * max 档 the smaller neighbour's. An estimate so that the 2019 职级 ranges can be walked — tagged C row by row.
 */
function interpolatedLevels(): LevelWageRow[] {
  const rows: LevelWageRow[] = [];
  for (let i = 0; i + 1 < GIVEN_LEVELS.length; i++) {
    const [lowLevel, lowFirst, lowStep, lowMax] = GIVEN_LEVELS[i]!;
    const [highLevel, highFirst, highStep, highMax] = GIVEN_LEVELS[i + 1]!;
    if (lowLevel - highLevel !== 2) continue;
    rows.push({
      level: lowLevel - 1,
      amounts: arithmetic(Math.round((lowFirst + highFirst) / 2), Math.round((lowStep + highStep) / 2), Math.min(lowMax, highMax)),
      status: 'C',
      note: `interpolated between 级别 ${lowLevel} and ${highLevel} (not in domain-spec §3.1); replace with S13`,
    });
  }
  return rows;
}

export const civilServantLevelWages: Parameter<LevelWageTable>[] = [
  {
    key: 'salary.civil-servant.level-wage',
    version: '国办发〔2015〕3号',
    validFrom: '2014-10-01',
    status: 'B',
    source:
      'S13 transcription of the 2015 级别工资 table (first 档, step, max 档 per domain-spec §3.1; amounts arithmetic) for 级别 27, 26, 25, 24, 22, 20, 18, 16, 14, 12, 10 [B]; ' +
      '级别 23, 21, 19, 17, 15, 13, 11 are interpolated (rows tagged C); 级别 1–9 are missing — load the full S13 arrays before go-live',
    value: {
      rows: [
        ...GIVEN_LEVELS.map(([level, first, step, maxGrade]) => ({ level, amounts: arithmetic(first, step, maxGrade), status: 'B' as const })),
        ...interpolatedLevels(),
      ].sort((a, b) => b.level - a.level),
    },
  },
];

/** 转正定级 of a new 公务员 by education group (§3.4): the 职级 and the (级别, 档) on appointment. */
export type CivilServantGradingTable = Readonly<Record<EducationGroup, { rank: string; level: number; grade: number }>>;

export const civilServantInitialGradings: Parameter<CivilServantGradingTable>[] = [
  {
    key: 'salary.civil-servant.initial-grading',
    version: 'S15/S13',
    validFrom: '2019-06-01',
    status: 'B',
    source: 'S15 学历 → 职级 and 级别, default 档 from S13 (domain-spec §3.4); 双学士 and 研究生班 as 本科 per the same row; verify',
    value: {
      secondary: { rank: '二级科员', level: 27, grade: 1 },
      college: { rank: '一级科员', level: 26, grade: 2 },
      bachelor: { rank: '一级科员', level: 25, grade: 2 },
      'double-bachelor': { rank: '一级科员', level: 25, grade: 2 },
      'postgraduate-class': { rank: '一级科员', level: 25, grade: 2 },
      master: { rank: '四级主任科员', level: 24, grade: 3 },
      doctor: { rank: '二级主任科员', level: 22, grade: 1 },
    },
  },
];

/** A flat pay during the 试用期 (公务员) or 见习期 (事业), by education group, and its length in months. */
export interface ProbationPayTable {
  months: number;
  amounts: Readonly<Record<EducationGroup, number>>;
}

export const civilServantProbationPays: Parameter<ProbationPayTable>[] = [
  {
    key: 'salary.civil-servant.probation-pay',
    version: 'placeholder',
    validFrom: '2014-10-01',
    status: 'C',
    source: 'placeholder amounts, not a published standard: P_probation[学历] is set by provincial and national documents (domain-spec §3.4 [C]); 试用期 1 year',
    value: { months: 12, amounts: { secondary: 1200, college: 1350, bachelor: 1450, 'double-bachelor': 1450, 'postgraduate-class': 1450, master: 1600, doctor: 1800 } },
  },
];

// ---------------------------------------------------------------------------------------------------
// 事业单位, §3.2 (2006 values, from memory in the spec: [C])

export const INSTITUTION_TRACKS = ['professional', 'management', 'worker'] as const;
export type InstitutionTrack = (typeof INSTITUTION_TRACKS)[number];
export const INSTITUTION_TRACK_NAMES: Readonly<Record<InstitutionTrack, string>> = { professional: '专业技术', management: '管理', worker: '工勤技能' };

/** 岗位工资 by track and 岗位等级 ('1' …; the worker track also has 'ordinary' = 普通工). */
export type InstitutionPostWageTable = Readonly<Record<InstitutionTrack, Readonly<Record<string, number>>>>;

const byLevel = (amounts: readonly number[]): Record<string, number> => Object.fromEntries(amounts.map((amount, i) => [String(i + 1), amount]));

export const institutionPostWages: Parameter<InstitutionPostWageTable>[] = [
  {
    key: 'salary.institution.post-wage',
    version: '2006',
    validFrom: '2006-07-01',
    status: 'C',
    source: 'domain-spec §3.2: 2006 reference values from memory [C]; replace with the official current table (国办发〔2015〕3号 and later)',
    value: {
      professional: byLevel([2800, 1900, 1630, 1420, 1180, 1040, 930, 780, 730, 680, 620, 590, 550]),
      management: byLevel([2750, 2150, 1640, 1305, 1045, 850, 720, 640, 590, 550]),
      worker: { ...byLevel([830, 690, 615, 575, 545]), ordinary: 540 },
    },
  },
];

/** 薪级工资 by 薪级 (amounts[s − 1]). The spec gives 1–15 of the 65. */
export interface ScaleWageTable {
  amounts: readonly number[];
  /** the number of 薪级 in the standard (65); those past amounts.length are not loaded */
  scales: number;
}

export const institutionScaleWages: Parameter<ScaleWageTable>[] = [
  {
    key: 'salary.institution.scale-wage',
    version: '2006',
    validFrom: '2006-07-01',
    status: 'C',
    source: 'domain-spec §3.2: 薪级 1–15 of the 2006 table from memory [C]; 薪级 16–65 missing — load the official table',
    value: { amounts: [80, 91, 102, 113, 125, 137, 151, 165, 181, 197, 215, 233, 253, 273, 295], scales: 65 },
  },
];

/** 转正定级 of a new 事业 employee by education group (§3.4): the 岗位 (track, level) and the 薪级. */
export type InstitutionGradingTable = Readonly<Record<EducationGroup, { track: InstitutionTrack; postLevel: string; scale: number }>>;

export const institutionInitialGradings: Parameter<InstitutionGradingTable>[] = [
  {
    key: 'salary.institution.initial-grading',
    version: '国人部发〔2006〕88号 (recollection)',
    validFrom: '2006-07-01',
    status: 'C',
    source: 'domain-spec §3.4: recollection of 国人部发〔2006〕88号, verify against the provincial 实施细则 [C]; 高中 placed as 中专',
    value: {
      secondary: { track: 'professional', postLevel: '13', scale: 2 },
      college: { track: 'professional', postLevel: '13', scale: 5 },
      bachelor: { track: 'professional', postLevel: '12', scale: 7 },
      'double-bachelor': { track: 'professional', postLevel: '12', scale: 8 },
      'postgraduate-class': { track: 'professional', postLevel: '12', scale: 9 },
      master: { track: 'professional', postLevel: '11', scale: 11 },
      doctor: { track: 'professional', postLevel: '10', scale: 14 },
    },
  },
];

export const institutionTraineePays: Parameter<ProbationPayTable>[] = [
  {
    key: 'salary.institution.trainee-pay',
    version: 'placeholder',
    validFrom: '2006-07-01',
    status: 'C',
    source: 'placeholder amounts, not a published standard: 见习期工资 by 学历 from the provincial 实施细则 (domain-spec §3.4 [C]; S32: commonly 专技 13 during 见习); 见习期 1 year',
    value: { months: 12, amounts: { secondary: 1100, college: 1250, bachelor: 1350, 'double-bachelor': 1400, 'postgraduate-class': 1450, master: 1550, doctor: 1750 } },
  },
];

// ---------------------------------------------------------------------------------------------------
// Progression, §3.3

export interface ProgressionRules {
  /** years of 称职 or better for +1 档 (公务员) */
  gradeYears: number;
  /** years of 称职 or better for +1 级别 (公务员) */
  levelYears: number;
  /** years of 合格 or better for +1 薪级 (事业) */
  scaleYears: number;
  /** the month of the year a progression takes effect (1 = January of the following year) */
  effectiveMonth: number;
  /** 档 added on a promotion that keeps the 级别 (local rules; 0 by default) [C] */
  extraGradeOnPromotionInRange: number;
}

export const progressionRules: Parameter<ProgressionRules>[] = [
  {
    key: 'salary.progression',
    version: 'S13',
    validFrom: '2014-10-01',
    status: 'B',
    source: 'domain-spec §3.3: gradeYears 2, levelYears 5 [B, S13]; 事业 薪级 every year from 1 January [C]; extra 档 on an in-range promotion 0 [C, local]',
    value: { gradeYears: 2, levelYears: 5, scaleYears: 1, effectiveMonth: 1, extraGradeOnPromotionInRange: 0 },
  },
];

/** Every salary parameter array, for domain/parameters/index.ts. */
export const SALARY_PARAMETER_DEFAULTS: readonly Parameter<unknown>[] = [
  ...civilServantPostWages,
  ...civilServantRankLayers,
  ...civilServantLevelRanges,
  ...civilServantLevelWages,
  ...civilServantInitialGradings,
  ...civilServantProbationPays,
  ...institutionPostWages,
  ...institutionScaleWages,
  ...institutionInitialGradings,
  ...institutionTraineePays,
  ...progressionRules,
];

// ---------------------------------------------------------------------------------------------------
// Versioned values as the pay rules take them (shared by salary, insurance and subsidy)

/** Which version of a parameter a figure rests on; shown to users with its tag (a [C] placeholder is visible). */
export interface ParameterRef {
  key: string;
  /** the version label: 文号 or 'placeholder' (the built-in `version`; the store's doc_no) */
  version: string;
  /** the store's version number, when the value came from the parameter table */
  revision?: number;
  validFrom: string;
  status: 'A' | 'B' | 'C';
  source?: string;
  /** e.g. which row of a table was interpolated */
  note?: string;
}

/** A parameter value with its reference. */
export interface Versioned<T> {
  value: T;
  ref: ParameterRef;
}

/** A built-in default as a Versioned value (tests, previews). */
export function versioned<T>(parameter: Parameter<T>): Versioned<T> {
  return { value: parameter.value, ref: { key: parameter.key, version: parameter.version, validFrom: parameter.validFrom, status: parameter.status, source: parameter.source } };
}

/** The version of `list` in force on `day` (yyyy-mm-dd): the latest validFrom ≤ day, else the earliest. */
export function defaultInForce<T>(list: readonly Parameter<T>[], day = '9999-12-31'): Versioned<T> {
  const sorted = [...list].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  const found = [...sorted].reverse().find((p) => p.validFrom <= day) ?? sorted[0];
  if (!found) throw new Error('empty parameter list');
  return versioned(found);
}

export interface SalaryParameters {
  postWage: Versioned<PostWageTable>;
  rankLayer: Versioned<Readonly<Record<string, PostLayer>>>;
  levelRange: Versioned<Readonly<Record<string, LevelRange>>>;
  levelWage: Versioned<LevelWageTable>;
  civilServantGrading: Versioned<CivilServantGradingTable>;
  probationPay: Versioned<ProbationPayTable>;
  institutionPostWage: Versioned<InstitutionPostWageTable>;
  scaleWage: Versioned<ScaleWageTable>;
  institutionGrading: Versioned<InstitutionGradingTable>;
  traineePay: Versioned<ProbationPayTable>;
  progression: Versioned<ProgressionRules>;
}

/** The parameter key of each member of SalaryParameters (what a loader reads from the store). */
export const SALARY_PARAMETER_KEYS: Readonly<Record<keyof SalaryParameters, string>> = {
  postWage: 'salary.civil-servant.post-wage',
  rankLayer: 'salary.civil-servant.rank-layer',
  levelRange: 'salary.civil-servant.level-range',
  levelWage: 'salary.civil-servant.level-wage',
  civilServantGrading: 'salary.civil-servant.initial-grading',
  probationPay: 'salary.civil-servant.probation-pay',
  institutionPostWage: 'salary.institution.post-wage',
  scaleWage: 'salary.institution.scale-wage',
  institutionGrading: 'salary.institution.initial-grading',
  traineePay: 'salary.institution.trainee-pay',
  progression: 'salary.progression',
};

/** The built-in defaults in force on `day`, for tests and previews (amounts partly placeholders). */
export function defaultSalaryParameters(day?: string): SalaryParameters {
  return {
    postWage: defaultInForce(civilServantPostWages, day),
    rankLayer: defaultInForce(civilServantRankLayers, day),
    levelRange: defaultInForce(civilServantLevelRanges, day),
    levelWage: defaultInForce(civilServantLevelWages, day),
    civilServantGrading: defaultInForce(civilServantInitialGradings, day),
    probationPay: defaultInForce(civilServantProbationPays, day),
    institutionPostWage: defaultInForce(institutionPostWages, day),
    scaleWage: defaultInForce(institutionScaleWages, day),
    institutionGrading: defaultInForce(institutionInitialGradings, day),
    traineePay: defaultInForce(institutionTraineePays, day),
    progression: defaultInForce(progressionRules, day),
  };
}
