// The layouts of the generated documents (domain-spec.md §2.5) and their PDF rendering: one layout
// per document type — its title, issuing office, and the §2.5 fields as zh-CN labelled rows grouped in
// blocks (payload key → label; keys the layout does not know are printed last under their own name).
// Every document carries the common header (编号, 签发单位, 签发日期, 经办人, 审核人 when present) and a
// QR code to the public verification page. Chinese is drawn with the embedded CJK font (pdf-fonts.ts).
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { documentTypeName, type DocumentType } from '../../domain/document-numbers';
import { maskIdNumber } from '../../domain/id-number';
import { cjkFonts, startCjkPdf, writePageFooters } from './pdf-fonts';

/** Payload keys of the common header: printed in the header, never among the fields. */
export const HEADER_KEYS = ['issuer', 'handler', 'reviewer'] as const;
export const HEADER_LABELS: Readonly<Record<(typeof HEADER_KEYS)[number], string>> = { issuer: '签发单位', handler: '经办人', reviewer: '审核人' };

export interface LayoutBlock {
  /** block title, e.g. 人员信息; none for a single-block document */
  title?: string;
  /** payload key → zh-CN label, in print order */
  fields: Readonly<Record<string, string>>;
}

export interface DocumentLayout {
  title: string;
  /** the issuing office after the district name (签发单位 = DISTRICT_NAME + office; '' = the unit itself).
   *  The payload key `issuer` overrides it (调令: 组织部 for 公务员/参公, 人社局 for 事业 staff). */
  office: string;
  blocks: readonly LayoutBlock[];
  /** fields the public verification page shows (the document's key fields) */
  keyFields: readonly string[];
  /** a fixed sentence printed under the fields */
  note?: string;
}

const PERSON: Readonly<Record<string, string>> = {
  name: '姓名',
  gender: '性别',
  idNumber: '公民身份号码',
  birthDate: '出生日期',
  ethnicity: '民族',
  nativePlace: '籍贯',
  politicalStatus: '政治面貌',
  education: '学历',
  degree: '学位',
  school: '毕业院校',
  major: '专业',
  graduationDate: '毕业时间',
  workStartDate: '参加工作时间',
};

const OPINIONS: LayoutBlock = {
  title: '各部门意见',
  fields: { unitOpinion: '用人单位意见', supervisorOpinion: '主管部门意见', bianbanOpinion: '编办意见', orgOpinion: '组织/人社部门意见', hrWagesOpinion: '人社工资科意见', socialInsuranceOpinion: '社保经办机构意见', financeOpinion: '财政局意见' },
};

const TRANSFER_FIELDS: Readonly<Record<string, string>> = {
  docNo: '文号',
  fromUnitName: '调出单位',
  toUnitName: '调入单位',
  name: '姓名',
  gender: '性别',
  birthMonth: '出生年月',
  politicalStatus: '政治面貌',
  previousPost: '原职务/职级或岗位',
  reason: '调动原因',
  reportBy: '报到期限',
  validUntil: '有效期至',
};
const TRANSFER_NOTE = '请接洽并办理行政、工资、党组织、档案关系转移。';

