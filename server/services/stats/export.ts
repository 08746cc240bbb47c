// XLSX and CSV exports of the reports, streamed to the response: exceljs' streaming WorkbookWriter commits
// each row as it is written (one sheet per table, zh-CN headers, the header row frozen, number formats), and
// csv-stringify writes one table as UTF-8 with a BOM so that Excel shows the Chinese text.
import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import type { ExportColumn, ExportTable } from './report';
import type { SourceView } from './snapshots';

const NUM_FMT: Record<NonNullable<ExportColumn['type']>, string | undefined> = { int: '#,##0', number: '#,##0.0', percent: '0.0%', text: undefined };

/** A cell value: numbers stay numbers, null/undefined → empty. */
function cellValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? '是' : '否';
  return String(value);
}

/** Sheet names: ≤ 31 characters, none of []:*?/\ , unique. */
function sheetName(title: string, used: Set<string>): string {
  const base = title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet';
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base.slice(0, 28)}(${i})`;
  used.add(name);
  return name;
}

export async function writeXlsx(out: Writable, title: string, source: SourceView, definitions: Record<string, string>, tables: ExportTable[]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'bianzhi-flow';
  workbook.created = new Date(source.takenAt);
  const used = new Set<string>();
  for (const table of tables) {
    const sheet = workbook.addWorksheet(sheetName(table.title, used), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((c) => ({
      key: c.key,
      header: c.header,
      width: c.width ?? Math.max(10, Math.min(30, c.header.length * 2 + 2)),
      ...(c.type && NUM_FMT[c.type] ? { style: { numFmt: NUM_FMT[c.type] } } : {}),
    }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    for (const row of table.rows) {
      sheet.addRow(table.columns.map((c) => cellValue(row[c.key]))).commit();
    }
    sheet.commit();
  }
  const about = workbook.addWorksheet(sheetName('说明', used), { views: [{ state: 'frozen', ySplit: 1 }] });
  about.columns = [
    { key: 'item', header: '项目', width: 20 },
    { key: 'text', header: '说明', width: 100 },
  ];
  about.getRow(1).font = { bold: true };
  about.getRow(1).commit();
  about.addRow(['报表', title]).commit();
  about.addRow(['数据来源', source.note]).commit();
  about.addRow(['快照月份', source.month]).commit();
  about.addRow(['快照时间', source.takenAt]).commit();
  about.addRow(['参照日', source.referenceDate]).commit();
  for (const [key, text] of Object.entries(definitions)) about.addRow([key, text]).commit();
  about.commit();
  await workbook.commit();
}

/** One table as CSV (UTF-8 with BOM, header row in zh-CN), through a pipeline (backpressure, errors). */
export async function writeCsv(out: Writable, table: ExportTable): Promise<void> {
  const records = function* () {
    for (const row of table.rows) yield Object.fromEntries(table.columns.map((c) => [c.key, cellValue(row[c.key]) ?? '']));
  };
  await pipeline(Readable.from(records()), stringify({ bom: true, header: true, columns: table.columns.map((c) => ({ key: c.key, header: c.header })) }), out);
}
