/**
 * Code tables, domain-spec.md §7.3 (and the unit/quota codes of §2.1 that the database already stores).
 * Tables are data: each entry is { code, name, tag } where tag is the spec's confidence tag (§0). The spec asks
 * for versioned dictionaries: `version` names the standard edition the table follows.
 */
import { DomainInputError } from './quota';

export type ConfidenceTag = 'A' | 'B' | 'C';

export interface CodeEntry {
  code: string;
  name: string;
  tag: ConfidenceTag;
  /** the group code for a sub-code (学历 '14' → '10') */
  parent?: string;
}

export interface CodeTable {
  id: CodeTableId;
  name: string;
  version: string;
  entries: readonly CodeEntry[];
}

export type CodeTableId = 'gender' | 'education' | 'degree' | 'politicalStatus' | 'bianzhiType' | 'unitNature' | 'fundingForm' | 'leaderPostKind';

const entries = (tag: ConfidenceTag, rows: readonly (readonly [string, string] | readonly [string, string, string])[]): CodeEntry[] =>
  rows.map(([code, name, parent]) => (parent === undefined ? { code, name, tag } : { code, name, tag, parent }));

/** GB/T 2261.1 性别 [A/B, S25] — tagged B, the weaker of the two. */
const GENDER: CodeTable = {
  id: 'gender',
  name: '性别',
  version: 'GB/T 2261.1-2003',
  entries: entries('B', [
    ['0', '未知的性别'],
    ['1', '男'],
    ['2', '女'],
    ['9', '未说明的性别'],
  ]),
};

/** GB/T 4658-2006 学历 (文化程度) [B, S25]: group codes (x0) and their sub-codes. */
const EDUCATION: CodeTable = {
  id: 'education',
  name: '学历',
  version: 'GB/T 4658-2006',
  entries: entries('B', [
    ['10', '研究生教育'],
    ['11', '博士毕业', '10'],
    ['12', '博士结业', '10'],
    ['13', '博士肄业', '10'],
    ['14', '硕士毕业', '10'],
    ['15', '硕士结业', '10'],
    ['16', '硕士肄业', '10'],
    ['17', '研究生班毕业', '10'],
    ['18', '研究生班结业', '10'],
    ['19', '研究生班肄业', '10'],
    ['20', '大学本科'],
    ['21', '大学本科毕业', '20'],
    ['22', '大学本科结业', '20'],
    ['23', '大学本科肄业', '20'],
    ['28', '大学普通班毕业', '20'],
    ['30', '大学专科'],
    ['31', '大学专科毕业', '30'],
    ['32', '大学专科结业', '30'],
    ['33', '大学专科肄业', '30'],
    ['40', '中等职业教育'],
    ['41', '中专毕业', '40'],
    ['42', '中专结业', '40'],
    ['43', '中专肄业', '40'],
    ['44', '职业高中毕业', '40'],
    ['45', '职业高中结业', '40'],
    ['46', '职业高中肄业', '40'],
    ['47', '技工学校毕业', '40'],
    ['48', '技工学校结业', '40'],
    ['49', '技工学校肄业', '40'],
    ['60', '普通高中'],
    ['61', '普通高中毕业', '60'],
    ['62', '普通高中结业', '60'],
    ['63', '普通高中肄业', '60'],
    ['70', '初中'],
    ['71', '初中毕业', '70'],
    ['73', '初中肄业', '70'],
    ['80', '小学'],
    ['81', '小学毕业', '80'],
    ['83', '小学肄业', '80'],
    ['90', '其他'],
  ]),
};

/** 学位 [A, S11]. The spec names them without codes: the codes are our own [C]. */
const DEGREE: CodeTable = {
  id: 'degree',
  name: '学位',
  version: 'S11',
  entries: [
    { code: 'doctor', name: '博士', tag: 'A' },
    { code: 'master', name: '硕士', tag: 'A' },
    { code: 'bachelor', name: '学士', tag: 'A' },
    { code: 'none', name: '无', tag: 'A' },
  ],
};

/** 政治面貌 GB/T 4762 [B, S25]. */
const POLITICAL_STATUS: CodeTable = {
  id: 'politicalStatus',
  name: '政治面貌',
  version: 'GB/T 4762-1984',
  entries: entries('B', [
    ['01', '中国共产党党员'],
    ['02', '中国共产党预备党员'],
    ['03', '中国共产主义青年团团员'],
    ['04', '中国国民党革命委员会会员'],
    ['05', '中国民主同盟盟员'],
    ['06', '中国民主建国会会员'],
    ['07', '中国民主促进会会员'],
    ['08', '中国农工民主党党员'],
    ['09', '中国致公党党员'],
    ['10', '九三学社社员'],
    ['11', '台湾民主自治同盟盟员'],
    ['12', '无党派民主人士'],
    ['13', '群众'],
  ]),
};