/** One layout per document type (domain-spec.md §2.5; 核拨经费通知单 after §6). */
export const DOCUMENT_LAYOUTS: Readonly<Record<DocumentType, DocumentLayout>> = {
  YBSQ: {
    title: '机关事业单位编制使用申请表',
    office: '',
    blocks: [
      {
        fields: {
          unitName: '单位名称', supervisorName: '主管部门', unitNature: '机构性质', fundingForm: '经费形式', bianzhiType: '编制类型',
          approved: '核定编制数', actual: '实有人数', vacant: '空编数', leaderPosts: '领导职数（核定/实配）', planBalance: '本年用编计划/已用',
          requested: '申请用编数', useMode: '用编方式', post: '拟补充岗位/职位', conditions: '条件（学历/专业/年龄）', reason: '申请理由',
        },
      },
      OPINIONS,
    ],
    keyFields: ['unitName', 'bianzhiType', 'requested'],
  },
  YBTZ: {
    title: '用编通知单',
    office: '机构编制委员会办公室',
    blocks: [{ fields: { unitName: '单位', unitCode: '单位代码', bianzhiType: '编制类型', approvedCount: '核准用编数', useMode: '用编方式', post: '岗位', validUntil: '有效期至', conditions: '附加条件', lockedCount: '锁定编制数' } }],
    keyFields: ['unitName', 'bianzhiType', 'approvedCount', 'validUntil'],
  },
  RBTZ: {
    title: '入编通知单',
    office: '机构编制委员会办公室',
    blocks: [
      { title: '人员信息', fields: { name: '姓名', gender: '性别', idNumber: '公民身份号码', birthDate: '出生日期', ethnicity: '民族', politicalStatus: '政治面貌', education: '学历', degree: '学位' } },
      {
        title: '入编信息',
        fields: { quotaNoticeNumber: '用编通知单号', entryMode: '进入形式', previousEmployer: '原单位', unitName: '入编单位', bianzhiType: '编制类型', post: '岗位/职务职级', entryDate: '入编日期', basisDocNo: '依据文号' },
      },
    ],
    keyFields: ['name', 'idNumber', 'unitName', 'bianzhiType', 'entryDate'],
    note: '本通知单抄送组织部门、人力资源和社会保障部门、财政部门。',
  },
  CBTZ: {
    title: '出编通知单',
    office: '机构编制委员会办公室',
    blocks: [
      { fields: { unitName: '单位', name: '姓名', idNumber: '公民身份号码', bianzhiType: '编制类型', reason: '减员原因', eventDate: '减员日期', targetUnitName: '去向单位', basis: '依据', receivedOn: '受理日期' } },
    ],
    keyFields: ['unitName', 'name', 'idNumber', 'bianzhiType', 'reason', 'eventDate'],
    note: '本通知单一式两联：一联编办留存，一联交单位办理编制和预算事项。',
  },
  ZYSP: {
    title: '增员审批表',
    office: '机构编制委员会办公室',
    blocks: [
      { title: '人员信息', fields: PERSON },
      {
        title: '入编信息',
        fields: {
          entryMode: '进入形式', previousEmployer: '原单位', quotaNoticeNumber: '用编通知单号', unitName: '入编单位', bianzhiType: '编制类型', fundingForm: '经费形式',
          post: '岗位/职务职级', entryDate: '入编日期', reportDate: '报到日期', salaryStartDate: '起薪日期',
        },
      },
      { title: '工资', fields: { salary: '核定工资' } },
      { title: '社会保险', fields: { insurance: '缴费基数核定' } },
      { title: '财政', fields: { subsidy: '财政核定补贴' } },
      OPINIONS,
    ],
    keyFields: ['name', 'idNumber', 'unitName', 'bianzhiType', 'entryMode'],
  },
  JYSP: {
    title: '减员审批表',
    office: '机构编制委员会办公室',
    blocks: [
      { title: '人员信息', fields: { name: '姓名', gender: '性别', idNumber: '公民身份号码', birthDate: '出生日期', unitName: '单位', bianzhiType: '编制类型', post: '职务职级/岗位' } },
      {
        title: '减员信息',
        fields: { reason: '减员原因', eventDate: '事件日期', salaryStopMonth: '停薪月份', insuranceStopMonth: '社保停缴月份', financeCutMonth: '财政核减月份', exitNoticeNumber: '出编通知单号', retirement: '退休核定' },
      },
      OPINIONS,
    ],
    keyFields: ['name', 'idNumber', 'unitName', 'reason', 'eventDate'],
  },
  DL: {
    title: '调令',
    office: '委组织部',
    blocks: [{ fields: TRANSFER_FIELDS }],
    keyFields: ['name', 'fromUnitName', 'toUnitName', 'reportBy'],
    note: TRANSFER_NOTE,
  },
  XZJS: {
    title: '行政关系介绍信',
    office: '委组织部',
    blocks: [{ fields: TRANSFER_FIELDS }],
    keyFields: ['name', 'fromUnitName', 'toUnitName', 'reportBy'],
    note: TRANSFER_NOTE,
  },
  GZJS: {
    title: '工资关系介绍信',
    office: '人力资源和社会保障局工资福利科',
    blocks: [
      {
        fields: {
          name: '姓名', workStartDate: '参加工作时间', fromUnitName: '原单位', toUnitName: '调入单位', post: '职务职级/岗位等级', grade: '级别-档次/岗位-薪级',
          payItems: '工资项目及金额', salaryPaidUntil: '工资已发至', insurancePaidUntil: '社保/职业年金/公积金已缴至', gradingStartYear: '套改/晋档起算年度',
        },
      },
    ],
    keyFields: ['name', 'fromUnitName', 'toUnitName', 'salaryPaidUntil'],
  },
  TZB: {
    title: '调资表',
    office: '人力资源和社会保障局工资福利科',
    blocks: [
      { fields: { name: '姓名', unitName: '单位', reason: '变动原因', effectiveFrom: '执行时间（起薪）' } },
      { title: '变动前后', fields: { before: '变动前', after: '变动后', total: '合计', increase: '增资额' } },
      { fields: { approvalOpinion: '审批意见' } },
    ],
    keyFields: ['name', 'unitName', 'reason', 'effectiveFrom', 'increase'],
  },
  HBJF: {
    title: '核拨经费通知单',
    office: '财政局',
    blocks: [
      {
        fields: {
          unitName: '单位', fundingForm: '经费形式', name: '姓名', idNumber: '公民身份号码', bianzhiType: '编制类型', startMonth: '起拨月份',
          months: '本年核拨月数', annualAmount: '本年核拨金额（元）', monthlyAmount: '月核拨金额（元）', subsidy: '核算明细', payroll: '工资统发',
        },
      },
    ],
    keyFields: ['unitName', 'name', 'startMonth', 'annualAmount'],
  },
};

