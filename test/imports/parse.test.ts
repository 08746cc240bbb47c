// The streaming XLSX reader on files as other tools write them: sheet names when xl/workbook.xml comes
// last in the zip, the shared strings when they come after the worksheets, and Chinese text that crosses
// the reader's chunk boundaries in a large sheet.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { parseXlsx } from '../../server/services/imports/parse';
import { PERSON_HEADERS, QUOTA_HEADERS, UNIT_HEADERS, workbook } from './workbook';

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

  it('reads the shared strings and the workbook part that come after the worksheets, every time', async () => {
    // given exceljs's layout (worksheets, then xl/sharedStrings.xml … xl/workbook.xml last), the parts
    // after the worksheets stored rather than deflated, as some tools write small parts: exceljs's
    // one-pass unzip then finished its input while the worksheets were still being taken in and ended the
    // entries there, so nearly every read lost the shared strings (every sheet: HEADER_ROW_MISSING)
    const written = await JSZip.loadAsync(await workbook({ 单位: [UNIT_HEADERS, ['U1', '甲', '机关', null, '全额拨款']], 编制: [QUOTA_HEADERS, ['U1', '行政编制', 3, 0, '示编〔2026〕1号']], 人员: [PERSON_HEADERS] }));
    const names = Object.keys(written.files).filter((name) => !written.files[name]!.dir);
    assert.ok(names.indexOf('xl/sharedStrings.xml') > names.indexOf('xl/worksheets/sheet3.xml') && names.at(-1) === 'xl/workbook.xml', names.join(' '));
    const layouts: Record<string, (name: string) => boolean> = { 'the parts after the worksheets': (name) => !name.startsWith('xl/worksheets/'), 'every part': () => true };
    for (const [what, stored] of Object.entries(layouts)) {
      const zip = new JSZip();
      for (const name of names) zip.file(name, await written.file(name)!.async('nodebuffer'), { compression: stored(name) ? 'STORE' : 'DEFLATE' });
      const file = await zip.generateAsync({ type: 'nodebuffer' });
      // when read again and again (the unzip's timing varied from read to read)
      for (let i = 0; i < 25; i++) {
        const parsed = await parseXlsx(file);
        // then
        assert.deepEqual(parsed.problems, [], `${what} stored, read ${i + 1}`);
        assert.deepEqual([parsed.sheets.units?.name, parsed.sheets.quotas?.name, parsed.sheets.persons?.name], ['单位', '编制', '人员']);
        assert.deepEqual(parsed.sheets.units?.rows[0]?.cells.slice(0, 3), ['U1', '甲', '机关']);
        assert.deepEqual(parsed.sheets.quotas?.rows[0]?.cells, ['U1', '行政编制', 3, 0, '示编〔2026〕1号']);
      }
    }
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