/** 编制类型 §2.1, codes as in `quotas.bianzhi_type`. LG is optional [C]. */
const BIANZHI_TYPE: CodeTable = {
  id: 'bianzhiType',
  name: '编制类型',
  version: 'domain-spec §2.1',
  entries: [
    { code: 'XZ', name: '行政编制', tag: 'A' },
    { code: 'ZF', name: '政法专项编制', tag: 'B' },
    { code: 'SY', name: '事业编制', tag: 'A' },
    { code: 'GQ', name: '工勤人员编制', tag: 'A' },
    { code: 'LG', name: '老干编制', tag: 'C' },
  ],
};

/** 机构性质, codes as in `units.nature` [C: codes ours]. */
const UNIT_NATURE: CodeTable = {
  id: 'unitNature',
  name: '机构性质',
  version: 'domain-spec §2.1',
  entries: entries('C', [
    ['organ', '机关'],
    ['institution', '事业单位'],
    ['institution_cs', '参公事业单位'],
  ]),
};

/** 经费形式, codes as in `units.funding_form` [C: codes ours]. */
const FUNDING_FORM: CodeTable = {
  id: 'fundingForm',
  name: '经费形式',
  version: 'domain-spec §2.1',
  entries: entries('C', [
    ['full', '全额拨款'],
    ['partial', '差额拨款'],
    ['self', '自收自支'],
  ]),
};

/** 领导职数 正职/副职, codes as in `leader_posts.kind` [C: codes ours]. */
const LEADER_POST_KIND: CodeTable = {
  id: 'leaderPostKind',
  name: '领导职数类别',
  version: 'domain-spec §2.2',
  entries: entries('C', [
    ['principal', '正职'],
    ['deputy', '副职'],
  ]),
};

export const CODE_TABLES: Readonly<Record<CodeTableId, CodeTable>> = {
  gender: GENDER,
  education: EDUCATION,
  degree: DEGREE,
  politicalStatus: POLITICAL_STATUS,
  bianzhiType: BIANZHI_TYPE,
  unitNature: UNIT_NATURE,
  fundingForm: FUNDING_FORM,
  leaderPostKind: LEADER_POST_KIND,
};

/** The entry for `code` in a table, or undefined. */
export function lookupCode(table: CodeTableId, code: string): CodeEntry | undefined {
  return CODE_TABLES[table].entries.find((entry) => entry.code === code);
}

/** Whether `code` is in the table. */
export function isValidCode(table: CodeTableId, code: unknown): code is string {
  return typeof code === 'string' && lookupCode(table, code) !== undefined;
}

/** The name of `code`; throws DomainInputError(field) when the code is not in the table. */
export function codeName(table: CodeTableId, code: unknown, field: string = table): string {
  const entry = typeof code === 'string' ? lookupCode(table, code) : undefined;
  if (!entry) throw new DomainInputError(field, `${CODE_TABLES[table].name}代码无效：${String(code)}`);
  return entry.name;
}

/** code → name of every entry of a table (labels of reports and messages). */
export function codeNames(table: CodeTableId): Record<string, string> {
  return Object.fromEntries(CODE_TABLES[table].entries.map((entry) => [entry.code, entry.name]));
}

/** Reporting groups of 学历 [A, S11]: 11–13 / 14–19 / 21–28 / 31–33 / 41–49 / 61–63 / rest. */
export type EducationGroup = '博士研究生' | '硕士研究生' | '本科' | '大专' | '中专' | '高中' | '其他';

const EDUCATION_GROUPS: readonly (readonly [number, number, EducationGroup])[] = [
  [11, 13, '博士研究生'],
  [14, 19, '硕士研究生'],
  [21, 28, '本科'],
  [31, 33, '大专'],
  [41, 49, '中专'],
  [61, 63, '高中'],
];

/** The reporting group of a 学历 code; throws DomainInputError for a code not in GB/T 4658. */
export function educationGroup(code: string, field = 'education'): EducationGroup {
  codeName('education', code, field);
  const n = Number(code);
  return EDUCATION_GROUPS.find(([from, to]) => n >= from && n <= to)?.[2] ?? '其他';
}