/** Labels of keys inside structured values (salary, insurance, subsidy, before/after …). */
export const NESTED_LABELS: Readonly<Record<string, string>> = {
  total: '合计', monthly: '月额', annual: '年额', amount: '金额', base: '缴费基数', monthlyBase: '月缴费基数', startMonth: '起始月份',
  postWage: '职务职级工资/岗位工资', gradeWage: '级别工资/薪级工资', allowances: '津贴补贴', basic: '基本工资', probation: '试用期工资',
  post: '职务职级/岗位', grade: '级别-档次/薪级', level: '级别', step: '档次', salaryGrade: '薪级', months: '月数', coverage: '补助比例',
  pension: '养老保险', occupationalAnnuity: '职业年金', medical: '医疗保险', unemployment: '失业保险', housingFund: '住房公积金',
  startDate: '起薪日期', effectiveFrom: '执行时间', retirementDate: '退休日期', monthlyPension: '月养老金', name: '名称',
  retirementType: '退休类型', retireMonth: '退休月份', pensionStartMonth: '养老金起发月份', statutoryDate: '法定退休日期', paidUntil: '已发（缴）至',
  items: '工资项目', from: '起', to: '至', rate: '比例', unit: '单位部分', personal: '个人部分',
};

/** The label of a payload key on a document: the layout's, the header's, else the key itself. */
export function labelOf(type: DocumentType, key: string): string {
  if ((HEADER_KEYS as readonly string[]).includes(key)) return HEADER_LABELS[key as (typeof HEADER_KEYS)[number]];
  for (const block of DOCUMENT_LAYOUTS[type].blocks) if (key in block.fields) return block.fields[key]!;
  return key;
}

/** A payload value as printed: numbers and text as they are, 是/否, structures as labelled lines. */
export function formatValue(value: unknown, depth = 0): string {
  if (value === null || value === undefined || value === '') return '';
  if (value === true) return '是';
  if (value === false) return '否';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map((item) => formatValue(item, depth + 1)).filter(Boolean).join(depth ? '；' : '\n');
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [NESTED_LABELS[k] ?? k, formatValue(v, depth + 1)] as const)
      .filter(([, v]) => v !== '');
    return parts.map(([k, v]) => `${k}：${v}`).join(depth ? '，' : '\n');
  }
  return String(value);
}

export interface PrintedRow {
  label: string;
  value: string;
}

/** The field rows of a document in print order: the layout's blocks, then unknown keys under their own name. */
export function documentRows(type: DocumentType, payload: Record<string, unknown>): Array<{ title?: string; rows: PrintedRow[] }> {
  const layout = DOCUMENT_LAYOUTS[type];
  const known = new Set<string>(HEADER_KEYS);
  const blocks: Array<{ title?: string; rows: PrintedRow[] }> = [];
  for (const block of layout.blocks) {
    const rows: PrintedRow[] = [];
    for (const [key, label] of Object.entries(block.fields)) {
      known.add(key);
      const value = formatValue(payload[key]);
      if (value !== '') rows.push({ label, value });
    }
    if (rows.length) blocks.push({ title: block.title, rows });
  }
  const extra = Object.keys(payload)
    .filter((key) => !known.has(key))
    .sort()
    .map((key) => ({ label: key, value: formatValue(payload[key]) }))
    .filter((row) => row.value !== '');
  if (extra.length) blocks.push({ title: '其他', rows: extra });
  return blocks;
}

/** The document's key fields for the public verification page, the ID number masked. */
export function keyFieldsOf(type: DocumentType, payload: Record<string, unknown>): PrintedRow[] {
  return DOCUMENT_LAYOUTS[type].keyFields
    .map((key) => {
      const raw = payload[key];
      const value = key === 'idNumber' && typeof raw === 'string' ? maskIdNumber(raw) : formatValue(raw);
      return { label: labelOf(type, key), value };
    })
    .filter((row) => row.value !== '');
}

export interface PrintableDocument {
  type: DocumentType;
  number: string;
  issuedOn: string;
  payload: Record<string, unknown>;
  /** the full verification URL the QR code encodes */
  verifyUrl: string;
  /** the verification code, printed under the QR code */
  code: string;
}

const PAGE_MARGIN = 50;
const COLOR = { text: '#1a1a1a', muted: '#666666', rule: '#8a8a8a', head: '#eef1f5' };

