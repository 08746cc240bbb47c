// The import template: an XLSX with one sheet per kind (the headers of layout.ts, text-formatted cells so
// that ID numbers and codes such as 01 survive Excel) and a 说明 sheet that explains every column and
// lists the code tables; and the same headers as a CSV per kind (UTF-8 with BOM, which Excel opens).
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { codeListOf, NOTES_SHEET, SHEET_OF, SHEETS, type ImportKind } from './layout';

/** Columns holding counts: number cells; every other column is formatted as text. */
const NUMERIC_KEYS = new Set(['approved', 'overflowAllowance', 'year', 'planned', 'used']);

export async function buildTemplateXlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'bianzhi-flow';
  workbook.created = new Date(Date.UTC(2026, 10, 24));

  const notes = workbook.addWorksheet(NOTES_SHEET);
  notes.columns = [
    { header: '工作表', key: 'sheet', width: 14 },
    { header: '列', key: 'header', width: 16 },
    { header: '必填', key: 'required', width: 10 },
    { header: '说明', key: 'note', width: 60 },
    { header: '可填写的代码或名称', key: 'codes', width: 80 },
  ];
  notes.getRow(1).font = { bold: true };
  notes.addRow({
    sheet: '通则',
    header: '',
    required: '',
    note:
      '每类数据一张工作表（表名或表头可识别）；第一行为表头，列的顺序可调整。按自然键新增或更新：单位代码；单位代码+编制类型；公民身份号码。' +
      '日期一律 yyyy-mm-dd。先“检查”（dryRun=true，不写入任何数据），无错误后再“导入”（dryRun=false，全部成功或全部不写入）。' +
      '实有人数、领导职数实配数由在编人员计算，不在表中填写。',
    codes: '',
  });
  for (const sheet of SHEETS) {
    notes.addRow({ sheet: sheet.sheet, header: '', required: '', note: sheet.description, codes: '' }).font = { bold: true };
    for (const column of sheet.columns) {
      notes.addRow({
        sheet: sheet.sheet,
        header: column.header,
        required: column.required === true ? '是' : column.required === 'active' ? '在编人员必填' : '否',
        note: column.note,
        codes: codeListOf(column) ?? '',
      });
    }
  }
  notes.getColumn('codes').alignment = { wrapText: true, vertical: 'top' };
  notes.getColumn('note').alignment = { wrapText: true, vertical: 'top' };

  for (const sheet of SHEETS) {
    const ws = workbook.addWorksheet(sheet.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width ?? 14,
      style: NUMERIC_KEYS.has(c.key) ? {} : { numFmt: '@' },
    }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    sheet.columns.forEach((c, i) => {
      const cell = header.getCell(i + 1);
      cell.note = `${c.required === true ? '必填。' : c.required === 'active' ? '在编人员必填。' : ''}${c.note}`;
      if (c.required !== false) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The header row of one kind as CSV, UTF-8 with a BOM. */
export function buildTemplateCsv(kind: ImportKind): string {
  return `\uFEFF${stringify([SHEET_OF[kind].columns.map((c) => c.header)])}`;
}
