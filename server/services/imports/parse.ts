// Reads an uploaded XLSX (its parts read from the zip's directory and parsed as streams by exceljs's
// streaming reader: no workbook model in memory) or CSV
// (csv-parse, streaming; UTF-8 with or without BOM, else GB18030 as Excel on a Chinese Windows saves it)
// into rows of cells keyed by header. Nothing is validated here beyond the layout: which sheet is which
// kind, where the header row is, which required headers are missing.
import { PassThrough, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { columnLetter, NOTES_SHEET, SHEET_OF, SHEETS, sheetByHeaders, sheetByName, type ImportKind, type SheetDef } from './layout';
import type { Problem } from './problems';

/** A cell as read: text (trimmed by the validation, not here), a number, a date cell, or blank. */
export type Cell = string | number | Date | undefined;

export interface ParsedRow {
  /** the row number as the spreadsheet shows it */
  row: number;
  cells: Cell[];
}

export interface ParsedSheet {
  def: SheetDef;
  /** the sheet's name in the file (a CSV: the kind's sheet name) */
  name: string;
  /** column key → 0-based index in `cells`, for the columns the sheet has */
  index: Map<string, number>;
  rows: ParsedRow[];
}

export interface ParsedFile {
  sheets: Partial<Record<ImportKind, ParsedSheet>>;
  problems: Problem[];
}

/** How many rows from the top a header row may be looked for (a title row above it is common). */
const HEADER_SEARCH_ROWS = 5;

/** Collects a sheet's rows: finds the header row, then keeps the non-blank rows after it. */
class SheetCollector {
  private header: { row: number; headers: string[] } | undefined;
  private looked = 0;
  readonly rows: ParsedRow[] = [];

  /** kindHint: the kind the sheet is known to be (a CSV); else any kind's headers are looked for */
  constructor(private readonly kindHint?: SheetDef) {}

  add(row: number, cells: Cell[]): void {
    if (this.header) {
      if (cells.some((c) => c !== undefined && !(typeof c === 'string' && c.trim() === ''))) this.rows.push({ row, cells });
      return;
    }
    if (this.looked >= HEADER_SEARCH_ROWS) return;
    this.looked += 1;
    const headers = Array.from(cells, (c) => (typeof c === 'string' ? c.trim() : c === undefined ? '' : String(c)));
    const known = (this.kindHint ? [this.kindHint] : SHEETS).some((s) => s.columns.filter((c) => headers.includes(c.header)).length >= 2);
    if (known) this.header = { row, headers };
  }

  /** The sheet as the kind its name (or else its headers) says; problems with the layout are reported. */
  finish(name: string, problems: Problem[]): ParsedSheet | undefined {
    const named = this.kindHint ?? sheetByName(name);
    if (!this.header) {
      if (named) {
        problems.push({ level: 'error', code: 'HEADER_ROW_MISSING', sheet: name, row: 1, column: null, message: `工作表“${name}”前 ${HEADER_SEARCH_ROWS} 行中找不到表头行（如：${named.columns.slice(0, 3).map((c) => c.header).join('、')}）` });
      }
      return undefined;
    }
    const { row: headerRow, headers } = this.header;
    const def = named ?? sheetByHeaders(headers);
    if (!def) {
      problems.push({ level: 'warning', code: 'SHEET_UNKNOWN', sheet: name, row: headerRow, column: null, message: `工作表“${name}”的表头不属于任何导入类型，已忽略` });
      return undefined;
    }
    const index = new Map<string, number>();
    headers.forEach((h, i) => {
      if (h === '') return;
      const column = def.columns.find((c) => c.header === h);
      if (!column) {
        problems.push({ level: 'warning', code: 'COLUMN_UNKNOWN', sheet: name, row: headerRow, column: { header: h, letter: columnLetter(i + 1) }, message: `列“${h}”不是“${def.sheet}”表的列，已忽略` });
      } else if (index.has(column.key)) {
        problems.push({ level: 'error', code: 'COLUMN_DUPLICATE', sheet: name, row: headerRow, column: { header: h, letter: columnLetter(i + 1) }, message: `列“${h}”出现两次` });
      } else index.set(column.key, i);
    });
    for (const column of def.columns) {
      if (column.required !== false && !index.has(column.key)) {
        problems.push({ level: 'error', code: 'COLUMN_MISSING', sheet: name, row: headerRow, column: { header: column.header, letter: null }, message: `缺少必需的列“${column.header}”` });
      }
    }
    return { def, name, index, rows: this.rows };
  }
}

function addSheet(file: ParsedFile, sheet: ParsedSheet | undefined): void {
  if (!sheet) return;
  const existing = file.sheets[sheet.def.kind];
  if (existing) {
    file.problems.push({ level: 'error', code: 'SHEET_DUPLICATE', sheet: sheet.name, row: 1, column: null, message: `工作表“${sheet.name}”与“${existing.name}”是同一类数据（${sheet.def.sheet}），只能有一个` });
    return;
  }
  file.sheets[sheet.def.kind] = sheet;
}

/** An exceljs cell value as a Cell: rich text and hyperlinks as their text, formulas as their result. */
function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellOf(v.result);
    if (typeof v.text === 'string') return v.text;
    if (v.error !== undefined) return String(v.error);
  }
  return String(value);
}

