// The PDF case report of one instance for the case file (档案): what the case is, who did what and
// when (a timeline of the events a person reads: submissions, decisions, worker results, messages,
// timers, incidents), the documents issued, and whether the record verified (hash chain intact,
// re-run consistent) with the head hash to compare against the externally anchored one.
// The element names come from the diagram version the instance ran. Chinese needs an embedded CJK
// font: Noto Sans Hans (SIL OFL 1.1) from the npm package @embedpdf/fonts-sc, subset into the PDF.
import PDFDocument from 'pdfkit';
import { DEPARTMENTS } from '../core/auth-user';
import { eventKindLabel } from '../core/event-labels';
import type { AuditEventRow } from '../repositories/audit-events';
import type { CaseFile } from './history-export';
import { cjkFonts, startCjkPdf, writePageFooters } from './pdf-fonts';

export { CJK_FONT_NAME } from './pdf-fonts';
const TIME_ZONE = 'Asia/Shanghai';

/** Engine bookkeeping left out of the timeline (it is all in the JSON export). */
const PATH_KINDS = new Set(['element.entered', 'element.completed', 'element.terminated', 'flow.taken', 'variables.changed', 'job.created', 'job.activated']);

const STATE_LABELS: Readonly<Record<string, string>> = { active: '办理中', completed: '已办结', canceled: '已撤销', terminated: '已终止' };

export const caseReportFileName = (instanceId: string): string => `case-report-${instanceId}.pdf`;

// ---- text helpers ----

