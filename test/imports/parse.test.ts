// The streaming XLSX reader on files as other tools write them: sheet names when xl/workbook.xml comes
// last in the zip, and Chinese text that crosses the reader's chunk boundaries in a large sheet.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { parseXlsx } from '../../server/services/imports/parse';
import { PERSON_HEADERS, UNIT_HEADERS, workbook } from './workbook';

describe('import file parsing', () => {
  it('names the sheets of a workbook whose workbook part comes last in the zip', async () => {
    // given exceljs's own (non-streaming) writer, which puts xl/workbook.xml at the end
    const file = await workbook({ 说明: [['工作表', '列']], 单位: [UNIT_HEADERS, ['U1', '甲', '机关', null, '全额拨款']], 自定义名称: [PERSON_HEADERS] });
    // when
    const parsed = await parseXlsx(file);
    // then
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.sheets.units?.name, '单位');
    assert.equal(parsed.sheets.persons?.name, '自定义名称', 'a sheet with another name is known by its headers');
    assert.equal(parsed.sheets.units?.rows[0]?.row, 2);
  });

  it('keeps every Chinese character of a large streamed sheet intact', async () => {
    // given 20,000 rows of Chinese text written by the streaming writer (inline strings, sheets in temp files)
    const chunks: Buffer[] = [];
    const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
    const ws = wb.addWorksheet('单位');
    ws.addRow(UNIT_HEADERS).commit();
    for (let i = 0; i < 20_000; i++) ws.addRow([`U${i}`, `示范区第${i}个机关事业单位`, '参公事业单位', '正科', '自收自支']).commit();
    ws.commit();
    await wb.commit();
    // when
    const parsed = await parseXlsx(Buffer.concat(chunks));
    // then
    const rows = parsed.sheets.units!.rows;
    assert.equal(rows.length, 20_000);
    const broken = rows.filter((r) => r.cells.some((c) => typeof c === 'string' && c.includes('\uFFFD')));
    assert.deepEqual(broken.map((r) => r.row), []);
    assert.equal(rows[19_999]!.cells[1], '示范区第19999个机关事业单位');
  });
});