/** UTF-8 text of a byte stream, never cut inside a character. */
async function* wholeCharacters(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/**
 * One part of the zip, inflated as it is read and handed on as whole characters: exceljs 4.4 decodes each
 * chunk of an XML part on its own (utils/parse-sax.js), which turns a Chinese character cut by a chunk
 * boundary into U+FFFD — in large sheets, every few thousand rows.
 */
function partText(part: JSZip.JSZipObject): Readable {
  // jszip's stream is a readable-stream 2 (no async iterator): piped into a Node stream, errors passed on
  const inflated = new PassThrough();
  const source = part.nodeStream('nodebuffer') as NodeJS.ReadableStream;
  source.on('error', (error: Error) => inflated.destroy(error));
  source.pipe(inflated);
  return Readable.from(wholeCharacters(inflated));
}

/** The part parsers of exceljs's streaming WorkbookReader, driven here part by part (see parseXlsx). */
interface ReaderParts {
  _parseRels(source: Readable): Promise<void>;
  _parseWorkbook(source: Readable): Promise<void>;
  _parseSharedStrings(source: Readable): AsyncIterable<unknown>;
  _parseStyles(source: Readable): Promise<void>;
  _parseWorksheet(source: Readable, sheetNo: string): Iterator<{ eventType: string; value: WorksheetRows }>;
  workbookRels?: Array<{ Id: string; Type?: string; Target: string }>;
  model?: { sheets?: Array<{ name: string; rId: string }> };
}
type WorksheetRows = AsyncIterable<{ number: number; values: unknown[] }>;

/** A workbook relation's target as a path in the zip (relative to xl/, or absolute). */
function partPath(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts: string[] = ['xl'];
  for (const p of target.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

/**
 * Streams the sheets of an XLSX file; the 说明 sheet is skipped.
 *
 * The zip is read through its central directory (jszip), in a fixed order — relations, workbook, shared
 * strings, styles, then each worksheet in the workbook's order — and each part is inflated and parsed as a
 * stream by exceljs's part parsers (saxes), so a large sheet is never held as text. exceljs's own
 * WorkbookReader.parse() is not used: it reads the zip in one pass with unzipper's Parse, which emits
 * 'end' as soon as its input is written while entries it has already parsed still wait in its buffer
 * (exceljs's iterate-stream pauses it around each entry), so the entries after the current one are
 * dropped depending on timing — with exceljs's own layout (worksheets, then xl/sharedStrings.xml, then
 * xl/workbook.xml last) every sheet then came out without its shared strings (exceljs issue #3064).
 */
export async function parseXlsx(content: Buffer): Promise<ParsedFile> {
  const file: ParsedFile = { sheets: {}, problems: [] };
  const unreadable = (why: string): ParsedFile => {
    file.problems.push({ level: 'error', code: 'FILE_UNREADABLE', sheet: '', row: 0, column: null, message: `无法读取 XLSX 文件：${why}` });
    return file;
  };
  const collected: Array<{ collector: SheetCollector; name: string }> = [];
  try {
    const zip = await JSZip.loadAsync(content);
    // part names compare without regard to case (ECMA-376 part 2, 8.1.1.4)
    const byName = new Map(Object.keys(zip.files).map((name) => [name.toLowerCase(), name]));
    const part = (path: string) => zip.file(byName.get(path.toLowerCase()) ?? path);
    const relsPart = part('xl/_rels/workbook.xml.rels');
    const workbookPart = part('xl/workbook.xml');
    if (!relsPart || !workbookPart) return unreadable('缺少 xl/workbook.xml，不是 Excel 工作簿');
    // the input stream is never read: the parts are handed to the part parsers below
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // date cells come back as Dates only with their number formats
      hyperlinks: 'ignore',
      entries: 'ignore',
    }) as unknown as ReaderParts;
    for (const method of ['_parseRels', '_parseWorkbook', '_parseSharedStrings', '_parseStyles', '_parseWorksheet'] as const) {
      if (typeof reader[method] !== 'function') throw new Error(`exceljs WorkbookReader.${method} is missing: parse.ts needs review`);
    }
    await reader._parseRels(partText(relsPart));
    await reader._parseWorkbook(partText(workbookPart));
    const sharedStrings = part('xl/sharedStrings.xml');
    if (sharedStrings) for await (const _ of reader._parseSharedStrings(partText(sharedStrings)));
    const styles = part('xl/styles.xml');
    if (styles) await reader._parseStyles(partText(styles));
    const rels = reader.workbookRels ?? [];
    for (const [i, sheet] of (reader.model?.sheets ?? []).entries()) {
      if (sheet.name === NOTES_SHEET) continue;
      const rel = rels.find((r) => r.Id === sheet.rId);
      if (!rel || (rel.Type !== undefined && !rel.Type.endsWith('/worksheet'))) continue; // a chart sheet
      const sheetPart = part(partPath(rel.Target));
      if (!sheetPart) continue;
      const emitted = reader._parseWorksheet(partText(sheetPart), String(i + 1)).next();
      if (emitted.done) continue;
      const collector = new SheetCollector();
      for await (const row of emitted.value.value) {
        const values = row.values;
        const cells: Cell[] = new Array(Math.max(values.length - 1, 0));
        for (let c = 1; c < values.length; c++) cells[c - 1] = cellOf(values[c]);
        collector.add(row.number, cells);
      }
      collected.push({ collector, name: sheet.name });
    }
  } catch (error) {
    return unreadable(error instanceof Error ? error.message : String(error));
  }
  for (const { collector, name } of collected) addSheet(file, collector.finish(name, file.problems));
  return file;
}

/** The text of a CSV file: UTF-8 (BOM or not) when it decodes as such, else GB18030 (Excel's "CSV" on zh-CN Windows). */
function csvText(content: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(content);
  } catch {
    return new TextDecoder('gb18030').decode(content);
  }
}

/** Streams one CSV file of `kind`: the first row with known headers is the header row. */
export async function parseCsvFile(content: Buffer, kind: ImportKind): Promise<ParsedFile> {
  const file: ParsedFile = { sheets: {}, problems: [] };
  const def = SHEET_OF[kind];
  const collector = new SheetCollector(def);
  const parser = Readable.from([csvText(content)]).pipe(parseCsv({ relax_column_count: true, skip_empty_lines: false, relax_quotes: true }));
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      collector.add(row, record.map((v) => (v === '' ? undefined : v)));
    }
  } catch (error) {
    file.problems.push({ level: 'error', code: 'FILE_UNREADABLE', sheet: def.sheet, row: row + 1, column: null, message: `无法读取 CSV 文件：${error instanceof Error ? error.message : String(error)}` });
    return file;
  }
  addSheet(file, collector.finish(def.sheet, file.problems));
  return file;
}
