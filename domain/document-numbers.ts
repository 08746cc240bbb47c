/**
 * Document numbers (编号), domain-spec.md §2.5: `{district}-{type}-{yyyy}-{seq}`. The spec names the documents but
 * neither the type codes nor the widths; ours [C]: pinyin initials of the document, a district code of 2–12
 * uppercase letters or digits (e.g. the 6-digit 行政区划代码), seq zero-padded to at least 4 digits.
 */
import { DomainInputError } from './quota';

/** Document type codes for the documents of §2.5 [C: codes ours]. */
export const DOCUMENT_TYPES = [
  { code: 'YBSQ', name: '机关事业单位编制使用申请表' },
  { code: 'YBTZ', name: '用编通知单' },
  { code: 'RBTZ', name: '入编通知单' },
  { code: 'CBTZ', name: '出编通知单' },
  { code: 'ZYSP', name: '增员审批表' },
  { code: 'JYSP', name: '减员审批表' },
  { code: 'DL', name: '调令' },
  { code: 'XZJS', name: '行政关系介绍信' },
  { code: 'GZJS', name: '工资关系介绍信' },
  { code: 'TZB', name: '调资表' },
  { code: 'HBJF', name: '核拨经费通知单' },
] as const;

export type DocumentType = (typeof DOCUMENT_TYPES)[number]['code'];

export interface DocumentNumber {
  district: string;
  type: DocumentType;
  year: number;
  seq: number;
}

const SEQ_WIDTH = 4;
const DISTRICT = /^[A-Z0-9]{2,12}$/;
const YEAR_MIN = 2000;
const YEAR_MAX = 2100; // the range of annual_plans.year
const PATTERN = /^([A-Z0-9]{2,12})-([A-Z]{2,4})-(\d{4})-(\d{4,})$/;

/** The name of a document type code, or undefined. */
export function documentTypeName(code: string): string | undefined {
  return DOCUMENT_TYPES.find((t) => t.code === code)?.name;
}

/** `{district}-{type}-{yyyy}-{seq}`, e.g. 110105-YBTZ-2026-0042. Throws DomainInputError on invalid parts. */
export function formatDocumentNumber(parts: DocumentNumber): string {
  const { district, type, year, seq } = parts;
  if (typeof district !== 'string' || !DISTRICT.test(district)) {
    throw new DomainInputError('district', '区划代码须为 2–12 位大写字母或数字');
  }
  if (documentTypeName(type) === undefined) throw new DomainInputError('type', `文书类型代码无效：${String(type)}`);
  if (!Number.isInteger(year) || year < YEAR_MIN || year > YEAR_MAX) {
    throw new DomainInputError('year', `年份须为 ${YEAR_MIN}–${YEAR_MAX} 之间的整数`);
  }
  if (!Number.isSafeInteger(seq) || seq < 1) throw new DomainInputError('seq', '流水号须为正整数');
  return `${district}-${type}-${year}-${String(seq).padStart(SEQ_WIDTH, '0')}`;
}

/**
 * The parts of a document number. Only the canonical form is accepted (what formatDocumentNumber writes), so
 * `parse(format(x))` is x and `format(parse(s))` is s. Throws DomainInputError('documentNumber') otherwise.
 */
export function parseDocumentNumber(text: string): DocumentNumber {
  const match = typeof text === 'string' ? PATTERN.exec(text) : null;
  if (!match) throw new DomainInputError('documentNumber', `文书编号格式应为“区划-类型-年份-流水号”：${String(text)}`);
  const [, district, type, yyyy, digits] = match as unknown as [string, string, string, string, string];
  if (documentTypeName(type) === undefined) throw new DomainInputError('documentNumber', `文书类型代码无效：${type}`);
  const year = Number(yyyy);
  if (year < YEAR_MIN || year > YEAR_MAX) throw new DomainInputError('documentNumber', `年份须在 ${YEAR_MIN}–${YEAR_MAX} 之间：${yyyy}`);
  const seq = Number(digits);
  if (!Number.isSafeInteger(seq) || seq < 1 || String(seq).padStart(SEQ_WIDTH, '0') !== digits) {
    throw new DomainInputError('documentNumber', `流水号无效：${digits}`);
  }
  return { district, type: type as DocumentType, year, seq };
}