const dateTimeParts = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** '2026-11-24 09:05:00' in Beijing time. */
export function formatTime(value: string | Date | null): string {
  if (!value) return '—';
  const parts = Object.fromEntries(dateTimeParts.formatToParts(new Date(value)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

function shortValue(value: unknown): string {
  if (value === null || value === undefined) return '空';
  if (value === true) return '是';
  if (value === false) return '否';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** 'approved：否；opinion：同意' cut to `max` characters. */
export function shortForm(values: unknown, max = 160): string {
  if (!values || typeof values !== 'object') return '';
  const text = Object.entries(values as Record<string, unknown>)
    .map(([key, value]) => `${key}：${shortValue(value)}`)
    .join('；');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const groupName = (id: string): string => DEPARTMENTS.find((d) => d.id === id)?.name ?? id;

/** '编办经办人（bianban-clerk）', or with `ownLine` the account on a line of its own. */
export function actorText(actor: string, names: Record<string, string>, ownLine = false): string {
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'user') return names[actor] ? (ownLine ? `${names[actor]}\n${id}` : `${names[actor]}（${id}）`) : id;
  if (kind === 'worker') return `自动处理程序 ${id}`;
  if (kind === 'system') return id === 'engine' ? '系统' : `系统（${id}）`;
  return actor;
}

/** What happened, in short: the decisions and inputs of the event. */
export function eventDetail(event: AuditEventRow, unit: CaseFile['unit'] = null): string {
  const p = event.payload as Record<string, any>;
  const parts: string[] = [];
  switch (event.kind) {
    case 'instance.created': {
      if (p.businessKey) parts.push(`业务编号 ${p.businessKey}`);
      const input = { ...(p.input ?? {}) };
      if (unit && input.unitId === unit.id) input.unitId = `${unit.name}（${unit.code}）`;
      parts.push(shortForm(input, 120));
      break;
    }
    case 'user-task.created':
      if (Array.isArray(p.candidateGroups) && p.candidateGroups.length) parts.push(`候选：${p.candidateGroups.map(groupName).join('、')}`);
      if (p.assignee) parts.push(`办理人：${p.assignee}`);
      if (p.dueAt) parts.push(`期限：${formatTime(p.dueAt)}`);
      break;
    case 'user-task.unclaimed':
      if (p.previousAssignee) parts.push(`原办理人：${p.previousAssignee}`);
      break;
    case 'user-task.assigned':
    case 'user-task.delegated':
      if (p.assignee) parts.push(`办理人：${p.assignee}`);
      break;
    case 'user-task.completed':
    case 'call.completed':
      parts.push(shortForm(p.input));
      break;
    case 'job.completed':
      if (p.type) parts.push(`[${p.type}]`);
      parts.push(shortForm(p.input, 140));
      break;
    case 'job.failed':
      parts.push(`剩余重试 ${p.retries ?? 0} 次`, String(p.errorMessage ?? ''));
      break;
    case 'job.error-thrown':
      parts.push(`${p.code ?? ''}：${p.message ?? ''}`, shortForm(p.input, 80));
      break;
    case 'job.retries-updated':
      parts.push(`重试次数设为 ${p.retries}`);
      break;
    case 'incident.created':
      parts.push(`${p.errorType ?? ''}：${p.message ?? ''}`);
      break;
    case 'message.correlated':
      parts.push(`消息 ${p.name ?? ''}${p.correlationKey ? `（关联键 ${p.correlationKey}）` : ''}`, shortForm(p.input, 100));
      break;
    case 'timer.fired':
      if (p.dueAt) parts.push(`到期时间 ${formatTime(p.dueAt)}`);
      break;
    case 'instance.completed':
    case 'instance.canceled':
    case 'instance.terminated':
    case 'incident.resolved':
    case 'user-task.claimed':
      break;
    default:
      parts.push(shortForm(p, 120));
  }
  const text = parts.filter(Boolean).join('；');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** The events a person reads in the timeline: everything but the engine's path bookkeeping. */
export const timelineEvents = (events: AuditEventRow[]): AuditEventRow[] => events.filter((e) => !PATH_KINDS.has(e.kind));

// ---- layout ----

const PAGE_MARGIN = 40;
const COLOR = { text: '#1a1a1a', muted: '#666666', rule: '#b0b0b0', head: '#eef1f5', ok: '#1e7b34', bad: '#b3261e' };

interface Column {
  title: string;
  width: number;
}

/** Renders the report; resolves to the PDF bytes. */
export async function renderCaseReport(file: CaseFile): Promise<Buffer> {
  cjkFonts(); // throws 503 before any work when the font is missing
  const { instance, definition, model, verification } = file;
  const processName = model.name ?? definition.name ?? instance.processId;
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE_MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    info: {
      Title: `案卷报告：${processName}${instance.businessKey ? ` ${instance.businessKey}` : ''}`,
      Subject: `流程实例 ${instance.id}`,
      Author: 'bianzhi-flow',
      Creator: 'bianzhi-flow',
      CreationDate: new Date(file.exportedAt),
    },
  });
  const done = startCjkPdf(doc);
  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  // title
  doc.font('cjk-bold').fontSize(18).fillColor(COLOR.text).text('流程实例案卷报告', left, PAGE_MARGIN, { width, align: 'center' });
  doc.moveDown(0.2);
  doc.font('cjk').fontSize(10).fillColor(COLOR.muted).text(processName, { width, align: 'center' });
  doc.moveDown(0.8);

  // the case
  sectionTitle(doc, '一、案件信息', left, width);
  const elementName = (id: string | null) => (id ? (model.elements.get(id)?.name ?? (id === model.processId ? processName : id)) : '');
  const facts: [string, string][] = [
    ['流程名称', processName],
    ['流程标识 / 版本', `${definition.process_id} / 第 ${definition.version} 版`],
    ['流程定义校验和', `sha256 ${definition.checksum}`],
    ['业务编号', instance.businessKey ?? '—'],
    ['实例编号', instance.id],
    ['单位', file.unit ? `${file.unit.name}（${file.unit.code}）` : '—'],
    ['状态', STATE_LABELS[instance.state] ?? instance.state],
    ['发起人', actorText(instance.startedBy, file.actorNames)],
    ['开始时间', formatTime(instance.createdAt)],
    ['结束时间', formatTime(instance.endedAt)],
  ];
  keyValues(doc, facts, left, width);
  doc.moveDown(0.6);

  // verification
  sectionTitle(doc, '二、记录核验', left, width);
  const chainText = verification.chain.intact
    ? `哈希链完整：本实例 ${verification.chain.checked} 条记录的哈希均与内容及前一条记录相符`
    : `哈希链异常：${verification.chain.problem?.message ?? ''}`;
  const divergence = verification.rerun.divergence;
  const rerunText = verification.rerun.consistent
    ? `重放一致：按记录的 ${verification.rerun.inputsApplied} 项输入在第 ${definition.version} 版流程上重放，得到记录的路径与数据`
    : `重放不一致：第 ${divergence?.seq ?? '?'} 条记录（${eventKindLabel(divergence?.kind ?? '')}${divergence?.elementId ? `，${elementName(divergence.elementId)}` : ''}）与重放结果不同：${divergence?.message ?? ''}`;
  badge(doc, verification.chain.intact, verification.chain.intact ? '链完整' : '链异常', chainText, left, width);
  badge(doc, verification.rerun.consistent, verification.rerun.consistent ? '重放一致' : '重放不一致', rerunText, left, width);
  doc.moveDown(0.3);
  const last = file.events[file.events.length - 1];
  labelledHash(doc, `本实例链头（第 ${last ? Number(last.seq) : '—'} 条记录）的哈希`, last?.hash ?? '—', left, width);
  labelledHash(doc, `生成本报告时整个审计日志的链头（第 ${file.logHead?.seq ?? '—'} 条）`, file.logHead?.hash ?? '—', left, width);
  doc.font('cjk').fontSize(8).fillColor(COLOR.muted).text(`核验时间 ${formatTime(verification.verifiedAt)}。可将日志链头哈希与外部存证的值比对；完整记录（含每条记录的哈希）见同一实例的 JSON 导出。`, left, doc.y, { width });
  doc.moveDown(0.8);

  // timeline
  sectionTitle(doc, '三、办理过程', left, width);
  const shown = timelineEvents(file.events);
  const columns: Column[] = [
    { title: '序号', width: 36 },
    { title: '时间', width: 62 },
    { title: '经办', width: 92 },
    { title: '事项', width: 64 },
    { title: '环节', width: 78 },
    { title: '内容', width: width - 36 - 62 - 92 - 64 - 78 },
  ];
  table(
    doc,
    columns,
    shown.map((e) => [String(Number(e.seq)), formatTime(e.occurred_at).replace(' ', '\n'), actorText(e.actor, file.actorNames, true), eventKindLabel(e.kind), elementName(e.element_id), eventDetail(e, file.unit)]),
    left,
    bottom,
  );
  doc
    .font('cjk')
    .fontSize(8)
    .fillColor(COLOR.muted)
    .text(`本表列出 ${shown.length} 条办理事件；本实例共 ${file.events.length} 条审计记录，其余为环节进出、连线与数据变化，见 JSON 导出。时间为北京时间。`, left, doc.y + 4, { width });
  doc.moveDown(0.8);

  // documents
  sectionTitle(doc, '四、出具文书', left, width);
  if (file.documents.length) {
    const docColumns: Column[] = [
      { title: '文号', width: 150 },
      { title: '类型', width: 110 },
      { title: '出具时间', width: 100 },
      { title: '出具人', width: width - 150 - 110 - 100 },
    ];
    table(
      doc,
      docColumns,
      file.documents.map((d) => [d.number, d.type, formatTime(d.issuedAt), d.issuedBy ?? '—']),
      left,
      bottom,
    );
  } else {
    doc.font('cjk').fontSize(9).fillColor(COLOR.text).text('本案尚无出具的文书。', left, doc.y, { width });
  }

  writePageFooters(doc, (page, pages) => `实例 ${instance.id} · 生成于 ${formatTime(file.exportedAt)} · 生成人 ${file.exportedBy} · 第 ${page} 页 / 共 ${pages} 页`, {
    left,
    width,
    fromBottom: PAGE_MARGIN - 12,
    color: COLOR.muted,
  });
  doc.end();
  return done;
}

function sectionTitle(doc: PDFKit.PDFDocument, title: string, left: number, width: number): void {
  if (doc.y + 40 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.font('cjk-bold').fontSize(12).fillColor(COLOR.text).text(title, left, doc.y, { width });
  doc.moveDown(0.3);
}

function keyValues(doc: PDFKit.PDFDocument, rows: [string, string][], left: number, width: number): void {
  const keyWidth = 100;
  for (const [key, value] of rows) {
    const y = doc.y;
    doc.font('cjk').fontSize(9.5);
    const height = Math.max(doc.heightOfString(value, { width: width - keyWidth }), doc.heightOfString(key, { width: keyWidth }));
    doc.fillColor(COLOR.muted).text(key, left, y, { width: keyWidth });
    doc.fillColor(COLOR.text).text(value, left + keyWidth, y, { width: width - keyWidth });
    doc.y = y + height + 3;
  }
}

function badge(doc: PDFKit.PDFDocument, ok: boolean, label: string, text: string, left: number, width: number): void {
  const badgeWidth = 64;
  const y = doc.y;
  doc.font('cjk').fontSize(9);
  const height = Math.max(16, doc.heightOfString(text, { width: width - badgeWidth - 10 }) + 4);
  doc.roundedRect(left, y, badgeWidth, 16, 3).fill(ok ? COLOR.ok : COLOR.bad);
  doc.font('cjk-bold').fontSize(9).fillColor('#ffffff').text(label, left, y + 3, { width: badgeWidth, align: 'center' });
  doc.font('cjk').fontSize(9).fillColor(ok ? COLOR.text : COLOR.bad).text(text, left + badgeWidth + 10, y + 3, { width: width - badgeWidth - 10 });
  doc.y = y + height + 4;
}

function labelledHash(doc: PDFKit.PDFDocument, label: string, hash: string, left: number, width: number): void {
  doc.font('cjk').fontSize(9).fillColor(COLOR.muted).text(label, left, doc.y, { width });
  doc.font('Courier').fontSize(8.5).fillColor(COLOR.text).text(hash, left + 12, doc.y + 1, { width: width - 12 });
  doc.moveDown(0.4);
}

/** A table with a header row repeated on every page it runs over. */
function table(doc: PDFKit.PDFDocument, columns: Column[], rows: string[][], left: number, bottom: () => number): void {
  const padding = 3;
  const fontSize = 8;
  const totalWidth = columns.reduce((sum, c) => sum + c.width, 0);

  const rowHeight = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'cjk-bold' : 'cjk').fontSize(fontSize);
    return Math.max(...cells.map((cell, i) => doc.heightOfString(cell || ' ', { width: columns[i].width - 2 * padding }))) + 2 * padding;
  };
  const drawRow = (cells: string[], y: number, height: number, header: boolean) => {
    if (header) doc.rect(left, y, totalWidth, height).fill(COLOR.head);
    doc.font(header ? 'cjk-bold' : 'cjk').fontSize(fontSize).fillColor(COLOR.text);
    let x = left;
    cells.forEach((cell, i) => {
      doc.text(cell, x + padding, y + padding, { width: columns[i].width - 2 * padding });
      x += columns[i].width;
    });
    doc.moveTo(left, y + height).lineTo(left + totalWidth, y + height).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
  };
  const header = columns.map((c) => c.title);
  const headerHeight = rowHeight(header, true);

  let y = doc.y;
  if (y + headerHeight + 20 > bottom()) {
    doc.addPage();
    y = doc.y;
  }
  drawRow(header, y, headerHeight, true);
  y += headerHeight;
  for (const cells of rows) {
    const height = rowHeight(cells, false);
    if (y + height > bottom()) {
      doc.addPage();
      y = doc.y;
      drawRow(header, y, headerHeight, true);
      y += headerHeight;
    }
    drawRow(cells, y, height, false);
    y += height;
  }
  doc.x = left;
  doc.y = y + 2;
}