/** Renders one document to PDF bytes (A4, the CJK font embedded and subset). */
export async function renderDocumentPdf(document: PrintableDocument): Promise<Buffer> {
  cjkFonts(); // 503 before any work when the font is missing
  const layout = DOCUMENT_LAYOUTS[document.type];
  const title = layout.title || documentTypeName(document.type) || document.type;
  const qr = await QRCode.toBuffer(document.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 300 });
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE_MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    info: { Title: `${title} ${document.number}`, Subject: title, Author: 'bianzhi-flow', Creator: 'bianzhi-flow', CreationDate: new Date(`${document.issuedOn}T00:00:00+08:00`) },
  });
  const done = startCjkPdf(doc);
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  // title
  doc.font('cjk-bold').fontSize(20).fillColor(COLOR.text).text(title, left, PAGE_MARGIN, { width, align: 'center', characterSpacing: 2 });
  doc.moveDown(0.8);

  // common header
  const header = (key: (typeof HEADER_KEYS)[number]) => formatValue(document.payload[key]);
  const headerRows: Array<[string, string]> = [
    ['编号', document.number],
    ['签发单位', header('issuer')],
    ['签发日期', document.issuedOn],
    ['经办人', header('handler')],
    ['审核人', header('reviewer')],
  ];
  grid(doc, headerRows.filter(([, value]) => value !== ''), left, width, bottom, true);
  doc.moveDown(0.6);

  // the fields, block by block
  for (const block of documentRows(document.type, document.payload)) {
    if (block.title) {
      if (doc.y + 40 > bottom()) doc.addPage();
      doc.font('cjk-bold').fontSize(11).fillColor(COLOR.text).text(block.title, left, doc.y, { width });
      doc.moveDown(0.2);
    }
    grid(doc, block.rows.map((r) => [r.label, r.value]), left, width, bottom, false);
    doc.moveDown(0.5);
  }
  if (layout.note) {
    doc.font('cjk').fontSize(10).fillColor(COLOR.text).text(layout.note, left, doc.y, { width });
    doc.moveDown(0.5);
  }

  // QR code and verification code, at the bottom right of the last page
  const qrSize = 96;
  if (doc.y + qrSize + 30 > bottom()) doc.addPage();
  const qrY = Math.max(doc.y + 10, bottom() - qrSize - 20);
  const qrX = left + width - qrSize;
  doc.image(qr, qrX, qrY, { width: qrSize, height: qrSize });
  const textWidth = width - qrSize - 16;
  doc.font('cjk-bold').fontSize(10).fillColor(COLOR.text).text('扫码核验', left, qrY + 4, { width: textWidth });
  doc
    .font('cjk')
    .fontSize(8.5)
    .fillColor(COLOR.muted)
    .text(`用手机扫描右侧二维码，或在浏览器中打开下列地址，核对本文书的编号与主要内容。核验结果与本件不符的，本件无效。`, left, doc.y + 2, { width: textWidth });
  doc.font('cjk').fontSize(8).fillColor(COLOR.muted).text(`校验码：${document.code}`, left, doc.y + 4, { width: textWidth });
  doc.font('Helvetica').fontSize(7).fillColor(COLOR.muted).text(document.verifyUrl, left, doc.y + 2, { width: textWidth });

  writePageFooters(doc, (page, pages) => `${title} ${document.number} · 第 ${page} 页 / 共 ${pages} 页`, { left, width, fromBottom: PAGE_MARGIN - 16, color: COLOR.muted });
  doc.end();
  return done;
}

/** Label | value rows in a ruled two-column table (the header in two pairs per row). */
function grid(doc: PDFKit.PDFDocument, rows: Array<[string, string]>, left: number, width: number, bottom: () => number, shaded: boolean): void {
  const labelWidth = 120;
  const padding = 5;
  const fontSize = 10;
  for (const [label, value] of rows) {
    doc.font('cjk').fontSize(fontSize);
    const height = Math.max(doc.heightOfString(value || ' ', { width: width - labelWidth - 2 * padding }), doc.heightOfString(label, { width: labelWidth - 2 * padding })) + 2 * padding;
    if (doc.y + height > bottom()) doc.addPage();
    const y = doc.y;
    doc.rect(left, y, labelWidth, height).fill(shaded ? COLOR.head : '#f7f7f7');
    doc.rect(left, y, width, height).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    doc.moveTo(left + labelWidth, y).lineTo(left + labelWidth, y + height).stroke();
    doc.font('cjk-bold').fontSize(fontSize).fillColor(COLOR.text).text(label, left + padding, y + padding, { width: labelWidth - 2 * padding });
    doc.font('cjk').fontSize(fontSize).fillColor(COLOR.text).text(value, left + labelWidth + padding, y + padding, { width: width - labelWidth - 2 * padding });
    doc.x = left;
    doc.y = y + height;
  }
}
